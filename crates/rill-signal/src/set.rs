//! `SigSet`: a set of signals, in the bit layout of the kernel ABI's `sigset_t`.

use core::fmt;
use core::iter::FusedIterator;
use core::ops::{BitAnd, BitAndAssign, BitOr, BitOrAssign, Not};

use crate::signal::Signal;

/// A set of signals: a 64-bit word where signal `n` is bit `n - 1`.
///
/// That is the layout of the `sigset_t` the Linux kernel reads and writes at its system call
/// boundary on a 64-bit architecture (`rt_sigprocmask`, `rt_sigaction`'s `sa_mask`,
/// `rt_sigpending`, `rt_sigsuspend`, `rt_sigtimedwait`, `signalfd4`): one native-endian
/// `unsigned long`, [`SigSet::ABI_SIZE`] bytes. So [`SigSet::bits`] and [`SigSet::from_bits`]
/// convert to and from what user memory holds, and every one of the 64 bits is a valid signal.
/// (glibc's user-level `sigset_t` is 128 bytes, but only its first word reaches the kernel.)
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(transparent)]
pub struct SigSet(u64);

impl SigSet {
    /// The size in bytes of a `sigset_t` at the kernel ABI: the `sigsetsize` argument of the
    /// `rt_sig*` calls must equal it, or Linux answers `EINVAL`.
    pub const ABI_SIZE: usize = core::mem::size_of::<u64>();

    /// No signals.
    pub const EMPTY: SigSet = SigSet(0);

    /// All 64 signals.
    pub const FULL: SigSet = SigSet(u64::MAX);

    /// The signals that can be neither blocked, caught nor ignored: `SIGKILL` and `SIGSTOP`.
    pub const UNBLOCKABLE: SigSet = SigSet::EMPTY.with(Signal::SIGKILL).with(Signal::SIGSTOP);

    /// The signals a faulting instruction raises, which Linux's `next_signal()` delivers before
    /// any other (its `SYNCHRONOUS_MASK`): `SIGSEGV`, `SIGBUS`, `SIGILL`, `SIGTRAP`, `SIGFPE`,
    /// `SIGSYS`.
    pub const SYNCHRONOUS: SigSet = SigSet::EMPTY
        .with(Signal::SIGSEGV)
        .with(Signal::SIGBUS)
        .with(Signal::SIGILL)
        .with(Signal::SIGTRAP)
        .with(Signal::SIGFPE)
        .with(Signal::SIGSYS);

    /// The signals whose default action is to stop the process: `SIGSTOP`, `SIGTSTP`,
    /// `SIGTTIN`, `SIGTTOU`. Generating `SIGCONT` discards any of these that are pending, and
    /// generating one of these discards a pending `SIGCONT`.
    pub const STOP: SigSet = SigSet::EMPTY
        .with(Signal::SIGSTOP)
        .with(Signal::SIGTSTP)
        .with(Signal::SIGTTIN)
        .with(Signal::SIGTTOU);

    /// The set whose raw word is `bits` (bit `n - 1` for signal `n`).
    pub const fn from_bits(bits: u64) -> SigSet {
        SigSet(bits)
    }

    /// The raw word: bit `n - 1` is set when signal `n` is in the set.
    pub const fn bits(self) -> u64 {
        self.0
    }

    /// The set holding `sig` alone.
    pub const fn single(sig: Signal) -> SigSet {
        SigSet(sig.bit())
    }

    /// This set with `sig` added; the `const` form of [`SigSet::add`].
    pub const fn with(self, sig: Signal) -> SigSet {
        SigSet(self.0 | sig.bit())
    }

    /// This set with `sig` taken out; the `const` form of [`SigSet::remove`].
    pub const fn without(self, sig: Signal) -> SigSet {
        SigSet(self.0 & !sig.bit())
    }

    /// Adds `sig` to the set.
    pub fn add(&mut self, sig: Signal) {
        *self = self.with(sig);
    }

    /// Takes `sig` out of the set.
    pub fn remove(&mut self, sig: Signal) {
        *self = self.without(sig);
    }

    /// Whether `sig` is in the set.
    pub const fn contains(self, sig: Signal) -> bool {
        self.0 & sig.bit() != 0
    }

