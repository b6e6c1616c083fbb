//! The system-wide files of /proc: meminfo, uptime, loadavg, stat, cpuinfo and mountinfo. (The /proc/sys
//! tunables and /proc/sysvipc tables are rendered by the IPC code that owns them.)

use crate::task::process;
use alloc::format;
use alloc::string::String;
use spin::Once;

/// What /proc/cpuinfo says about the machine beyond its harts: the ISA string of the
/// device tree (set once at boot).
pub struct CpuIdent {
    pub isa: &'static str,
}

pub static CPU: Once<CpuIdent> = Once::new();

/// Linux 6.1's show_cpuinfo for each hart Rill uses: the device tree's base ISA
/// (up to the first '_') followed by the multi-letter extensions Linux 6.1 knows, in
/// its order; the MMU mode Rill runs; the machine ids from SBI.
pub(super) fn cpuinfo() -> String {
    let isa = CPU.get().map_or("rv64imafdc", |c| c.isa);
    let (base, exts) = isa.split_once('_').unwrap_or((isa, ""));
    let mut line = String::from(base);
    for known in [
        "sscofpmf",
        "sstc",
        "svinval",
        "svpbmt",
        "zicbom",
        "zihintpause",
    ] {
        if exts.split('_').any(|e| e == known) {
            line.push('_');
            line.push_str(known);
        }
    }
    let (vendor, arch, imp) = crate::arch::sbi::machine_ids();
    // One block per hart Rill runs on; QEMU's harts all have the boot hart's ISA.
    let mut out = String::new();
    for processor in 0..crate::arch::smp::count() {
        let hart = crate::arch::smp::hart_id(processor);
        out.push_str(&format!(
            "processor\t: {processor}\nhart\t\t: {hart}\nisa\t\t: {line}\nmmu\t\t: sv39\n\
             mvendorid\t: {vendor:#x}\nmarchid\t\t: {arch:#x}\nmimpid\t\t: {imp:#x}\n\n"
        ));
    }
    out
}

pub(super) fn meminfo() -> String {
    // Linux's totalram_pages: all RAM after the kernel image, the kernel heap's included.
    let total = crate::mm::frame::ram_pages() * 4;
    let free = crate::mm::frame::free_pages() * 4;
    // Memory objects are all shared memory in Linux's terms (shmem), which Linux also
    // counts as page cache.
    let shmem = crate::mm::object::object_pages() * 4;
    // Slab is Linux's name for kernel object memory; here it is the kernel heap in use.
    let slab = crate::mm::heap::used_bytes() / 1024;
    format!(
        "MemTotal:       {total:8} kB\nMemFree:        {free:8} kB\nMemAvailable:   {free:8} kB\n\
         Cached:         {shmem:8} kB\nShmem:          {shmem:8} kB\nSlab:           {slab:8} kB\n"
    )
}

/// /proc/uptime: seconds since boot and seconds idle, to hundredths (the idle time is
/// /proc/stat's, as Linux's sums its CPUs' idle time).
pub(super) fn uptime() -> String {
    let cs = crate::time::monotonic_ns() / 10_000_000;
    let idle = cpu_centis().2;
    format!(
        "{}.{:02} {}.{:02}\n",
        cs / 100,
        cs % 100,
        idle / 100,
        idle % 100
    )
}

/// The system's CPU time in USER_HZ (100 a second) as one CPU: user, system and idle.
/// CPU time is every live process's own and its reaped children's (which holds every
/// reaped process once); the rest of the time since boot is idle.
fn cpu_centis() -> (u64, u64, u64) {
    let centis = |ticks: u64| crate::time::ticks_to_ns(ticks) / 10_000_000;
    let (mut user, mut system) = (0, 0);
    for p in process::all() {
        let (cu, cs) = p.cpu.children_ticks();
        user += centis(p.cpu.user_ticks() + cu);
        system += centis(p.cpu.system_ticks() + cs);
    }
    let uptime = crate::time::monotonic_ns() / 10_000_000;
    (user, system, uptime.saturating_sub(user + system))
}

/// /proc/loadavg as Linux prints it: the three load averages (rounded to hundredths),
/// running/total tasks, and the pid handed out last.
pub(super) fn loadavg() -> String {
    use crate::task::loadavg::{averages, running_tasks, FSHIFT};
    let mut out = String::new();
    for avg in averages() {
        // Linux adds FIXED_1/200 so the hundredths are rounded, not cut.
        let avg = avg + (1 << FSHIFT) / 200;
        let frac = ((avg & ((1 << FSHIFT) - 1)) * 100) >> FSHIFT;
        out += &format!("{}.{frac:02} ", avg >> FSHIFT);
    }
    out + &format!(
        "{}/{} {}\n",
        running_tasks(),
        process::task_count(),
        process::last_pid()
    )
}

/// /proc/PID/mountinfo, made from /proc/mounts' lines (`source target type options 0 0`):
/// `ID PARENT-ID 0:1 / TARGET MOUNT-OPTIONS - TYPE SOURCE SUPER-OPTIONS`. IDs count from
/// 1 (the root); a mount's parent is the one whose target holds it. Every file reports
/// device 0:1 in stat, so every mount does here. The per-mount flags (ro/rw, nosuid,
/// nodev, noexec, relatime) are the mount options; the rest are the file system's.
pub(super) fn mountinfo() -> crate::errno::SysResult<String> {
    let table = crate::fs::mount::proc_text()?;
    let mounts: alloc::vec::Vec<alloc::vec::Vec<&str>> = table
        .lines()
        .map(|line| line.split(' ').collect::<alloc::vec::Vec<_>>())
        .filter(|fields| fields.len() >= 4)
        .collect();
    let mut out = String::new();
    crate::mm::heap::reserve(table.len() * 2 + 64)?;
    for (i, m) in mounts.iter().enumerate() {
        let (source, target, fstype, options) = (m[0], m[1], m[2], m[3]);
        // The nearest earlier mount whose target is a directory above this one.
        let parent = mounts[..i]
            .iter()
            .enumerate()
            .rev()
            .find(|(_, p)| {
                let above = p[1].trim_end_matches('/');
                target.len() > above.len()
                    && target.starts_with(above)
                    && target.as_bytes()[above.len()] == b'/'
            })
            .map_or(1, |(j, _)| j + 1);
        let (mut per_mount, mut fs_options) = (String::new(), String::new());
        for word in options.split(',') {
            let is_mount_flag = matches!(
                word,
                "rw" | "ro" | "nosuid" | "nodev" | "noexec" | "relatime"
            );
            for (list, take) in [
                (&mut per_mount, is_mount_flag),
                (
                    &mut fs_options,
                    !is_mount_flag || word == "rw" || word == "ro",
                ),
            ] {
                if take {
                    if !list.is_empty() {
                        list.push(',');
                    }
                    list.push_str(word);
                }
            }
        }
        out += &format!(
            "{} {parent} 0:1 / {target} {per_mount} - {fstype} {source} {fs_options}\n",
            i + 1
        );
    }
    Ok(out)
}

/// /proc/stat: the system's CPU time (`cpu_centis`) as one CPU (what sched_getaffinity
/// shows), and the boot time. Rill does not count interrupt or I/O-wait time apart.
pub(super) fn sys_stat() -> String {
    let (user, system, idle) = cpu_centis();
    let uptime_ns = crate::time::monotonic_ns();
    let boot = (crate::time::realtime_ns().saturating_sub(uptime_ns)) / 1_000_000_000;
    let times = format!("{user} 0 {system} {idle} 0 0 0 0 0 0");
    format!("cpu  {times}\ncpu0 {times}\nbtime {boot}\n")
}
