//! Kernel stacks. Each task has one; its top holds the task's `TrapFrame`, where the
//! trap entry code saves user registers.
//!
//! Stacks are page frames mapped in a kernel region of their own, one slot per stack,
//! with the lower half of each slot left unmapped: a stack that overflows runs into
//! that guard and faults, and the trap entry (see trap.rs) reports it as a kernel stack
//! overflow instead of letting it overwrite whatever lies below. The region's page
//! tables hang below one root entry that every address space shares, so a stack is
//! reachable whichever page table is active.

use super::context::Context;
use super::trap::TrapFrame;
use crate::arch::spinlock::Mutex;
use crate::mm::{pagetable, Frame, PAGE_SIZE};
use core::cell::UnsafeCell;

/// Usable bytes of one kernel stack.
const KSTACK_SIZE: usize = 32 * 1024;
const KSTACK_PAGES: usize = KSTACK_SIZE / PAGE_SIZE;
/// Bytes of address space per stack: the unmapped guard below plus the stack.
pub const KSTACK_SLOT: usize = 64 * 1024;
/// Unmapped bytes below each stack.
pub const KSTACK_GUARD: usize = KSTACK_SLOT - KSTACK_SIZE;
/// The region of kernel stacks: 1 GiB at this address (one root page-table entry,
/// above the direct map).
pub const KSTACK_REGION: usize = 0xffff_ffd0_0000_0000;
pub const KSTACK_REGION_SIZE: usize = 1 << 30;
const SLOTS: usize = KSTACK_REGION_SIZE / KSTACK_SLOT;

/// Slot numbers: never-used ones from `next` up to `limit`, freed ones that every hart
/// has flushed from its TLB (`clean`), and freed ones that some hart may still cache
/// translations of (`stale`: the first `nstale` entries after the clean ones). A hart
/// only ever touches the stacks of tasks that live, so stale entries for a freed slot
/// harm nobody until the slot gets new frames: one flush of every hart's TLB then
/// cleans all stale slots at once, instead of a shootdown at every task's exit.
struct SlotAllocator {
    next: usize,
    limit: usize,
    free: [u16; SLOTS],
    nclean: usize,
    nstale: usize,
}

static SLOT_ALLOCATOR: Mutex<SlotAllocator> = Mutex::new(SlotAllocator {
    next: 0,
    limit: 0,
    free: [0; SLOTS],
    nclean: 0,
    nstale: 0,
});

impl SlotAllocator {
    fn take(&mut self) -> Option<usize> {
        if self.nclean == 0 && self.next == self.limit && self.nstale > 0 {
            super::cpu::flush_tlb();
            super::smp::remote_flush_tlb(super::smp::online() & !(1 << super::smp::this_hart()));
            self.nclean = self.nstale;
            self.nstale = 0;
        }
        if self.nclean > 0 {
            self.nclean -= 1;
            let slot = self.free[self.nclean] as usize;
            // Keep the stale ones right after the clean ones.
            self.free[self.nclean] = self.free[self.nclean + self.nstale];
            return Some(slot);
        }
        (self.next < self.limit).then(|| {
            self.next += 1;
            self.next - 1
        })
    }

    /// A slot whose pages were just unmapped (and flushed from this hart's TLB only).
    fn give_stale(&mut self, slot: usize) {
        self.free[self.nclean + self.nstale] = slot as u16;
        self.nstale += 1;
    }

    /// A slot no hart has translations of (its mapping failed half-way on this hart, or
    /// this hart is the only one and has flushed it).
    fn give_clean(&mut self, slot: usize) {
        self.free[self.nclean + self.nstale] = self.free[self.nclean];
        self.free[self.nclean] = slot as u16;
        self.nclean += 1;
    }
}

