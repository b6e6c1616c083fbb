//! `xtask profile PROG [ARGS...]`: where the kernel's instructions go while PROG runs.
//!
//! Boots Rill twice under icount with the pcprof plugin (tools/pcprof), which counts how often
//! each instruction address executes: once running PROG, once running /bin/bench-exit (a
//! program that exits at once). Both boots do the same work apart from the program, so the
//! difference, per address, is what PROG cost: its own code and the kernel's on its behalf.
//! Kernel addresses are grouped by function with the kernel ELF's symbol table (inlined code
//! counts for the function it was inlined into) and the hottest functions are printed.

use crate::console::Stream;
use crate::proc::Ended;
use crate::{paths, qemu, rootfs, Context, Res};
use std::collections::HashMap;
use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Addresses at or above this are the kernel's (its link address, kernel/linker script).
const KERNEL_BASE: u64 = 0xffff_ffc0_0000_0000;
const KERNEL_ELF: &str = "kernel/target/riscv64gc-unknown-none-elf/release/rill";
const TOP: usize = 30;
const TIMEOUT: Duration = Duration::from_secs(900);

pub fn main(args: Vec<OsString>) -> Res<i32> {
    let mut args = args.into_iter();
    let prog = args
        .next()
        .ok_or("usage: xtask profile PROG [ARGS...] (PROG: a host file or a path in the image)")?;
    let prog_args: Vec<OsString> = args.collect();
    let dir = paths::build().join("profile");
    fs::create_dir_all(&dir).ctx(|| dir.display().to_string())?;
    let plugin = build_plugin(&dir)?;

    // A host file is added to the image as /bin/NAME; anything else names a guest file.
    let host = Path::new(&prog);
    let (initrd, guest) = if host.is_file() {
        let name = host.file_name().unwrap_or_default().to_string_lossy();
        let cpio = dir.join("profile.cpio");
        let guest = format!("bin/{name}");
        let add = rootfs::Additions {
            trees: Vec::new(),
            files: vec![(guest.clone(), host.to_path_buf())],
        };
        rootfs::write_archive(&paths::rootfs(), &add, &cpio)?;
        (cpio, OsString::from(format!("/{guest}")))
    } else {
        (paths::initramfs(), prog.clone())
    };

    let mut argv = vec![guest];
    argv.extend(prog_args);
    eprintln!("profile: running {argv:?} under icount with the pcprof plugin");
    let run = boot_counted(&initrd, &argv, &plugin, &dir.join("run.txt"), true)?;
    eprintln!("profile: the same boot with /bin/bench-exit instead, to subtract");
    let base = boot_counted(
        &initrd,
        &[OsString::from("/bin/bench-exit")],
        &plugin,
        &dir.join("base.txt"),
        false,
    )?;
    let symbols = kernel_symbols()?;
    print!("{}", report(&run, &base, &symbols));
    Ok(0)
}

/// Builds tools/pcprof/pcprof.c into `dir` with the host C compiler when it changed.
fn build_plugin(dir: &Path) -> Res<PathBuf> {
    let src = paths::root().join("tools/pcprof/pcprof.c");
    let lib = dir.join("libpcprof.so");
    let stale = match (fs::metadata(&src), fs::metadata(&lib)) {
        (Ok(s), Ok(l)) => s.modified().ok() > l.modified().ok(),
        _ => true,
    };
    if stale {
        let status = Command::new("cc")
            .args(["-O2", "-Wall", "-Wextra", "-shared", "-fPIC", "-o"])
            .arg(&lib)
            .arg(&src)
            .status()
            .ctx(|| "running cc for the pcprof plugin".into())?;
        if !status.success() {
            return Err("building tools/pcprof/pcprof.c failed".into());
        }
    }
    Ok(lib)
}

/// Boots with the plugin and returns its per-address counts; relays the program's output if
/// `show`.
fn boot_counted(
    initrd: &Path,
    argv: &[OsString],
    plugin: &Path,
    out: &Path,
    show: bool,
) -> Res<HashMap<u64, u64>> {
    let _ = fs::remove_file(out);
    let mut cmd = qemu::command(initrd, &qemu::init_bootargs(argv))?;
    cmd.args(["-icount", crate::bench::ICOUNT, "-plugin"]);
    cmd.arg(format!("{},out={}", plugin.display(), out.display()));
    cmd.stderr(Stdio::inherit());
    let mut sink = |stream: Stream, bytes: &[u8]| {
        if show && stream == Stream::Stdout {
            let _ = std::io::stdout().write_all(bytes);
        }
    };
    let boot = qemu::boot(&mut cmd, qemu::Input::Null, TIMEOUT, &mut sink)?;
    if boot.ended == Ended::TimedOut || boot.panicked {
        return Err(format!("the profiled boot failed: {:?}", boot.ended));
    }
    let text = fs::read_to_string(out).ctx(|| format!("reading {}", out.display()))?;
    Ok(parse_counts(&text))
}

