//! Trap entry and exit. One vector serves both privilege levels: while a task runs in
//! user mode `sscratch` holds the address of its `TrapFrame` (at the top of its kernel
//! stack); while the kernel runs, `sscratch` is zero. Swapping `sp` with `sscratch` on
//! entry therefore tells the two cases apart without touching any other register. A
//! kernel trap whose stack pointer has run into a kernel stack's guard continues on a
//! per-hart emergency stack, to report the overflow (`kernel_stack_overflow`).

use core::arch::global_asm;

/// User registers saved on a trap from user mode. The layout is shared with the
/// assembly below: `regs[i]` holds `x<i>` (slot 0 is unused), then `sepc`, `sstatus`,
/// the hart-local pointer the kernel keeps in `tp`, and the syscall's original `a0`.
#[repr(C)]
#[derive(Clone, Copy, Default, Debug)]
pub struct TrapFrame {
    pub regs: [usize; 32],
    pub sepc: usize,
    pub sstatus: usize,
    pub kernel_tp: usize,
    /// `a0` as it was at syscall entry: on riscv `a0` is also the return register, and a
    /// restarted syscall needs the original argument back.
    pub orig_a0: usize,
}

/// What the vector saves on a trap taken in the kernel: the caller-saved registers,
/// then `sepc` (which the handler may move, to a user copy's fault exit) and `sstatus`.
#[repr(C)]
pub struct KernelTrapFrame {
    pub regs: [usize; 16],
    pub sepc: usize,
    pub sstatus: usize,
}

pub const REG_RA: usize = 1;
pub const REG_SP: usize = 2;
pub const REG_TP: usize = 4;
pub const REG_A0: usize = 10;
pub const REG_A7: usize = 17;

impl TrapFrame {
    /// A frame that enters user mode at `entry` with stack `sp`, interrupts on and the
    /// FPU available.
    pub fn new_user(entry: usize, sp: usize) -> Self {
        let mut regs = [0; 32];
        regs[REG_SP] = sp;
        // SPIE: interrupts on after sret; SPP=0: user mode; FS=Initial; SUM off.
        TrapFrame {
            regs,
            sepc: entry,
            sstatus: (1 << 5) | (1 << 13),
            ..Default::default()
        }
    }
    pub fn arg(&self, i: usize) -> usize {
        self.regs[REG_A0 + i]
    }
    pub fn syscall_nr(&self) -> usize {
        self.regs[REG_A7]
    }
}

/// The trap causes the kernel handles.
pub enum Cause {
    Syscall,
    Timer,
    External,
    Software,
    /// A page fault: address and whether it was a store / an instruction fetch.
    PageFault {
        addr: usize,
        store: bool,
        exec: bool,
    },
    IllegalInstruction,
    Breakpoint,
    Misaligned {
        addr: usize,
    },
    AccessFault {
        addr: usize,
    },
    Other(usize),
}

pub fn decode(scause: usize, stval: usize) -> Cause {
    const INTERRUPT: usize = 1 << 63;
    if scause & INTERRUPT != 0 {
        return match scause & !INTERRUPT {
            1 => Cause::Software,
            5 => Cause::Timer,
            9 => Cause::External,
            c => Cause::Other(c | INTERRUPT),
        };
    }
    match scause {
        0 | 4 | 6 => Cause::Misaligned { addr: stval },
        1 | 5 | 7 => Cause::AccessFault { addr: stval },
        2 => Cause::IllegalInstruction,
        3 => Cause::Breakpoint,
        8 => Cause::Syscall,
        12 => Cause::PageFault {
            addr: stval,
            store: false,
            exec: true,
        },
        13 => Cause::PageFault {
            addr: stval,
            store: false,
            exec: false,
        },
        15 => Cause::PageFault {
            addr: stval,
            store: true,
            exec: false,
        },
        c => Cause::Other(c),
    }
}

pub fn read_cause() -> (usize, usize) {
    (
        riscv::register::scause::read().bits(),
        riscv::register::stval::read(),
    )
}

