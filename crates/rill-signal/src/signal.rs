//! `Signal`: a validated Linux signal number (1..=64) and the properties the kernel asks of it.

use core::fmt;

use linux_raw_sys::general as linux;

use crate::set::SigSet;

/// The number of signals Linux defines (`_NSIG`): valid signal numbers are `1..=NSIG`.
pub const NSIG: u32 = linux::_NSIG;

/// A signal number Linux accepts: 1..=64.
///
/// Numbers 1..=31 are the standard signals, 32..=64 the realtime ones. Signal 0 is not a
/// signal (`kill(pid, 0)` only checks that `pid` exists), so it has no `Signal`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Signal(u8);

/// Builds a `Signal` from a constant known to be valid; fails compilation otherwise.
const fn known(n: u32) -> Signal {
    match Signal::new(n) {
        Some(sig) => sig,
        None => panic!("not a signal number"),
    }
}

impl Signal {
    /// Hangup of the controlling terminal, or death of the controlling process.
    pub const SIGHUP: Signal = known(linux::SIGHUP);
    /// Interrupt from the keyboard (^C).
    pub const SIGINT: Signal = known(linux::SIGINT);
    /// Quit from the keyboard (^\).
    pub const SIGQUIT: Signal = known(linux::SIGQUIT);
    /// Illegal instruction.
    pub const SIGILL: Signal = known(linux::SIGILL);
    /// Trace or breakpoint trap.
    pub const SIGTRAP: Signal = known(linux::SIGTRAP);
    /// Abort, from `abort(3)`. `SIGIOT` is another name for it.
    pub const SIGABRT: Signal = known(linux::SIGABRT);
    /// Bus error: bad memory access, such as past the end of a mapped file.
    pub const SIGBUS: Signal = known(linux::SIGBUS);
    /// Arithmetic exception.
    pub const SIGFPE: Signal = known(linux::SIGFPE);
    /// Kill: cannot be caught, blocked or ignored.
    pub const SIGKILL: Signal = known(linux::SIGKILL);
    /// User-defined signal 1.
    pub const SIGUSR1: Signal = known(linux::SIGUSR1);
    /// Invalid memory reference.
    pub const SIGSEGV: Signal = known(linux::SIGSEGV);
    /// User-defined signal 2.
    pub const SIGUSR2: Signal = known(linux::SIGUSR2);
    /// Write to a pipe or socket with no reader.
    pub const SIGPIPE: Signal = known(linux::SIGPIPE);
    /// Timer from `alarm(2)` or `ITIMER_REAL`.
    pub const SIGALRM: Signal = known(linux::SIGALRM);
    /// Termination request.
    pub const SIGTERM: Signal = known(linux::SIGTERM);
    /// Stack fault on a coprocessor; unused by Linux itself but still a valid number.
    pub const SIGSTKFLT: Signal = known(linux::SIGSTKFLT);
    /// A child stopped, continued or terminated.
    pub const SIGCHLD: Signal = known(linux::SIGCHLD);
    /// Continue if stopped.
    pub const SIGCONT: Signal = known(linux::SIGCONT);
    /// Stop: cannot be caught, blocked or ignored.
    pub const SIGSTOP: Signal = known(linux::SIGSTOP);
    /// Stop typed at the terminal (^Z).
    pub const SIGTSTP: Signal = known(linux::SIGTSTP);
    /// Terminal input for a background process.
    pub const SIGTTIN: Signal = known(linux::SIGTTIN);
    /// Terminal output for a background process.
    pub const SIGTTOU: Signal = known(linux::SIGTTOU);
    /// Urgent condition on a socket.
    pub const SIGURG: Signal = known(linux::SIGURG);
    /// CPU time limit exceeded.
    pub const SIGXCPU: Signal = known(linux::SIGXCPU);
    /// File size limit exceeded.
    pub const SIGXFSZ: Signal = known(linux::SIGXFSZ);
    /// Virtual alarm clock (`ITIMER_VIRTUAL`).
    pub const SIGVTALRM: Signal = known(linux::SIGVTALRM);
    /// Profiling timer expired (`ITIMER_PROF`).
    pub const SIGPROF: Signal = known(linux::SIGPROF);
    /// Window resize.
    pub const SIGWINCH: Signal = known(linux::SIGWINCH);
    /// I/O now possible. `SIGPOLL` is another name for it.
    pub const SIGIO: Signal = known(linux::SIGIO);
    /// Power failure.
    pub const SIGPWR: Signal = known(linux::SIGPWR);
    /// Bad system call (seccomp, or an unknown syscall on some kernels).
    pub const SIGSYS: Signal = known(linux::SIGSYS);
    /// The lowest realtime signal as the kernel numbers it: 32.
    ///
    /// glibc and musl keep 32 and 33 (or more) for themselves and report a higher
    /// `SIGRTMIN` to programs; the kernel makes no such distinction.
    pub const SIGRTMIN: Signal = known(linux::SIGRTMIN);
    /// The highest realtime signal, and the highest signal: 64 (`_NSIG`).
    pub const SIGRTMAX: Signal = known(NSIG);

    /// Validates a signal number: `Some` for 1..=64, `None` otherwise (including 0).
    pub const fn new(n: u32) -> Option<Signal> {
        if n >= 1 && n <= NSIG {
            Some(Signal(n as u8))
        } else {
            None
        }
    }

