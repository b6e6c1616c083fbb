//! Running commands: and-or lists, pipelines, background jobs, redirections, and
//! the fork/exec of each process.

use crate::builtins;
use crate::expand::{expand_single, expand_words};
use crate::jobs::{signal_description, Job, Process, State};
use crate::lexer::RedirOp;
use crate::parser::{AndOr, Command, Connector, Item, Pipeline};
use crate::{cstring, terminal, Shell};
use std::ffi::{c_char, CString};
use std::io::{self, Write};

/// A command after expansion, ready to run.
struct Simple {
    argv: Vec<String>,
    assigns: Vec<(String, String)>,
    redirects: Vec<(i32, RedirOp, String)>,
}

fn expand(shell: &Shell, cmd: &Command) -> Simple {
    Simple {
        argv: expand_words(shell, &cmd.words),
        assigns: cmd
            .assigns
            .iter()
            .map(|(name, value)| (name.clone(), expand_single(shell, value)))
            .collect(),
        redirects: cmd
            .redirects
            .iter()
            .map(|r| (r.fd, r.op, expand_single(shell, &r.target)))
            .collect(),
    }
}

/// Runs one list item, in the foreground or (after `&`) in the background.
pub fn run_item(shell: &mut Shell, item: &Item) {
    if item.background {
        start_background(shell, &item.and_or);
        shell.last_status = 0;
    } else {
        run_and_or(shell, &item.and_or);
    }
}

/// Runs `p1 && p2 || p3` from left to right: after `&&` the next pipeline runs
/// only if the status so far is 0, after `||` only if it is not. `$?` is updated
/// after each pipeline.
fn run_and_or(shell: &mut Shell, and_or: &AndOr) -> i32 {
    shell.last_status = run_pipeline(shell, &and_or.first);
    for (connector, pipeline) in &and_or.rest {
        let wanted = match connector {
            Connector::And => shell.last_status == 0,
            Connector::Or => shell.last_status != 0,
        };
        if wanted {
            shell.last_status = run_pipeline(shell, pipeline);
        }
    }
    shell.last_status
}

/// Runs a pipeline in the foreground and returns its status (its last command's).
fn run_pipeline(shell: &mut Shell, pipeline: &Pipeline) -> i32 {
    let cmds: Vec<Simple> = pipeline.commands.iter().map(|c| expand(shell, c)).collect();
    // A builtin alone (`cd`, `exit`...) or a bare assignment must change the
    // shell itself, so it runs without a fork.
    if let [cmd] = &cmds[..] {
        if cmd
            .argv
            .first()
            .is_none_or(|name| builtins::is_builtin(name))
        {
            return run_in_shell(shell, cmd);
        }
    }
    let job = spawn(shell, &cmds, true, &pipeline.text);
    wait_foreground(shell, job, false)
}

/// Starts an and-or list as a background job and adds it to the job table.
fn start_background(shell: &mut Shell, and_or: &AndOr) {
    let job = if and_or.rest.is_empty() {
        let cmds: Vec<Simple> = and_or
            .first
            .commands
            .iter()
            .map(|c| expand(shell, c))
            .collect();
        spawn(shell, &cmds, false, &and_or.text)
    } else {
        spawn_subshell(shell, and_or)
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
    while job.is_running() && shell.jobs.wait_one(Some(&mut job), true) {}
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
            Some(libc::SIGINT) => eprintln!(),
            Some(libc::SIGPIPE) | None => {}
            Some(sig) => eprintln!("{}", signal_description(sig)),
        }
    }
    status
}

