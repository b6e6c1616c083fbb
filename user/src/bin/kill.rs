//! `kill [-s NAME | -NAME | -N] PID...` and `kill -l [N]`: send a signal.
//!
//! The signal is TERM unless named, with or without the SIG prefix, in any case
//! (`-9`, `-KILL`, `-SIGKILL`, `-s kill`). A negative PID means the whole process
//! group -PID (write `kill -- -PGID` or put a signal first, so it is not taken for
//! a signal). `kill -l` prints the 64 Linux signal names one per line, line N
//! naming signal N; `kill -l N` prints the name of signal N (or N-128, so an exit
//! status of 128+N can be decoded). Real-time signals are named from the kernel's
//! SIGRTMIN, 32 (RTMIN, RTMIN+1, ..., RTMAX-1, RTMAX), not from glibc's 34.

use std::io;

/// Signals 1 to 31 as numbered by Linux on riscv64 (the generic numbering).
const NAMES: [&str; 31] = [
    "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
    "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
    "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "POLL", "PWR", "SYS",
];
const RTMIN: i32 = 32;
const RTMAX: i32 = 64;

fn main() {
    rill_user::reset_sigpipe();
    let args = rill_user::args();
    let mut sig = libc::SIGTERM;
    let mut rest = &args[..];
    match rest {
        [flag, numbers @ ..] if flag == "-l" => list(numbers),
        [flag, name, tail @ ..] if flag == "-s" => {
            sig = parse_signal(name);
            rest = tail;
        }
        [flag, tail @ ..] if flag == "--" => rest = tail,
        [spec, tail @ ..] if spec.len() > 1 && spec.starts_with('-') => {
            sig = parse_signal(&spec[1..]);
            rest = tail;
        }
        _ => {}
    }
    if let [flag, tail @ ..] = rest {
        if flag == "--" {
            rest = tail;
        }
    }
    if rest.is_empty() {
        eprintln!("usage: kill [-s NAME | -NAME | -N] PID... | kill -l [N]");
        std::process::exit(2);
    }

    let mut status = 0;
    for arg in rest {
        let Ok(pid) = arg.parse::<libc::pid_t>() else {
            eprintln!("kill: {arg}: arguments must be process or job IDs");
            status = 1;
            continue;
        };
        // SAFETY: kill has no memory-safety requirements.
        if unsafe { libc::kill(pid, sig) } != 0 {
            rill_user::report("kill", arg, &io::Error::last_os_error());
            status = 1;
        }
    }
    std::process::exit(status);
}

/// The name of signal `n` (1..=64) without the SIG prefix.
fn name(n: i32) -> String {
    match n {
        1..=31 => NAMES[n as usize - 1].to_string(),
        RTMIN => "RTMIN".to_string(),
        RTMAX => "RTMAX".to_string(),
        33..=47 => format!("RTMIN+{}", n - RTMIN),
        _ => format!("RTMAX-{}", RTMAX - n),
    }
}

/// Parses a signal number or name (`9`, `KILL`, `SIGKILL`, `kill`, `RTMIN+3`).
fn parse_signal(spec: &str) -> i32 {
    if let Ok(n) = spec.parse::<i32>() {
        if (0..=RTMAX).contains(&n) {
            return n;
        }
    } else {
        let upper = spec.to_ascii_uppercase();
        let bare = upper.strip_prefix("SIG").unwrap_or(&upper);
        if let Some(n) = (1..=RTMAX).find(|&n| name(n) == bare) {
            return n;
        }
    }
    eprintln!("kill: {spec}: invalid signal specification");
    std::process::exit(1);
}

/// `kill -l`: all names, or the name of each given number.
fn list(numbers: &[String]) -> ! {
    if numbers.is_empty() {
        for n in 1..=RTMAX {
            println!("{}", name(n));
        }
        std::process::exit(0);
    }
    let mut status = 0;
    for arg in numbers {
        match arg.parse::<i32>() {
            Ok(n) if (1..=RTMAX).contains(&n) => println!("{}", name(n)),
            Ok(n) if (129..=128 + RTMAX).contains(&n) => println!("{}", name(n - 128)),
            _ => {
                eprintln!("kill: {arg}: invalid signal specification");
                status = 1;
            }
        }
    }
    std::process::exit(status);
}
