//! `xtask bench`: runs ipcbench (user/bench/ipcbench.c) on Rill and, with `--linux`, on the
//! Linux kernel scripts/build-linux.sh built, in the same QEMU machine (one hart, 512 MiB),
//! and prints one table: each metric, Rill's value, Linux's, their ratio and the goal of issue
//! 16. By default QEMU runs with `-icount shift=0,align=off,sleep=off`: guest time is then the
//! number of instructions executed (1 ns each), the same on every run. `--wall N` measures
//! wall-clock time instead, N runs of each kernel, and reports the median of each metric.
//! `--doc` also rewrites docs/BENCHMARKS.md and its chart (bench_doc.rs).

use crate::console::Stream;
use crate::proc::Ended;
use crate::{bench_doc, cpio, paths, qemu, Context, Res};
use flate2::write::GzEncoder;
use flate2::Compression;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Exact guest time: one instruction is one nanosecond, and the idle loop costs nothing.
pub const ICOUNT: &str = "shift=0,align=off,sleep=off";

/// Longest a single boot may take (the whole run is about half a minute).
const BOOT_TIMEOUT: Duration = Duration::from_secs(600);

/// What a ratio Rill/Linux must be for the goal of issue 16 to hold.
#[derive(Clone, Copy)]
pub enum Goal {
    AtMost(f64),
    AtLeast(f64),
}

impl Goal {
    pub fn holds(self, ratio: f64) -> bool {
        match self {
            Goal::AtMost(g) => ratio <= g,
            Goal::AtLeast(g) => ratio >= g,
        }
    }
    pub fn text(self) -> String {
        match self {
            Goal::AtMost(g) => format!("≤ {g}"),
            Goal::AtLeast(g) => format!("≥ {g}"),
        }
    }
}

/// One line of the table.
pub struct Row {
    /// ipcbench's name for it, or "A/B" for the quotient of two of them (a share).
    pub name: &'static str,
    pub what: &'static str,
    /// On Rill/Linux, or for a share on Rill's share itself.
    pub goal: Option<Goal>,
}

/// The rows in table order. Every plain name must be one ipcbench prints.
pub const ROWS: &[Row] = &[
    row(
        "null_syscall",
        "null syscall (getppid)",
        Some(Goal::AtMost(0.75)),
    ),
    row("sigaction", "sigaction", Some(Goal::AtMost(0.75))),
    row(
        "signal_catch",
        "signal catch (kill self, handler, sigreturn)",
        Some(Goal::AtMost(0.75)),
    ),
    row(
        "pipe_rt",
        "pipe round trip, 1 byte each way",
        Some(Goal::AtMost(0.5)),
    ),
    row("fifo_rt", "FIFO round trip, 1 byte each way", None),
    row("pipe_bw_4k", "pipe bandwidth, 4 KiB writes", None),
    row("pipe_bw_64k", "pipe bandwidth, 64 KiB writes", None),
    row("pipe_bw_1m", "pipe bandwidth, 1 MiB writes", None),
    row(
        "pipe_bw_64k/memcpy_bw",
        "pipe bandwidth at 64 KiB as a share of memcpy",
        Some(Goal::AtLeast(0.6)),
    ),
    row(
        "sysv_msg_rt",
        "System V message round trip, 64 bytes",
        Some(Goal::AtMost(0.5)),
    ),
    row(
        "posix_mq_rt",
        "POSIX message queue round trip, 64 bytes",
        Some(Goal::AtMost(0.5)),
    ),
    row(
        "sem_shm_rt",
        "shared-memory hand-off with a System V semaphore pair, round trip",
        None,
    ),
    row(
        "shm_write_bw",
        "shared segment write bandwidth (fresh 1 MiB segment each time)",
        Some(Goal::AtLeast(1.0)),
    ),
    row("fork_exit", "fork + exit + wait", Some(Goal::AtMost(0.5))),
    row(
        "fork_exec",
        "fork + execve + wait of a one-page static program",
        None,
    ),
    row(
        "ctx_ring2",
        "context switch, ring of 2 processes (pipe hop)",
        None,
    ),
    row(
        "ctx_ring16",
        "context switch, ring of 16 processes (pipe hop)",
        None,
    ),
    row(
        "futex_wake",
        "futex wake and switch between two threads (one hand-off)",
        None,
    ),
    row("memcpy_bw", "memcpy bandwidth in the guest (1 MiB)", None),
];

const fn row(name: &'static str, what: &'static str, goal: Option<Goal>) -> Row {
    Row { name, what, goal }
}

/// The metrics of one run (or the medians of several): name, value, unit.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Results(pub Vec<(String, f64, String)>);

