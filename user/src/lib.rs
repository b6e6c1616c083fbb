//! Helpers shared by the Rill user programs: error messages in the usual
//! `PROG: PATH: reason` form, simple flag parsing and the decoding of wait statuses.
//! (The everyday tools are uutils', in user/coreutils: see docs/tools.md.)

use std::ffi::CStr;
use std::fs::File;
use std::io::{self, Read};

/// The C library's text for an error ("No such file or directory"), without the
/// " (os error 2)" suffix that Rust's `Display` for `io::Error` adds.
pub fn strerror(err: &io::Error) -> String {
    let Some(code) = err.raw_os_error() else {
        return err.to_string();
    };
    let mut buf = [0u8; 128];
    // SAFETY: the buffer is valid for its length; the XSI strerror_r (which the
    // libc crate binds on glibc) always NUL-terminates what it writes.
    unsafe { libc::strerror_r(code, buf.as_mut_ptr().cast(), buf.len()) };
    CStr::from_bytes_until_nul(&buf)
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|_| format!("error {code}"))
}

/// Prints `prog: what: reason` on stderr, the form every tool uses for errors.
pub fn report(prog: &str, what: &str, err: &io::Error) {
    eprintln!("{prog}: {what}: {}", strerror(err));
}

/// Gives SIGPIPE back its default action (terminate quietly).
///
/// The Rust runtime ignores SIGPIPE before `main`, so a write into a pipe whose
/// reader has gone fails with EPIPE instead. For filters like `yes | head -n 1`
/// the Unix convention is that the writer just dies, so every tool calls this first.
pub fn reset_sigpipe() {
    // SAFETY: installing the default disposition has no memory-safety requirements.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
}

/// Splits command-line arguments into single-letter flags and operands, POSIX style:
/// flags come first and may be grouped (`-rf`); `--` or the first argument that does
/// not start with `-` ends them, and a lone `-` is an operand (it usually means stdin).
/// An unknown letter prints `prog: invalid option -- 'x'` and exits with status 2.
pub fn parse_flags(prog: &str, args: &[String], allowed: &str) -> (Flags, Vec<String>) {
    let mut flags = String::new();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if arg == "--" {
            i += 1;
            break;
        }
        if !arg.starts_with('-') || arg == "-" {
            break;
        }
        for c in arg[1..].chars() {
            if !allowed.contains(c) {
                eprintln!("{prog}: invalid option -- '{c}'");
                std::process::exit(2);
            }
            flags.push(c);
        }
        i += 1;
    }
    (Flags(flags), args[i..].to_vec())
}

/// The set of flag letters found by [`parse_flags`].
pub struct Flags(String);

impl Flags {
    /// Whether flag `c` was given.
    pub fn has(&self, c: char) -> bool {
        self.0.contains(c)
    }
}

/// Opens an input operand for reading; `-` means standard input.
pub fn open_input(path: &str) -> io::Result<Box<dyn Read>> {
    if path == "-" {
        Ok(Box::new(io::stdin().lock()))
    } else {
        Ok(Box::new(File::open(path)?))
    }
}

/// Turns a raw `waitpid` status into the number a shell shows as `$?`:
/// the exit code, or 128 plus the signal number for a process killed (or stopped)
/// by a signal.
pub fn shell_status(raw: libc::c_int) -> i32 {
    if libc::WIFEXITED(raw) {
        libc::WEXITSTATUS(raw)
    } else if libc::WIFSIGNALED(raw) {
        128 + libc::WTERMSIG(raw)
    } else if libc::WIFSTOPPED(raw) {
        128 + libc::WSTOPSIG(raw)
    } else {
        0
    }
}

/// The program's arguments after argv[0], as owned strings (lossily decoded).
pub fn args() -> Vec<String> {
    std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}