/// Points the trap vector at `trap_entry`.
pub fn init() {
    extern "C" {
        fn trap_entry();
    }
    // SAFETY: `trap_entry` is the 4-byte aligned vector defined below; sscratch = 0
    // marks "in kernel", which is where we are. SPP = user from the start: the fast
    // system call path returns with sstatus as it finds it (see trap_entry), and every
    // sret keeps SPP so.
    unsafe {
        riscv::register::sstatus::set_spp(riscv::register::sstatus::SPP::User);
        riscv::register::sscratch::write(0);
        riscv::register::stvec::write(riscv::register::stvec::Stvec::new(
            trap_entry as *const () as usize,
            riscv::register::stvec::TrapMode::Direct,
        ));
    }
}

/// A task's first entry into user mode: lets `prepare` fill in or adjust the registers
/// in `tf` (the task's own trap frame), then leaves the kernel with them. The next
/// trap from user mode enters `user_trap` with the same frame.
pub fn enter_user(tf: *mut TrapFrame, prepare: impl FnOnce(&mut TrapFrame)) -> ! {
    extern "C" {
        fn trap_return(tf: *mut TrapFrame) -> !;
    }
    // SAFETY: `tf` is the running task's trap frame at the top of its kernel stack,
    // which stays allocated as long as the task exists; only this task touches it.
    prepare(unsafe { &mut *tf });
    // SAFETY: as above; trap_return restores the frame and executes sret.
    unsafe { trap_return(tf) }
}