impl Results {
    pub fn get(&self, name: &str) -> Option<f64> {
        if let Some((num, den)) = name.split_once('/') {
            return Some(self.get(num)? / self.get(den)?);
        }
        self.0
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|&(_, v, _)| v)
    }
    pub fn unit(&self, name: &str) -> &str {
        if name.contains('/') {
            return "share";
        }
        self.0
            .iter()
            .find(|(n, _, _)| n == name)
            .map_or("", |(_, _, u)| u.as_str())
    }
}

/// Reads ipcbench's `name value unit` lines out of a console log; other lines are ignored.
pub fn parse(console: &[u8]) -> Results {
    let text = String::from_utf8_lossy(console).replace('\r', "");
    let mut out = Vec::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [name, value, unit] = words[..] else {
            continue;
        };
        let known = ROWS.iter().any(|r| r.name == name);
        if let (true, Ok(v), "us" | "MB/s") = (known, value.parse::<f64>(), unit) {
            out.push((name.to_string(), v, unit.to_string()));
        }
    }
    Results(out)
}

/// The value in the precision ipcbench prints it.
pub fn show(value: f64, unit: &str) -> String {
    match unit {
        "us" => format!("{value:.3} µs"),
        "MB/s" => format!("{value:.0} MB/s"),
        _ => format!("{value:.3}"),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kernel {
    Rill,
    Linux,
}

pub struct Options {
    pub linux: bool,
    /// Wall-clock mode with this many runs per kernel.
    pub wall_runs: Option<usize>,
    pub doc: bool,
    /// Passed on to ipcbench (e.g. `-s 0.5 pipe`).
    pub bench_args: Vec<String>,
}

pub fn parse_args(args: Vec<OsString>) -> Res<Options> {
    let mut o = Options {
        linux: false,
        wall_runs: None,
        doc: false,
        bench_args: Vec::new(),
    };
    let mut args = args.into_iter().map(|a| a.to_string_lossy().into_owned());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--linux" => o.linux = true,
            "--doc" => o.doc = true,
            "--wall" => {
                let n = args.next().ok_or("--wall needs a number of runs")?;
                let n: usize = n
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or("--wall: bad number")?;
                o.wall_runs = Some(n);
            }
            "--" => o.bench_args.extend(args.by_ref()),
            other => return Err(format!("bench: unknown option {other:?}")),
        }
    }
    if o.doc && (!o.linux || o.wall_runs.is_some() || !o.bench_args.is_empty()) {
        return Err("bench: --doc needs --linux, icount and ipcbench's default run".into());
    }
    Ok(o)
}

pub fn main(args: Vec<OsString>) -> Res<i32> {
    let o = parse_args(args)?;
    let runs = o.wall_runs.unwrap_or(1);
    let icount = o.wall_runs.is_none();
    let mut kernels = vec![Kernel::Rill];
    if o.linux {
        kernels.push(Kernel::Linux);
    }
    let mut all: Vec<Vec<Results>> = vec![Vec::new(); kernels.len()];
    // Alternate the kernels, so a busy host slows both alike in wall-clock mode.
    for run in 0..runs {
        for (k, &kernel) in kernels.iter().enumerate() {
            eprintln!(
                "bench: {kernel:?}, {}run {}/{runs}",
                if icount { "icount, " } else { "wall clock, " },
                run + 1
            );
            all[k].push(run_once(kernel, icount, &o.bench_args)?);
        }
    }
    let results: Vec<Results> = all.iter().map(|r| median(r)).collect();
    let out_dir = paths::build().join("bench");
    fs::create_dir_all(&out_dir).ctx(|| out_dir.display().to_string())?;
    let mode = if icount { "icount" } else { "wall" };
    for (kernel, r) in kernels.iter().zip(&results) {
        let path = out_dir.join(format!("{kernel:?}-{mode}.txt").to_lowercase());
        fs::write(&path, raw_lines(r)).ctx(|| path.display().to_string())?;
    }
    let title = if icount {
        format!("guest time under -icount {ICOUNT} (1 instruction = 1 ns), one hart")
    } else {
        format!("wall-clock time, median of {runs} runs, one hart")
    };
    println!("{title}");
    print!("{}", table(&results[0], results.get(1)));
    if o.doc {
        bench_doc::write(&results[0], &results[1])?;
    }
    Ok(0)
}

fn raw_lines(r: &Results) -> String {
    r.0.iter()
        .map(|(n, v, u)| format!("{n} {v} {u}\n"))
        .collect()
}