pub fn parse_counts(text: &str) -> HashMap<u64, u64> {
    text.lines()
        .filter_map(|l| {
            let (pc, n) = l.split_once(' ')?;
            Some((u64::from_str_radix(pc, 16).ok()?, n.trim().parse().ok()?))
        })
        .collect()
}

/// The kernel's functions, sorted by address: (start, name).
fn kernel_symbols() -> Res<Vec<(u64, String)>> {
    let elf = paths::root().join(KERNEL_ELF);
    let out = Command::new("riscv64-linux-gnu-nm")
        .args(["-n", "-C", "--defined-only"])
        .arg(&elf)
        .output()
        .ctx(|| format!("running riscv64-linux-gnu-nm on {}", elf.display()))?;
    Ok(parse_nm(&String::from_utf8_lossy(&out.stdout)))
}

pub fn parse_nm(text: &str) -> Vec<(u64, String)> {
    let mut syms: Vec<(u64, String)> = text
        .lines()
        .filter_map(|l| {
            let mut parts = l.splitn(3, ' ');
            let addr = u64::from_str_radix(parts.next()?, 16).ok()?;
            let kind = parts.next()?;
            let name = parts.next()?;
            matches!(kind, "t" | "T" | "W" | "w").then(|| (addr, name.to_string()))
        })
        .collect();
    syms.sort();
    syms
}

/// The function holding `pc`: the last symbol at or below it.
fn function_of(symbols: &[(u64, String)], pc: u64) -> &str {
    match symbols.partition_point(|(a, _)| *a <= pc) {
        0 => "?",
        i => &symbols[i - 1].1,
    }
}

/// The table: totals, then the hottest kernel functions by instructions (run minus base).
pub fn report(
    run: &HashMap<u64, u64>,
    base: &HashMap<u64, u64>,
    symbols: &[(u64, String)],
) -> String {
    let (mut kernel, mut user) = (0i64, 0i64);
    let mut by_function: HashMap<&str, i64> = HashMap::new();
    for (&pc, &n) in run {
        let d = n as i64 - base.get(&pc).copied().unwrap_or(0) as i64;
        if pc >= KERNEL_BASE {
            kernel += d;
            *by_function.entry(function_of(symbols, pc)).or_default() += d;
        } else {
            user += d;
        }
    }
    // Addresses the baseline ran and the program's boot did not.
    for (&pc, &n) in base {
        if !run.contains_key(&pc) {
            let d = -(n as i64);
            if pc >= KERNEL_BASE {
                kernel += d;
                *by_function.entry(function_of(symbols, pc)).or_default() += d;
            } else {
                user += d;
            }
        }
    }
    let mut hot: Vec<(&str, i64)> = by_function.into_iter().filter(|&(_, n)| n > 0).collect();
    hot.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut s = format!(
        "instructions of the program's run (minus a boot running nothing): \
         {} kernel, {} user\n\n{:>14} {:>6}  kernel function\n",
        kernel, user, "instructions", "share"
    );
    for (name, n) in hot.iter().take(TOP) {
        let share = if kernel > 0 {
            100.0 * *n as f64 / kernel as f64
        } else {
            0.0
        };
        s += &format!("{n:>14} {share:>5.1}%  {name}\n");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_function_after_subtracting_the_base() {
        let k = KERNEL_BASE + 0x1000;
        let symbols = parse_nm(&format!(
            "{:x} T rill::syscall::dispatch\n{:x} t rill::ipc::pipe::read\n{:x} A KERNEL_OFFSET\n",
            k,
            k + 0x100,
            KERNEL_BASE
        ));
        assert_eq!(symbols.len(), 2);
        let run = parse_counts(&format!(
            "{:x} 50\n{:x} 500\n{:x} 30\n10000 7\n",
            k,
            k + 0x104,
            k + 0x108
        ));
        let base = parse_counts(&format!("{:x} 20\n{:x} 5\n10000 2\n", k, k + 0x200));
        let r = report(&run, &base, &symbols);
        assert!(r.contains("555 kernel, 5 user"), "{r}");
        let pipe = r
            .lines()
            .position(|l| l.ends_with("rill::ipc::pipe::read"))
            .unwrap();
        let dispatch = r
            .lines()
            .position(|l| l.ends_with("rill::syscall::dispatch"))
            .unwrap();
        assert!(pipe < dispatch);
        assert!(r.contains("525  94.6%  rill::ipc::pipe::read"), "{r}");
        assert!(r.contains("30   5.4%  rill::syscall::dispatch"), "{r}");
    }
}
