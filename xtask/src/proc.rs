//! Process plumbing that std lacks: waiting for a child with a timeout, signalling it, and
//! pseudo-terminals for running a program the way it runs on Rill's console.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::FromRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// How long a child gets between SIGTERM and SIGKILL when it has run out of time.
const GRACE: Duration = Duration::from_secs(2);

/// How a child process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    Exited(i32),
    Signalled(i32),
    TimedOut,
}

impl Ended {
    /// The status as a shell reports it: the exit code, 128 + signal, or 124 for a timeout
    /// (as timeout(1) does).
    pub fn code(self) -> i32 {
        match self {
            Ended::Exited(code) => code,
            Ended::Signalled(signal) => 128 + signal,
            Ended::TimedOut => 124,
        }
    }

    fn from_status(status: ExitStatus) -> Ended {
        match (status.code(), status.signal()) {
            (Some(code), _) => Ended::Exited(code),
            (None, Some(signal)) => Ended::Signalled(signal),
            (None, None) => unreachable!("a child that ended has a code or a signal"),
        }
    }
}

/// Waits for `child` for at most `timeout`. Past it, sends SIGTERM (to the child's whole
/// process group if `group`, which requires the child to lead one), then SIGKILL after a grace
/// period, reaps it and returns `TimedOut`.
pub fn wait_timeout(child: &mut Child, timeout: Duration, group: bool) -> io::Result<Ended> {
    let pid = child.id() as libc::pid_t;
    let (done_tx, done_rx) = mpsc::channel();
    thread::scope(|scope| {
        // Only this thread reaps the child, so the pid stays ours until it reports back.
        scope.spawn(move || done_tx.send(child.wait()));
        match done_rx.recv_timeout(timeout) {
            Ok(status) => Ok(Ended::from_status(status?)),
            Err(_) => {
                signal(pid, libc::SIGTERM, group);
                if done_rx.recv_timeout(GRACE).is_err() {
                    signal(pid, libc::SIGKILL, group);
                }
                Ok(Ended::TimedOut)
            }
        }
    })
}

/// Sends `sig` to process `pid`, or to process group `pid` if `group`. A process that is
/// already gone is not an error.
pub fn signal(pid: libc::pid_t, sig: libc::c_int, group: bool) {
    let target = if group { -pid } else { pid };
    // SAFETY: kill(2) has no memory-safety preconditions.
    unsafe { libc::kill(target, sig) };
}

/// A pseudo-terminal pair. Reading `master` after every holder of `slave` has closed it
/// fails with EIO, which `read_to_end_pty` treats as end of file.
pub struct Pty {
    pub master: File,
    pub slave: File,
    /// The slave's path (/dev/pts/N), to find who still holds it.
    pub slave_path: PathBuf,
}

pub fn open_pty() -> io::Result<Pty> {
    // SAFETY: posix_openpt returns a new descriptor that nothing else owns, or -1.
    let fd = unsafe { libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a fresh, open descriptor owned by nobody else.
    let master = unsafe { File::from_raw_fd(fd) };
    let mut name = [0 as libc::c_char; 128];
    // SAFETY: `fd` is an open pty master; ptsname_r writes at most `name.len()` bytes.
    let failed = unsafe {
        libc::grantpt(fd) != 0
            || libc::unlockpt(fd) != 0
            || libc::ptsname_r(fd, name.as_mut_ptr(), name.len()) != 0
    };
    if failed {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: ptsname_r succeeded, so `name` holds a NUL-terminated path.
    let path = unsafe { std::ffi::CStr::from_ptr(name.as_ptr()) };
    let slave = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY)
        .open(path.to_str().map_err(io::Error::other)?)?;
    let slave_path = PathBuf::from(path.to_str().map_err(io::Error::other)?);
    Ok(Pty {
        master,
        slave,
        slave_path,
    })
}

/// Sends SIGKILL to every process left of a program run in its own session `session`
/// with the pty `slave_path` and the command line `cmdline` (its arguments, each ended
/// by a NUL, as /proc/PID/cmdline shows them): those still in the session (the group's
/// SIGKILL misses one that moved to another group), those that still have the slave
/// open (while one does, reading the master never ends), and those whose command line
/// is `cmdline` (a forked copy of the program that started a session of its own
/// and was orphaned, e.g. a stopped child of a stress test). Returns how many it found.
pub fn kill_leftovers(session: libc::pid_t, slave_path: &Path, cmdline: &[u8]) -> usize {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let mut found = 0;
    for entry in procs.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<libc::pid_t>().ok())
        else {
            continue;
        };
        let in_session = std::fs::read_to_string(entry.path().join("stat"))
            .is_ok_and(|stat| session_of(&stat) == Some(session));
        // Other users' fd directories are unreadable: those processes are not ours.
        let holds_slave = || {
            std::fs::read_dir(entry.path().join("fd")).is_ok_and(|fds| {
                fds.flatten()
                    .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|t| t == slave_path))
            })
        };
        let same_program =
            || std::fs::read(entry.path().join("cmdline")).is_ok_and(|c| c == cmdline);
        if in_session || holds_slave() || same_program() {
            signal(pid, libc::SIGKILL, false);
            found += 1;
        }
    }
    found
}

/// `words` as /proc/PID/cmdline shows a process started with them: each ended by a NUL.
pub fn cmdline_of(words: &[&std::ffi::OsStr]) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    let mut line = Vec::new();
    for word in words {
        line.extend_from_slice(word.as_bytes());
        line.push(0);
    }
    line
}

/// The session id in a /proc/PID/stat line: the fourth field after the command, which
/// is in parentheses and may itself hold spaces and parentheses.
fn session_of(stat: &str) -> Option<libc::pid_t> {
    let after_comm = &stat[stat.rfind(')')? + 1..];
    after_comm.split_whitespace().nth(3)?.parse().ok()
}

/// Makes `cmd` start a new session (so it leads a new process group) whose controlling
/// terminal is its stdin, which must be a pty slave. SIGHUP, SIGINT and SIGQUIT start at
/// their defaults, as under Rill's init: `nohup` or a background job of a script would
/// otherwise pass them on ignored, and a test of hangups would wait forever.
pub fn with_controlling_terminal(cmd: &mut Command) {
    // SAFETY: the closure runs in the forked child before exec and calls only signal(2),
    // setsid(2) and ioctl(2), which are async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            for sig in [libc::SIGHUP, libc::SIGINT, libc::SIGQUIT] {
                libc::signal(sig, libc::SIG_DFL);
            }
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Reads a pty master until every slave is closed.
pub fn read_to_end_pty(mut master: &File) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    match io::Read::read_to_end(&mut master, &mut out) {
        Ok(_) => Ok(out),
        Err(e) if e.raw_os_error() == Some(libc::EIO) => Ok(out),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::session_of;

    #[test]
    fn session_is_read_after_a_command_with_spaces_and_parentheses() {
        assert_eq!(session_of("42 (a) b) (c) S 1 40 41 0 -1 4194560"), Some(41));
        assert_eq!(session_of("7 (sh) T 1 7 7 34816 7"), Some(7));
        assert_eq!(session_of("7 (sh) T 1"), None);
    }
}
