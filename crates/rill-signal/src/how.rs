//! `MaskHow`: the `how` argument of `rt_sigprocmask(2)` and the mask it produces.

use linux_raw_sys::general as linux;

use crate::set::SigSet;

/// How `rt_sigprocmask(how, set, ...)` combines `set` with the current blocked mask.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MaskHow {
    /// `SIG_BLOCK`: block the signals in `set` as well.
    Block,
    /// `SIG_UNBLOCK`: unblock the signals in `set`.
    Unblock,
    /// `SIG_SETMASK`: block exactly the signals in `set`.
    SetMask,
}

impl MaskHow {
    /// Decodes the raw `how` argument; `None` (Linux answers `EINVAL`) for other values.
    ///
    /// Linux reads `how` as a C `int`, so a caller holding a register should truncate it to
    /// 32 bits first.
    pub const fn from_raw(how: u32) -> Option<MaskHow> {
        match how {
            linux::SIG_BLOCK => Some(MaskHow::Block),
            linux::SIG_UNBLOCK => Some(MaskHow::Unblock),
            linux::SIG_SETMASK => Some(MaskHow::SetMask),
            _ => None,
        }
    }

    /// The raw value: `SIG_BLOCK`, `SIG_UNBLOCK` or `SIG_SETMASK`.
    pub const fn raw(self) -> u32 {
        match self {
            MaskHow::Block => linux::SIG_BLOCK,
            MaskHow::Unblock => linux::SIG_UNBLOCK,
            MaskHow::SetMask => linux::SIG_SETMASK,
        }
    }

    /// The new blocked mask, from the current one `old` and the caller's `set`.
    ///
    /// `SIGKILL` and `SIGSTOP` are silently left out of the result, as Linux does: asking to
    /// block them is not an error, it just has no effect.
    pub const fn apply(self, old: SigSet, set: SigSet) -> SigSet {
        let new = match self {
            MaskHow::Block => old.union(set),
            MaskHow::Unblock => old.difference(set),
            MaskHow::SetMask => set,
        };
        new.without_unblockable()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signal::Signal;

    #[test]
    fn raw_values_round_trip() {
        assert_eq!(MaskHow::from_raw(0), Some(MaskHow::Block));
        assert_eq!(MaskHow::from_raw(1), Some(MaskHow::Unblock));
        assert_eq!(MaskHow::from_raw(2), Some(MaskHow::SetMask));
        assert_eq!(MaskHow::from_raw(3), None);
        assert_eq!(MaskHow::from_raw(u32::MAX), None);
        for how in [MaskHow::Block, MaskHow::Unblock, MaskHow::SetMask] {
            assert_eq!(MaskHow::from_raw(how.raw()), Some(how));
        }
    }

    #[test]
    fn apply_combines_and_strips_kill_and_stop() {
        let old: SigSet = [Signal::SIGINT, Signal::SIGTERM].into_iter().collect();
        let set: SigSet = [Signal::SIGTERM, Signal::SIGKILL, Signal::SIGUSR1]
            .into_iter()
            .collect();
        assert_eq!(
            MaskHow::Block.apply(old, set),
            [Signal::SIGINT, Signal::SIGTERM, Signal::SIGUSR1]
                .into_iter()
                .collect()
        );
        assert_eq!(
            MaskHow::Unblock.apply(old, set),
            SigSet::single(Signal::SIGINT)
        );
        assert_eq!(
            MaskHow::SetMask.apply(old, set),
            [Signal::SIGTERM, Signal::SIGUSR1].into_iter().collect()
        );
        assert_eq!(MaskHow::SetMask.apply(old, SigSet::FULL).len(), 62);
    }
}