/// The median of each metric over several runs (all runs print the same names).
pub fn median(runs: &[Results]) -> Results {
    let Some(first) = runs.first() else {
        return Results::default();
    };
    let mut out = Vec::new();
    for (name, _, unit) in &first.0 {
        let mut values: Vec<f64> = runs.iter().filter_map(|r| r.get(name)).collect();
        values.sort_by(f64::total_cmp);
        let mid = values.len() / 2;
        let m = if values.len() % 2 == 1 {
            values[mid]
        } else {
            (values[mid - 1] + values[mid]) / 2.0
        };
        out.push((name.clone(), m, unit.clone()));
    }
    Results(out)
}

/// The plain-text table: Rill's column alone, or with Linux's, the ratio and the goal.
pub fn table(rill: &Results, linux: Option<&Results>) -> String {
    let mut lines = vec![match linux {
        None => vec!["metric".to_string(), "Rill".into()],
        Some(_) => ["metric", "Rill", "Linux", "Rill/Linux", "goal", ""]
            .map(String::from)
            .to_vec(),
    }];
    for row in ROWS {
        let Some(r) = rill.get(row.name) else {
            continue;
        };
        let unit = rill.unit(row.name);
        let mut cells = vec![row.name.to_string(), show(r, unit)];
        if let Some(linux) = linux {
            let l = linux.get(row.name);
            cells.push(l.map_or("-".into(), |l| show(l, unit)));
            let ratio = l.map(|l| r / l);
            cells.push(ratio.map_or("-".into(), |q| format!("{q:.2}")));
            cells.push(row.goal.map_or(String::new(), Goal::text));
            cells.push(verdict(row, r, ratio).to_string());
        }
        lines.push(cells);
    }
    let widths: Vec<usize> = (0..lines[0].len())
        .map(|c| {
            lines
                .iter()
                .map(|l| l[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for cells in &lines {
        let mut line = String::new();
        for (c, cell) in cells.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            if c == 0 {
                line += &format!("{cell}{}", " ".repeat(pad));
            } else {
                line += &format!("  {}{cell}", " ".repeat(pad));
            }
        }
        out += line.trim_end();
        out.push('\n');
    }
    out
}

/// "met", "not met" or "" (no goal, or no Linux value to compare with).
pub fn verdict(row: &Row, rill: f64, ratio: Option<f64>) -> &'static str {
    let value = if row.name.contains('/') {
        Some(rill)
    } else {
        ratio
    };
    match (row.goal, value) {
        (Some(goal), Some(v)) if goal.holds(v) => "met",
        (Some(_), Some(_)) => "not met",
        _ => "",
    }
}

/// Boots `kernel` once running ipcbench with `bench_args`, and returns what it printed.
fn run_once(kernel: Kernel, icount: bool, bench_args: &[String]) -> Res<Results> {
    let mut cmd = match kernel {
        Kernel::Rill => {
            let mut argv = vec![OsString::from("/bin/ipcbench")];
            argv.extend(bench_args.iter().map(OsString::from));
            qemu::command(&paths::initramfs(), &qemu::init_bootargs(&argv))?
        }
        Kernel::Linux => linux_command(bench_args)?,
    };
    if icount {
        cmd.args(["-icount", ICOUNT]);
    }
    cmd.stderr(Stdio::piped());
    let boot = qemu::boot(
        &mut cmd,
        qemu::Input::Null,
        BOOT_TIMEOUT,
        &mut |_: Stream, _: &[u8]| {},
    )?;
    let results = parse(&boot.raw);
    let finished = match kernel {
        Kernel::Rill => boot.ended == Ended::Exited(0) && !boot.panicked,
        Kernel::Linux => {
            let log = String::from_utf8_lossy(&boot.raw);
            log.contains("linux-init: ipcbench status 0\r")
                || log.contains("linux-init: ipcbench status 0\n")
        }
    };
    let complete = ROWS
        .iter()
        .filter(|r| !r.name.contains('/'))
        .all(|r| results.get(r.name).is_some());
    if !finished || (bench_args.is_empty() && !complete) {
        let log = String::from_utf8_lossy(&boot.raw);
        let tail: Vec<&str> = log.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "ipcbench on {kernel:?} did not finish ({:?}); the console ended:\n{}\n{}",
            boot.ended,
            tail.join("\n"),
            String::from_utf8_lossy(&boot.qemu_stderr)
        ));
    }
    Ok(results)
}

/// build/linux/: the kernel and init scripts/build-linux.sh makes.
fn linux_dir() -> PathBuf {
    paths::build().join("linux")
}

