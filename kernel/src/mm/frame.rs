//! The physical frame allocator. Frames are handed out as `Frame` values that free
//! themselves on drop, so a page can never be leaked or freed twice by accident.
//! (User pages that several holders share are `page::Page`s: counted references to a
//! frame.)

use super::{phys_to_virt, PAGE_SIZE};
use alloc::vec::Vec;
use core::ops::Range;
use core::sync::atomic::{AtomicUsize, Ordering};
use spin::Mutex;

struct FrameAllocator {
    /// Next never-used page number, and the end of usable memory.
    next: usize,
    end: usize,
    /// Page numbers given back.
    free: Vec<usize>,
    total: usize,
}

static ALLOCATOR: Mutex<FrameAllocator> = Mutex::new(FrameAllocator {
    next: 0,
    end: 0,
    free: Vec::new(),
    total: 0,
});

/// Hands the physical memory `[start, end)` but `hole` (the kernel heap) to the
/// allocator; the hole lies inside the range.
pub fn init(start: usize, end: usize, hole: Range<usize>) {
    super::page::init_counts(start / PAGE_SIZE, end / PAGE_SIZE);
    let mut a = ALLOCATOR.lock();
    a.next = hole.end.div_ceil(PAGE_SIZE);
    a.end = end / PAGE_SIZE;
    let below = start.div_ceil(PAGE_SIZE)..hole.start / PAGE_SIZE;
    a.total = a.end - a.next + below.len();
    // Reserve the whole free list now so that freeing never allocates.
    let total = a.total;
    a.free.reserve_exact(total);
    a.free.extend(below);
    drop(a);
    // The shared zero page: mapped read-only wherever untouched anonymous memory is
    // read, never written and never freed.
    let Some(zero) = Frame::alloc() else {
        panic!("no memory for the zero page");
    };
    ZERO_PPN.store(zero.ppn, Ordering::Relaxed);
    core::mem::forget(zero);
}

static ZERO_PPN: AtomicUsize = AtomicUsize::new(0);

/// Page number of the shared zero frame.
pub fn zero_ppn() -> usize {
    ZERO_PPN.load(Ordering::Relaxed)
}

/// An owned physical page.
#[derive(Debug)]
pub struct Frame {
    ppn: usize,
}

impl Frame {
    /// Allocates a zeroed page, or `None` when memory is exhausted.
    pub fn alloc() -> Option<Frame> {
        let frame = Frame::alloc_unzeroed()?;
        // SAFETY: the page is this Frame's alone.
        unsafe { super::page::zero(frame.phys_addr_mut()) };
        Some(frame)
    }

    /// Allocates a page whose old contents stay: for callers that overwrite it before
    /// anything reads it (a page copy, a kernel stack). Never for user memory.
    pub fn alloc_unzeroed() -> Option<Frame> {
        let ppn = {
            let mut a = ALLOCATOR.lock();
            match a.free.pop() {
                Some(p) => p,
                None if a.next < a.end => {
                    a.next += 1;
                    a.next - 1
                }
                None => return None,
            }
        };
        Some(Frame { ppn })
    }

    /// The page's kernel address, for the copy routines.
    fn phys_addr_mut(&self) -> *mut u64 {
        phys_to_virt(self.phys()) as *mut u64
    }

    /// Takes back ownership of a page given up with `mem::forget` (page tables keep
    /// their table pages in the tree itself).
    ///
    /// # Safety
    /// `ppn` must come from a `Frame` that was forgotten, and be taken back only once.
    pub unsafe fn from_ppn(ppn: usize) -> Frame {
        Frame { ppn }
    }

    pub fn ppn(&self) -> usize {
        self.ppn
    }

    pub fn phys(&self) -> usize {
        self.ppn * PAGE_SIZE
    }
}

impl Drop for Frame {
    fn drop(&mut self) {
        ALLOCATOR.lock().free.push(self.ppn);
    }
}

/// Pages the allocator manages in total.
pub fn total_pages() -> usize {
    ALLOCATOR.lock().total
}

/// Pages currently free.
pub fn free_pages() -> usize {
    let a = ALLOCATOR.lock();
    a.free.len() + (a.end - a.next)
}
