//! Hart-level primitives: interrupt enable, idle, the hart-local pointer in `tp`,
//! time, and page-table activation.

use alloc::sync::Arc;
use core::sync::atomic::{AtomicPtr, Ordering};
use riscv::register::{sie, sstatus};

/// Turns the FPU on (sstatus.FS = Initial). The kernel never computes with it, but user
/// state is saved and restored with FPU instructions.
pub fn enable_fpu() {
    // SAFETY: only changes the FPU status field.
    unsafe { sstatus::set_fs(sstatus::FS::Initial) };
}

/// Whether the FPU registers were written since they were last loaded (sstatus.FS is
/// Dirty): a user program that has not touched them since leaves nothing to save.
pub fn fpu_dirty() -> bool {
    sstatus::read().fs() == sstatus::FS::Dirty
}

/// Reads the `tp` register, which the kernel uses to point at its per-hart data.
pub fn read_tp() -> usize {
    let tp: usize;
    // SAFETY: reading a register has no side effects.
    unsafe { core::arch::asm!("mv {}, tp", out(reg) tp) };
    tp
}

/// Sets `tp` to this hart's per-hart data.
pub fn write_tp(v: usize) {
    // SAFETY: the kernel reserves `tp` for the per-hart pointer; trap entry restores it.
    unsafe { core::arch::asm!("mv tp, {}", in(reg) v) };
}

/// Enables the timer, external and software (IPI) interrupt sources (delivery still
/// needs SIE). The PLIC routes devices to hart 0 only, so others see no external ones.
pub fn enable_interrupt_sources() {
    // SAFETY: handlers for all three sources are installed by `trap::init`.
    unsafe {
        sie::set_stimer();
        sie::set_sext();
        sie::set_ssoft();
    }
}

/// Waits for an interrupt, then enables interrupts briefly so that the pending ones are
/// taken; their handlers run before this returns. The kernel otherwise runs with
/// interrupts off. `wfi` comes first, with interrupts still off: it returns as soon as
/// an interrupt is pending, including one that became pending before it. Enabling first
/// would take such an interrupt before the `wfi`, which would then sleep until the next
/// one (up to a time slice) while the task the interrupt woke waits.
pub fn wait_for_interrupt() {
    // SAFETY: enabling interrupts here is fine because the caller holds no locks.
    unsafe {
        riscv::asm::wfi();
        sstatus::set_sie();
        sstatus::clear_sie();
    }
}

/// The `time` CSR: ticks at the device tree's timebase frequency.
pub fn read_time() -> u64 {
    riscv::register::time::read64()
}

/// Installs a Sv39 root page table and flushes the TLB.
pub fn activate_page_table(satp: usize) {
    // SAFETY: every root installed by the kernel maps the kernel's high half
    // identically, so the instruction stream continues unchanged.
    unsafe {
        core::arch::asm!("csrw satp, {}", "sfence.vma", in(reg) satp);
    }
}

/// Flushes the TLB of this hart.
pub fn flush_tlb() {
    // SAFETY: a full fence only drops cached translations.
    unsafe { core::arch::asm!("sfence.vma") };
}

/// One `Arc<T>` per hart (for the scheduler: the task each hart runs), read without a
/// lock. Each hart dereferences only its own entry (indexed by `tp`), and the kernel is
/// never preempted, so an entry changes only between a hart's own reads; other harts
/// only compare pointers (`position`).
pub struct PerHartArc<T, const HARTS: usize> {
    entries: [AtomicPtr<T>; HARTS],
}

impl<T, const HARTS: usize> PerHartArc<T, HARTS> {
    pub const fn new() -> Self {
        PerHartArc {
            entries: [const { AtomicPtr::new(core::ptr::null_mut()) }; HARTS],
        }
    }

    fn entry(&self) -> &AtomicPtr<T> {
        &self.entries[read_tp() % HARTS]
    }

    /// This hart's value, as a new reference.
    pub fn get(&self) -> Option<Arc<T>> {
        let p = self.entry().load(Ordering::Acquire);
        if p.is_null() {
            return None;
        }
        // SAFETY: a non-null entry owns one strong count of `p` (from `Arc::into_raw` in
        // `replace`), and only this hart replaces it, which it is not doing now: the
        // object is alive while a count is added.
        unsafe {
            Arc::increment_strong_count(p);
            Some(Arc::from_raw(p))
        }
    }

    /// This hart's value, lent to `f` without touching its count (the hot paths that
    /// only look at the running task).
    pub fn with<R>(&self, f: impl FnOnce(Option<&T>) -> R) -> R {
        // Only this hart stores its entry: program order is all the ordering needed.
        let p = self.entry().load(Ordering::Relaxed);
        // SAFETY: a non-null entry owns a strong count of `p`, so the object lives at
        // least until this hart replaces the entry; the caller (the running task, for
        // the scheduler's entry) is the object itself or outlived by it while `f` runs.
        f(unsafe { p.as_ref() })
    }

    /// The hart whose value is `ptr`, if any (a pointer comparison: another hart's
    /// value may change at any moment, so the answer is a hint).
    pub fn position(&self, ptr: *const T) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| core::ptr::eq(e.load(Ordering::Relaxed), ptr))
    }

    /// Whether this hart's value is `ptr`.
    pub fn is(&self, ptr: *const T) -> bool {
        core::ptr::eq(self.entry().load(Ordering::Relaxed), ptr)
    }

    /// Stores `new` as this hart's value and returns the previous one.
    pub fn replace(&self, new: Option<Arc<T>>) -> Option<Arc<T>> {
        let p = new.map_or(core::ptr::null_mut(), |a| Arc::into_raw(a).cast_mut());
        let old = self.entry().swap(p, Ordering::AcqRel);
        // SAFETY: a non-null entry came from `Arc::into_raw` above and owns its count,
        // which moves back into the returned `Arc`.
        (!old.is_null()).then(|| unsafe { Arc::from_raw(old) })
    }
}