/// Forks one process per command, connected by pipes, all in one process group
/// led by the first (with job control). Returns the job, not waited for.
fn spawn(shell: &mut Shell, cmds: &[Simple], foreground: bool, text: &str) -> Job {
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
                // Without job control nothing stops a background job from reading
                // the terminal, so POSIX gives it /dev/null as its input instead.
                if i == 0 && !foreground && shell.terminal.is_none() {
                    let _ = redirect(0, RedirOp::In, "/dev/null");
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
                run_child(shell, cmd);
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

/// Runs an and-or list (`a && b &`) in a forked copy of the shell, as one job.
fn spawn_subshell(shell: &mut Shell, and_or: &AndOr) -> Job {
    let mut job = Job::new(&and_or.text);
    if fork_into_job(shell, &mut job, false) == Some(0) {
        if shell.terminal.is_none() {
            let _ = redirect(0, RedirOp::In, "/dev/null");
        }
        // The copy is a plain non-interactive shell with no jobs of its own.
        shell.terminal = None;
        shell.interactive = false;
        shell.jobs = Default::default();
        let status = run_and_or(shell, and_or);
        exit_child(status);
    }
    job
}

/// Forks a process for `job`. In the child: joins the job's process group (with
/// job control) and restores default signal actions; returns Some(0). In the
/// parent: records the process and returns Some(pid). None if fork failed.
fn fork_into_job(shell: &Shell, job: &mut Job, foreground: bool) -> Option<libc::pid_t> {
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
        terminal::reset_signals();
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

/// The rest of a forked child's life: redirections, then a builtin or exec.
fn run_child(shell: &mut Shell, cmd: &Simple) -> ! {
    for (fd, op, target) in &cmd.redirects {
        if let Err(msg) = redirect(*fd, *op, target) {
            eprintln!("sh: {msg}");
            exit_child(1);
        }
    }
    match cmd.argv.first() {
        None => exit_child(0),
        Some(name) if builtins::is_builtin(name) => {
            let status = builtins::run(shell, &cmd.argv);
            exit_child(status);
        }
        Some(_) => exec_external(shell, cmd),
    }
}

/// Runs a builtin or a bare assignment inside the shell. Redirections apply only
/// to it, so the shell's own descriptors are saved first and put back after.
fn run_in_shell(shell: &mut Shell, cmd: &Simple) -> i32 {
    let mut saved = Vec::new();
    let mut status = 0;
    for (fd, op, target) in &cmd.redirects {
        // SAFETY: fcntl duplicates (or fails on) a descriptor number.
        saved.push((*fd, unsafe { libc::fcntl(*fd, libc::F_DUPFD_CLOEXEC, 10) }));
        if let Err(msg) = redirect(*fd, *op, target) {
            eprintln!("sh: {msg}");
            status = 1;
            break;
        }
    }
    if status == 0 {
        status = match cmd.argv.first() {
            Some(_) => builtins::run(shell, &cmd.argv),
            None => {
                for (name, value) in &cmd.assigns {
                    shell.vars.set(name, value);
                }
                0
            }
        };
    }
    let _ = io::stdout().flush();
    for (fd, copy) in saved.into_iter().rev() {
        // SAFETY: dup2 and close on descriptors this process owns.
        unsafe {
            if copy >= 0 {
                libc::dup2(copy, fd);
                libc::close(copy);
            } else {
                // The descriptor was not open before the redirection.
                libc::close(fd);
            }
        }
    }
    status
}

/// Performs one redirection in the current process. The error message names
/// the culprit, e.g. "out/x: No such file or directory".
fn redirect(fd: i32, op: RedirOp, target: &str) -> Result<(), String> {
    let flags = match op {
        RedirOp::In => libc::O_RDONLY,
        RedirOp::Out => libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC,
        RedirOp::Append => libc::O_WRONLY | libc::O_CREAT | libc::O_APPEND,
        RedirOp::DupOut | RedirOp::DupIn => {
            let from: i32 = target
                .parse()
                .map_err(|_| format!("{target}: ambiguous redirect"))?;
            // SAFETY: dup2 has no memory-safety requirements.
            if unsafe { libc::dup2(from, fd) } < 0 {
                return Err(format!("{from}: {}", last_error()));
            }
            return Ok(());
        }
    };
    let path = cstring(target);
    // Opened without O_CLOEXEC: the descriptor is meant to survive exec.
    // SAFETY: path is a valid C string.
    let opened = unsafe { libc::open(path.as_ptr(), flags, 0o666) };
    if opened < 0 {
        return Err(format!("{target}: {}", last_error()));
    }
    if opened != fd {
        // SAFETY: dup2 and close on descriptors this process owns.
        unsafe {
            libc::dup2(opened, fd);
            libc::close(opened);
        }
    }
    Ok(())
}

/// Replaces the child with the program argv[0], searched for in $PATH unless
/// the name contains a '/'. If nothing can be run, reports why and exits with
/// 127 (not found) or 126 (found but cannot be executed).
fn exec_external(shell: &Shell, cmd: &Simple) -> ! {
    let name = &cmd.argv[0];
    let argv: Vec<CString> = cmd.argv.iter().map(|a| cstring(a)).collect();
    let env = shell.vars.environment(&cmd.assigns);
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

    // The first error other than "not there", to report if nothing runs.
    let mut failure = None;
    for path in &candidates {
        let err = execve(path, &argv, &env);
        match err.raw_os_error() {
            Some(libc::ENOENT | libc::ENOTDIR) => continue,
            // Not a binary and no #! line: by tradition, a script for /bin/sh.
            Some(libc::ENOEXEC) => {
                let mut script_argv = vec![cstring("sh"), cstring(path)];
                script_argv.extend(argv[1..].iter().cloned());
                execve("/bin/sh", &script_argv, &env);
            }
            _ => {}
        }
        failure.get_or_insert(err);
    }
    match failure {
        Some(err) => {
            rill_user::report("sh", name, &err);
            exit_child(126);
        }
        None if name.contains('/') => {
            let err = io::Error::from_raw_os_error(libc::ENOENT);
            rill_user::report("sh", name, &err);
            exit_child(127);
        }
        None => {
            eprintln!("sh: {name}: command not found");
            exit_child(127);
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

/// Ends a forked child: flushes what a builtin printed, and skips the exit
/// handlers, which belong to the parent shell.
fn exit_child(status: i32) -> ! {
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

fn last_error() -> String {
    rill_user::strerror(&io::Error::last_os_error())
}
