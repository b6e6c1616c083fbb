//! Counted references to the frames behind user pages. One frame can be mapped by
//! several address spaces (after fork, until one of them writes) and held by a memory
//! object (shared memory, a tmpfs file) at the same time; each holder — a `Page` value
//! or a page-table entry — owns one reference, and the frame goes back to the
//! allocator with the last one. The counts live in one table indexed by frame number,
//! like Linux's `struct page`, so taking a reference costs an atomic add and no heap.

use super::{phys_to_virt, Frame, PAGE_SHIFT, PAGE_SIZE};
use alloc::vec::Vec;
use core::sync::atomic::{fence, AtomicPtr, AtomicU32, AtomicUsize, Ordering};

/// The count table: `COUNT_LEN` entries from frame number `COUNT_BASE` on.
static COUNTS: AtomicPtr<AtomicU32> = AtomicPtr::new(core::ptr::null_mut());
static COUNT_BASE: AtomicUsize = AtomicUsize::new(0);
static COUNT_LEN: AtomicUsize = AtomicUsize::new(0);

/// Makes the count table for frames `[first, end)` (every frame the allocator can hand
/// out). Called once at boot, before any frame is allocated.
pub(super) fn init_counts(first: usize, end: usize) {
    let mut table: Vec<AtomicU32> = Vec::new();
    table.resize_with(end - first, || AtomicU32::new(0));
    let table = table.leak();
    COUNT_BASE.store(first, Ordering::Relaxed);
    COUNT_LEN.store(table.len(), Ordering::Relaxed);
    COUNTS.store(table.as_mut_ptr(), Ordering::Release);
}

fn count(ppn: usize) -> Option<&'static AtomicU32> {
    let i = ppn.checked_sub(COUNT_BASE.load(Ordering::Relaxed))?;
    if i >= COUNT_LEN.load(Ordering::Relaxed) {
        return None;
    }
    // SAFETY: the table is made once at boot, never freed, and `i` is within it.
    Some(unsafe { &*COUNTS.load(Ordering::Acquire).add(i) })
}

/// How many holders frame `ppn` has (0 for frames that are not user pages).
pub fn refs(ppn: usize) -> u32 {
    count(ppn).map_or(0, |c| c.load(Ordering::Acquire))
}

/// One counted reference to a user page frame.
#[derive(Debug)]
pub struct Page {
    ppn: usize,
}

impl Page {
    /// Makes `frame` a counted page with one reference (this value).
    fn from_frame(frame: Frame) -> Page {
        let ppn = frame.ppn();
        if let Some(c) = count(ppn) {
            c.store(1, Ordering::Relaxed);
        }
        // Freed through the count from now on.
        core::mem::forget(frame);
        Page { ppn }
    }

    /// A new zero-filled page, or `None` when memory is exhausted.
    pub fn zeroed() -> Option<Page> {
        Frame::alloc().map(Page::from_frame)
    }

    /// A new page whose old contents stay, or `None` when memory is exhausted: for
    /// buffers whose bytes are read only after they are written (a pipe's pages), never
    /// for memory a program maps.
    pub fn unzeroed() -> Option<Page> {
        Frame::alloc_unzeroed().map(Page::from_frame)
    }

    /// A new page holding a copy of frame `src` (never zeroed first).
    pub fn copy_of(src: usize) -> Option<Page> {
        let frame = Frame::alloc_unzeroed()?;
        // SAFETY: the new frame is ours alone; `src` is a live user frame (its holder
        // keeps it for the duration), reached through the direct map, and not the same
        // frame.
        unsafe { copy(kernel_ptr(frame.ppn()), kernel_ptr(src)) };
        Some(Page::from_frame(frame))
    }

    pub fn ppn(&self) -> usize {
        self.ppn
    }

    /// Gives the reference to a page-table entry, which keeps it until `from_pte`.
    pub fn into_pte(self) -> usize {
        let ppn = self.ppn;
        core::mem::forget(self);
        ppn
    }

    /// Takes back the reference a page-table entry held.
    ///
    /// # Safety
    /// `ppn` must come from `into_pte` (or `share_pte`), and each such reference be
    /// taken back once.
    pub unsafe fn from_pte(ppn: usize) -> Page {
        Page { ppn }
    }

