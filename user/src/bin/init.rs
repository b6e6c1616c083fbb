//! `init`: the first user process (pid 1) on Rill.
//!
//! `init` with no arguments is the interactive mode: print a banner, run /bin/sh
//! on the console, reap orphaned processes meanwhile, and exit 0 when the shell
//! exits (the kernel then powers the machine off). When the second terminal
//! /dev/hvc0 exists (`make run` provides it), a second shell runs there in its own
//! session, restarted whenever it exits. `init PROG ARGS...` runs PROG
//! instead (looked up in /bin unless it contains a '/'), and exits with its status
//! as a shell reports it: the exit code, or 128 + the signal that killed it. That
//! is how tests run: QEMU's exit status becomes the test's status.
//!
//! Children start in "/" with the environment PATH=/bin HOME=/ TERM=vt100 (and
//! USER=root for the interactive shell). If PROG cannot be executed, the child
//! prints `init: PROG: reason` and exits 127.

// Without Rust's usual entry point, std does not touch the process before `main`:
// it would otherwise ignore SIGPIPE (inherited by every program started) and
// silently reopen closed descriptors 0-2 on /dev/null, hiding whether the kernel
// gave us a console.
#![no_main]

use std::ffi::{c_char, c_int, CString};
use std::io;

/// Signals the keyboard can send (^C, ^\, ^Z) and those for background
/// terminal access. They are meant for programs, and must never stop or kill init:
/// that would power the machine off. Children get the default actions back.
const TERMINAL_SIGNALS: [c_int; 5] = [
    libc::SIGINT,
    libc::SIGQUIT,
    libc::SIGTSTP,
    libc::SIGTTIN,
    libc::SIGTTOU,
];

#[no_mangle]
pub extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
    set_terminal_signals(libc::SIG_IGN);
    setup_console();
    let args: Vec<String> = rill_user::args();
    let status = if args.is_empty() {
        banner();
        let shell = ["/bin/sh".to_string()];
        let pid = spawn(&shell, &["USER=root"], None);
        let mut second =
            second_terminal().then(|| spawn(&shell, &["USER=root"], Some(SECOND_TERMINAL)));
        loop {
            match reap() {
                Reaped::Child(p, _) if p == pid => break,
                Reaped::Child(p, _) if Some(p) == second => {
                    second = Some(spawn(&shell, &["USER=root"], Some(SECOND_TERMINAL)));
                }
                Reaped::Child(..) => {}
                Reaped::Error => break,
            }
        }
        0
    } else {
        let pid = spawn(&args, &[], None);
        wait_for(pid)
    };
    std::process::exit(status);
}

/// Makes init a session leader with the console as its controlling terminal, so
/// the shell can do job control, and makes sure descriptors 0, 1 and 2 are open.
fn setup_console() {
    // SAFETY: these calls only take integer arguments and a constant path.
    unsafe {
        // Fails harmlessly if we already lead a process group (e.g. under a shell).
        libc::setsid();
        let missing: Vec<c_int> = (0..3)
            .filter(|&fd| libc::fcntl(fd, libc::F_GETFD) == -1)
            .collect();
        if !missing.is_empty() {
            let console = libc::open(c"/dev/console".as_ptr(), libc::O_RDWR);
            if console >= 0 {
                for &fd in &missing {
                    libc::dup2(console, fd);
                }
                if console > 2 {
                    libc::close(console);
                }
            }
        }
        if libc::isatty(0) == 1 {
            // Opening the console above may already have made it our controlling
            // terminal; if the kernel opened it for us, claim it explicitly.
            libc::ioctl(0, libc::TIOCSCTTY, 0);
        }
    }
}

fn banner() {
    println!("Welcome to Rill");
    if let Ok(dir) = std::fs::read_dir("/usr/share/demos") {
        let mut demos: Vec<String> = dir
            .filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()))
            .collect();
        demos.sort();
        if !demos.is_empty() {
            println!("Demos from the IPC lecture (type a name to run it):");
            for name in demos {
                let about =
                    std::fs::read_to_string(format!("/usr/share/demos/{name}")).unwrap_or_default();
                println!("  {name:<14} {}", about.trim());
            }
        }
    }
}

/// The second terminal, a virtio console QEMU connects to a host socket.
const SECOND_TERMINAL: &std::ffi::CStr = c"/dev/hvc0";

