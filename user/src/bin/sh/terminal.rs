//! Job control's side of the terminal: which process group is in the foreground.
//!
//! Only the foreground process group may read the terminal (others get SIGTTIN)
//! and it is the one that receives ^C (SIGINT) and ^Z (SIGTSTP). An interactive
//! shell therefore puts itself in its own group, hands the terminal to each
//! foreground job with tcsetpgrp and takes it back when the job ends or stops.
//! The steps follow the "Implementing a Job Control Shell" chapter of the GNU C
//! Library manual.

/// Signals the shell ignores while it does job control: it must survive ^C, ^Z
/// and ^\ typed for a job, and be able to call tcsetpgrp while in the background
/// (SIGTTOU). Children get the default actions back before they exec.
const JOB_CONTROL_SIGNALS: [libc::c_int; 5] = [
    libc::SIGINT,
    libc::SIGQUIT,
    libc::SIGTSTP,
    libc::SIGTTIN,
    libc::SIGTTOU,
];

/// The controlling terminal (standard input) of an interactive shell.
pub struct Terminal {
    /// The shell's own process group.
    pgid: libc::pid_t,
    /// The modes the shell wants while it reads commands.
    modes: libc::termios,
}

impl Terminal {
    /// Sets up job control, or returns None when standard input is not our
    /// controlling terminal (then the shell runs without job control).
    pub fn init() -> Option<Terminal> {
        // SAFETY: these calls take plain integers; `modes` is written by tcgetattr.
        unsafe {
            // Started in the background (e.g. `sh &`)? Stop until we are brought
            // to the foreground instead of fighting over the terminal.
            loop {
                let foreground = libc::tcgetpgrp(0);
                if foreground < 0 {
                    return None;
                }
                if foreground == libc::getpgrp() {
                    break;
                }
                libc::kill(-libc::getpgrp(), libc::SIGTTIN);
            }
            for sig in JOB_CONTROL_SIGNALS {
                libc::signal(sig, libc::SIG_IGN);
            }
            let pid = libc::getpid();
            if libc::getpgrp() != pid && libc::setpgid(pid, pid) < 0 {
                return None;
            }
            libc::tcsetpgrp(0, pid);
            let mut modes = std::mem::zeroed();
            libc::tcgetattr(0, &mut modes);
            Some(Terminal { pgid: pid, modes })
        }
    }

    /// Puts process group `pgid` in the foreground, restoring the terminal modes
    /// a resumed job had when it stopped.
    pub fn give_to(&self, pgid: libc::pid_t, modes: Option<&libc::termios>) {
        // SAFETY: plain system calls on descriptor 0 with valid pointers.
        unsafe {
            libc::tcsetpgrp(0, pgid);
            if let Some(modes) = modes {
                libc::tcsetattr(0, libc::TCSADRAIN, modes);
            }
        }
    }

    /// Takes the terminal back for the shell and restores the shell's modes.
    /// Returns the modes the job left, to restore if the job is resumed.
    pub fn take_back(&self) -> libc::termios {
        // SAFETY: plain system calls on descriptor 0 with valid pointers.
        unsafe {
            let mut job_modes = std::mem::zeroed();
            libc::tcgetattr(0, &mut job_modes);
            libc::tcsetpgrp(0, self.pgid);
            libc::tcsetattr(0, libc::TCSADRAIN, &self.modes);
            job_modes
        }
    }
}

/// Puts a freshly forked child into its job's process group `pgid` (0: a new
/// group led by the child) and, for a foreground job, gives it the terminal.
/// The parent does the same (see `exec`); doing it on both sides means neither
/// order of execution after fork leaves a window where the child runs in the
/// wrong group.
pub fn enter_job(pgid: libc::pid_t, foreground: bool) {
    // SAFETY: plain system calls with integer arguments.
    unsafe {
        libc::setpgid(0, pgid);
        if foreground {
            // SIGTTOU is still ignored here, so this works from the background.
            libc::tcsetpgrp(0, libc::getpgrp());
        }
    }
}

/// Gives a child process the default signal actions the shell changed: the job
/// control signals (when `job_control` ignored them), and SIGPIPE, which the
/// Rust runtime ignores (ignored signals stay ignored across exec, and
/// `yes | head` relies on SIGPIPE killing `yes`).
pub fn reset_signals(job_control: bool) {
    // SAFETY: installing default dispositions has no memory-safety requirements.
    unsafe {
        if job_control {
            for sig in JOB_CONTROL_SIGNALS {
                libc::signal(sig, libc::SIG_DFL);
            }
        }
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