/// Makes the region's page tables, shared by every address space, for `stacks` stacks
/// (at boot, after the frame allocator and before the first user page table). All of
/// them are made now, so a stack costs its own pages and nothing that outlives it: free
/// memory after tasks come and go is exactly what it was.
pub fn init(stacks: usize) {
    pagetable::init_kernel_region(KSTACK_REGION);
    let slots = stacks.min(SLOTS);
    if !pagetable::prepare_kernel_range(KSTACK_REGION, KSTACK_REGION + slots * KSTACK_SLOT) {
        panic!("no memory for the kernel stacks' page tables");
    }
    SLOT_ALLOCATOR.lock().limit = slots;
}

pub struct KernelStack {
    slot: usize,
    /// The stack's pages, lowest first; freed after the mapping is gone.
    _frames: [Option<Frame>; KSTACK_PAGES],
}

impl KernelStack {
    /// A new stack whose trap frame holds `tf`; None when memory or slots run out.
    pub fn new(tf: TrapFrame) -> Option<Self> {
        let mut frames: [Option<Frame>; KSTACK_PAGES] = Default::default();
        // Not zeroed: the kernel writes a stack before it reads it.
        for f in frames.iter_mut() {
            *f = Some(Frame::alloc_unzeroed()?);
        }
        let mut slots = SLOT_ALLOCATOR.lock();
        let slot = slots.take()?;
        let base = KSTACK_REGION + slot * KSTACK_SLOT + KSTACK_GUARD;
        for (i, f) in frames.iter().flatten().enumerate() {
            if !pagetable::map_kernel_page(base + i * PAGE_SIZE, f.ppn()) {
                for j in 0..i {
                    pagetable::unmap_kernel_page(base + j * PAGE_SIZE);
                }
                super::cpu::flush_tlb();
                slots.give_clean(slot);
                return None;
            }
        }
        drop(slots);
        let stack = KernelStack {
            slot,
            _frames: frames,
        };
        // SAFETY: the stack's pages were just mapped at `base` and nothing else
        // references them; the frame lies within them.
        unsafe { stack.frame_ptr().write(tf) };
        Some(stack)
    }

    /// Lowest address of the stack (its guard lies below).
    fn base(&self) -> usize {
        KSTACK_REGION + self.slot * KSTACK_SLOT + KSTACK_GUARD
    }

    /// Address of the trap frame at the top of the stack; the stack proper ends below it.
    pub fn frame_ptr(&self) -> *mut TrapFrame {
        let top = self.base() + KSTACK_SIZE;
        ((top - core::mem::size_of::<TrapFrame>()) & !15) as *mut TrapFrame
    }
}

impl Drop for KernelStack {
    /// Runs on another stack (the scheduler drops dead tasks on its own).
    fn drop(&mut self) {
        let mut slots = SLOT_ALLOCATOR.lock();
        for i in 0..KSTACK_PAGES {
            pagetable::unmap_kernel_page(self.base() + i * PAGE_SIZE);
        }
        // Other harts that ran on this stack may still cache its translations: the
        // slot is flushed everywhere before it gets new frames (see SlotAllocator).
        super::cpu::flush_tlb();
        // With one hart that flush was the only one needed: the slot is clean, and is
        // reused first (its stack pages' table entries are already in place).
        if super::smp::single() {
            slots.give_clean(self.slot);
        } else {
            slots.give_stale(self.slot);
        }
    }
}

/// Whether `addr` lies in the guard below some kernel stack (a fault there is an
/// overflow of that stack).
pub fn in_guard(addr: usize) -> bool {
    addr.wrapping_sub(KSTACK_REGION) < KSTACK_REGION_SIZE
        && (addr - KSTACK_REGION) % KSTACK_SLOT < KSTACK_GUARD
}

/// A switched-out kernel context, written only by `context::switch`.
pub struct ContextCell(UnsafeCell<Context>);

// SAFETY: a context is read and written only by the context switch of the hart that
// runs or resumes its task; the scheduler's `on_cpu` flag keeps two harts apart.
unsafe impl Sync for ContextCell {}

impl ContextCell {
    pub const fn new(ctx: Context) -> Self {
        ContextCell(UnsafeCell::new(ctx))
    }
    pub fn as_ptr(&self) -> *mut Context {
        self.0.get()
    }
}