global_asm!(
    r#"
    .section .text
    .align 4
    .globl trap_entry
trap_entry:
    csrrw   sp, sscratch, sp
    beqz    sp, kernel_trap_entry
    // The registers a kernel function may clobber (the ABI's caller-saved ones) and
    // those the kernel itself changes (sp, tp). The callee-saved s0-s11 are kept by
    // the kernel's own code, and gp by all of it (no Rust code allocates gp), so a
    // plain system call leaves them in place.
    sd      x1, 1*8(sp)
    sd      x4, 4*8(sp)
    sd      x5, 5*8(sp)
    sd      x6, 6*8(sp)
    sd      x7, 7*8(sp)
    sd      x10, 10*8(sp)
    sd      x11, 11*8(sp)
    sd      x12, 12*8(sp)
    sd      x13, 13*8(sp)
    sd      x14, 14*8(sp)
    sd      x15, 15*8(sp)
    sd      x16, 16*8(sp)
    sd      x17, 17*8(sp)
    sd      x28, 28*8(sp)
    sd      x29, 29*8(sp)
    sd      x30, 30*8(sp)
    sd      x31, 31*8(sp)
    // The program's sp, and sscratch = 0: "in the kernel".
    csrrw   t0, sscratch, zero
    sd      t0, 2*8(sp)
    ld      tp, 34*8(sp)
    // Anything but a system call, and the calls that read or replace the whole
    // register set (fork's copy, execve, sigreturn), take the full frame.
    csrr    t0, scause
    li      t1, 8
    bne     t0, t1, full_trap
    addi    t0, a7, -{nr_sigreturn}
    beqz    t0, full_trap
    addi    t0, a7, -{nr_clone}
    sltiu   t0, t0, 2
    bnez    t0, full_trap
    addi    t0, a7, -{nr_clone3}
    beqz    t0, full_trap
    // The call returns past the ecall.
    csrr    t0, sepc
    addi    t0, t0, 4
    sd      t0, 32*8(sp)
    mv      a0, sp
    call    user_syscall
    // a0: the result; a1 nonzero: signals to look at, with the whole register set.
    bnez    a1, syscall_exit_work
    ld      t0, 32*8(sp)
    csrw    sepc, t0
    // sstatus is left as it is, neither saved nor restored: the ecall set SPP to user
    // mode and every sret since (a kernel trap's, another task's) left it so; the
    // kernel clears SUM after each user copy, and keeps FS on. A CSR write costs QEMU
    // the end of a translation block.
restore_caller_saved:
    // Back to user mode with the caller-saved registers of the frame at sp (trap_return
    // has loaded the rest); sscratch keeps the frame for the next trap.
    sd      tp, 34*8(sp)
    csrw    sscratch, sp
    ld      x1, 1*8(sp)
    ld      x4, 4*8(sp)
    ld      x5, 5*8(sp)
    ld      x6, 6*8(sp)
    ld      x7, 7*8(sp)
    ld      x11, 11*8(sp)
    ld      x12, 12*8(sp)
    ld      x13, 13*8(sp)
    ld      x14, 14*8(sp)
    ld      x15, 15*8(sp)
    ld      x16, 16*8(sp)
    ld      x17, 17*8(sp)
    ld      x28, 28*8(sp)
    ld      x29, 29*8(sp)
    ld      x30, 30*8(sp)
    ld      x31, 31*8(sp)
    ld      x2, 2*8(sp)
    sret

syscall_exit_work:
    // The frame gets what the fast path kept out of it: the call's first argument as
    // orig_a0 (for a restart), its result as a0, sstatus, and s0-s11 and gp, which the
    // kernel's code has given back (they are the program's again).
    ld      t0, 10*8(sp)
    sd      t0, 35*8(sp)
    sd      a0, 10*8(sp)
    csrr    t0, sstatus
    sd      t0, 33*8(sp)
    call    save_callee_saved
    mv      a0, sp
    call    user_syscall_exit_work
    mv      a0, sp
    j       trap_return

full_trap:
    csrr    t0, sepc
    sd      t0, 32*8(sp)
    csrr    t0, sstatus
    sd      t0, 33*8(sp)
    call    save_callee_saved
    mv      fp, zero
    mv      a0, sp
    call    user_trap
    mv      a0, sp

    .globl trap_return
trap_return:
    mv      sp, a0
    ld      t0, 32*8(sp)
    csrw    sepc, t0
    ld      t0, 33*8(sp)
    csrw    sstatus, t0
    ld      x3, 3*8(sp)
    ld      x8, 8*8(sp)
    ld      x9, 9*8(sp)
    ld      x10, 10*8(sp)
    ld      x18, 18*8(sp)
    ld      x19, 19*8(sp)
    ld      x20, 20*8(sp)
    ld      x21, 21*8(sp)
    ld      x22, 22*8(sp)
    ld      x23, 23*8(sp)
    ld      x24, 24*8(sp)
    ld      x25, 25*8(sp)
    ld      x26, 26*8(sp)
    ld      x27, 27*8(sp)
    j       restore_caller_saved

// Stores s0-s11 and gp into the frame at sp (clobbers nothing else; ra is the return).
save_callee_saved:
    sd      x3, 3*8(sp)
    sd      x8, 8*8(sp)
    sd      x9, 9*8(sp)
    sd      x18, 18*8(sp)
    sd      x19, 19*8(sp)
    sd      x20, 20*8(sp)
    sd      x21, 21*8(sp)
    sd      x22, 22*8(sp)
    sd      x23, 23*8(sp)
    sd      x24, 24*8(sp)
    sd      x25, 25*8(sp)
    sd      x26, 26*8(sp)
    sd      x27, 27*8(sp)
    ret

kernel_trap_entry:
    csrrw   sp, sscratch, sp
    // A trap with sp in (or just above) the guard below a kernel stack is that stack's
    // overflow: saving registers there would fault again, forever. Check with t0 parked
    // in sscratch (nothing here can trap) and go to the emergency stack if so.
    csrw    sscratch, t0
    li      t0, {region}
    sub     t0, sp, t0
    srli    t0, t0, {region_shift}
    bnez    t0, 1f
    slli    t0, sp, 64 - {slot_shift}
    srli    t0, t0, 64 - {slot_shift} + 9
    sltiu   t0, t0, {guard_units}
    bnez    t0, kernel_stack_overflow_entry
1:
    csrr    t0, sscratch
    csrw    sscratch, zero
    addi    sp, sp, -18*8
    sd      ra, 0*8(sp)
    sd      t0, 1*8(sp)
    sd      t1, 2*8(sp)
    sd      t2, 3*8(sp)
    sd      a0, 4*8(sp)
    sd      a1, 5*8(sp)
    sd      a2, 6*8(sp)
    sd      a3, 7*8(sp)
    sd      a4, 8*8(sp)
    sd      a5, 9*8(sp)
    sd      a6, 10*8(sp)
    sd      a7, 11*8(sp)
    sd      t3, 12*8(sp)
    sd      t4, 13*8(sp)
    sd      t5, 14*8(sp)
    sd      t6, 15*8(sp)
    csrr    t0, sepc
    sd      t0, 16*8(sp)
    csrr    t0, sstatus
    sd      t0, 17*8(sp)
    mv      a0, sp
    call    kernel_trap
    ld      t0, 16*8(sp)
    csrw    sepc, t0
    ld      t0, 17*8(sp)
    csrw    sstatus, t0
    ld      ra, 0*8(sp)
    ld      t0, 1*8(sp)
    ld      t1, 2*8(sp)
    ld      t2, 3*8(sp)
    ld      a0, 4*8(sp)
    ld      a1, 5*8(sp)
    ld      a2, 6*8(sp)
    ld      a3, 7*8(sp)
    ld      a4, 8*8(sp)
    ld      a5, 9*8(sp)
    ld      a6, 10*8(sp)
    ld      a7, 11*8(sp)
    ld      t3, 12*8(sp)
    ld      t4, 13*8(sp)
    ld      t5, 14*8(sp)
    ld      t6, 15*8(sp)
    addi    sp, sp, 18*8
    sret

kernel_stack_overflow_entry:
    csrw    sscratch, zero
    mv      a0, sp
    la      sp, emergency_stacks
    andi    t0, tp, {max_harts} - 1
    addi    t0, t0, 1
    slli    t0, t0, {emergency_shift}
    add     sp, sp, t0
    call    kernel_stack_overflow

    .section .bss
    .align 4
emergency_stacks:
    .space {max_harts} << {emergency_shift}
"#,
    region = const super::kstack::KSTACK_REGION,
    region_shift = const super::kstack::KSTACK_REGION_SIZE.trailing_zeros(),
    slot_shift = const super::kstack::KSTACK_SLOT.trailing_zeros(),
    // The guard plus 512 bytes for the registers saved below, in 512-byte units.
    guard_units = const super::kstack::KSTACK_GUARD / 512 + 1,
    max_harts = const crate::task::sched::MAX_HARTS,
    emergency_shift = const EMERGENCY_STACK_SHIFT,
    nr_sigreturn = const linux_raw_sys::general::__NR_rt_sigreturn,
    nr_clone = const linux_raw_sys::general::__NR_clone,
    nr_clone3 = const linux_raw_sys::general::__NR_clone3,
);

// The full-frame check above takes clone and execve with one range test.
const _: () =
    assert!(linux_raw_sys::general::__NR_execve == linux_raw_sys::general::__NR_clone + 1);

/// Each hart's emergency stack (16 KiB), where a kernel stack overflow is reported.
const EMERGENCY_STACK_SHIFT: usize = 14;

// The signal return trampoline, alone in its page so that page can be mapped into
// every user address space (see mm::aspace::SIGRETURN_TRAMPOLINE).
global_asm!(
    r#"
    .section .text.trampoline, "ax"
    .globl sigreturn_trampoline
sigreturn_trampoline:
    li      a7, 139
    ecall
"#
);

/// Physical address of the page holding the sigreturn trampoline.
pub fn trampoline_phys() -> usize {
    extern "C" {
        fn sigreturn_trampoline();
    }
    crate::mm::virt_to_phys(sigreturn_trampoline as *const () as usize)
}
