//! Signal names: `Signal::name` ("SIGINT", "SIGRTMIN+3") and the parser `Signal::from_name`
//! that a `kill` tool mirrors.
//!
//! Realtime signals are named relative to the kernel's SIGRTMIN (32) and SIGRTMAX (64), the way
//! `kill -l` names them: the lower half (32..=48) as `SIGRTMIN+n`, the upper half (49..=64) as
//! `SIGRTMAX-n`. A libc-based `kill -l` on Linux counts from the libc's SIGRTMIN (34 with glibc)
//! instead, so its names for the same numbers differ; these are the kernel's.

use crate::signal::Signal;

/// Names of the realtime signals, from SIGRTMIN (32) to SIGRTMAX (64).
const REALTIME_NAMES: [&str; 33] = [
    "SIGRTMIN",
    "SIGRTMIN+1",
    "SIGRTMIN+2",
    "SIGRTMIN+3",
    "SIGRTMIN+4",
    "SIGRTMIN+5",
    "SIGRTMIN+6",
    "SIGRTMIN+7",
    "SIGRTMIN+8",
    "SIGRTMIN+9",
    "SIGRTMIN+10",
    "SIGRTMIN+11",
    "SIGRTMIN+12",
    "SIGRTMIN+13",
    "SIGRTMIN+14",
    "SIGRTMIN+15",
    "SIGRTMIN+16",
    "SIGRTMAX-15",
    "SIGRTMAX-14",
    "SIGRTMAX-13",
    "SIGRTMAX-12",
    "SIGRTMAX-11",
    "SIGRTMAX-10",
    "SIGRTMAX-9",
    "SIGRTMAX-8",
    "SIGRTMAX-7",
    "SIGRTMAX-6",
    "SIGRTMAX-5",
    "SIGRTMAX-4",
    "SIGRTMAX-3",
    "SIGRTMAX-2",
    "SIGRTMAX-1",
    "SIGRTMAX",
];

/// Other names the parser accepts for standard signals, as `kill` tools do.
const ALIASES: [(&str, Signal); 3] = [
    ("IOT", Signal::SIGABRT),
    ("POLL", Signal::SIGIO),
    ("CLD", Signal::SIGCHLD),
];

impl Signal {
    /// The signal's name with its `SIG` prefix: "SIGINT", "SIGRTMIN", "SIGRTMIN+3",
    /// "SIGRTMAX-1".
    pub const fn name(self) -> &'static str {
        match self {
            Signal::SIGHUP => "SIGHUP",
            Signal::SIGINT => "SIGINT",
            Signal::SIGQUIT => "SIGQUIT",
            Signal::SIGILL => "SIGILL",
            Signal::SIGTRAP => "SIGTRAP",
            Signal::SIGABRT => "SIGABRT",
            Signal::SIGBUS => "SIGBUS",
            Signal::SIGFPE => "SIGFPE",
            Signal::SIGKILL => "SIGKILL",
            Signal::SIGUSR1 => "SIGUSR1",
            Signal::SIGSEGV => "SIGSEGV",
            Signal::SIGUSR2 => "SIGUSR2",
            Signal::SIGPIPE => "SIGPIPE",
            Signal::SIGALRM => "SIGALRM",
            Signal::SIGTERM => "SIGTERM",
            Signal::SIGSTKFLT => "SIGSTKFLT",
            Signal::SIGCHLD => "SIGCHLD",
            Signal::SIGCONT => "SIGCONT",
            Signal::SIGSTOP => "SIGSTOP",
            Signal::SIGTSTP => "SIGTSTP",
            Signal::SIGTTIN => "SIGTTIN",
            Signal::SIGTTOU => "SIGTTOU",
            Signal::SIGURG => "SIGURG",
            Signal::SIGXCPU => "SIGXCPU",
            Signal::SIGXFSZ => "SIGXFSZ",
            Signal::SIGVTALRM => "SIGVTALRM",
            Signal::SIGPROF => "SIGPROF",
            Signal::SIGWINCH => "SIGWINCH",
            Signal::SIGIO => "SIGIO",
            Signal::SIGPWR => "SIGPWR",
            Signal::SIGSYS => "SIGSYS",
            _ => REALTIME_NAMES[(self.number() - Signal::SIGRTMIN.number()) as usize],
        }
    }

    /// The name without its `SIG` prefix, as `kill -l` lists it: "INT", "RTMIN+3".
    pub fn short_name(self) -> &'static str {
        &self.name()[3..]
    }

    /// Parses a signal name the way `kill -s NAME` does: ASCII case-insensitive, with or
    /// without the `SIG` prefix. Accepts the standard names, the aliases `IOT`, `POLL` and
    /// `CLD`, `RTMIN`, `RTMAX`, and `RTMIN+n` / `RTMAX-n` for any `n` that stays within
    /// 32..=64 (so both "RTMIN+20" and "RTMAX-12" give 52). Numbers are not names: `None`.
    pub fn from_name(name: &str) -> Option<Signal> {
        let bare = strip_prefix_ignore_case(name, "SIG").unwrap_or(name);
        if bare.eq_ignore_ascii_case("RTMIN") {
            return Some(Signal::SIGRTMIN);
        }
        if bare.eq_ignore_ascii_case("RTMAX") {
            return Some(Signal::SIGRTMAX);
        }
        if let Some(offset) = strip_prefix_ignore_case(bare, "RTMIN+") {
            let n = Signal::SIGRTMIN
                .number()
                .checked_add(parse_decimal(offset)?)?;
            return Signal::new(n);
        }
        if let Some(offset) = strip_prefix_ignore_case(bare, "RTMAX-") {
            let n = Signal::SIGRTMAX
                .number()
                .checked_sub(parse_decimal(offset)?)?;
            return Signal::new(n).filter(|sig| sig.is_realtime());
        }
        Signal::all()
            .take_while(|sig| sig.is_standard())
            .find(|sig| sig.short_name().eq_ignore_ascii_case(bare))
            .or_else(|| {
                ALIASES
                    .iter()
                    .find(|(alias, _)| alias.eq_ignore_ascii_case(bare))
                    .map(|&(_, sig)| sig)
            })
    }
}

