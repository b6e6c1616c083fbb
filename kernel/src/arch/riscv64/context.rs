//! Kernel context switch and the user floating-point state.

use core::arch::global_asm;

/// Callee-saved registers of a kernel thread that is switched out, and gp: the kernel
/// never uses gp, so it holds the program's value for the whole of a system call (the
/// trap vector's fast path does not save it), and other tasks' programs run in between.
#[repr(C)]
#[derive(Default, Debug)]
pub struct Context {
    pub ra: usize,
    pub sp: usize,
    pub s: [usize; 12],
    pub gp: usize,
}

impl Context {
    /// A context that starts executing `entry` on the stack `sp`.
    pub const fn new(entry: usize, sp: usize) -> Self {
        Context {
            ra: entry,
            sp,
            s: [0; 12],
            gp: 0,
        }
    }
}

extern "C" {
    fn context_switch(from: *mut Context, to: *const Context);
}

/// Saves the running kernel thread into `from` and resumes `to`.
///
/// The scheduler upholds what this needs: a `ContextCell` belongs to a task (created by
/// `Task::new` on its own kernel stack) or to a hart's scheduler loop; `to` was filled
/// by `Context::new` or by an earlier switch; and the task whose stack either context
/// uses is kept alive (as the hart's current task) until it has switched away again.
/// Both pointers come from `ContextCell::as_ptr`: the scheduler cannot hold a
/// reference across the switch, because a dead task never returns from it.
pub fn switch(from: *mut Context, to: *const Context) {
    // SAFETY: see above.
    unsafe { context_switch(from, to) }
}

global_asm!(
    r#"
    .section .text
    .globl context_switch
context_switch:
    sd      ra, 0(a0)
    sd      sp, 8(a0)
    sd      s0, 16(a0)
    sd      s1, 24(a0)
    sd      s2, 32(a0)
    sd      s3, 40(a0)
    sd      s4, 48(a0)
    sd      s5, 56(a0)
    sd      s6, 64(a0)
    sd      s7, 72(a0)
    sd      s8, 80(a0)
    sd      s9, 88(a0)
    sd      s10, 96(a0)
    sd      s11, 104(a0)
    sd      gp, 112(a0)
    ld      ra, 0(a1)
    ld      sp, 8(a1)
    ld      s0, 16(a1)
    ld      s1, 24(a1)
    ld      s2, 32(a1)
    ld      s3, 40(a1)
    ld      s4, 48(a1)
    ld      s5, 56(a1)
    ld      s6, 64(a1)
    ld      s7, 72(a1)
    ld      s8, 80(a1)
    ld      s9, 88(a1)
    ld      s10, 96(a1)
    ld      s11, 104(a1)
    ld      gp, 112(a1)
    ret
"#
);

/// A user thread's floating-point registers (f0-f31 and fcsr). The kernel itself does
/// not use the FPU, so these stay live in the hardware while a task is in the kernel
/// and only move to memory when the task is switched out or a signal frame needs them.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct FpState {
    pub f: [u64; 32],
    pub fcsr: u32,
}

impl FpState {
    pub fn save(&mut self) {
        // SAFETY: stores the FPU registers into this struct; FS is never Off for a task.
        unsafe {
            core::arch::asm!(
                ".option push", ".option arch, +d",
                "fsd f0, 0({p})", "fsd f1, 8({p})", "fsd f2, 16({p})", "fsd f3, 24({p})",
                "fsd f4, 32({p})", "fsd f5, 40({p})", "fsd f6, 48({p})", "fsd f7, 56({p})",
                "fsd f8, 64({p})", "fsd f9, 72({p})", "fsd f10, 80({p})", "fsd f11, 88({p})",
                "fsd f12, 96({p})", "fsd f13, 104({p})", "fsd f14, 112({p})", "fsd f15, 120({p})",
                "fsd f16, 128({p})", "fsd f17, 136({p})", "fsd f18, 144({p})", "fsd f19, 152({p})",
                "fsd f20, 160({p})", "fsd f21, 168({p})", "fsd f22, 176({p})", "fsd f23, 184({p})",
                "fsd f24, 192({p})", "fsd f25, 200({p})", "fsd f26, 208({p})", "fsd f27, 216({p})",
                "fsd f28, 224({p})", "fsd f29, 232({p})", "fsd f30, 240({p})", "fsd f31, 248({p})",
                "frcsr {t}", "sw {t}, 256({p})",
                ".option pop",
                p = in(reg) self as *mut Self, t = out(reg) _,
            );
        }
    }

    pub fn restore(&self) {
        // SAFETY: loads the FPU registers from this struct.
        unsafe {
            core::arch::asm!(
                ".option push", ".option arch, +d",
                "fld f0, 0({p})", "fld f1, 8({p})", "fld f2, 16({p})", "fld f3, 24({p})",
                "fld f4, 32({p})", "fld f5, 40({p})", "fld f6, 48({p})", "fld f7, 56({p})",
                "fld f8, 64({p})", "fld f9, 72({p})", "fld f10, 80({p})", "fld f11, 88({p})",
                "fld f12, 96({p})", "fld f13, 104({p})", "fld f14, 112({p})", "fld f15, 120({p})",
                "fld f16, 128({p})", "fld f17, 136({p})", "fld f18, 144({p})", "fld f19, 152({p})",
                "fld f20, 160({p})", "fld f21, 168({p})", "fld f22, 176({p})", "fld f23, 184({p})",
                "fld f24, 192({p})", "fld f25, 200({p})", "fld f26, 208({p})", "fld f27, 216({p})",
                "fld f28, 224({p})", "fld f29, 232({p})", "fld f30, 240({p})", "fld f31, 248({p})",
                "lw {t}, 256({p})", "fscsr {t}",
                ".option pop",
                p = in(reg) self as *const Self, t = out(reg) _,
            );
        }
        // The registers now match this copy: FS = Clean, so the next switch saves them
        // only if the program writes them first (`cpu::fpu_dirty`). The system call fast
        // path leaves sstatus as it is, so this is what the program returns with.
        // SAFETY: only changes the FPU status field, keeping the FPU on.
        unsafe { riscv::register::sstatus::set_fs(riscv::register::sstatus::FS::Clean) };
    }
}