/// Whether the second terminal exists (opening it fails with ENXIO otherwise).
fn second_terminal() -> bool {
    // SAFETY: a constant path; the descriptor is closed at once. O_NOCTTY keeps init's
    // own controlling terminal.
    unsafe {
        let fd = libc::open(SECOND_TERMINAL.as_ptr(), libc::O_RDWR | libc::O_NOCTTY);
        if fd < 0 {
            return false;
        }
        libc::close(fd);
    }
    true
}

/// Starts `argv` as a child in "/" with the standard environment plus `extra_env`.
/// With `terminal`, the child leads a new session whose controlling terminal (and
/// standard input, output and error) is that device.
fn spawn(argv: &[String], extra_env: &[&str], terminal: Option<&std::ffi::CStr>) -> libc::pid_t {
    let prog = &argv[0];
    let path = if prog.contains('/') {
        prog.clone()
    } else {
        format!("/bin/{prog}")
    };
    // Build every C string before fork, so the child only has to call execve.
    let c = |s: &str| CString::new(s).expect("arguments never contain NUL");
    let c_path = c(&path);
    let c_argv: Vec<CString> = argv.iter().map(|a| c(a)).collect();
    let c_env: Vec<CString> = ["PATH=/bin", "HOME=/", "TERM=vt100"]
        .iter()
        .chain(extra_env)
        .map(|e| c(e))
        .collect();
    let mut argv_ptrs: Vec<*const c_char> = c_argv.iter().map(|a| a.as_ptr()).collect();
    argv_ptrs.push(std::ptr::null());
    let mut env_ptrs: Vec<*const c_char> = c_env.iter().map(|e| e.as_ptr()).collect();
    env_ptrs.push(std::ptr::null());

    // SAFETY: init is single-threaded, so the child may run any code after fork.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        rill_user::report("init", "fork", &io::Error::last_os_error());
        std::process::exit(1);
    }
    if pid == 0 {
        set_terminal_signals(libc::SIG_DFL);
        if let Some(path) = terminal {
            // SAFETY: plain calls on a constant path and the descriptor they return.
            unsafe {
                libc::setsid();
                let fd = libc::open(path.as_ptr(), libc::O_RDWR);
                if fd >= 0 {
                    libc::ioctl(fd, libc::TIOCSCTTY, 0);
                    for std_fd in 0..3 {
                        libc::dup2(fd, std_fd);
                    }
                    if fd > 2 {
                        libc::close(fd);
                    }
                }
            }
            println!("Rill: second terminal");
        }
        // SAFETY: all pointers point into the NUL-terminated arrays built above.
        unsafe {
            libc::chdir(c"/".as_ptr());
            libc::execve(c_path.as_ptr(), argv_ptrs.as_ptr(), env_ptrs.as_ptr());
        }
        rill_user::report("init", prog, &io::Error::last_os_error());
        // SAFETY: _exit ends the child without running the parent's exit handlers.
        unsafe { libc::_exit(127) };
    }
    pid
}

fn set_terminal_signals(action: libc::sighandler_t) {
    for sig in TERMINAL_SIGNALS {
        // SAFETY: SIG_IGN and SIG_DFL are valid dispositions for these signals.
        unsafe { libc::signal(sig, action) };
    }
}

enum Reaped {
    /// A child (ours or an orphan we inherited) ended, with its raw wait status.
    Child(libc::pid_t, c_int),
    Error,
}

/// Waits for any child to end.
fn reap() -> Reaped {
    loop {
        let mut raw = 0;
        // SAFETY: raw is a valid place for the status.
        let pid = unsafe { libc::waitpid(-1, &mut raw, 0) };
        if pid > 0 {
            return Reaped::Child(pid, raw);
        }
        if io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            rill_user::report("init", "waitpid", &io::Error::last_os_error());
            return Reaped::Error;
        }
    }
}

/// Reaps children until `child` ends, and returns its shell-style status. Every
/// orphan in the system becomes our child, so any other pid is simply collected.
fn wait_for(child: libc::pid_t) -> i32 {
    loop {
        match reap() {
            Reaped::Child(pid, raw) if pid == child => return rill_user::shell_status(raw),
            Reaped::Child(..) => {}
            Reaped::Error => return 1,
        }
    }
}