/// `s` without `prefix`, compared ASCII case-insensitively; `None` if `s` lacks it.
fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// A non-empty run of ASCII digits as a number; `None` for anything else or on overflow.
fn parse_decimal(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    s.bytes().try_fold(0u32, |n, b| {
        let digit = (b as char).to_digit(10)?;
        n.checked_mul(10)?.checked_add(digit)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_names() {
        assert_eq!(Signal::SIGHUP.name(), "SIGHUP");
        assert_eq!(Signal::SIGSTKFLT.name(), "SIGSTKFLT");
        assert_eq!(Signal::SIGSYS.name(), "SIGSYS");
        assert_eq!(Signal::SIGINT.short_name(), "INT");
        for sig in Signal::all() {
            assert!(sig.name().starts_with("SIG"), "{}", sig.number());
        }
    }

    #[test]
    fn realtime_names_split_at_the_middle() {
        let name = |n| Signal::new(n).unwrap().name();
        assert_eq!(name(32), "SIGRTMIN");
        assert_eq!(name(33), "SIGRTMIN+1");
        assert_eq!(name(48), "SIGRTMIN+16");
        assert_eq!(name(49), "SIGRTMAX-15");
        assert_eq!(name(63), "SIGRTMAX-1");
        assert_eq!(name(64), "SIGRTMAX");
    }

    #[test]
    fn every_name_parses_back() {
        for sig in Signal::all() {
            assert_eq!(Signal::from_name(sig.name()), Some(sig));
            assert_eq!(Signal::from_name(sig.short_name()), Some(sig));
        }
    }

    #[test]
    fn parse_forms() {
        assert_eq!(Signal::from_name("INT"), Some(Signal::SIGINT));
        assert_eq!(Signal::from_name("sigint"), Some(Signal::SIGINT));
        assert_eq!(Signal::from_name("Term"), Some(Signal::SIGTERM));
        assert_eq!(Signal::from_name("IOT"), Some(Signal::SIGABRT));
        assert_eq!(Signal::from_name("SIGPOLL"), Some(Signal::SIGIO));
        assert_eq!(Signal::from_name("cld"), Some(Signal::SIGCHLD));
        assert_eq!(Signal::from_name("RTMIN+3").map(Signal::number), Some(35));
        assert_eq!(Signal::from_name("rtmin+0"), Some(Signal::SIGRTMIN));
        assert_eq!(Signal::from_name("RTMIN+32"), Some(Signal::SIGRTMAX));
        assert_eq!(Signal::from_name("RTMAX-32"), Some(Signal::SIGRTMIN));
        assert_eq!(
            Signal::from_name("SIGRTMAX-12").map(Signal::number),
            Some(52)
        );
        assert_eq!(Signal::from_name("RTMIN+20").map(Signal::number), Some(52));
    }

    #[test]
    fn parse_rejects() {
        for bad in [
            "",
            "SIG",
            "2",
            "SIGSIGINT",
            "INTX",
            "RTMIN+",
            "RTMIN+33",
            "RTMAX-33",
            "RTMAX+1",
            "RTMIN-1",
            "RTMIN+-1",
            "RTMIN+ 1",
            "RTMIN+99999999999",
            "UNUSED",
            "SIGÉ",
        ] {
            assert_eq!(Signal::from_name(bad), None, "{bad:?}");
        }
    }
}
