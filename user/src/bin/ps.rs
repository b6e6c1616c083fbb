//! `ps`: list every process, one per line: `PID PPID PGID STAT CMD`.
//!
//! Everything comes from /proc: the PID directories, /proc/PID/status for the
//! parent and state letter (R running, S sleeping, T stopped, Z zombie...) and
//! /proc/PID/cmdline for the command line. The process group comes from
//! getpgid(PID), since Linux's status file does not show it. A process without a
//! command line (a zombie, or a kernel thread) shows its name in brackets.

use std::fs;
use std::io::{BufWriter, Write};

fn main() {
    rill_user::reset_sigpipe();
    let mut pids: Vec<i32> = match fs::read_dir("/proc") {
        Ok(dir) => dir
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .collect(),
        Err(e) => {
            rill_user::report("ps", "/proc", &e);
            std::process::exit(1);
        }
    };
    pids.sort_unstable();

    let mut out = BufWriter::new(std::io::stdout().lock());
    let _ = writeln!(out, "  PID  PPID  PGID STAT CMD");
    for pid in pids {
        // The process may have exited since /proc was listed: then skip it.
        let Ok(status) = fs::read_to_string(format!("/proc/{pid}/status")) else {
            continue;
        };
        let field = |key: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
                .map(str::trim)
                .unwrap_or("?")
        };
        let state = field("State").chars().next().unwrap_or('?');
        let cmd = fs::read(format!("/proc/{pid}/cmdline"))
            .ok()
            .filter(|c| !c.is_empty())
            .map(|c| {
                // Arguments are NUL-separated (and NUL-terminated).
                let text = String::from_utf8_lossy(&c).replace('\0', " ");
                text.trim_end().to_string()
            })
            .unwrap_or_else(|| format!("[{}]", field("Name")));
        // SAFETY: getpgid has no memory-safety requirements.
        let pgid = unsafe { libc::getpgid(pid) };
        let _ = writeln!(
            out,
            "{pid:>5} {:>5} {pgid:>5} {state:<4} {cmd}",
            field("PPid")
        );
    }
    let _ = out.flush();
}
