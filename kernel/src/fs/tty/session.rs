//! Terminals and sessions: which session a terminal controls and which process group is
//! in front (TIOCSCTTY, TIOCNOTTY, tcsetpgrp), what happens when a session leader goes,
//! and the job-control checks for background readers and writers.

use super::{terminals, Tty};
use crate::errno::{SysResult, EINVAL, EIO, ENOTTY, EPERM, ERESTARTSYS};
use crate::signal::{self, Signal};
use crate::task::{current_process, Pid};
use linux_raw_sys::general as g;

/// The session leader `sid` exited: its controlling terminal hangs up.
pub fn hang_up_session(sid: Pid) {
    for t in terminals() {
        t.hang_up(sid);
    }
    super::pty::leader_exited(sid);
}

impl Tty {
    /// Makes this the controlling terminal of session `sid` with `sid` in front.
    pub fn set_controlling(&self, sid: Pid) {
        let mut d = self.d.lock();
        d.session = sid;
        d.foreground = sid;
    }

    /// The session leader of this terminal's session exited: the foreground group gets
    /// SIGHUP and SIGCONT and the terminal no longer belongs to the session.
    pub fn hang_up(&self, sid: Pid) {
        let fg = {
            let mut d = self.d.lock();
            if d.session != sid {
                return;
            }
            d.session = 0;
            core::mem::replace(&mut d.foreground, 0)
        };
        if fg != 0 && fg != sid {
            let _ =
                signal::send_to_group(fg, Signal::SIGHUP, signal::SigInfo::kernel(Signal::SIGHUP));
            let _ = signal::send_to_group(
                fg,
                Signal::SIGCONT,
                signal::SigInfo::kernel(Signal::SIGCONT),
            );
        }
    }

    /// A session leader without a controlling terminal that opens a terminal no session
    /// controls acquires it.
    pub fn acquire_if_free(&self, sid: Pid) {
        if terminals().iter().any(|t| t.d.lock().session == sid) {
            return;
        }
        let mut d = self.d.lock();
        if d.session == 0 {
            d.session = sid;
            d.foreground = sid;
        }
    }

    /// Linux's job-control check for a background reader (`read`) or writer: a process
    /// of this terminal's session outside the foreground group gets SIGTTIN/SIGTTOU,
    /// or EIO when it ignores or blocks the signal.
    pub(super) fn job_control_check(&self, sig: Signal) -> SysResult<()> {
        let proc = current_process();
        let (session, fg, tostop) = {
            let d = self.d.lock();
            (d.session, d.foreground, d.lflag(g::TOSTOP))
        };
        if session == 0 || proc.sid() != session || proc.pgid() == fg {
            return Ok(());
        }
        if sig == Signal::SIGTTOU && !tostop {
            return Ok(());
        }
        if signal::is_ignored_or_blocked(&proc, sig) {
            return if sig == Signal::SIGTTIN {
                Err(EIO)
            } else {
                Ok(())
            };
        }
        let _ = signal::send_to_group(proc.pgid(), sig, signal::SigInfo::kernel(sig));
        Err(ERESTARTSYS)
    }

    /// TIOCSCTTY, with Linux's checks in Linux's order (tiocsctty): nothing to do for a
    /// session leader whose terminal this is already; otherwise the caller must lead a
    /// session that has no controlling terminal; a terminal another session controls
    /// is taken from it only with `arg` 1 and privilege; and a descriptor not open for
    /// reading needs privilege too. The caller's group becomes the foreground.
    pub(super) fn tiocsctty(&self, arg: usize, readable: bool) -> SysResult<usize> {
        let proc = current_process();
        let sid = proc.sid();
        let leader = proc.pid == sid;
        let privileged = proc.creds.lock().euid == 0;
        let has_terminal = terminals().iter().any(|t| t.d.lock().session == sid);
        let mut d = self.d.lock();
        if leader && d.session == sid {
            return Ok(0);
        }
        if !leader || has_terminal {
            return Err(EPERM);
        }
        // The int argument of Linux's ioctl: only 1 steals.
        if d.session != 0 && !(arg as i32 == 1 && privileged) {
            return Err(EPERM);
        }
        if !readable && !privileged {
            return Err(EPERM);
        }
        // A steal leaves the old session without a controlling terminal.
        d.session = sid;
        d.foreground = proc.pgid();
        Ok(0)
    }

    /// TIOCNOTTY: the caller gives up its controlling terminal. When a session leader
    /// does, the whole session loses it and the foreground group gets SIGHUP and SIGCONT
    /// (Linux's disassociate_ctty); another process only loses its own, which Rill, with
    /// one controlling terminal per session, has nothing to record for.
    pub(super) fn release_controlling(&self) -> SysResult<usize> {
        let proc = current_process();
        let fg = {
            let mut d = self.d.lock();
            if d.session == 0 || d.session != proc.sid() {
                return Err(ENOTTY);
            }
            if proc.sid() != proc.pid {
                return Ok(0);
            }
            d.session = 0;
            core::mem::replace(&mut d.foreground, 0)
        };
        if fg != 0 {
            let info = signal::SigInfo::user(&proc);
            let _ = signal::send_to_group(fg, Signal::SIGHUP, info);
            let _ = signal::send_to_group(fg, Signal::SIGCONT, info);
        }
        Ok(0)
    }

    pub(super) fn tcsetpgrp(&self, pgrp: i32) -> SysResult<usize> {
        let proc = current_process();
        let session = self.d.lock().session;
        if session == 0 || proc.sid() != session {
            return Err(ENOTTY);
        }
        if pgrp < 0 {
            return Err(EINVAL);
        }
        let exists = crate::task::process::all()
            .iter()
            .any(|p| p.pgid() == pgrp as Pid && p.sid() == session);
        if !exists {
            return Err(EPERM);
        }
        // A background process changing the foreground is itself subject to SIGTTOU.
        let fg = self.d.lock().foreground;
        if proc.pgid() != fg && !signal::is_ignored_or_blocked(&proc, Signal::SIGTTOU) {
            let _ = signal::send_to_group(
                proc.pgid(),
                Signal::SIGTTOU,
                signal::SigInfo::kernel(Signal::SIGTTOU),
            );
            return Err(ERESTARTSYS);
        }
        self.d.lock().foreground = pgrp as Pid;
        Ok(0)
    }
}
