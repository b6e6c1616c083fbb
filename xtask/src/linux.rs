//! Running a guest program on Linux instead of Rill, under user-mode emulation
//! (qemu-riscv64), set up to look as much like Rill's init as practical:
//!
//! - stdin, stdout and stderr are one pseudo-terminal, as Rill's console is one tty, so C
//!   stdio buffers the same way and output interleaves the same way; its "\r\n" is turned
//!   back into "\n" as `console::Filter` does for Rill.
//! - cwd is "/", env is PATH, HOME=/ and TERM=vt100, and argv[0] is the guest path.
//! - `-L build/qemu-user/root` makes absolute paths that exist in the guest tree (/bin/..,
//!   /tests/.., /etc/..) resolve there; that prefix holds links to build/rootfs's top-level
//!   entries except tmp, dev and proc, so those stay the host's real ones.
//! - PATH is build/qemu-user/bin, one wrapper script per guest /bin program that runs it under
//!   qemu-riscv64, so a program started by PATH lookup (from sh, execvp) is the guest's. An
//!   execve of an absolute path such as "/bin/ls" still runs the host's program: qemu-riscv64
//!   does not redirect execve. No binfmt_misc registration is needed.
//! - When the program exits, what is left of its process group is killed, as Rill powers off.

use crate::proc::{self, Ended};
use crate::{paths, Context, Res};
use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

/// Top-level guest directories that stay the host's own on the Linux side.
const HOST_DIRS: &[&str] = &["tmp", "dev", "proc"];

pub struct Linux {
    qemu: PathBuf,
    prefix: PathBuf,
    path_dir: PathBuf,
}

/// What one run did.
pub struct Run {
    pub ended: Ended,
    /// stdout and stderr together, with "\r\n" turned into "\n".
    pub output: Vec<u8>,
    pub elapsed: Duration,
}

impl Linux {
    /// Builds build/qemu-user/{root,bin} afresh from build/rootfs (build/linux is the
    /// kernel `make bench-linux` builds, which must survive a test run).
    pub fn prepare() -> Res<Linux> {
        let qemu = which("qemu-riscv64").ok_or("qemu-riscv64 not found in PATH")?;
        let rootfs = paths::rootfs();
        let base = paths::build().join("qemu-user");
        if base.exists() {
            fs::remove_dir_all(&base).ctx(|| format!("removing {}", base.display()))?;
        }
        let prefix = base.join("root");
        let path_dir = base.join("bin");
        for dir in [&prefix, &path_dir] {
            fs::create_dir_all(dir).ctx(|| format!("creating {}", dir.display()))?;
        }
        for entry in fs::read_dir(&rootfs).ctx(|| rootfs.display().to_string())? {
            let name = entry.ctx(|| rootfs.display().to_string())?.file_name();
            if !HOST_DIRS.iter().any(|d| name == *d) {
                symlink(rootfs.join(&name), prefix.join(&name))
                    .ctx(|| format!("linking {name:?}"))?;
            }
        }
        let bin = rootfs.join("bin");
        for entry in fs::read_dir(&bin).ctx(|| bin.display().to_string())? {
            let name = entry.ctx(|| bin.display().to_string())?.file_name();
            let name = name.to_string_lossy();
            let script = format!(
                "#!/bin/sh\nexec {} -L {} -0 {} {} \"$@\"\n",
                sh_quote(&qemu.to_string_lossy()),
                sh_quote(&prefix.to_string_lossy()),
                sh_quote(&name),
                sh_quote(&bin.join(&*name).to_string_lossy()),
            );
            let wrapper = path_dir.join(&*name);
            fs::write(&wrapper, script).ctx(|| wrapper.display().to_string())?;
            fs::set_permissions(&wrapper, fs::Permissions::from_mode(0o755))
                .ctx(|| wrapper.display().to_string())?;
        }
        Ok(Linux {
            qemu,
            prefix,
            path_dir,
        })
    }

    /// Runs the guest program `guest_path` (e.g. "/tests/pipe", read from build/rootfs) with
    /// `args`, for at most `timeout`.
    pub fn run(&self, guest_path: &str, args: &[&str], timeout: Duration) -> Res<Run> {
        let host_path = paths::rootfs().join(guest_path.trim_start_matches('/'));
        let pty = proc::open_pty().ctx(|| "opening a pty".into())?;
        let clone = || pty.slave.try_clone().ctx(|| "duplicating the pty".into());
        // The whole command line, arguments too: it tells this run's processes from those
        // of another test run at the same time (two shell scripts share /bin/sh).
        let mut cmd_words: Vec<&std::ffi::OsStr> = vec![
            self.qemu.as_os_str(),
            "-L".as_ref(),
            self.prefix.as_os_str(),
            "-0".as_ref(),
            guest_path.as_ref(),
            host_path.as_os_str(),
        ];
        cmd_words.extend(args.iter().map(std::ffi::OsStr::new));
        let mut cmd = Command::new(&self.qemu);
        cmd.args(&cmd_words[1..])
            .current_dir("/")
            .env_clear()
            .env("PATH", &self.path_dir)
            .env("HOME", "/")
            .env("TERM", "vt100")
            .stdin(clone()?)
            .stdout(clone()?)
            .stderr(clone()?);
        proc::with_controlling_terminal(&mut cmd);
        let start = Instant::now();
        let mut child = cmd
            .spawn()
            .ctx(|| format!("starting {}", self.qemu.display()))?;
        // Close our copies of the slave, or reading the master would never see the end.
        drop(cmd);
        drop(pty.slave);
        let slave_path = &pty.slave_path;
        let cmdline = proc::cmdline_of(&cmd_words);
        let pid = child.id() as libc::pid_t;
        let master = &pty.master;
        thread::scope(|scope| {
            let reader = scope.spawn(move || proc::read_to_end_pty(master));
            let ended = proc::wait_timeout(&mut child, timeout, true)
                .ctx(|| "waiting for qemu-riscv64".into())?;
            let elapsed = start.elapsed();
            proc::signal(pid, libc::SIGKILL, true);
            // Descendants that left the group may still run (a stopped child of a stress
            // test would stay forever) or keep the pty open, and the read below would
            // wait for them: end them too, pass after pass, since one that was forking
            // during a pass can leave a child the pass did not see.
            for _ in 0..250 {
                if proc::kill_leftovers(pid, slave_path, &cmdline) == 0 {
                    break;
                }
                thread::sleep(Duration::from_millis(20));
            }
            let raw = reader
                .join()
                .expect("pty reader panicked")
                .ctx(|| "reading the pty".into())?;
            Ok(Run {
                ended,
                output: crlf_to_lf(&raw),
                elapsed,
            })
        })
    }
}

/// Turns every "\r\n" into "\n".
pub fn crlf_to_lf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        if !(b == b'\r' && bytes.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    out
}

/// Quotes `s` as one word for /bin/sh.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The first executable file named `name` in $PATH.
fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_only_pairs_are_changed() {
        assert_eq!(crlf_to_lf(b"a\r\nb\rc\r\r\n\r"), b"a\nb\rc\r\n\r");
    }

    #[test]
    fn sh_quoting() {
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
    }
}