    /// The signals in either set.
    pub const fn union(self, other: SigSet) -> SigSet {
        SigSet(self.0 | other.0)
    }

    /// The signals in both sets.
    pub const fn intersection(self, other: SigSet) -> SigSet {
        SigSet(self.0 & other.0)
    }

    /// The signals in this set but not in `other`.
    pub const fn difference(self, other: SigSet) -> SigSet {
        SigSet(self.0 & !other.0)
    }

    /// The signals not in this set.
    pub const fn complement(self) -> SigSet {
        SigSet(!self.0)
    }

    /// This set less `SIGKILL` and `SIGSTOP`: what Linux does to every mask a program asks
    /// for, silently, since those two cannot be blocked.
    pub const fn without_unblockable(self) -> SigSet {
        self.difference(SigSet::UNBLOCKABLE)
    }

    /// Whether the set holds no signal.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many signals the set holds.
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The lowest-numbered signal in the set.
    pub const fn lowest(self) -> Option<Signal> {
        if self.0 == 0 {
            None
        } else {
            Signal::new(self.0.trailing_zeros() + 1)
        }
    }

    /// The signal Linux's `next_signal()` picks first from a set of deliverable signals: the
    /// lowest-numbered [synchronous](SigSet::SYNCHRONOUS) one if any is in the set, else the
    /// lowest-numbered of all.
    pub const fn next_to_deliver(self) -> Option<Signal> {
        let synchronous = self.intersection(SigSet::SYNCHRONOUS);
        if synchronous.is_empty() {
            self.lowest()
        } else {
            synchronous.lowest()
        }
    }

    /// The signals in the set, in increasing order.
    pub const fn iter(self) -> SigSetIter {
        SigSetIter(self.0)
    }
}

/// An iterator over the signals of a [`SigSet`], in increasing order.
#[derive(Clone, Debug)]
pub struct SigSetIter(u64);

impl Iterator for SigSetIter {
    type Item = Signal;

    fn next(&mut self) -> Option<Signal> {
        let sig = SigSet(self.0).lowest()?;
        self.0 &= !sig.bit();
        Some(sig)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.0.count_ones() as usize;
        (n, Some(n))
    }
}

impl ExactSizeIterator for SigSetIter {}

impl FusedIterator for SigSetIter {}

impl IntoIterator for SigSet {
    type Item = Signal;
    type IntoIter = SigSetIter;

    fn into_iter(self) -> SigSetIter {
        self.iter()
    }
}

impl FromIterator<Signal> for SigSet {
    fn from_iter<T: IntoIterator<Item = Signal>>(iter: T) -> SigSet {
        iter.into_iter().fold(SigSet::EMPTY, SigSet::with)
    }
}

impl Extend<Signal> for SigSet {
    fn extend<T: IntoIterator<Item = Signal>>(&mut self, iter: T) {
        for sig in iter {
            self.add(sig);
        }
    }
}

impl From<Signal> for SigSet {
    fn from(sig: Signal) -> SigSet {
        SigSet::single(sig)
    }
}

impl BitOr for SigSet {
    type Output = SigSet;

    fn bitor(self, other: SigSet) -> SigSet {
        self.union(other)
    }
}

impl BitOrAssign for SigSet {
    fn bitor_assign(&mut self, other: SigSet) {
        *self = self.union(other);
    }
}

impl BitAnd for SigSet {
    type Output = SigSet;

    fn bitand(self, other: SigSet) -> SigSet {
        self.intersection(other)
    }
}

impl BitAndAssign for SigSet {
    fn bitand_assign(&mut self, other: SigSet) {
        *self = self.intersection(other);
    }
}

impl Not for SigSet {
    type Output = SigSet;

    fn not(self) -> SigSet {
        self.complement()
    }
}

