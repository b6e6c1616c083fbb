//! Several harts: the firmware's hart ids behind the kernel's hart indices, starting
//! the secondary harts (SBI HSM), inter-processor interrupts (SBI IPI) and remote TLB
//! fences (SBI RFENCE). The kernel numbers its harts 0.. (`tp` holds the index; 0 is
//! the hart OpenSBI booted on, which may have any id); every mask here is in indices.

use crate::task::sched::MAX_HARTS;
use core::sync::atomic::{AtomicUsize, Ordering};
use sbi_rt::HartMask;

/// The firmware's hart id of each hart index.
static HART_IDS: [AtomicUsize; MAX_HARTS] = [const { AtomicUsize::new(0) }; MAX_HARTS];
/// How many harts the kernel uses (indices 0..count).
static COUNT: AtomicUsize = AtomicUsize::new(1);
/// Harts that have reached their scheduler loop (bit per index).
static ONLINE: AtomicUsize = AtomicUsize::new(1);

/// Records the machine's harts: `boot` (the id this hart has) becomes index 0, the
/// others follow in device-tree order, up to MAX_HARTS.
pub fn set_harts(boot: usize, ids: impl Iterator<Item = usize>) {
    HART_IDS[0].store(boot, Ordering::Relaxed);
    let mut n = 1;
    for id in ids.filter(|&id| id != boot) {
        if n == MAX_HARTS {
            break;
        }
        HART_IDS[n].store(id, Ordering::Relaxed);
        n += 1;
    }
    COUNT.store(n, Ordering::Release);
}

/// How many harts the kernel uses.
pub fn count() -> usize {
    COUNT.load(Ordering::Acquire)
}

/// Whether the machine has this one hart only (fixed at boot, before any task runs):
/// then no other hart can hold a task, a page table or a TLB entry, and the scheduler
/// and TLB code skip the work that exists to keep other harts informed.
pub fn single() -> bool {
    COUNT.load(Ordering::Relaxed) == 1
}

/// The harts running the scheduler, as a mask of indices.
pub fn online() -> usize {
    ONLINE.load(Ordering::Acquire)
}

/// The firmware's id of hart `index`.
pub fn hart_id(index: usize) -> usize {
    HART_IDS[index % MAX_HARTS].load(Ordering::Relaxed)
}

/// This hart's index.
pub fn this_hart() -> usize {
    super::cpu::read_tp() % MAX_HARTS
}

/// Starts every other hart at `_secondary_start` (boot.rs) with its index as the
/// argument; each enters `secondary_main` on its own boot stack. A hart the firmware
/// refuses to start is left out (logged).
pub fn start_secondaries() {
    extern "C" {
        fn _secondary_start();
    }
    let entry = crate::mm::virt_to_phys(_secondary_start as *const () as usize);
    for index in 1..count() {
        let ret = sbi_rt::hart_start(hart_id(index), entry, index);
        if ret.is_err() {
            log::warn!("hart {} did not start: {ret:?}", hart_id(index));
        }
    }
    if count() > 1 {
        log::info!("{} harts", count());
    }
}

/// Called by a secondary hart once it is ready to run tasks.
pub fn mark_online() {
    ONLINE.fetch_or(1 << this_hart(), Ordering::AcqRel);
}

/// Calls `call` with SBI hart masks covering the harts whose indices are set in
/// `mask`: one call for the ids below 64 (every id on the virt machine), one per hart
/// beyond.
fn for_sbi_masks(mask: usize, mut call: impl FnMut(HartMask)) {
    let mut low = 0usize;
    for index in (0..count()).filter(|i| mask & (1 << i) != 0) {
        let id = hart_id(index);
        if id < usize::BITS as usize {
            low |= 1 << id;
        } else {
            call(HartMask::from_mask_base(1, id));
        }
    }
    if low != 0 {
        call(HartMask::from_mask_base(low, 0));
    }
}

/// Raises a supervisor software interrupt on the harts in `mask`.
pub fn send_ipi(mask: usize) {
    for_sbi_masks(mask, |m| {
        sbi_rt::send_ipi(m);
    });
}

/// Clears this hart's pending software interrupt (the IPI has been seen).
pub fn clear_ipi() {
    // SAFETY: clears only sip.SSIP.
    unsafe { core::arch::asm!("csrc sip, {}", in(reg) 1usize << 1) };
}

/// Flushes every cached translation on the harts in `mask`; returns once they have
/// (OpenSBI waits for the remote harts in machine mode, whatever their interrupt state).
pub fn remote_flush_tlb(mask: usize) {
    for_sbi_masks(mask, |m| {
        sbi_rt::remote_sfence_vma(m, 0, usize::MAX);
    });
}
