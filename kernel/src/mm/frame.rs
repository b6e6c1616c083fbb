//! The physical frame allocator. Frames are handed out as `Frame` values that free
//! themselves on drop, so a page can never be leaked or freed twice by accident.
//! (User pages that several holders share are `page::Page`s: counted references to a
//! frame.)

use super::{phys_to_virt, PAGE_SIZE};
use crate::arch::spinlock::Mutex;
use alloc::vec::Vec;
use core::ops::Range;
use core::sync::atomic::{AtomicUsize, Ordering};

struct FrameAllocator {
    /// Free page numbers.
    free: Vec<usize>,
    total: usize,
}

static ALLOCATOR: Mutex<FrameAllocator> = Mutex::new(FrameAllocator {
    free: Vec::new(),
    total: 0,
});

/// Pages of RAM after the kernel image, the heap's included (Linux's totalram_pages).
static RAM_PAGES: AtomicUsize = AtomicUsize::new(0);

/// RAM in pages after the kernel image: the frames and the kernel heap.
pub fn ram_pages() -> usize {
    RAM_PAGES.load(Ordering::Relaxed)
}

/// Hands the physical memory `[start, end)` to the allocator, but `heap` (the kernel
/// heap, never given) and `held` (the initramfs, given later by `release`); both lie
/// inside the range.
pub fn init(start: usize, end: usize, heap: Range<usize>, held: Range<usize>) {
    super::page::init_counts(start / PAGE_SIZE, end / PAGE_SIZE);
    let pages = start.div_ceil(PAGE_SIZE)..end / PAGE_SIZE;
    RAM_PAGES.store(pages.len(), Ordering::Relaxed);
    let in_heap = |p: usize| p >= heap.start / PAGE_SIZE && p < heap.end.div_ceil(PAGE_SIZE);
    let in_held = |p: usize| p >= held.start / PAGE_SIZE && p < held.end.div_ceil(PAGE_SIZE);
    let mut a = ALLOCATOR.lock();
    a.total = pages.clone().filter(|&p| !in_heap(p)).count();
    // Reserve the whole free list now so that freeing never allocates. Pages are
    // handed out from the end: the lowest first.
    let total = a.total;
    a.free.reserve_exact(total);
    a.free
        .extend(pages.rev().filter(|&p| !in_heap(p) && !in_held(p)));
    drop(a);
    // The shared zero page: mapped read-only wherever untouched anonymous memory is
    // read, never written and never freed.
    let Some(zero) = Frame::alloc() else {
        panic!("no memory for the zero page");
    };
    ZERO_PPN.store(zero.ppn, Ordering::Relaxed);
    core::mem::forget(zero);
}

/// Gives the allocator the pages of `range` that `init` held back (the initramfs, once
/// it is unpacked). The free list has room for them already.
pub fn release(range: Range<usize>) {
    let mut a = ALLOCATOR.lock();
    let room = a.free.capacity() - a.free.len();
    let pages = range.start / PAGE_SIZE..range.end.div_ceil(PAGE_SIZE);
    let n = pages.len().min(room);
    a.free.extend(pages.take(n));
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
            a.free.pop()?
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
    ALLOCATOR.lock().free.len()
}