impl fmt::Debug for SigSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::vec::Vec;

    fn sig(n: u32) -> Signal {
        Signal::new(n).unwrap()
    }

    #[test]
    fn signal_n_is_bit_n_minus_1() {
        assert_eq!(SigSet::single(Signal::SIGHUP).bits(), 1);
        assert_eq!(SigSet::single(Signal::SIGINT).bits(), 1 << 1);
        assert_eq!(SigSet::single(Signal::SIGKILL).bits(), 1 << 8);
        assert_eq!(SigSet::single(Signal::SIGRTMIN).bits(), 1 << 31);
        assert_eq!(SigSet::single(Signal::SIGRTMAX).bits(), 1 << 63);
        for s in Signal::all() {
            assert_eq!(SigSet::from(s).bits(), 1u64 << (s.number() - 1));
        }
    }

    #[test]
    fn abi_size_matches_linux_sigset_t() {
        use linux_raw_sys::general::{kernel_sigset_t, sigset_t};
        assert_eq!(SigSet::ABI_SIZE, 8);
        assert_eq!(core::mem::size_of::<sigset_t>(), SigSet::ABI_SIZE);
        assert_eq!(core::mem::size_of::<kernel_sigset_t>(), SigSet::ABI_SIZE);
    }

    #[test]
    fn add_remove_contains() {
        let mut set = SigSet::EMPTY;
        assert!(set.is_empty());
        set.add(Signal::SIGINT);
        set.add(Signal::SIGRTMAX);
        set.add(Signal::SIGINT);
        assert_eq!(set.len(), 2);
        assert!(set.contains(Signal::SIGINT));
        assert!(!set.contains(Signal::SIGTERM));
        set.remove(Signal::SIGINT);
        set.remove(Signal::SIGTERM);
        assert_eq!(set, SigSet::single(Signal::SIGRTMAX));
    }

    #[test]
    fn set_algebra() {
        let a: SigSet = [sig(1), sig(2), sig(40)].into_iter().collect();
        let b: SigSet = [sig(2), sig(3)].into_iter().collect();
        assert_eq!(
            a | b,
            [sig(1), sig(2), sig(3), sig(40)].into_iter().collect()
        );
        assert_eq!(a & b, SigSet::single(sig(2)));
        assert_eq!(a.difference(b), [sig(1), sig(40)].into_iter().collect());
        assert_eq!((!a).len(), 61);
        assert_eq!(!SigSet::EMPTY, SigSet::FULL);
    }

    #[test]
    fn iter_is_increasing_and_exact() {
        let set = SigSet::from_bits(0x8000_0001_0000_0412);
        let got: Vec<u32> = set.iter().map(Signal::number).collect();
        assert_eq!(got, [2, 5, 11, 33, 64]);
        assert_eq!(set.iter().len(), 5);
        assert_eq!(SigSet::FULL.iter().count(), 64);
    }

    #[test]
    fn unblockable_is_kill_and_stop() {
        assert_eq!(
            SigSet::UNBLOCKABLE.iter().collect::<Vec<_>>(),
            [Signal::SIGKILL, Signal::SIGSTOP]
        );
        assert_eq!(SigSet::FULL.without_unblockable().len(), 62);
        assert!(!SigSet::FULL.without_unblockable().contains(Signal::SIGKILL));
        assert!(!SigSet::FULL.without_unblockable().contains(Signal::SIGSTOP));
    }

    #[test]
    fn next_to_deliver_prefers_synchronous() {
        let set: SigSet = [Signal::SIGHUP, Signal::SIGSEGV, Signal::SIGILL]
            .into_iter()
            .collect();
        assert_eq!(set.next_to_deliver(), Some(Signal::SIGILL));
        let set: SigSet = [Signal::SIGINT, Signal::SIGSYS, Signal::SIGRTMIN]
            .into_iter()
            .collect();
        assert_eq!(set.next_to_deliver(), Some(Signal::SIGSYS));
        let set: SigSet = [Signal::SIGTERM, Signal::SIGRTMIN].into_iter().collect();
        assert_eq!(set.next_to_deliver(), Some(Signal::SIGTERM));
        assert_eq!(SigSet::EMPTY.next_to_deliver(), None);
    }

    #[test]
    fn debug_lists_names() {
        let set: SigSet = [Signal::SIGINT, Signal::SIGRTMIN].into_iter().collect();
        assert_eq!(format!("{set:?}"), "{SIGINT, SIGRTMIN}");
    }
}
