//! The builtins about processes and limits: `jobs`, `fg`, `bg`, `wait`, `kill`,
//! `trap`, `read`, `umask` and `ulimit`.

use crate::builtins::quote;
use crate::trap::{self, Action};
use crate::{process, Shell};
use std::io::{self, Write};

pub fn run(shell: &mut Shell, name: &str, args: &[String]) -> i32 {
    match name {
        "jobs" => {
            shell.jobs.reap();
            shell.jobs.list(&mut io::stdout().lock());
            0
        }
        "fg" => fg(shell, args),
        "bg" => bg(shell, args),
        "wait" => wait(shell, args),
        "kill" => kill(shell, args),
        "trap" => trap_builtin(shell, args),
        "read" => read(shell, args),
        "umask" => umask(shell, args),
        "ulimit" => ulimit(shell, args),
        other => unreachable!("{other} is not a builtin"),
    }
}

/// Finds the job `fg`/`bg` should act on, or explains why there is none.
fn job_for(shell: &mut Shell, builtin: &str, args: &[String]) -> Option<usize> {
    if shell.terminal.is_none() {
        shell.error(&format!("{builtin}: no job control"));
        return None;
    }
    shell.jobs.reap();
    let spec = args.first().map(String::as_str);
    let id = shell.jobs.resolve(spec);
    if id.is_none() {
        let spec = spec.unwrap_or("current");
        shell.error(&format!("{builtin}: {spec}: no such job"));
    }
    id
}

/// `fg [%N]`: bring a job to the foreground, continuing it if stopped.
fn fg(shell: &mut Shell, args: &[String]) -> i32 {
    let Some(job) = job_for(shell, "fg", args).and_then(|id| shell.jobs.remove(id)) else {
        return 1;
    };
    let _ = writeln!(io::stdout(), "{}", job.text);
    let _ = io::stdout().flush();
    process::wait_foreground(shell, job, true)
}

/// `bg [%N]`: continue a stopped job in the background.
fn bg(shell: &mut Shell, args: &[String]) -> i32 {
    let Some(job) = job_for(shell, "bg", args).and_then(|id| shell.jobs.get_mut(id)) else {
        return 1;
    };
    // SAFETY: kill has no memory-safety requirements.
    unsafe { libc::kill(-job.pgid, libc::SIGCONT) };
    job.mark_running();
    let _ = writeln!(io::stdout(), "[{}] {} &", job.id, job.text);
    0
}

/// The status `wait` returns when a trapped signal interrupts it: 128 + N.
fn interrupted() -> Option<i32> {
    trap::pending_signal().map(|sig| 128 + sig)
}

/// `wait`: wait for all background jobs; `wait PID|%N...`: for those, and
/// return the status of the last one (128+N if a signal killed it). A trapped
/// signal ends the wait early with 128+N.
fn wait(shell: &mut Shell, args: &[String]) -> i32 {
    if args.is_empty() {
        while shell.jobs.any_running() {
            // A signal may have come with the last child's exit, after which
            // waitpid would block again: check before each wait.
            if let Some(status) = interrupted() {
                return status;
            }
            if !shell.jobs.wait_one(None, true, true) {
                if let Some(status) = interrupted() {
                    return status;
                }
                break;
            }
        }
        shell.jobs.remove_done();
        return 0;
    }
    let mut status = 0;
    for arg in args {
        let id = if arg.starts_with('%') {
            shell.jobs.resolve(Some(arg))
        } else {
            arg.parse().ok().and_then(|pid| shell.jobs.find_pid(pid))
        };
        let Some(id) = id else {
            status = 127;
            continue;
        };
        while shell.jobs.get_mut(id).is_some_and(|j| j.is_running()) {
            if let Some(status) = interrupted() {
                return status;
            }
            if !shell.jobs.wait_one(None, true, true) {
                if let Some(status) = interrupted() {
                    return status;
                }
                break;
            }
        }
        if let Some(job) = shell.jobs.get_mut(id) {
            status = job.status();
            if job.is_done() {
                shell.jobs.remove(id);
            }
        }
    }
    status
}

