//! The free ranges of an address space's mmap window, indexed by address and by size,
//! so that placing a mapping without an address hint costs O(log n) in the number of
//! areas instead of a walk over all of them.

use alloc::collections::{BTreeMap, BTreeSet};

/// Heap one gap record can take in the two indexes (B-tree nodes are shared by up to
/// eleven records and rounded up by the allocator; this is a generous average).
pub const GAP_HEAP_COST: usize = 128;

/// Unmapped ranges of `[low, high)`: every byte of the window is either in exactly one
/// gap or in some area.
pub struct Gaps {
    low: usize,
    high: usize,
    /// start -> end of each gap.
    by_start: BTreeMap<usize, usize>,
    /// (size, start) of each gap: the smallest gap that fits is the first at or after
    /// (len, 0).
    by_size: BTreeSet<(usize, usize)>,
}

impl Gaps {
    /// The window `[low, high)`, all free.
    pub fn new(low: usize, high: usize) -> Gaps {
        let mut g = Gaps {
            low,
            high,
            by_start: BTreeMap::new(),
            by_size: BTreeSet::new(),
        };
        g.insert(low, high);
        g
    }

    /// Gaps recorded (for heap accounting).
    pub fn count(&self) -> usize {
        self.by_start.len()
    }

    fn insert(&mut self, start: usize, end: usize) {
        if start < end {
            self.by_start.insert(start, end);
            self.by_size.insert((end - start, start));
        }
    }

    fn remove(&mut self, start: usize) -> Option<usize> {
        let end = self.by_start.remove(&start)?;
        self.by_size.remove(&(end - start, start));
        Some(end)
    }

    fn clip(&self, start: usize, end: usize) -> (usize, usize) {
        (start.max(self.low), end.min(self.high))
    }

    /// Records that `[start, end)`, free until now, is mapped.
    pub fn occupy(&mut self, start: usize, end: usize) {
        let (start, end) = self.clip(start, end);
        if start >= end {
            return;
        }
        let Some((&gs, &ge)) = self.by_start.range(..=start).next_back() else {
            return;
        };
        if ge < end {
            debug_assert!(false, "occupying a range that is not free");
            return;
        }
        self.remove(gs);
        self.insert(gs, start);
        self.insert(end, ge);
    }

    /// Records that `[start, end)`, mapped until now, is free; joins it with the gaps
    /// on either side.
    pub fn release(&mut self, start: usize, end: usize) {
        let (mut start, mut end) = self.clip(start, end);
        if start >= end {
            return;
        }
        if let Some((&ps, &pe)) = self.by_start.range(..start).next_back() {
            if pe == start {
                self.remove(ps);
                start = ps;
            }
        }
        if let Some(ne) = self.remove(end) {
            end = ne;
        }
        self.insert(start, end);
    }

    /// Where a mapping of `len` bytes goes: at the top of the smallest gap that holds
    /// it, which keeps large gaps whole and, in the common case of one big gap, places
    /// successive mappings downward from the top as Linux does.
    pub fn find(&self, len: usize) -> Option<usize> {
        let &(size, start) = self.by_size.range((len, 0)..).next()?;
        Some(start + size - len)
    }

    /// A copy for fork (the caller has checked the heap can take it).
    pub fn duplicate(&self) -> Gaps {
        Gaps {
            low: self.low,
            high: self.high,
            by_start: self.by_start.clone(),
            by_size: self.by_size.clone(),
        }
    }
}