    /// A second page-table entry for the frame another entry maps (fork): one more
    /// reference, owned by the new entry.
    ///
    /// # Safety
    /// `ppn` must be mapped by an entry that holds a reference (so the count is not 0).
    pub unsafe fn share_pte(ppn: usize) {
        if let Some(c) = count(ppn) {
            c.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Direct access to a page's bytes, for memory objects' read and write.
impl Page {
    /// The page's kernel address (in the direct map).
    pub fn addr(&self) -> usize {
        phys_to_virt(self.ppn << PAGE_SHIFT)
    }

    /// The page's bytes, for copies to and from it. Other holders may write them at
    /// the same time — that is what shared memory is — so callers only copy.
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: the frame stays live while `self` holds its reference; it is reached
        // through the direct map. Concurrent writes by other holders are the racy
        // sharing user programs asked for, as with user memory the kernel copies.
        unsafe { core::slice::from_raw_parts(self.addr() as *const u8, PAGE_SIZE) }
    }

    /// The page's bytes for writing (see `bytes`): a shared object page is written in
    /// place, which every holder sees.
    #[allow(clippy::mut_from_ref)]
    pub fn bytes_mut(&self) -> &mut [u8] {
        // SAFETY: as in `bytes`.
        unsafe { core::slice::from_raw_parts_mut(self.addr() as *mut u8, PAGE_SIZE) }
    }

    /// Zeroes bytes `[from, to)` of the page (the partial pages of a truncation or a
    /// punched hole).
    pub fn zero_range(&self, from: usize, to: usize) {
        if let Some(bytes) = self.bytes_mut().get_mut(from..to) {
            bytes.fill(0);
        }
    }
}

impl Clone for Page {
    fn clone(&self) -> Page {
        // SAFETY: `self` holds a reference, so the frame is live.
        unsafe { Page::share_pte(self.ppn) };
        Page { ppn: self.ppn }
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        let Some(c) = count(self.ppn) else {
            return;
        };
        if c.fetch_sub(1, Ordering::Release) == 1 {
            // Every other holder's use of the frame happens before it is reused.
            fence(Ordering::Acquire);
            // SAFETY: the last reference to a frame that `from_frame` forgot.
            drop(unsafe { Frame::from_ppn(self.ppn) });
        }
    }
}

fn kernel_ptr(ppn: usize) -> *mut u64 {
    phys_to_virt(ppn << PAGE_SHIFT) as *mut u64
}

/// Zeroes a page. Word stores, eight per step: page zeroing is most of a fresh page's
/// cost, and the generic memset takes twice the instructions.
///
/// # Safety
/// `dst` must be a page-aligned kernel address of a page no one else uses.
pub(super) unsafe fn zero(dst: *mut u64) {
    let mut i = 0;
    while i < PAGE_SIZE / 8 {
        // SAFETY: within the page (the caller's guarantee); volatile keeps the compiler
        // from turning the loop back into a memset call.
        unsafe {
            for k in 0..8 {
                dst.add(i + k).write_volatile(0);
            }
        }
        i += 8;
    }
}

/// Copies a page, eight words per step (see `zero`).
///
/// # Safety
/// `dst` and `src` must be page-aligned kernel addresses of different pages; `dst` is
/// no one else's.
unsafe fn copy(dst: *mut u64, src: *const u64) {
    let mut i = 0;
    while i < PAGE_SIZE / 8 {
        // SAFETY: within both pages (the caller's guarantee).
        unsafe {
            let (s, d) = (src.add(i), dst.add(i));
            let w0 = s.read_volatile();
            let w1 = s.add(1).read_volatile();
            let w2 = s.add(2).read_volatile();
            let w3 = s.add(3).read_volatile();
            let w4 = s.add(4).read_volatile();
            let w5 = s.add(5).read_volatile();
            let w6 = s.add(6).read_volatile();
            let w7 = s.add(7).read_volatile();
            d.write_volatile(w0);
            d.add(1).write_volatile(w1);
            d.add(2).write_volatile(w2);
            d.add(3).write_volatile(w3);
            d.add(4).write_volatile(w4);
            d.add(5).write_volatile(w5);
            d.add(6).write_volatile(w6);
            d.add(7).write_volatile(w7);
        }
        i += 8;
    }
}
