//! xtask: the host-side tool for Rill. Command-line parsing, usage, and the paths every
//! subcommand shares; the work is in the modules below.

mod bench;
mod bench_doc;
mod bench_profile;
mod console;
mod cpio;
mod diff;
mod divergences;
mod exec;
mod linux;
mod ltp;
mod proc;
mod qemu;
mod rootfs;
mod term;
mod test;

use std::ffi::OsString;
use std::fmt::Display;
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "\
usage: cargo run -q --release -p xtask -- COMMAND

commands:
  rootfs                     assemble build/rootfs/ and build/initramfs.cpio
  exec [OPTIONS] PROG [ARGS...]
                             boot Rill running the host program PROG (added to the
                             initramfs as /bin/<name of PROG>) with ARGS; the program's
                             console output goes to stdout, kernel lines to stderr, and
                             the exit status is the program's (124 on timeout, 255 on a
                             kernel panic)
      --guest                PROG is a path inside the guest (e.g. /tests/pipe): run it
                             from build/initramfs.cpio without adding a file
      --timeout SECS         give up after SECS seconds (default: $TIMEOUT, else 60)
      --rootfs DIR           merge the host directory DIR into the image (its files
                             replace those of the same name, e.g. DIR/etc/passwd)
  run                        boot Rill interactively on this terminal (quit: Ctrl-A X)
  test [FILTER]              run the tests in build/rootfs/tests whose names contain
                             FILTER on Rill and on Linux (qemu-riscv64) and compare;
                             each run times out after $TIMEOUT seconds, else 60;
                             then, unless FILTER excludes `term`, the terminal test
  term-test                  boot Rill's shell on pipes, type at it and check the
                             screen: line editing, ^C/^Z, jobs, pipes, FIFOs, exit
  ltp [OPTIONS] DIR [FILTER...]
                             run the LTP tests of xtask/ltp/tests.txt whose names
                             contain a FILTER (all without one) from the binaries in
                             DIR, one boot each, and print Rill's result beside
                             Linux's; the exit status is 0 if all end as on Linux.
                             Without FILTER, also rewrite docs/LTP.md
      --timeout SECS         limit per test (default 420)
      -j N                   run N boots at once (default 1)
  bench [--linux] [--wall RUNS] [--doc] [-- IPCBENCH-ARGS]
                             run user/bench/ipcbench on Rill (and on the Linux of
                             scripts/build-linux.sh) under icount, or on wall-clock time
                             (median of RUNS), and print the table; --doc rewrites
                             docs/BENCHMARKS.md (see xtask/src/bench.rs)
  profile PROG [ARGS...]     run PROG (a host file, or a path in the image) on Rill
                             under icount with tools/pcprof and print the kernel
                             functions that executed the most instructions for it
  help                       show this

environment:
  TIMEOUT      default timeout in seconds for exec and test
  SMP          harts of every boot, 1 to 8 (default 1)
  SMP_AGAIN    test: also run each test's Rill side on this many harts (0: not)
  QEMU_EXTRA   extra qemu-system-riscv64 arguments, split on whitespace
";

/// Errors are messages for the user; they are printed once, by `main`.
pub type Res<T> = Result<T, String>;

/// Adds what was being done to an error.
pub trait Context<T> {
    fn ctx(self, what: impl FnOnce() -> String) -> Res<T>;
}

impl<T, E: Display> Context<T> for Result<T, E> {
    fn ctx(self, what: impl FnOnce() -> String) -> Res<T> {
        self.map_err(|e| format!("{}: {e}", what()))
    }
}

/// Where things are. Paths are fixed relative to the repository, so xtask works from any
/// directory; only the PROG of `exec` is relative to the current directory.
pub mod paths {
    use std::path::{Path, PathBuf};

    pub fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask lives in the repo")
            .to_path_buf()
    }
    pub fn build() -> PathBuf {
        root().join("build")
    }
    pub fn rootfs() -> PathBuf {
        build().join("rootfs")
    }
    pub fn initramfs() -> PathBuf {
        build().join("initramfs.cpio")
    }
    pub fn kernel() -> PathBuf {
        build().join("kernel.bin")
    }
    /// The host end of the guest's second terminal (/dev/hvc0) during `run`.
    pub fn console2() -> PathBuf {
        build().join("console2.sock")
    }
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    match dispatch(args) {
        Ok(code) => ExitCode::from(code.clamp(0, 255) as u8),
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::from(2)
        }
    }
}

