//! Helpers shared by the Rill user programs: error messages in the usual
//! `PROG: PATH: reason` form, simple flag parsing, a plain read/write copy loop
//! and the decoding of wait statuses.

use std::ffi::CStr;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

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

/// Parses the arguments of `head` and `tail`: an optional line count written
/// `-n N`, `-nN` or the old style `-N`, then file operands. Returns the count as
/// written (if any) and the operands.
pub fn parse_line_count(args: &[String]) -> (Option<String>, Vec<String>) {
    let mut count = None;
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if arg == "--" {
            i += 1;
            break;
        } else if arg == "-n" {
            i += 1;
            count = Some(args.get(i).cloned().unwrap_or_default());
        } else if let Some(v) = arg.strip_prefix("-n") {
            count = Some(v.to_string());
        } else if arg.len() > 1 && arg.starts_with('-') {
            count = Some(arg[1..].to_string());
        } else {
            break;
        }
        i += 1;
    }
    (count, args[i..].to_vec())
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

/// Which side of a [`copy_all`] failed, so the caller can name the right file.
pub enum CopyError {
    Read(io::Error),
    Write(io::Error),
}

/// Copies everything from `from` to `to` with plain read and write calls.
///
/// `std::io::copy` would try copy_file_range, sendfile or splice first; a simple
/// loop keeps the system calls the kernel sees to the basic two.
pub fn copy_all(from: &mut impl Read, to: &mut impl Write) -> Result<(), CopyError> {
    let mut buf = [0u8; 8192];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CopyError::Read(e)),
        };
        to.write_all(&buf[..n]).map_err(CopyError::Write)?;
    }
}

/// Copies regular file `src` to `dst` (created with `src`'s permission bits, or
/// truncated if it exists). Errors are reported as `prog: PATH: reason` naming the
/// file at fault; returns whether the copy succeeded.
pub fn copy_file(prog: &str, src: &str, dst: &str) -> bool {
    let mut from = match File::open(src) {
        Ok(f) => f,
        Err(e) => {
            report(prog, src, &e);
            return false;
        }
    };
    let mode = match from.metadata() {
        Ok(m) if m.is_dir() => {
            report(prog, src, &io::Error::from_raw_os_error(libc::EISDIR));
            return false;
        }
        Ok(m) => m.permissions().mode(),
        Err(e) => {
            report(prog, src, &e);
            return false;
        }
    };
    let mut to = match OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(dst)
    {
        Ok(f) => f,
        Err(e) => {
            report(prog, dst, &e);
            return false;
        }
    };
    match copy_all(&mut from, &mut to) {
        Ok(()) => true,
        Err(CopyError::Read(e)) => {
            report(prog, src, &e);
            false
        }
        Err(CopyError::Write(e)) => {
            report(prog, dst, &e);
            false
        }
    }
}

/// Pairs each source of `cp`/`mv` with its destination. The operands are either
/// `SRC DST` or `SRC... DIR`; when the last operand is a directory each source
/// goes inside it under its own base name. Exits with status 2 on bad usage.
pub fn source_targets(prog: &str, operands: &[String]) -> Vec<(String, String)> {
    let Some((dest, sources)) = operands.split_last().filter(|(_, s)| !s.is_empty()) else {
        eprintln!("usage: {prog} SOURCE... DEST");
        std::process::exit(2);
    };
    let into_dir = Path::new(dest).is_dir();
    if sources.len() > 1 && !into_dir {
        eprintln!("{prog}: target '{dest}' is not a directory");
        std::process::exit(2);
    }
    sources
        .iter()
        .map(|src| {
            let target = match Path::new(src).file_name() {
                Some(base) if into_dir => Path::new(dest).join(base).to_string_lossy().into_owned(),
                _ => dest.clone(),
            };
            (src.clone(), target)
        })
        .collect()
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
