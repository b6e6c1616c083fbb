//! Processes: forking pipelines and subshells as jobs, waiting for foreground
//! jobs (handing them the terminal under job control), command substitution,
//! and the exec of external programs.

use crate::ast::{Command, Item};
use crate::jobs::{signal_description, Job, Process, State};
use crate::{cstring, exec, terminal, Shell};
use std::ffi::{c_char, CString};
use std::io::{self, Read, Write};
use std::os::fd::FromRawFd;

/// Gives the terminal to `job` (if we do job control), optionally continues it
/// (`fg`), and waits until it finishes or stops. A stopped job goes into the job
/// table. Returns the job's status.
pub fn wait_foreground(shell: &mut Shell, mut job: Job, resume: bool) -> i32 {
    if let Some(terminal) = &shell.terminal {
        terminal.give_to(job.pgid, job.modes.as_ref());
    }
    if resume {
        // SAFETY: kill has no memory-safety requirements.
        unsafe { libc::kill(-job.pgid, libc::SIGCONT) };
        job.mark_running();
    }
    while job.is_running() && shell.jobs.wait_one(Some(&mut job), true, false) {}
    if let Some(terminal) = &shell.terminal {
        job.modes = Some(terminal.take_back());
    }

    let status = job.status();
    if job.is_stopped() {
        let id = shell.jobs.insert(job);
        if let Some(line) = shell.jobs.status_line(id) {
            // ^Z left the cursor after "^Z": start a fresh line.
            eprintln!("\n{line}");
        }
    } else {
        match job.killed_by() {
            // After ^C, end the line the ^C was echoed on.
            Some(libc::SIGINT) if shell.interactive => eprintln!(),
            Some(libc::SIGINT) => {}
            Some(libc::SIGPIPE) | None => {}
            Some(sig) => eprintln!("{}", signal_description(sig)),
        }
    }
    status
}

/// Runs a pipeline of several commands, or one command that needs a process
/// of its own, as a foreground job; returns its status.
pub fn run_foreground(shell: &mut Shell, cmds: &[&Command], text: &str) -> i32 {
    let job = spawn(shell, cmds, true, text);
    wait_foreground(shell, job, false)
}

/// Starts a list item ending in `&` as a background job.
pub fn start_background(shell: &mut Shell, item: &Item) {
    let simple_pipeline = item.and_or.rest.is_empty() && !item.and_or.first.bang;
    let job = if simple_pipeline {
        let cmds: Vec<&Command> = item.and_or.first.commands.iter().collect();
        spawn(shell, &cmds, false, &item.text)
    } else {
        let mut job = Job::new(&item.text);
        if fork_into_job(shell, &mut job, false) == Some(0) {
            background_stdin(shell);
            shell.enter_subshell();
            let status = exec::run_and_or(shell, &item.and_or);
            shell.exit(status);
        }
        job
    };
    let Some(last) = job.procs.last().map(|p| p.pid) else {
        return;
    };
    shell.last_background = Some(last);
    let id = shell.jobs.insert(job);
    if shell.interactive {
        eprintln!("[{id}] {last}");
    }
}

/// Without job control nothing stops a background job from reading the
/// terminal, so POSIX gives it /dev/null as its input instead, and keyboard
/// signals meant for the foreground must not reach it: it ignores SIGINT and
/// SIGQUIT.
fn background_stdin(shell: &Shell) {
    if shell.terminal.is_none() {
        let path = cstring("/dev/null");
        // SAFETY: path is a valid C string; dup2/close on our descriptors.
        unsafe {
            let fd = libc::open(path.as_ptr(), libc::O_RDONLY);
            if fd > 0 {
                libc::dup2(fd, 0);
                libc::close(fd);
            }
            libc::signal(libc::SIGINT, libc::SIG_IGN);
            libc::signal(libc::SIGQUIT, libc::SIG_IGN);
        }
    }
}