fn dispatch(args: Vec<OsString>) -> Res<i32> {
    let mut args = args.into_iter();
    let command = args.next().map(|c| c.to_string_lossy().into_owned());
    let rest: Vec<OsString> = args.collect();
    match command.as_deref() {
        Some("rootfs") => {
            no_more_args("rootfs", &rest)?;
            rootfs::assemble().map(|()| 0)
        }
        Some("exec") => exec::exec(parse_exec(rest)?),
        Some("run") => {
            no_more_args("run", &rest)?;
            exec::run()
        }
        Some("test") => {
            if rest.len() > 1 {
                return Err(format!("test takes at most one FILTER\n\n{USAGE}"));
            }
            let filter = rest.first().map(|f| f.to_string_lossy().into_owned());
            let all_passed = test::run(filter.as_deref(), default_timeout()?)?;
            Ok(if all_passed { 0 } else { 1 })
        }
        Some("ltp") => ltp::main(rest),
        Some("term-test") => {
            no_more_args("term-test", &rest)?;
            Ok(if term::run_alone()? { 0 } else { 1 })
        }
        Some("bench") => bench::main(rest),
        Some("profile") => bench_profile::main(rest),
        Some("help" | "-h" | "--help") => {
            print!("{USAGE}");
            Ok(0)
        }
        Some(other) => Err(format!("unknown command {other:?}\n\n{USAGE}")),
        None => Err(format!("no command given\n\n{USAGE}")),
    }
}

fn no_more_args(command: &str, rest: &[OsString]) -> Res<()> {
    match rest.first() {
        None => Ok(()),
        Some(arg) => Err(format!("{command} takes no arguments (got {arg:?})")),
    }
}

/// Options come before PROG; everything from PROG on belongs to the program.
fn parse_exec(args: Vec<OsString>) -> Res<exec::ExecArgs> {
    let mut timeout = None;
    let mut guest = false;
    let mut rootfs = None;
    let mut args = args.into_iter();
    let prog = loop {
        let Some(arg) = args.next() else {
            return Err(format!("exec needs a PROG\n\n{USAGE}"));
        };
        match arg.to_str() {
            Some("--guest") => guest = true,
            Some("--rootfs") => {
                rootfs = Some(args.next().ok_or("--rootfs needs a directory")?.into());
            }
            Some(s) if s.starts_with("--rootfs=") => rootfs = Some(s["--rootfs=".len()..].into()),
            Some("--timeout") => {
                let value = args.next().ok_or("--timeout needs a number of seconds")?;
                timeout = Some(parse_seconds(&value.to_string_lossy())?);
            }
            Some(s) if s.starts_with("--timeout=") => {
                timeout = Some(parse_seconds(&s["--timeout=".len()..])?)
            }
            Some("--") => break args.next().ok_or("exec needs a PROG")?,
            Some(s) if s.starts_with("--") => {
                return Err(format!("unknown exec option {s:?}\n\n{USAGE}"))
            }
            _ => break arg,
        }
    };
    let timeout = match timeout {
        Some(t) => t,
        None => default_timeout()?,
    };
    Ok(exec::ExecArgs {
        timeout,
        guest,
        rootfs,
        prog,
        args: args.collect(),
    })
}

/// $TIMEOUT, else 60 seconds.
fn default_timeout() -> Res<Duration> {
    match std::env::var("TIMEOUT") {
        Ok(value) if !value.is_empty() => {
            parse_seconds(&value).map_err(|e| format!("TIMEOUT: {e}"))
        }
        _ => Ok(Duration::from_secs(60)),
    }
}

pub fn parse_seconds(text: &str) -> Res<Duration> {
    text.parse::<f64>()
        .ok()
        .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("{text:?} is not a positive number of seconds"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    #[test]
    fn exec_options_stop_at_prog() {
        let a = parse_exec(os(&["--timeout", "5", "prog", "--timeout", "x"])).unwrap();
        assert_eq!(a.timeout, Duration::from_secs(5));
        assert!(!a.guest);
        assert_eq!(a.prog, "prog");
        assert_eq!(a.args, os(&["--timeout", "x"]));

        let a = parse_exec(os(&["--guest", "--timeout=0.5", "--", "/tests/t"])).unwrap();
        assert!(a.guest);
        assert_eq!(a.timeout, Duration::from_millis(500));
        assert_eq!(a.prog, "/tests/t");

        let a = parse_exec(os(&["--rootfs", "suite", "--rootfs=other", "p"])).unwrap();
        assert_eq!(a.rootfs, Some("other".into()));
    }

    #[test]
    fn exec_rejects_bad_input() {
        assert!(parse_exec(os(&[])).is_err());
        assert!(parse_exec(os(&["--timeout", "soon", "p"])).is_err());
        assert!(parse_exec(os(&["--timeout", "0", "p"])).is_err());
        assert!(parse_exec(os(&["--verbose", "p"])).is_err());
    }
}