/// `kill [-s SIG | -SIG] PID|%N...` and `kill -l [STATUS]`.
fn kill(shell: &mut Shell, args: &[String]) -> i32 {
    let mut sig = libc::SIGTERM;
    let mut rest = args;
    match args.first().map(String::as_str) {
        Some("-l" | "-L") => {
            let mut out = io::stdout().lock();
            return match args.get(1) {
                None => {
                    let _ = out.write_all(trap::list_all().as_bytes());
                    0
                }
                Some(a) => match a.parse::<i32>() {
                    Ok(n) => {
                        let n = if n > 128 { n - 128 } else { n };
                        let _ = writeln!(out, "{}", trap::name(n));
                        0
                    }
                    Err(_) => match trap::number(a) {
                        Some(n) => {
                            let _ = writeln!(out, "{n}");
                            0
                        }
                        None => {
                            drop(out);
                            shell.error(&format!("kill: {a}: invalid signal"));
                            1
                        }
                    },
                },
            };
        }
        Some("-s" | "-n") => {
            let Some(n) = args.get(1).and_then(|s| trap::number(s)) else {
                shell.error("kill: invalid signal");
                return 1;
            };
            sig = n;
            rest = &args[2..];
        }
        Some("--") => rest = &args[1..],
        Some(a) if a.starts_with('-') && a.len() > 1 => {
            let Some(n) = trap::number(&a[1..]) else {
                shell.error(&format!("kill: {a}: invalid signal"));
                return 1;
            };
            sig = n;
            rest = &args[1..];
        }
        _ => {}
    }
    if rest.is_empty() {
        shell.error("kill: usage: kill [-s sigspec | -signum] pid | %job ... or kill -l");
        return 2;
    }
    let mut status = 0;
    for target in rest {
        let pid = if target.starts_with('%') {
            shell.jobs.reap();
            let job = shell
                .jobs
                .resolve(Some(target))
                .and_then(|id| shell.jobs.get_mut(id));
            match job {
                Some(job) if shell.terminal.is_some() => Some(-job.pgid),
                Some(job) => job.procs.last().map(|p| p.pid),
                None => None,
            }
        } else {
            target.parse::<libc::pid_t>().ok()
        };
        let Some(pid) = pid else {
            shell.error(&format!("kill: {target}: no such job"));
            status = 1;
            continue;
        };
        // SAFETY: kill has no memory-safety requirements.
        if unsafe { libc::kill(pid, sig) } < 0 {
            let err = io::Error::last_os_error();
            shell.error(&format!("kill: {target}: {}", rill_user::strerror(&err)));
            status = 1;
        }
    }
    status
}

/// `trap [ACTION SIG...]`: `-` resets, `''` ignores; alone, lists the traps.
fn trap_builtin(shell: &mut Shell, args: &[String]) -> i32 {
    let args: &[String] = if args.first().is_some_and(|a| a == "--") {
        &args[1..]
    } else {
        args
    };
    if args.is_empty() || args[0] == "-p" {
        let mut out = io::stdout().lock();
        for (sig, action) in shell.traps.list() {
            let cmd = match action {
                Action::Ignore => String::new(),
                Action::Run(c) => c.clone(),
            };
            let name = if sig == 0 {
                "EXIT".to_string()
            } else {
                trap::name(sig)
            };
            let _ = writeln!(out, "trap -- {} {name}", quote(&cmd));
        }
        return 0;
    }
    // A lone condition, or a first operand that is a number: reset them all.
    let (action, sigs) = if args.len() == 1 || args[0].parse::<u32>().is_ok() {
        (None, args)
    } else {
        let action = match args[0].as_str() {
            "-" => None,
            "" => Some(Action::Ignore),
            cmd => Some(Action::Run(cmd.to_string())),
        };
        (action, &args[1..])
    };
    let mut status = 0;
    for spec in sigs {
        match trap::number(spec) {
            Some(sig) if sig != libc::SIGKILL && sig != libc::SIGSTOP => {
                shell.traps.set(sig, action.clone())
            }
            _ => {
                shell.error(&format!("trap: {spec}: bad trap"));
                status = 1;
            }
        }
    }
    status
}