    /// The signal's number, 1..=64.
    pub const fn number(self) -> u32 {
        self.0 as u32
    }

    /// Whether this is a realtime signal, `SIGRTMIN..=SIGRTMAX` as the kernel numbers them.
    ///
    /// Realtime signals queue every instance; standard ones coalesce.
    pub const fn is_realtime(self) -> bool {
        self.0 >= Self::SIGRTMIN.0
    }

    /// Whether this is a standard signal, 1..=31 (the complement of [`is_realtime`]).
    ///
    /// [`is_realtime`]: Signal::is_realtime
    pub const fn is_standard(self) -> bool {
        !self.is_realtime()
    }

    /// Whether a handler may be installed for this signal, or it may be ignored or blocked:
    /// false only for `SIGKILL` and `SIGSTOP`.
    pub const fn can_be_caught(self) -> bool {
        !SigSet::UNBLOCKABLE.contains(self)
    }

    /// Whether this is one of the signals a faulting instruction raises
    /// ([`SigSet::SYNCHRONOUS`]), which Linux delivers before any other pending signal.
    pub const fn is_synchronous(self) -> bool {
        SigSet::SYNCHRONOUS.contains(self)
    }

    /// Every signal, in increasing order.
    pub fn all() -> impl Iterator<Item = Signal> {
        SigSet::FULL.iter()
    }

    /// The bit that stands for this signal in a [`SigSet`]: bit `number - 1`.
    pub(crate) const fn bit(self) -> u64 {
        1 << (self.0 - 1)
    }
}

impl TryFrom<u32> for Signal {
    type Error = InvalidSignal;

    fn try_from(n: u32) -> Result<Signal, InvalidSignal> {
        Signal::new(n).ok_or(InvalidSignal)
    }
}

impl From<Signal> for u32 {
    fn from(sig: Signal) -> u32 {
        sig.number()
    }
}

/// The error of converting a number outside 1..=64 into a [`Signal`] (Linux answers `EINVAL`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidSignal;

impl fmt::Display for InvalidSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("signal number out of range 1..=64")
    }
}

impl core::error::Error for InvalidSignal {}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(target_arch = "riscv64")]
const _: () = assert!(
    NSIG == linux::SIGRTMAX,
    "SIGRTMAX must be _NSIG on riscv64, as linux-raw-sys defines it"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_range() {
        assert_eq!(Signal::new(0), None);
        assert_eq!(Signal::new(65), None);
        assert_eq!(Signal::new(u32::MAX), None);
        for n in 1..=64 {
            assert_eq!(Signal::new(n).map(Signal::number), Some(n));
        }
        assert_eq!(Signal::try_from(0), Err(InvalidSignal));
        assert_eq!(u32::from(Signal::SIGINT), 2);
    }

    /// The kernel is riscv64, which uses the generic numbering. The host must too, or the
    /// host tests would check numbers the kernel never sees.
    #[test]
    fn numbers_are_the_generic_linux_numbering() {
        let table = [
            (Signal::SIGHUP, 1),
            (Signal::SIGINT, 2),
            (Signal::SIGQUIT, 3),
            (Signal::SIGILL, 4),
            (Signal::SIGTRAP, 5),
            (Signal::SIGABRT, 6),
            (Signal::SIGBUS, 7),
            (Signal::SIGFPE, 8),
            (Signal::SIGKILL, 9),
            (Signal::SIGUSR1, 10),
            (Signal::SIGSEGV, 11),
            (Signal::SIGUSR2, 12),
            (Signal::SIGPIPE, 13),
            (Signal::SIGALRM, 14),
            (Signal::SIGTERM, 15),
            (Signal::SIGSTKFLT, 16),
            (Signal::SIGCHLD, 17),
            (Signal::SIGCONT, 18),
            (Signal::SIGSTOP, 19),
            (Signal::SIGTSTP, 20),
            (Signal::SIGTTIN, 21),
            (Signal::SIGTTOU, 22),
            (Signal::SIGURG, 23),
            (Signal::SIGXCPU, 24),
            (Signal::SIGXFSZ, 25),
            (Signal::SIGVTALRM, 26),
            (Signal::SIGPROF, 27),
            (Signal::SIGWINCH, 28),
            (Signal::SIGIO, 29),
            (Signal::SIGPWR, 30),
            (Signal::SIGSYS, 31),
            (Signal::SIGRTMIN, 32),
            (Signal::SIGRTMAX, 64),
        ];
        for (sig, n) in table {
            assert_eq!(sig.number(), n, "{sig}");
        }
    }

    #[test]
    fn realtime_is_32_to_64() {
        for sig in Signal::all() {
            assert_eq!(sig.is_realtime(), sig.number() >= 32, "{sig}");
            assert_eq!(sig.is_standard(), !sig.is_realtime());
        }
    }

    #[test]
    fn only_kill_and_stop_cannot_be_caught() {
        let uncatchable: alloc::vec::Vec<_> =
            Signal::all().filter(|s| !s.can_be_caught()).collect();
        assert_eq!(uncatchable, [Signal::SIGKILL, Signal::SIGSTOP]);
    }

    #[test]
    fn formats_as_name() {
        use alloc::format;
        assert_eq!(format!("{}", Signal::SIGINT), "SIGINT");
        assert_eq!(format!("{:?}", Signal::SIGRTMIN), "SIGRTMIN");
    }
}
