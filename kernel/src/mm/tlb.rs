//! Which hart has which address space loaded, and TLB flushes that reach every hart
//! that may cache an address space's translations.
//!
//! Each hart holds (a reference to) the address space whose page table it has loaded,
//! and the space records those harts in `active_harts`. Holding the reference means a
//! page table is never freed while a hart may still walk it; the mask lets a change
//! that removes or downgrades mappings (munmap, mprotect, copy-on-write, mremap,
//! truncation, fork's write-protect) flush exactly the harts concerned, through SBI's
//! remote sfence.vma. A hart that loads the space afterwards flushes its own TLB as it
//! does so, and the fences on both sides make one of the two see the other.

use super::aspace::AddressSpace;
use crate::arch::spinlock::Mutex;
use crate::arch::{cpu, smp};
use crate::task::sched::MAX_HARTS;
use alloc::sync::Arc;
use core::sync::atomic::{fence, AtomicUsize, Ordering};

/// The address space each hart has loaded (None: the kernel's page table).
static ACTIVE: cpu::PerHartArc<Mutex<AddressSpace>, MAX_HARTS> = cpu::PerHartArc::new();

/// Whether this hart has `space` loaded.
pub fn is_active(space: &Arc<Mutex<AddressSpace>>) -> bool {
    ACTIVE.is(Arc::as_ptr(space))
}

/// Loads `space` on this hart, unless it already is; the hart keeps the reference.
pub fn activate(space: Arc<Mutex<AddressSpace>>) {
    if is_active(&space) {
        return;
    }
    if smp::single() {
        // No other hart exists to flush, so no hart bits are kept (`flush_tlb` then
        // finds none, and `leave` has none to clear); the reference still keeps the
        // page table alive while it is loaded.
        cpu::activate_page_table(space.lock().satp());
        drop(ACTIVE.replace(Some(space)));
        return;
    }
    let me = 1 << smp::this_hart();
    let satp = {
        let a = space.lock();
        a.active_harts.fetch_or(me, Ordering::Relaxed);
        a.satp()
    };
    // Pairs with the fence in `flush_tlb`: a change made before it is seen by the walk
    // after this (the activation flushes this hart's TLB), or it sees this hart's bit.
    fence(Ordering::SeqCst);
    cpu::activate_page_table(satp);
    leave(ACTIVE.replace(Some(space)));
}

/// Loads the kernel's page table on this hart (the running task exits, or the hart
/// idles) and lets go of the address space it had.
pub fn deactivate() {
    if ACTIVE.is(core::ptr::null()) {
        return;
    }
    cpu::activate_page_table(super::pagetable::kernel_satp());
    leave(ACTIVE.replace(None));
}

/// This hart no longer has `old` loaded (its TLB was flushed when the new table was).
fn leave(old: Option<Arc<Mutex<AddressSpace>>>) {
    if smp::single() {
        return;
    }
    if let Some(old) = old {
        let me = 1 << smp::this_hart();
        old.lock().active_harts.fetch_and(!me, Ordering::Relaxed);
    }
}

impl AddressSpace {
    /// Drops the translations of this address space that a change of its page table
    /// made stale, on this hart and on every other hart that has it loaded.
    pub(super) fn flush_tlb(&self) {
        flush_harts(&self.active_harts);
    }
}

/// `flush_tlb` of the address space whose hart mask is `active_harts` (for a caller that
/// has its page table borrowed).
pub(super) fn flush_harts(active_harts: &AtomicUsize) {
    fence(Ordering::SeqCst);
    let me = 1 << smp::this_hart();
    let others = active_harts.load(Ordering::Relaxed) & !me;
    cpu::flush_tlb();
    if others != 0 {
        smp::remote_flush_tlb(others);
    }
}
