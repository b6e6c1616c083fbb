//! Builtin commands: the ones that must act on the shell process itself (its
//! directory, variables, jobs) and so cannot be separate programs.

use crate::exec;
use crate::parser::is_name;
use crate::Shell;
use std::io::{self, Write};

pub fn is_builtin(name: &str) -> bool {
    matches!(
        name,
        "cd" | "pwd" | "exit" | "export" | "unset" | "jobs" | "fg" | "bg" | "wait"
    )
}

/// Runs builtin `argv[0]` and returns its exit status.
pub fn run(shell: &mut Shell, argv: &[String]) -> i32 {
    let args = &argv[1..];
    match argv[0].as_str() {
        "cd" => cd(shell, args),
        "pwd" => pwd(),
        "exit" => exit(shell, args),
        "export" => export(shell, args),
        "unset" => {
            for name in args {
                shell.vars.unset(name);
            }
            0
        }
        "jobs" => {
            shell.jobs.reap();
            shell.jobs.list(&mut io::stdout().lock());
            0
        }
        "fg" => fg(shell, args),
        "bg" => bg(shell, args),
        "wait" => wait(shell, args),
        other => unreachable!("{other} is not a builtin"),
    }
}

/// `cd [DIR]`: change directory, to $HOME without an argument; updates $PWD.
fn cd(shell: &mut Shell, args: &[String]) -> i32 {
    let dir = match args.first() {
        Some(dir) => dir.clone(),
        None => match shell.vars.get("HOME") {
            Some(home) => home.to_string(),
            None => {
                eprintln!("sh: cd: HOME not set");
                return 1;
            }
        },
    };
    if let Err(e) = std::env::set_current_dir(&dir) {
        eprintln!("sh: cd: {dir}: {}", rill_user::strerror(&e));
        return 1;
    }
    if let Ok(cwd) = std::env::current_dir() {
        shell.vars.set("PWD", &cwd.to_string_lossy());
    }
    0
}

fn pwd() -> i32 {
    match std::env::current_dir() {
        Ok(cwd) => {
            let _ = writeln!(io::stdout(), "{}", cwd.display());
            0
        }
        Err(e) => {
            rill_user::report("sh", "pwd", &e);
            1
        }
    }
}

/// `exit [N]`: leave the shell with status N (default: the last status).
fn exit(shell: &Shell, args: &[String]) -> ! {
    let status = match args.first() {
        None => shell.last_status,
        Some(arg) => match arg.parse::<i64>() {
            Ok(n) => (n & 0xff) as i32,
            Err(_) => {
                eprintln!("sh: exit: {arg}: numeric argument required");
                2
            }
        },
    };
    let _ = io::stdout().flush();
    std::process::exit(status);
}

/// `export NAME=value`, `export NAME`, or `export` alone to list the exports.
fn export(shell: &mut Shell, args: &[String]) -> i32 {
    if args.is_empty() {
        let mut out = io::stdout().lock();
        for (name, value) in shell.vars.exported() {
            let _ = writeln!(out, "export {name}={value}");
        }
        return 0;
    }
    let mut status = 0;
    for arg in args {
        let (name, value) = match arg.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (arg.as_str(), None),
        };
        if is_name(name) {
            shell.vars.export(name, value);
        } else {
            eprintln!("sh: export: '{arg}': not a valid identifier");
            status = 1;
        }
    }
    status
}

/// Finds the job `fg`/`bg` should act on, or explains why there is none.
fn job_for(shell: &mut Shell, builtin: &str, args: &[String]) -> Option<usize> {
    if shell.terminal.is_none() {
        eprintln!("sh: {builtin}: no job control");
        return None;
    }
    shell.jobs.reap();
    let spec = args.first().map(String::as_str);
    let id = shell.jobs.resolve(spec);
    if id.is_none() {
        eprintln!("sh: {builtin}: {}: no such job", spec.unwrap_or("current"));
    }
    id
}

/// `fg [%N]`: bring a job to the foreground, continuing it if stopped.
fn fg(shell: &mut Shell, args: &[String]) -> i32 {
    let Some(job) = job_for(shell, "fg", args).and_then(|id| shell.jobs.remove(id)) else {
        return 1;
    };
    let _ = writeln!(io::stdout(), "{}", job.text);
    exec::wait_foreground(shell, job, true)
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

/// `wait`: wait for all background jobs; `wait PID|%N...`: for those jobs, and
/// return the status of the last one.
fn wait(shell: &mut Shell, args: &[String]) -> i32 {
    if args.is_empty() {
        while shell.jobs.any_running() && shell.jobs.wait_one(None, true) {}
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
            eprintln!("sh: wait: {arg}: no such job");
            status = 127;
            continue;
        };
        while shell.jobs.get_mut(id).is_some_and(|j| j.is_running())
            && shell.jobs.wait_one(None, true)
        {}
        if let Some(job) = shell.jobs.get_mut(id) {
            status = job.status();
            if job.is_done() {
                shell.jobs.remove(id);
            }
        }
    }
    status
}
