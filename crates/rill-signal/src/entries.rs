//! `Entries`: a pending queue's list of queued instances, oldest first. The first few live
//! inside the queue itself, so the common case (a signal or two at a time) allocates
//! nothing; only more at once spill to the heap, which is freed again once drained.

use alloc::collections::TryReserveError;
use alloc::collections::VecDeque;
use core::fmt;

use crate::signal::Signal;

/// How many entries a queue holds without allocating.
pub const INLINE: usize = 2;

/// Entries in arrival order: `inline[..inline_len]`, then `spill`. Every inline entry is
/// older than every spilled one: a new entry goes inline only while nothing is spilled.
pub struct Entries<I> {
    inline: [Option<(Signal, I)>; INLINE],
    inline_len: usize,
    spill: VecDeque<(Signal, I)>,
}

impl<I> Entries<I> {
    /// No entries; allocates nothing.
    pub const fn new() -> Self {
        Entries {
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
    pub fn push_back(&mut self, entry: (Signal, I)) -> Result<(), TryReserveError> {
        if self.room_inline() {
            self.inline[self.inline_len] = Some(entry);
            self.inline_len += 1;
            return Ok(());
        }
        self.spill.try_reserve(1)?;
        self.spill.push_back(entry);
        Ok(())
    }

    /// Every entry, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &(Signal, I)> {
        self.inline[..self.inline_len]
            .iter()
            .flatten()
            .chain(self.spill.iter())
    }

    /// Removes and returns the oldest entry for `sig`, and whether another is left.
    pub fn take_first(&mut self, sig: Signal) -> Option<((Signal, I), bool)> {
        let at = self.iter().position(|&(s, _)| s == sig)?;
        let entry = if at < self.inline_len {
            let entry = self.inline[at].take();
            // Keep the inline entries packed at the front, in order.
            self.inline[at..self.inline_len].rotate_left(1);
            self.inline_len -= 1;
            entry?
        } else {
            let entry = self.spill.remove(at - self.inline_len)?;
            self.release_if_empty();
            entry
        };
        let more = self.iter().skip(at).any(|&(s, _)| s == sig);
        Some((entry, more))
    }

    /// Keeps only the entries `keep` says yes to, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&(Signal, I)) -> bool) {
        let mut kept = 0;
        for i in 0..self.inline_len {
            let Some(entry) = self.inline[i].take() else {
                continue;
            };
            if keep(&entry) {
                self.inline[kept] = Some(entry);
                kept += 1;
            }
        }
        self.inline_len = kept;
        self.spill.retain(keep);
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
