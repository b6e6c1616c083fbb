//! `ps`: list every process, one per line: `PID PPID PGID STAT NLWP WCHAN CMD`, NLWP
//! being its number of threads and WCHAN what it sleeps on. `ps -T` lists every thread
//! instead, as Linux's `ps -T`: `PID SPID PPID PGID STAT COMM WCHAN CMD`, SPID the
//! thread's id and COMM its name (prctl(PR_SET_NAME), else the program's).
//!
//! WCHAN is /proc/PID/wchan: on Rill the name of the wait ("pipe_read", "msgrcv",
//! "semop", "sigsuspend", ... see docs/tools.md), on Linux the kernel function the task
//! sleeps in; "-" when it is not asleep, as Linux's ps shows it.
//!
//! Everything comes from /proc: the PID directories, /proc/PID/status for the
//! parent, state letter (R running, S sleeping, T stopped, Z zombie...) and thread
//! count, /proc/PID/task/TID for each thread's state, name and wait channel, and /proc/PID/cmdline
//! for the command line. The process group comes from getpgid(PID), since Linux's
//! status file does not show it. A process without a command line (a zombie, or a
//! kernel thread) shows its name in brackets.

use std::fs;
use std::io::{BufWriter, Write};

/// The numeric entries of a /proc directory, in order (empty if it is gone).
fn numbered(dir: &str) -> std::io::Result<Vec<i32>> {
    let mut ids: Vec<i32> = fs::read_dir(dir)?
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    ids.sort_unstable();
    Ok(ids)
}

/// A `Key:\tvalue` line of a status file, or "?".
fn field<'a>(status: &'a str, key: &str) -> &'a str {
    status
        .lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
        .map(str::trim)
        .unwrap_or("?")
}

fn state(status: &str) -> char {
    field(status, "State").chars().next().unwrap_or('?')
}

/// What the task whose /proc directory is `dir` sleeps on, or "-".
fn wchan(dir: &str) -> String {
    match fs::read_to_string(format!("{dir}/wchan")) {
        Ok(name) if !name.is_empty() && name != "0" => name,
        _ => "-".to_string(),
    }
}

fn main() {
    rill_user::reset_sigpipe();
    let (flags, operands) = rill_user::parse_flags("ps", &rill_user::args(), "T");
    if !operands.is_empty() {
        eprintln!("usage: ps [-T]");
        std::process::exit(1);
    }
    let threads = flags.has('T');
    let pids = numbered("/proc").unwrap_or_else(|e| {
        rill_user::report("ps", "/proc", &e);
        std::process::exit(1);
    });

    let mut out = BufWriter::new(std::io::stdout().lock());
    let _ = if threads {
        writeln!(
            out,
            "  PID  SPID  PPID  PGID STAT COMM            WCHAN           CMD"
        )
    } else {
        writeln!(out, "  PID  PPID  PGID STAT NLWP WCHAN           CMD")
    };
    for pid in pids {
        // The process may have exited since /proc was listed: then skip it.
        let Ok(status) = fs::read_to_string(format!("/proc/{pid}/status")) else {
            continue;
        };
        let cmd = fs::read(format!("/proc/{pid}/cmdline"))
            .ok()
            .filter(|c| !c.is_empty())
            .map(|c| {
                // Arguments are NUL-separated (and NUL-terminated).
                let text = String::from_utf8_lossy(&c).replace('\0', " ");
                text.trim_end().to_string()
            })
            .unwrap_or_else(|| format!("[{}]", field(&status, "Name")));
        // SAFETY: getpgid has no memory-safety requirements.
        let pgid = unsafe { libc::getpgid(pid) };
        let ppid = field(&status, "PPid");
        if !threads {
            let nlwp = field(&status, "Threads");
            let _ = writeln!(
                out,
                "{pid:>5} {ppid:>5} {pgid:>5} {:<4} {nlwp:>4} {:<15} {cmd}",
                state(&status),
                wchan(&format!("/proc/{pid}"))
            );
            continue;
        }
        // A zombie has no threads left: it gets one line under its pid.
        let tids = numbered(&format!("/proc/{pid}/task"))
            .ok()
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| vec![pid]);
        for tid in tids {
            let Ok(tstatus) = fs::read_to_string(format!("/proc/{pid}/task/{tid}/status"))
                .or_else(|_| fs::read_to_string(format!("/proc/{pid}/status")))
            else {
                continue;
            };
            let _ = writeln!(
                out,
                "{pid:>5} {tid:>5} {ppid:>5} {pgid:>5} {:<4} {:<15} {:<15} {cmd}",
                state(&tstatus),
                field(&tstatus, "Name"),
                wchan(&format!("/proc/{pid}/task/{tid}"))
            );
        }
    }
    let _ = out.flush();
}