/// Forks one process per command, connected by pipes, all in one process group
/// led by the first (with job control). Returns the job, not waited for.
fn spawn(shell: &mut Shell, cmds: &[&Command], foreground: bool, text: &str) -> Job {
    let mut job = Job::new(text);
    // The read end of the pipe from the previous command.
    let mut prev_read: Option<libc::c_int> = None;
    for (i, cmd) in cmds.iter().enumerate() {
        let (next_read, write) = if i + 1 < cmds.len() {
            match pipe() {
                Ok((r, w)) => (Some(r), Some(w)),
                Err(e) => {
                    rill_user::report("sh", "pipe", &e);
                    break;
                }
            }
        } else {
            (None, None)
        };
        match fork_into_job(shell, &mut job, foreground) {
            Some(0) => {
                if i == 0 && !foreground {
                    background_stdin(shell);
                }
                // SAFETY: dup2 and close on descriptors this process owns.
                unsafe {
                    if let Some(r) = next_read {
                        libc::close(r);
                    }
                    if let Some(r) = prev_read {
                        libc::dup2(r, 0);
                        libc::close(r);
                    }
                    if let Some(w) = write {
                        libc::dup2(w, 1);
                        libc::close(w);
                    }
                }
                shell.enter_subshell();
                let status = exec::run_command(shell, cmd, true);
                shell.exit(status);
            }
            Some(_) => {}
            None => {
                close_all(&[prev_read, next_read, write]);
                return job;
            }
        }
        // The parent keeps only the read end the next command needs.
        close_all(&[prev_read, write]);
        prev_read = next_read;
    }
    close_all(&[prev_read]);
    job
}

/// Forks a process for `job`. In the child: joins the job's process group (with
/// job control) and restores default signal actions; returns Some(0). In the
/// parent: records the process and returns Some(pid). None if fork failed.
pub fn fork_into_job(shell: &Shell, job: &mut Job, foreground: bool) -> Option<libc::pid_t> {
    // Anything still buffered would otherwise be written twice, once per process.
    let _ = io::stdout().flush();
    // SAFETY: the shell is single-threaded, so the child may run any code.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        rill_user::report("sh", "fork", &io::Error::last_os_error());
        return None;
    }
    if pid == 0 {
        if shell.terminal.is_some() {
            terminal::enter_job(job.pgid, foreground);
        }
        terminal::reset_signals(shell.terminal.is_some());
        shell.traps.keep_ignored();
        return Some(0);
    }
    if job.pgid == 0 {
        job.pgid = pid;
    }
    if shell.terminal.is_some() {
        // Also done by the child: see terminal::enter_job.
        // SAFETY: setpgid has no memory-safety requirements.
        unsafe { libc::setpgid(pid, job.pgid) };
    }
    job.procs.push(Process {
        pid,
        state: State::Running,
    });
    Some(pid)
}

/// Runs `body` in a forked copy of the shell (a `( ... )` subshell) and
/// returns its status.
pub fn subshell(shell: &mut Shell, text: &str, body: impl FnOnce(&mut Shell) -> i32) -> i32 {
    let mut job = Job::new(text);
    if fork_into_job(shell, &mut job, true) == Some(0) {
        shell.enter_subshell();
        let status = body(shell);
        shell.exit(status);
    }
    wait_foreground(shell, job, false)
}

/// `$(...)`: runs `text` in a subshell and returns what it wrote to standard
/// output, without trailing newlines. `$?` becomes its status.
pub fn command_output(shell: &mut Shell, text: &str) -> String {
    let (r, w) = match pipe() {
        Ok(fds) => fds,
        Err(e) => {
            rill_user::report("sh", "pipe", &e);
            return String::new();
        }
    };
    let _ = io::stdout().flush();
    // SAFETY: the shell is single-threaded, so the child may run any code.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        // SAFETY: dup2 and close on descriptors this process owns.
        unsafe {
            libc::close(r);
            libc::dup2(w, 1);
            libc::close(w);
        }
        terminal::reset_signals(shell.terminal.is_some());
        shell.traps.keep_ignored();
        shell.enter_subshell();
        let line = shell.line;
        let status = crate::run_text_in_child(shell, text, line);
        shell.exit(status);
    }
    close_all(&[Some(w)]);
    if pid < 0 {
        close_all(&[Some(r)]);
        rill_user::report("sh", "fork", &io::Error::last_os_error());
        return String::new();
    }
    let mut out = Vec::new();
    // SAFETY: r is an open descriptor that this File now owns (and closes).
    let mut file = unsafe { std::fs::File::from_raw_fd(r) };
    let _ = file.read_to_end(&mut out);
    drop(file);
    shell.last_status = wait_pid(pid);
    let mut s = String::from_utf8_lossy(&out).into_owned();
    while s.ends_with('\n') {
        s.pop();
    }
    s
}

/// Waits for one child and returns its status as `$?` shows it.
pub fn wait_pid(pid: libc::pid_t) -> i32 {
    let mut raw = 0;
    loop {
        // SAFETY: raw is a valid place for the status.
        let got = unsafe { libc::waitpid(pid, &mut raw, 0) };
        if got == pid {
            return rill_user::shell_status(raw);
        }
        if got < 0 && io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return 127;
        }
    }
}