/// `read [-r] [-p PROMPT] [NAME...]`: reads a line and splits it by IFS into
/// the names, the last taking the rest. Without -r a backslash escapes the next
/// character and continues the line after a newline. Status 1 at end of input.
fn read(shell: &mut Shell, args: &[String]) -> i32 {
    let mut raw = false;
    let mut names = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        match a.as_str() {
            "-r" => raw = true,
            "-p" => {
                i += 1;
                eprint!("{}", args.get(i).map(String::as_str).unwrap_or(""));
            }
            _ => names.push(a.clone()),
        }
        i += 1;
    }
    if names.is_empty() {
        names.push("REPLY".to_string());
    }
    // (character, escaped) pairs: escaped characters never split.
    let mut line: Vec<(char, bool)> = Vec::new();
    let mut bytes = Vec::new();
    let mut escaped = false;
    let mut eof = false;
    loop {
        let mut b = 0u8;
        // SAFETY: reading one byte into a valid one-byte buffer.
        let n = unsafe { libc::read(0, (&mut b as *mut u8).cast(), 1) };
        if n < 0 && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
            if trap::any_pending() {
                return 128 + trap::pending_signal().unwrap_or(0);
            }
            continue;
        }
        if n != 1 {
            eof = true;
            break;
        }
        if !raw && !escaped && b == b'\\' {
            escaped = true;
            continue;
        }
        if b == b'\n' && !escaped {
            break;
        }
        if escaped && b == b'\n' {
            escaped = false;
            continue;
        }
        bytes.push((b, escaped));
        escaped = false;
    }
    let text: Vec<u8> = bytes.iter().map(|&(b, _)| b).collect();
    let text = String::from_utf8_lossy(&text);
    // Escapes are byte-level; with multi-byte text they are rare, so map each
    // character to the escape mark of its first byte.
    let mut at = 0;
    for c in text.chars() {
        line.push((c, bytes.get(at).is_some_and(|&(_, e)| e)));
        at += c.len_utf8();
    }
    let ifs = shell.vars.get("IFS").unwrap_or(" \t\n").to_string();
    let is_ifs = |&(c, e): &(char, bool)| !e && ifs.contains(c);
    let is_white = |p: &(char, bool)| is_ifs(p) && matches!(p.0, ' ' | '\t' | '\n');
    let mut pos = 0;
    while pos < line.len() && is_white(&line[pos]) {
        pos += 1;
    }
    for (n, name) in names.iter().enumerate() {
        let value: String = if n + 1 == names.len() {
            let mut end = line.len();
            while end > pos && is_white(&line[end - 1]) {
                end -= 1;
            }
            line[pos..end].iter().map(|&(c, _)| c).collect()
        } else {
            let start = pos;
            while pos < line.len() && !is_ifs(&line[pos]) {
                pos += 1;
            }
            let v = line[start..pos].iter().map(|&(c, _)| c).collect();
            while pos < line.len() && is_white(&line[pos]) {
                pos += 1;
            }
            if pos < line.len() && is_ifs(&line[pos]) {
                pos += 1;
                while pos < line.len() && is_white(&line[pos]) {
                    pos += 1;
                }
            }
            v
        };
        if let Err(msg) = shell.vars.set_checked(name, &value) {
            shell.error(&format!("read: {msg}"));
            return 2;
        }
    }
    if eof {
        1
    } else {
        0
    }
}

/// `umask [-S] [MODE]`: shows the mask in octal (or symbolically), or sets it
/// from an octal number.
fn umask(shell: &mut Shell, args: &[String]) -> i32 {
    let symbolic = args.first().is_some_and(|a| a == "-S");
    let args = if symbolic { &args[1..] } else { args };
    // SAFETY: umask has no memory-safety requirements; set back at once.
    let mask = unsafe {
        let m = libc::umask(0);
        libc::umask(m);
        m
    };
    match args.first() {
        None if symbolic => {
            let part = |shift: u32| {
                let allowed = !(mask >> shift) & 7;
                let mut s = String::new();
                for (bit, c) in [(4, 'r'), (2, 'w'), (1, 'x')] {
                    if allowed & bit != 0 {
                        s.push(c);
                    }
                }
                s
            };
            let _ = writeln!(io::stdout(), "u={},g={},o={}", part(6), part(3), part(0));
            0
        }
        None => {
            let _ = writeln!(io::stdout(), "{mask:04o}");
            0
        }
        Some(m) => match libc::mode_t::from_str_radix(m, 8) {
            Ok(m) if m <= 0o777 => {
                // SAFETY: as above.
                unsafe { libc::umask(m) };
                0
            }
            _ => {
                shell.error(&format!("umask: {m}: invalid mode"));
                1
            }
        },
    }
}

