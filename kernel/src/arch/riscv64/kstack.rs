//! Kernel stacks. Each task has one; its top holds the task's `TrapFrame`, where the
//! trap entry code saves user registers.

use super::context::Context;
use super::trap::TrapFrame;
use alloc::boxed::Box;
use core::cell::UnsafeCell;

const KSTACK_SIZE: usize = 32 * 1024;

#[repr(C, align(16))]
struct StackMemory([u8; KSTACK_SIZE]);

pub struct KernelStack {
    mem: Box<UnsafeCell<StackMemory>>,
}

// SAFETY: the stack is only used by the task that owns it, on one hart at a time.
unsafe impl Sync for KernelStack {}
// SAFETY: as above; moving the owner between harts is what scheduling does.
unsafe impl Send for KernelStack {}

impl KernelStack {
    /// A new stack whose trap frame holds `tf`.
    pub fn new(tf: TrapFrame) -> Option<Self> {
        let layout = core::alloc::Layout::new::<UnsafeCell<StackMemory>>();
        // SAFETY: the layout has non-zero size; a null result is handled.
        let raw = unsafe { alloc::alloc::alloc(layout) } as *mut UnsafeCell<StackMemory>;
        if raw.is_null() {
            return None;
        }
        // SAFETY: `raw` was allocated with the layout of this type, and the stack's
        // bytes are plain data that is never read before being written.
        let mem = unsafe { Box::from_raw(raw) };
        let stack = KernelStack { mem };
        // SAFETY: the stack was just created and nobody else references it.
        unsafe { stack.frame_ptr().write(tf) };
        Some(stack)
    }

    /// Address of the trap frame at the top of the stack; the stack proper ends below it.
    pub fn frame_ptr(&self) -> *mut TrapFrame {
        let top = self.mem.get() as usize + KSTACK_SIZE;
        ((top - core::mem::size_of::<TrapFrame>()) & !15) as *mut TrapFrame
    }
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