/// QEMU booting Linux with an initramfs of /init (build/linux/init), ipcbench and bench-exit;
/// the words after "--" on the kernel command line become init's (and so ipcbench's) arguments.
fn linux_command(bench_args: &[String]) -> Res<Command> {
    let dir = linux_dir();
    let (image, init) = (dir.join("Image"), dir.join("init"));
    if !image.is_file() || !init.is_file() {
        return Err(format!(
            "{} not found: run scripts/build-linux.sh (`make bench-linux` does)",
            image.display()
        ));
    }
    let bin = paths::build().join("c/bin");
    let cpio_path = paths::build().join("bench/linux-initramfs.cpio");
    fs::create_dir_all(paths::build().join("bench")).ctx(|| "creating build/bench".into())?;
    let file = fs::File::create(&cpio_path).ctx(|| cpio_path.display().to_string())?;
    let mut w = cpio::Writer::new(GzEncoder::new(file, Compression::fast()));
    let fail = |e: std::io::Error| format!("writing {}: {e}", cpio_path.display());
    for d in ["bin", "dev", "proc", "tmp"] {
        w.dir(d, 0o755).map_err(fail)?;
    }
    for (name, from) in [
        ("init", init),
        ("bin/ipcbench", bin.join("ipcbench")),
        ("bin/bench-exit", bin.join("bench-exit")),
    ] {
        let data = fs::read(&from).ctx(|| format!("reading {}", from.display()))?;
        w.file(name, 0o755, &data).map_err(fail)?;
    }
    w.finish()
        .and_then(GzEncoder::finish)
        .map_err(|e| format!("writing {}: {e}", cpio_path.display()))?;

    let mut append = String::from("console=ttyS0 rdinit=/init quiet");
    if !bench_args.is_empty() {
        append += " --";
        for a in bench_args {
            append.push(' ');
            append += a;
        }
    }
    let mut cmd = Command::new("qemu-system-riscv64");
    cmd.args("-machine virt -nographic -bios default -m 512M -smp 1 -no-reboot".split(' '))
        .arg("-kernel")
        .arg(image)
        .arg("-initrd")
        .arg(&cpio_path)
        .arg("-append")
        .arg(OsStr::new(&append));
    Ok(cmd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_benchmark_lines() {
        let log =
            b"[rill] boot\r\nnull_syscall 0.413 us\r\nbogus 1 us\r\npipe_bw_4k 493.3 MB/s\r\n\
                    memcpy_bw 1000.0 MB/s\nipcbench: x\n";
        let r = parse(log);
        assert_eq!(r.get("null_syscall"), Some(0.413));
        assert_eq!(r.get("bogus"), None);
        assert_eq!(r.unit("pipe_bw_4k"), "MB/s");
        assert_eq!(r.0.len(), 3);
        assert!((r.get("pipe_bw_4k/memcpy_bw").unwrap() - 0.4933).abs() < 1e-9);
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        let one = |v| Results(vec![("pipe_rt".into(), v, "us".into())]);
        assert_eq!(
            median(&[one(3.0), one(1.0), one(2.0)]).get("pipe_rt"),
            Some(2.0)
        );
        assert_eq!(median(&[one(4.0), one(1.0)]).get("pipe_rt"), Some(2.5));
    }

    #[test]
    fn goals_and_verdicts() {
        let sys = &ROWS[0];
        assert_eq!(verdict(sys, 0.1, Some(0.7)), "met");
        assert_eq!(verdict(sys, 0.1, Some(0.8)), "not met");
        assert_eq!(verdict(sys, 0.1, None), "");
        let share = ROWS.iter().find(|r| r.name.contains('/')).unwrap();
        assert_eq!(verdict(share, 0.61, Some(0.1)), "met");
        assert_eq!(verdict(share, 0.59, Some(9.0)), "not met");
    }

    #[test]
    fn every_metric_is_one_ipcbench_prints() {
        let source = fs::read_to_string(paths::root().join("user/bench/ipcbench.c")).unwrap();
        for row in ROWS {
            for name in row.name.split('/') {
                assert!(source.contains(&format!("\"{name}\"")), "{name}");
            }
        }
    }

    #[test]
    fn options() {
        let os = |w: &[&str]| w.iter().map(OsString::from).collect::<Vec<_>>();
        let o = parse_args(os(&["--linux", "--wall", "3", "--", "-s", "2"])).unwrap();
        assert!(o.linux && !o.doc);
        assert_eq!(o.wall_runs, Some(3));
        assert_eq!(o.bench_args, ["-s", "2"]);
        assert!(parse_args(os(&["--doc"])).is_err());
        assert!(parse_args(os(&["--wall", "0"])).is_err());
    }
}
