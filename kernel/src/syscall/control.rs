//! Calls threaded programs make about themselves and the system: prctl (thread names,
//! the child subreaper), the scheduler's yield and CPU affinity, nice values
//! (getpriority, setpriority), the kernel log (syslog), and sysinfo.

use crate::errno::*;
use crate::mm::uaccess::{write_array, write_val, UserSlice};
use crate::task::{current, current_process, process, Pid};
use core::sync::atomic::Ordering;
use linux_raw_sys::prctl as pr;

/// Linux's TASK_COMM_LEN: a thread name is at most 15 bytes and a NUL.
const COMM_LEN: usize = 16;

pub fn prctl(option: u32, arg: usize) -> SysResult {
    let proc = current_process();
    match option {
        pr::PR_SET_CHILD_SUBREAPER => {
            proc.subreaper.store(arg != 0, Ordering::Relaxed);
            Ok(0)
        }
        pr::PR_GET_CHILD_SUBREAPER => {
            write_val(arg, &(proc.subreaper.load(Ordering::Relaxed) as i32))?;
            Ok(0)
        }
        pr::PR_SET_NAME => {
            *current().name.lock() = Some(read_name(arg)?);
            Ok(0)
        }
        pr::PR_GET_NAME => {
            let mut name = [0u8; COMM_LEN];
            let comm = current().comm();
            for (d, s) in name.iter_mut().zip(comm.bytes().take(COMM_LEN - 1)) {
                *d = s;
            }
            write_val(arg, &name)?;
            Ok(0)
        }
        pr::PR_SET_PDEATHSIG => Ok(0),
        _ => Err(EINVAL),
    }
}

/// The name at `addr` as PR_SET_NAME takes it (strncpy_from_user of 15 bytes): cut at
/// the first NUL or after 15 bytes; EFAULT if memory ends before either.
fn read_name(addr: usize) -> SysResult<[u8; COMM_LEN]> {
    let mut name = [0u8; COMM_LEN];
    let max = COMM_LEN - 1;
    let got = UserSlice::new(addr, max)?.read_upto(0, &mut name[..max])?;
    match name[..got].iter().position(|&b| b == 0) {
        Some(end) => name[end..].fill(0),
        None if got < max => return Err(EFAULT),
        None => {}
    }
    Ok(name)
}

pub fn sched_yield() -> SysResult {
    crate::task::schedule_yield();
    Ok(0)
}

/// The thread `pid` names for the affinity and scheduler calls (0: the caller); ESRCH
/// if none.
fn target_thread(pid: i32) -> SysResult<alloc::sync::Arc<crate::task::thread::Task>> {
    if pid == 0 {
        return Ok(current());
    }
    if pid < 0 {
        return Err(ESRCH);
    }
    process::find_thread(pid as Pid).ok_or(ESRCH)
}

/// The thread's mask of the CPUs (harts) it may run on, limited to those online.
pub fn sched_getaffinity(pid: i32, size: usize, mask: usize) -> SysResult {
    let task = target_thread(pid)?;
    if size < 8 || !size.is_multiple_of(8) {
        return Err(EINVAL);
    }
    let harts = (task.affinity() & crate::arch::smp::online()) as u64;
    write_val(mask, &harts)?;
    Ok(8)
}

/// Restricts the thread to the online CPUs of the mask; a mask without one is EINVAL,
/// as Linux's. Bytes past Linux's cpumask (8 bytes here) are not read; a shorter mask
/// is zero-extended. The thread moves at once if it runs where it may no longer.
pub fn sched_setaffinity(pid: i32, size: usize, mask: usize) -> SysResult {
    let task = target_thread(pid)?;
    let mut bytes = [0u8; 8];
    let len = size.min(bytes.len());
    UserSlice::new(mask, len)?.read(0, &mut bytes[..len])?;
    let harts = u64::from_le_bytes(bytes) as usize & crate::arch::smp::online();
    if harts == 0 {
        return Err(EINVAL);
    }
    task.set_affinity(harts);
    crate::task::sched::affinity_changed(&task);
    Ok(0)
}

/// getcpu(2): the hart the caller runs on (its index, as the affinity masks count), on
/// NUMA node 0; either pointer may be NULL.
pub fn getcpu(cpu: usize, node: usize) -> SysResult {
    if cpu != 0 {
        write_val(cpu, &(crate::arch::smp::this_hart() as u32))?;
    }
    if node != 0 {
        write_val(node, &0u32)?;
    }
    Ok(0)
}

/// sched_getscheduler: every task of Rill's runs under the normal policy, SCHED_OTHER.
pub fn sched_getscheduler(pid: i32) -> SysResult {
    if pid < 0 {
        return Err(EINVAL);
    }
    target_thread(pid)?;
    Ok(linux_raw_sys::general::SCHED_NORMAL as usize)
}