/// Where `name` would be run from: its path through $PATH (or itself if it
/// contains a `/`), if that is an executable file.
pub fn find_in_path(shell: &Shell, name: &str) -> Option<String> {
    let candidates: Vec<String> = if name.contains('/') {
        vec![name.to_string()]
    } else {
        let path = shell.vars.get("PATH").unwrap_or("/bin:/usr/bin");
        path.split(':')
            .map(|dir| match dir {
                "" => name.to_string(),
                dir => format!("{dir}/{name}"),
            })
            .collect()
    };
    candidates.into_iter().find(|p| {
        let c = cstring(p);
        // SAFETY: c is a valid C string.
        let executable = unsafe { libc::access(c.as_ptr(), libc::X_OK) == 0 };
        executable && std::fs::metadata(p).is_ok_and(|m| m.is_file())
    })
}

/// Replaces the process with the program argv[0], searched for in $PATH unless
/// the name contains a '/'. If nothing can be run, reports why and exits with
/// 127 (not found) or 126 (found but cannot be executed).
pub fn exec_external(shell: &Shell, argv: &[String], assigns: &[(String, String)]) -> ! {
    let name = &argv[0];
    let cargv: Vec<CString> = argv.iter().map(|a| cstring(a)).collect();
    let env = shell.vars.environment(assigns);
    let candidates: Vec<String> = if name.contains('/') {
        vec![name.clone()]
    } else {
        let path = shell.vars.get("PATH").unwrap_or("/bin:/usr/bin");
        // An empty entry in PATH means the current directory.
        path.split(':')
            .map(|dir| match dir {
                "" => name.clone(),
                dir => format!("{dir}/{name}"),
            })
            .collect()
    };
    let _ = io::stdout().flush();

    // The first error other than "not there", to report if nothing runs.
    let mut failure = None;
    for path in &candidates {
        let err = execve(path, &cargv, &env);
        match err.raw_os_error() {
            Some(libc::ENOENT | libc::ENOTDIR) => continue,
            // Not a binary and no #! line: by tradition, a script for /bin/sh.
            Some(libc::ENOEXEC) => {
                let mut script_argv = vec![cstring("sh"), cstring(path)];
                script_argv.extend(cargv[1..].iter().cloned());
                execve("/bin/sh", &script_argv, &env);
            }
            _ => {}
        }
        failure.get_or_insert(err);
    }
    match failure {
        Some(err) => {
            shell.error(&format!("{name}: {}", rill_user::strerror(&err)));
            exit_now(126);
        }
        None if name.contains('/') => {
            let err = io::Error::from_raw_os_error(libc::ENOENT);
            shell.error(&format!("{name}: {}", rill_user::strerror(&err)));
            exit_now(127);
        }
        None => {
            shell.error(&format!("{name}: command not found"));
            exit_now(127);
        }
    }
}

/// Calls execve; returns only on failure, with the error.
fn execve(path: &str, argv: &[CString], env: &[CString]) -> io::Error {
    let path = cstring(path);
    let pointers = |strings: &[CString]| -> Vec<*const c_char> {
        strings
            .iter()
            .map(|s| s.as_ptr())
            .chain(std::iter::once(std::ptr::null()))
            .collect()
    };
    let (argv, env) = (pointers(argv), pointers(env));
    // SAFETY: both arrays are NUL-terminated and point to live C strings.
    unsafe { libc::execve(path.as_ptr(), argv.as_ptr(), env.as_ptr()) };
    io::Error::last_os_error()
}

/// Ends a forked child at once: flushes what a builtin printed, and skips the
/// exit handlers and traps, which belong to the parent shell.
pub fn exit_now(status: i32) -> ! {
    let _ = io::stdout().flush();
    // SAFETY: _exit has no memory-safety requirements.
    unsafe { libc::_exit(status) }
}

/// A pipe whose two ends are closed on exec (each child dup2's the end it
/// needs onto 0 or 1, and dup2 clears that flag on the copy).
fn pipe() -> io::Result<(libc::c_int, libc::c_int)> {
    let mut fds = [0; 2];
    // SAFETY: fds has room for the two descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((fds[0], fds[1]))
}

fn close_all(fds: &[Option<libc::c_int>]) {
    for fd in fds.iter().flatten() {
        // SAFETY: closing a descriptor this process owns.
        unsafe { libc::close(*fd) };
    }
}
