//! What the kernel does with each trap: system calls, timer preemption, device
//! interrupts, and user faults (which become signals). Every return to user mode goes
//! through `finish_user_trap`, where pending signals are delivered.

use crate::arch::trap::{
    decode, enter_user, read_cause, Cause, KernelTrapFrame, TrapFrame, REG_A0,
};
use crate::drivers::{plic, uart};
use crate::mm::aspace::{Access, FaultError};
use crate::signal::{self, Signal};
use crate::task::{current_process, schedule_yield};
use core::sync::atomic::{AtomicU32, Ordering};
use linux_raw_sys::general as g;

/// The UART's interrupt line on the virt machine.
pub const UART_IRQ: u32 = 10;

/// The virtio console's interrupt line (0: none).
static HVC_IRQ: AtomicU32 = AtomicU32::new(0);

pub fn set_hvc_irq(irq: u32) {
    HVC_IRQ.store(irq, Ordering::Relaxed);
}

/// What a fast-path system call hands back to the trap vector, in a0 and a1: the
/// call's result (the program's a0), and whether the way out has work that needs the
/// whole register set (`user_syscall_exit_work`).
#[repr(C)]
pub struct SyscallExit {
    result: usize,
    work: usize,
}

/// A system call that needs no more than the caller-saved registers in `tf` (the
/// trap vector's fast path; s0-s11 and gp are still live in the registers, and `tf`'s
/// pc already points past the ecall). The result goes back in a register: the vector
/// writes it to the frame only for the way out with work.
#[no_mangle]
extern "C" fn user_syscall(tf: &mut TrapFrame) -> SyscallExit {
    // No CPU-time stamps here: time is charged at ticks and switches (task::cputime).
    let result = crate::syscall::dispatch(tf);
    SyscallExit {
        result,
        work: signal::exit_work_pending(result) as usize,
    }
}

/// The way out of a fast-path system call that found signals to look at: the trap
/// vector has completed the frame (s0-s11, gp, sstatus, the result in a0 and the
/// call's first argument in `orig_a0`).
#[no_mangle]
extern "C" fn user_syscall_exit_work(tf: &mut TrapFrame) {
    signal::deliver_after_syscall(tf);
}

/// Every other trap from user mode (and the system calls that read or replace the
/// whole register set), with all registers in `tf`.
#[no_mangle]
extern "C" fn user_trap(tf: &mut TrapFrame) {
    let (scause, stval) = read_cause();
    let mut from_syscall = false;
    match decode(scause, stval) {
        Cause::Syscall => {
            tf.sepc += 4;
            tf.orig_a0 = tf.regs[REG_A0];
            // rt_sigreturn puts back the registers of interrupted code: its a0 is not a
            // result, so it must never be taken for an interrupted call and restarted
            // (Linux's riscv sigreturn sets regs->cause = -1 for the same reason).
            from_syscall = tf.syscall_nr() != g::__NR_rt_sigreturn as usize;
            tf.regs[REG_A0] = crate::syscall::dispatch(tf);
        }
        Cause::Timer => {
            // The tick samples the mode it interrupted (task::cputime).
            crate::task::cputime::tick_from_user();
            crate::time::on_timer_interrupt();
            schedule_yield();
        }
        Cause::External => external_interrupt(),
        Cause::Software => crate::task::sched::user_ipi(),
        Cause::PageFault { addr, store, exec } => {
            let access = if exec {
                Access::Exec
            } else if store {
                Access::Write
            } else {
                Access::Read
            };
            let aspace = current_process().aspace();
            let mut a = aspace.lock();
            match a.handle_fault(addr, access) {
                Ok(()) => {}
                Err(FaultError::PastEnd) => {
                    drop(a);
                    signal::force_fault(Signal::SIGBUS, g::BUS_ADRERR as i32, addr);
                }
                Err(FaultError::Segv) => {
                    let code = if a.is_mapped(addr) {
                        g::SEGV_ACCERR
                    } else {
                        g::SEGV_MAPERR
                    };
                    drop(a);
                    signal::force_fault(Signal::SIGSEGV, code as i32, addr);
                }
            }
        }
        Cause::IllegalInstruction => {
            signal::force_fault(Signal::SIGILL, g::ILL_ILLOPC as i32, tf.sepc)
        }
        Cause::Breakpoint => signal::force_fault(Signal::SIGTRAP, g::TRAP_BRKPT as i32, tf.sepc),
        Cause::Misaligned { addr } => {
            signal::force_fault(Signal::SIGBUS, g::BUS_ADRALN as i32, addr)
        }
        Cause::AccessFault { addr } => {
            signal::force_fault(Signal::SIGSEGV, g::SEGV_ACCERR as i32, addr)
        }
        Cause::Other(c) => {
            log::warn!(
                "pid {}: unexpected trap cause {c:#x}",
                current_process().pid
            );
            signal::force_fault(Signal::SIGSEGV, g::SI_KERNEL as i32, stval);
        }
    }
    signal::deliver_pending(tf, from_syscall);
}