/// sched_getparam: the static priority of a SCHED_OTHER task, which is always 0.
pub fn sched_getparam(pid: i32, param: usize) -> SysResult {
    if pid < 0 || param == 0 {
        return Err(EINVAL);
    }
    target_thread(pid)?;
    write_val(param, &0i32)?;
    Ok(0)
}

/// sysinfo(2): Linux reports memory in bytes (mem_unit 1) when it fits, as it always
/// does on 64-bit; Rill has no swap or high memory. The loads are /proc/loadavg's
/// averages with 16 fraction bits (SI_LOAD_SHIFT) instead of 11.
pub fn sysinfo(out: usize) -> SysResult {
    use core::mem::{offset_of, size_of};
    use linux_raw_sys::system::sysinfo as Info;
    const PAGE: u64 = crate::mm::PAGE_SIZE as u64;
    // Built as 64-bit words (the struct ends in a flexible array, so it is not Plain):
    // every field starts a word, and the narrow ones (procs, mem_unit) are its low bits.
    let mut words = [0u64; size_of::<Info>() / 8];
    let mut set = |offset: usize, value: u64| words[offset / 8] = value;
    // Whole seconds since boot, rounded up as Linux does.
    set(
        offset_of!(Info, uptime),
        crate::time::monotonic_ns().div_ceil(1_000_000_000),
    );
    set(
        offset_of!(Info, totalram),
        crate::mm::frame::ram_pages() as u64 * PAGE,
    );
    set(
        offset_of!(Info, freeram),
        crate::mm::frame::free_pages() as u64 * PAGE,
    );
    set(
        offset_of!(Info, sharedram),
        crate::mm::object::object_pages() as u64 * PAGE,
    );
    set(
        offset_of!(Info, procs),
        process::task_count().min(u16::MAX as usize) as u64,
    );
    set(offset_of!(Info, mem_unit), 1);
    let si_shift = linux_raw_sys::system::SI_LOAD_SHIFT - crate::task::loadavg::FSHIFT;
    for (i, avg) in crate::task::loadavg::averages().into_iter().enumerate() {
        words[offset_of!(Info, loads) / 8 + i] = avg << si_shift;
    }
    write_array(out, &words)?;
    Ok(0)
}

/// The processes `which` and `who` of getpriority/setpriority name (who 0: the caller's
/// own process, group or real user); EINVAL for an unknown `which`.
fn priority_targets(
    which: u32,
    who: i32,
) -> SysResult<alloc::vec::Vec<alloc::sync::Arc<process::Process>>> {
    let me = current_process();
    let who = who as u32;
    let all = process::all().into_iter();
    let targets = match which {
        linux_raw_sys::general::PRIO_PROCESS => {
            let pid = if who == 0 { me.pid } else { who as Pid };
            all.filter(|p| p.pid == pid).collect()
        }
        linux_raw_sys::general::PRIO_PGRP => {
            let pgid = if who == 0 { me.pgid() } else { who as Pid };
            all.filter(|p| p.pgid() == pgid).collect()
        }
        linux_raw_sys::general::PRIO_USER => {
            let uid = if who == 0 { me.creds.lock().uid } else { who };
            all.filter(|p| p.creds.lock().uid == uid).collect()
        }
        _ => return Err(EINVAL),
    };
    Ok(targets)
}

/// getpriority(2): the highest priority among the targets as the system call returns it,
/// 20 - nice (1..=40), which glibc turns back into a nice value; ESRCH if none.
pub fn getpriority(which: u32, who: i32) -> SysResult {
    priority_targets(which, who)?
        .iter()
        .map(|p| (20 - p.nice.load(Ordering::Relaxed)) as usize)
        .max()
        .ok_or(ESRCH)
}

/// setpriority(2): the nice value, clamped to -20..=19, for every target. Changing another
/// user's process needs privilege (EPERM), and lowering a nice value needs privilege or
/// RLIMIT_NICE allowing it (EACCES), as Linux's set_one_prio.
pub fn setpriority(which: u32, who: i32, nice: i32) -> SysResult {
    let nice = nice.clamp(-20, 19);
    let me = current_process();
    let creds = *me.creds.lock();
    let privileged = creds.euid == 0;
    let nice_limit = me.rlimits.lock()[linux_raw_sys::general::RLIMIT_NICE as usize].rlim_cur;
    let mut result = Err(ESRCH);
    for p in priority_targets(which, who)? {
        let target = *p.creds.lock();
        if !privileged && target.uid != creds.euid && target.euid != creds.euid {
            result = Err(EPERM);
            continue;
        }
        if nice < p.nice.load(Ordering::Relaxed) && !privileged && (20 - nice) as u64 > nice_limit {
            result = Err(EACCES);
            continue;
        }
        if result == Err(ESRCH) {
            result = Ok(0);
        }
        p.nice.store(nice, Ordering::Relaxed);
    }
    result
}

/// syslog(2), what dmesg reads the kernel log ring with (kernel/src/klog.rs).
pub fn syslog(action: i32, buf: usize, len: i32) -> SysResult {
    crate::klog::syslog(action, buf, len)
}
