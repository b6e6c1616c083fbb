//! `Entries`: a pending queue's list of queued instances, oldest first. The first few live
//! inside the queue itself, so the common case (a signal or two at a time) allocates
//! nothing; only more at once spill to the heap, which is freed again once drained.

use alloc::collections::TryReserveError;
use alloc::collections::VecDeque;
use core::fmt;

use crate::signal::Signal;

/// How many entries a queue holds without allocating.
pub const INLINE: usize = 2;

/// Entries in arrival order: the first `inline_len` inline ones, then `spill`. Every
/// inline entry is older than every spilled one: a new entry goes inline only while
/// nothing is spilled. Inline signals and information are kept apart, so moving an
/// entry's information in or out is an aligned copy of it alone.
pub struct Entries<I> {
    inline_sigs: [Option<Signal>; INLINE],
    inline: [Option<I>; INLINE],
    inline_len: usize,
    spill: VecDeque<(Signal, I)>,
}

impl<I> Entries<I> {
    /// No entries; allocates nothing.
    pub const fn new() -> Self {
        Entries {
            inline_sigs: [None; INLINE],
            inline: [const { None }; INLINE],
            inline_len: 0,
            spill: VecDeque::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.inline_len + self.spill.len()
    }

    /// Bytes the next `push_back` may allocate: nothing while there is room inline or
    /// in the spilled list, else the list's grown storage (double, at least four entries).
    pub fn growth_bytes(&self) -> usize {
        if self.room_inline() || self.spill.len() < self.spill.capacity() {
            return 0;
        }
        let entries = self.spill.capacity().saturating_mul(2).max(4);
        entries.saturating_mul(core::mem::size_of::<(Signal, I)>())
    }

    fn room_inline(&self) -> bool {
        self.spill.is_empty() && self.inline_len < INLINE
    }

    /// Adds the newest entry; fails only if the spilled list cannot grow.
    pub fn push_back(&mut self, sig: Signal, info: I) -> Result<(), TryReserveError> {
        if self.room_inline() {
            self.inline_sigs[self.inline_len] = Some(sig);
            self.inline[self.inline_len] = Some(info);
            self.inline_len += 1;
            return Ok(());
        }
        self.spill.try_reserve(1)?;
        self.spill.push_back((sig, info));
        Ok(())
    }

    /// Every entry, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = (Signal, &I)> {
        self.inline_sigs
            .iter()
            .zip(&self.inline)
            .take(self.inline_len)
            .filter_map(|(s, i)| Some(((*s)?, i.as_ref()?)))
            .chain(self.spill.iter().map(|(s, i)| (*s, i)))
    }

    /// The signals of the entries, oldest first.
    fn signals(&self) -> impl Iterator<Item = Signal> + '_ {
        self.inline_sigs[..self.inline_len]
            .iter()
            .flatten()
            .copied()
            .chain(self.spill.iter().map(|&(s, _)| s))
    }

    /// Removes the oldest entry for `sig` and returns its information, and whether
    /// another entry for `sig` is left.
    pub fn take_first(&mut self, sig: Signal) -> Option<(I, bool)> {
        let at = self.signals().position(|s| s == sig)?;
        let info = if at < self.inline_len {
            let info = self.inline[at].take();
            // Keep the inline entries packed at the front, in order.
            self.inline_sigs[at..self.inline_len].rotate_left(1);
            self.inline[at..self.inline_len].rotate_left(1);
            self.inline_len -= 1;
            self.inline_sigs[self.inline_len] = None;
            info?
        } else {
            let (_, info) = self.spill.remove(at - self.inline_len)?;
            self.release_if_empty();
            info
        };
        let more = self.signals().skip(at).any(|s| s == sig);
        Some((info, more))
    }

    /// Keeps only the entries `keep` says yes to, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(Signal, &I) -> bool) {
        let mut kept = 0;
        for i in 0..self.inline_len {
            let (Some(sig), Some(info)) = (self.inline_sigs[i].take(), self.inline[i].take())
            else {
                continue;
            };
            if keep(sig, &info) {
                self.inline_sigs[kept] = Some(sig);
                self.inline[kept] = Some(info);
                kept += 1;
            }
        }
        self.inline_len = kept;
        self.spill.retain(|(s, i)| keep(*s, i));
        self.release_if_empty();
    }

    /// Drops every entry and frees the spilled list.
    pub fn clear(&mut self) {
        *self = Entries::new();
    }

    /// Frees the spilled list's storage once it is empty, so a drained queue costs
    /// nothing on the heap (shrinking a non-empty list would allocate).
    fn release_if_empty(&mut self) {
        if self.spill.is_empty() && self.spill.capacity() != 0 {
            self.spill = VecDeque::new();
        }
    }
}

impl<I: fmt::Debug> fmt::Debug for Entries<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}