/// First entry of a new task into user mode (pending signals are delivered first).
pub fn return_to_user(tf: *mut TrapFrame) -> ! {
    enter_user(tf, |frame| signal::deliver_pending(frame, false))
}

fn external_interrupt() {
    let hart = crate::arch::cpu::read_tp();
    while let Some(irq) = plic::claim(hart) {
        if irq == UART_IRQ {
            let mut buf = [0u8; 64];
            let mut n = 0;
            while let Some(c) = uart::getc() {
                buf[n] = c;
                n += 1;
                if n == buf.len() {
                    crate::fs::tty::CONSOLE.receive(&buf[..n]);
                    n = 0;
                }
            }
            if n > 0 {
                crate::fs::tty::CONSOLE.receive(&buf[..n]);
            }
            uart::transmit_interrupt();
        }
        if irq == HVC_IRQ.load(Ordering::Relaxed) {
            let mut buf = [0u8; 64];
            loop {
                let n = crate::drivers::hvc::receive(&mut buf);
                if n == 0 {
                    break;
                }
                crate::fs::tty::HVC0.receive(&buf[..n]);
            }
        }
        plic::complete(irq, hart);
    }
}

/// Traps taken while the kernel itself runs: interrupts (the kernel enables them only
/// while idle) and faults of the user-copy loop; anything else is a kernel bug.
#[no_mangle]
extern "C" fn kernel_trap(saved: &mut KernelTrapFrame) {
    let (scause, stval) = read_cause();
    let cause = decode(scause, stval);
    // A user address the user-copy loop could not touch: the loop reports the fault
    // and its caller resolves it (mm::uaccess).
    if matches!(
        cause,
        Cause::PageFault { exec: false, .. } | Cause::AccessFault { .. }
    ) {
        if let Some(pc) = crate::arch::usercopy::fixup(saved.sepc) {
            saved.sepc = pc;
            return;
        }
    }
    match cause {
        Cause::Timer => crate::time::on_timer_interrupt(),
        Cause::External => external_interrupt(),
        Cause::Software => crate::arch::smp::clear_ipi(),
        Cause::PageFault { addr, .. } if crate::arch::kstack::in_guard(addr) => {
            let sepc = riscv::register::sepc::read();
            panic!("kernel stack overflow: access to {addr:#x} in a stack guard, sepc {sepc:#x}");
        }
        _ => {
            let sepc = riscv::register::sepc::read();
            panic!("kernel trap: scause {scause:#x} stval {stval:#x} sepc {sepc:#x}");
        }
    }
}

/// Entered from the trap vector on the hart's emergency stack when a kernel trap came
/// with the stack pointer `sp` in a kernel stack's guard: that stack overflowed.
#[no_mangle]
extern "C" fn kernel_stack_overflow(sp: usize) -> ! {
    let (scause, stval) = read_cause();
    let sepc = riscv::register::sepc::read();
    panic!(
        "kernel stack overflow: sp {sp:#x} (scause {scause:#x} stval {stval:#x} sepc {sepc:#x})"
    );
}
