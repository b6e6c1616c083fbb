//! `DefaultAction`: what a signal does to a task whose disposition for it is `SIG_DFL`,
//! per signal(7).

use crate::signal::Signal;

/// The action Linux takes for a signal left at its default disposition (`SIG_DFL`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DefaultAction {
    /// End the process, with the signal as its termination status.
    Terminate,
    /// End the process and dump core: the wait status has the core flag (`0x80`) set where a
    /// core is written. Rill writes no core file.
    CoreDump,
    /// Discard the signal.
    Ignore,
    /// Stop the process (job control) until `SIGCONT`.
    Stop,
    /// Continue the process if it is stopped.
    ///
    /// Linux resumes a stopped process when `SIGCONT` is *generated*, whatever its
    /// disposition or mask; at *delivery* the default action does nothing more (the kernel
    /// lists `SIGCONT` among the signals ignored by default).
    Continue,
}

impl Signal {
    /// The default action for this signal, per signal(7); every realtime signal terminates.
    pub const fn default_action(self) -> DefaultAction {
        use DefaultAction::*;
        match self {
            Signal::SIGQUIT
            | Signal::SIGILL
            | Signal::SIGTRAP
            | Signal::SIGABRT
            | Signal::SIGBUS
            | Signal::SIGFPE
            | Signal::SIGSEGV
            | Signal::SIGXCPU
            | Signal::SIGXFSZ
            | Signal::SIGSYS => CoreDump,
            Signal::SIGCHLD | Signal::SIGURG | Signal::SIGWINCH => Ignore,
            Signal::SIGCONT => Continue,
            Signal::SIGSTOP | Signal::SIGTSTP | Signal::SIGTTIN | Signal::SIGTTOU => Stop,
            _ => Terminate,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::set::SigSet;

    fn with_action(action: DefaultAction) -> SigSet {
        Signal::all()
            .filter(|sig| sig.default_action() == action)
            .collect()
    }

    /// The table of signal(7), written out number by number.
    #[test]
    fn matches_signal_7() {
        use DefaultAction::*;
        let table = [
            (1, Terminate),
            (2, Terminate),
            (3, CoreDump),
            (4, CoreDump),
            (5, CoreDump),
            (6, CoreDump),
            (7, CoreDump),
            (8, CoreDump),
            (9, Terminate),
            (10, Terminate),
            (11, CoreDump),
            (12, Terminate),
            (13, Terminate),
            (14, Terminate),
            (15, Terminate),
            (16, Terminate),
            (17, Ignore),
            (18, Continue),
            (19, Stop),
            (20, Stop),
            (21, Stop),
            (22, Stop),
            (23, Ignore),
            (24, CoreDump),
            (25, CoreDump),
            (26, Terminate),
            (27, Terminate),
            (28, Ignore),
            (29, Terminate),
            (30, Terminate),
            (31, CoreDump),
        ];
        for (n, action) in table {
            let sig = Signal::new(n).unwrap();
            assert_eq!(sig.default_action(), action, "{sig}");
        }
        for n in 32..=64 {
            assert_eq!(Signal::new(n).unwrap().default_action(), Terminate);
        }
    }

    #[test]
    fn stop_action_is_the_stop_set() {
        assert_eq!(with_action(DefaultAction::Stop), SigSet::STOP);
    }

    #[test]
    fn synchronous_signals_dump_core() {
        let core = with_action(DefaultAction::CoreDump);
        assert_eq!(SigSet::SYNCHRONOUS.difference(core), SigSet::EMPTY);
    }
}