/// The limits `ulimit` knows: option letter, resource, unit in bytes (1 for
/// counts and seconds), and the label of `ulimit -a`.
const LIMITS: [(char, libc::__rlimit_resource_t, u64, &str); 12] = [
    ('t', libc::RLIMIT_CPU, 1, "time(seconds)"),
    ('f', libc::RLIMIT_FSIZE, 512, "file(blocks)"),
    ('d', libc::RLIMIT_DATA, 1024, "data(kbytes)"),
    ('s', libc::RLIMIT_STACK, 1024, "stack(kbytes)"),
    ('c', libc::RLIMIT_CORE, 512, "coredump(blocks)"),
    ('m', libc::RLIMIT_RSS, 1024, "memory(kbytes)"),
    ('l', libc::RLIMIT_MEMLOCK, 1024, "locked memory(kbytes)"),
    ('u', libc::RLIMIT_NPROC, 1, "process"),
    ('n', libc::RLIMIT_NOFILE, 1, "nofiles"),
    ('v', libc::RLIMIT_AS, 1024, "vmemory(kbytes)"),
    ('x', libc::RLIMIT_LOCKS, 1, "locks"),
    ('r', libc::RLIMIT_RTPRIO, 1, "rtprio"),
];

/// `ulimit [-H|-S] [-a | -tfdscmlunvxr] [LIMIT]`: shows or sets a resource
/// limit (the file size limit by default). Setting without -H/-S sets both.
fn ulimit(shell: &mut Shell, args: &[String]) -> i32 {
    let (mut hard, mut soft, mut all) = (false, false, false);
    let mut which = 'f';
    let mut value = None;
    for a in args {
        if let Some(flags) = a.strip_prefix('-').filter(|f| !f.is_empty()) {
            for c in flags.chars() {
                match c {
                    'H' => hard = true,
                    'S' => soft = true,
                    'a' => all = true,
                    c if LIMITS.iter().any(|l| l.0 == c) => which = c,
                    c => {
                        shell.error(&format!("ulimit: -{c}: invalid option"));
                        return 2;
                    }
                }
            }
        } else {
            value = Some(a.clone());
        }
    }
    let get = |res| {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: lim is a valid rlimit to fill.
        unsafe { libc::getrlimit(res, &mut lim) };
        lim
    };
    let show = |lim: &libc::rlimit, unit: u64| {
        let v = if hard { lim.rlim_max } else { lim.rlim_cur };
        if v == libc::RLIM_INFINITY {
            "unlimited".to_string()
        } else {
            (v / unit).to_string()
        }
    };
    let mut out = io::stdout().lock();
    if all {
        for (_, res, unit, label) in LIMITS {
            let _ = writeln!(out, "{label:<20} {}", show(&get(res), unit));
        }
        return 0;
    }
    let Some(&(_, res, unit, _)) = LIMITS.iter().find(|l| l.0 == which) else {
        return 2;
    };
    let Some(value) = value else {
        let _ = writeln!(out, "{}", show(&get(res), unit));
        return 0;
    };
    let v = if value == "unlimited" {
        libc::RLIM_INFINITY
    } else {
        match value.parse::<u64>() {
            Ok(n) => n.saturating_mul(unit),
            Err(_) => {
                drop(out);
                shell.error(&format!("ulimit: {value}: bad number"));
                return 2;
            }
        }
    };
    let mut lim = get(res);
    if hard || !soft {
        lim.rlim_max = v;
    }
    if soft || !hard {
        lim.rlim_cur = v;
    }
    // SAFETY: lim is a valid rlimit.
    if unsafe { libc::setrlimit(res, &lim) } < 0 {
        drop(out);
        let err = io::Error::last_os_error();
        shell.error(&format!("ulimit: {}", rill_user::strerror(&err)));
        return 1;
    }
    0
}

/// Appends `arg` with echo -e's backslash escapes decoded. Returns true at
/// `\c`, which ends all output.
pub fn unescape(arg: &str, out: &mut Vec<u8>) -> bool {
    let b = arg.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' || i + 1 == b.len() {
            out.push(b[i]);
            i += 1;
            continue;
        }
        i += 1;
        let c = b[i];
        i += 1;
        match c {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'e' => out.push(0x1b),
            b'f' => out.push(12),
            b'v' => out.push(11),
            b'\\' => out.push(b'\\'),
            b'c' => return true,
            b'0' => {
                let mut v: u32 = 0;
                let mut n = 0;
                while n < 3 && i < b.len() && (b'0'..=b'7').contains(&b[i]) {
                    v = v * 8 + u32::from(b[i] - b'0');
                    i += 1;
                    n += 1;
                }
                out.push(v as u8);
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    false
}
