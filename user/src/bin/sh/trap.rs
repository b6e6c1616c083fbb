//! Traps: commands run when a signal arrives (or the shell exits), and the
//! signal name table `trap` and `kill` share.
//!
//! The signal handler only records the signal in a bit set; the shell runs the
//! trap's command between commands (and `wait` returns early for it), never
//! inside the handler.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Signals that arrived and whose traps have not run yet, one bit each.
static PENDING: AtomicU64 = AtomicU64::new(0);

extern "C" fn on_signal(sig: libc::c_int) {
    PENDING.fetch_or(1 << sig, Ordering::SeqCst);
}

/// Whether a trapped signal is waiting for its command to run.
pub fn any_pending() -> bool {
    PENDING.load(Ordering::SeqCst) != 0
}

/// The lowest trapped signal that has arrived, if any (left pending).
pub fn pending_signal() -> Option<i32> {
    let bits = PENDING.load(Ordering::SeqCst);
    (bits != 0).then(|| bits.trailing_zeros() as i32)
}

#[derive(Clone, PartialEq, Eq)]
pub enum Action {
    Ignore,
    Run(String),
}

/// The traps set, by signal number; 0 is EXIT.
#[derive(Default)]
pub struct Traps {
    actions: BTreeMap<i32, Action>,
}

impl Traps {
    /// `trap ACTION SIG`: None is `-` (back to the default).
    pub fn set(&mut self, sig: i32, action: Option<Action>) {
        if sig != 0 {
            let handler = match &action {
                None => libc::SIG_DFL,
                Some(Action::Ignore) => libc::SIG_IGN,
                Some(Action::Run(_)) => on_signal as extern "C" fn(libc::c_int) as usize,
            };
            install(sig, handler);
        }
        match action {
            Some(a) => {
                self.actions.insert(sig, a);
            }
            None => {
                self.actions.remove(&sig);
            }
        }
    }

    /// The traps for `trap` with no arguments: (signal, action).
    pub fn list(&self) -> impl Iterator<Item = (i32, &Action)> {
        self.actions.iter().map(|(s, a)| (*s, a))
    }

    /// The EXIT trap's command, removed so that it runs only once.
    pub fn take_exit(&mut self) -> Option<String> {
        match self.actions.remove(&0)? {
            Action::Run(cmd) => Some(cmd),
            Action::Ignore => None,
        }
    }

    /// The commands of the trapped signals that arrived, in signal order.
    pub fn take_pending(&mut self) -> Vec<String> {
        let bits = PENDING.swap(0, Ordering::SeqCst);
        (1..64)
            .filter(|s| bits & (1 << s) != 0)
            .filter_map(|s| match self.actions.get(&s) {
                Some(Action::Run(cmd)) => Some(cmd.clone()),
                _ => None,
            })
            .collect()
    }

    /// In a subshell, traps with commands go back to the default action;
    /// ignored signals stay ignored.
    pub fn reset_for_subshell(&mut self) {
        let running: Vec<i32> = self
            .actions
            .iter()
            .filter(|(_, a)| matches!(a, Action::Run(_)))
            .map(|(s, _)| *s)
            .collect();
        for sig in running {
            self.set(sig, None);
        }
        PENDING.store(0, Ordering::SeqCst);
    }

    /// A child about to run a program had its signals reset: signals ignored
    /// with `trap '' SIG` must stay ignored in it.
    pub fn keep_ignored(&self) {
        for (sig, action) in &self.actions {
            if *sig != 0 && *action == Action::Ignore {
                install(*sig, libc::SIG_IGN);
            }
        }
    }
}

/// Installs a handler without SA_RESTART, so that a blocking `wait` returns
/// early when a trapped signal arrives.
fn install(sig: i32, handler: usize) {
    // SAFETY: `act` is fully initialised; the handler only touches an atomic.
    unsafe {
        let mut act: libc::sigaction = std::mem::zeroed();
        act.sa_sigaction = handler;
        libc::sigemptyset(&mut act.sa_mask);
        libc::sigaction(sig, &act, std::ptr::null_mut());
    }
}

/// The names of signals 1 to 31 as `kill -l` shows them ("" for none).
const NAMES: [&str; 32] = [
    "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
    "PIPE", "ALRM", "TERM", "", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU",
    "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
];

/// The real-time signals glibc leaves to programs (it keeps 32 and 33).
const RTMIN: i32 = 34;
const RTMAX: i32 = 64;

/// A signal's name without "SIG" (`TERM`, `RTMIN+2`), or its number when it
/// has none.
pub fn name(sig: i32) -> String {
    match sig {
        1..=31 if !NAMES[sig as usize].is_empty() => NAMES[sig as usize].to_string(),
        RTMIN => "RTMIN".to_string(),
        RTMAX => "RTMAX".to_string(),
        s if (RTMIN + 1..=RTMIN + 15).contains(&s) => format!("RTMIN+{}", s - RTMIN),
        s if (RTMIN + 16..RTMAX).contains(&s) => format!("RTMAX-{}", RTMAX - s),
        s => s.to_string(),
    }
}

/// A signal number from a name (with or without SIG, any case) or a number.
/// `EXIT` and `0` are 0.
pub fn number(spec: &str) -> Option<i32> {
    if let Ok(n) = spec.parse::<i32>() {
        return (0..=RTMAX).contains(&n).then_some(n);
    }
    let upper = spec.to_ascii_uppercase();
    let bare = upper.strip_prefix("SIG").unwrap_or(&upper);
    if bare == "EXIT" {
        return Some(0);
    }
    (1..=RTMAX).find(|&s| name(s) == bare)
}

/// `kill -l` with no argument: every signal, one a line, as dash lists them.
pub fn list_all() -> String {
    let mut out = String::from("0\n");
    for sig in 1..=RTMAX {
        out.push_str(&name(sig));
        out.push('\n');
    }
    out
}
