//! Delivery on the way back to user mode, and the riscv64 signal frame.
//!
//! The frame pushed on the user stack (or the alternate stack) is Linux's
//! `struct rt_sigframe { siginfo_t info; ucontext_t uc; }`:
//!
//! ```text
//!   frame+0     siginfo (128 bytes)
//!   frame+128   ucontext: uc_flags, uc_link, uc_stack (24), uc_sigmask (8), padding
//!   frame+304     uc_mcontext (16-aligned, at ucontext+176):
//!                 sc_regs[32]  pc, ra, sp, gp, tp, t0.. (x1..x31 in order)
//!                 sc_fpregs    f0..f31 as 64-bit, fcsr (the q-format union, 528 bytes)
//! ```
//!
//! The handler is entered with a0 = signo, a1 = &info, a2 = &uc, ra = the sigreturn
//! trampoline (riscv C libraries pass no SA_RESTORER), and rt_sigreturn reads the
//! registers and mask back from the frame.

use super::{default_action, SigInfo, SigSet, Signal};
use crate::arch::trap::{TrapFrame, REG_A0, REG_RA, REG_SP};
use crate::errno::{encode, Errno, EINTR, ERESTARTNOHAND, ERESTARTSYS, ERESTART_RESTARTBLOCK};
use crate::mm::uaccess::{read_into, read_slice, read_val, write_array, write_val};
use crate::task::{current, Task};
use linux_raw_sys::general as g;

const SIGINFO_SIZE: usize = 128;
const UC_STACK: usize = 16;
const UC_SIGMASK: usize = 40;
const UC_MCONTEXT: usize = 176;
const FP_OFFSET: usize = UC_MCONTEXT + 256;
const UCONTEXT_SIZE: usize = FP_OFFSET + 528;
const FRAME_SIZE: usize = SIGINFO_SIZE + UCONTEXT_SIZE;

/// The frame's start as words: siginfo, then the ucontext up to its signal mask.
const HEAD_WORDS: usize = (SIGINFO_SIZE + UC_SIGMASK + 8) / 8;
/// Where the q-extension tail of the FPU union starts, and its words.
const FP_TAIL: usize = FP_OFFSET + 512;
const FP_TAIL_WORDS: usize = 2;

/// siginfo_t for `sig` as 16 words (riscv64 is little-endian: the first of two 32-bit
/// fields sharing a word is its low half).
fn siginfo_words(sig: Signal, info: &SigInfo) -> [u64; SIGINFO_SIZE / 8] {
    let mut w = [0u64; SIGINFO_SIZE / 8];
    let low = |v: i32| v as u32 as u64;
    w[0] = low(sig.number() as i32);
    w[1] = low(info.code);
    let fault = matches!(
        sig,
        Signal::SIGSEGV | Signal::SIGBUS | Signal::SIGILL | Signal::SIGFPE | Signal::SIGTRAP
    ) && info.code > 0;
    if fault {
        w[2] = info.addr as u64;
    } else {
        w[2] = info.pid as u64 | (info.uid as u64) << 32;
        w[3] = if sig == Signal::SIGCHLD {
            low(info.status)
        } else {
            info.value as u64
        };
    }
    w
}

/// Lays out siginfo_t for `sig`.
pub fn encode_siginfo(sig: Signal, info: &SigInfo) -> [u8; SIGINFO_SIZE] {
    let mut b = [0u8; SIGINFO_SIZE];
    for (chunk, word) in b.chunks_exact_mut(8).zip(siginfo_words(sig, info)) {
        chunk.copy_from_slice(&word.to_ne_bytes());
    }
    b
}

/// The kernel-internal "interrupted" code of a system call that just returned `a0`,
/// if any.
#[inline(always)]
fn interrupted(a0: usize, from_syscall: bool) -> Option<Errno> {
    // The restart codes are 512..=516: one comparison rules out every other result.
    let code = (a0 as isize).wrapping_neg();
    if !from_syscall || !(ERESTARTSYS.0 as isize..=ERESTART_RESTARTBLOCK.0 as isize).contains(&code)
    {
        return None;
    }
    [ERESTARTSYS, ERESTARTNOHAND, ERESTART_RESTARTBLOCK]
        .into_iter()
        .find(|&e| a0 == encode(Err(e)))
}

fn interrupted_syscall(tf: &TrapFrame, from_syscall: bool) -> Option<Errno> {
    interrupted(tf.regs[REG_A0], from_syscall)
}

fn restart_syscall(tf: &mut TrapFrame) {
    tf.regs[REG_A0] = tf.orig_a0;
    tf.sepc -= 4;
}

/// Takes the next deliverable signal of `task` (the current thread): the thread's own
/// queue first (faults, tkill), then the process-wide one. One lock each, and none for
/// the process's queue when the thread's had one.
fn next_signal(task: &Task) -> Option<(Signal, SigInfo)> {
    let mut ts = task.signals.lock();
    let blocked = ts.blocked;
    if let Some(s) = super::dequeue(&mut ts.pending, blocked) {
        return Some(s);
    }
    drop(ts);
    let next = super::dequeue(&mut task.process.signals.lock().shared, blocked);
    next
}

/// Delivers pending signals before returning to user mode with `tf`. Inline, so that
/// the usual return (nothing interrupted, no signal to look at) costs a few
/// instructions and no call.
#[inline]
pub fn deliver_pending(tf: &mut TrapFrame, from_syscall: bool) {
    let interrupted = interrupted_syscall(tf, from_syscall);
    if interrupted.is_none() && !crate::task::with_current(|t| t.take_signal_check()) {
        return;
    }
    deliver(tf, interrupted);
}

/// Whether a system call's return to user mode with `result` has signal work: an
/// interrupted call to restart or fail, or signals to look at. Takes the look-again
/// mark, so `deliver_after_syscall` must follow when this says yes.
#[inline]
pub fn exit_work_pending(result: usize) -> bool {
    interrupted(result, true).is_some() || crate::task::with_current(|t| t.take_signal_check())
}

/// Delivers pending signals after a system call for which `exit_work_pending` said
/// yes, with the whole register set in `tf`.
pub fn deliver_after_syscall(tf: &mut TrapFrame) {
    let interrupted = interrupted_syscall(tf, true);
    deliver(tf, interrupted);
}

#[inline(never)]
fn deliver(tf: &mut TrapFrame, interrupted: Option<Errno>) {
    // Borrowed for the whole delivery, with no count taken: a default action may end
    // the thread here (exit never returns), and the task outlives its own kernel code.
    crate::task::with_current(|task| deliver_to(task, tf, interrupted));
}

fn deliver_to(task: &Task, tf: &mut TrapFrame, mut interrupted: Option<Errno>) {
    // CPU time was charged since the last look: a CPU timer may have run out.
    crate::task::cputime::fire_expired(&task.process);
    super::stop_if_group_stopped(task);
    while let Some((sig, info)) = next_signal(task) {
        let act = task.process.signals.lock().action(sig);
        if act.is_ignore() {
            continue;
        }
        if act.is_default() {
            // init is unkillable: signals left at their default do nothing to it, except
            // the faults it causes itself (Linux's SIGNAL_UNKILLABLE).
            if task.process.pid == 1 && !sig.is_synchronous() {
                continue;
            }
            default_action(sig);
            continue;
        }
        if let Some(code) = interrupted.take() {
            if code == ERESTARTSYS && act.has(g::SA_RESTART) {
                restart_syscall(tf);
            } else {
                tf.regs[REG_A0] = encode(Err(EINTR));
                task.restart_deadline.lock().take();
            }
        }
        if setup_frame(task, tf, sig, &info, &act).is_err() {
            // The stack cannot take the frame: Linux forces SIGSEGV, and if SIGSEGV's own
            // handler is what cannot run, the default action kills the process.
            if sig == Signal::SIGSEGV {
                task.process
                    .signals
                    .lock()
                    .set_action(sig, super::SigAction::default());
            }
            super::force_fault(Signal::SIGSEGV, g::SI_KERNEL as i32, 0);
            continue;
        }
        if act.has(g::SA_RESETHAND) {
            // Only the handler goes back to SIG_DFL: the flags and mask stay, as
            // Linux's get_signal does (SA_SIGINFO survives).
            task.process.signals.lock().set_action(
                sig,
                super::SigAction {
                    handler: super::SigAction::default().handler,
                    ..act
                },
            );
        }
        // No break: as in Linux, a signal still deliverable under the handler's mask
        // gets its frame on top of this one, and its handler runs first.
    }
    if interrupted.is_some() {
        // No handler ran: the call restarts transparently.
        restart_syscall(tf);
    }
    // sigsuspend/ppoll's temporary mask ends here if no handler needed it.
    let mut ts = task.signals.lock();
    if let Some(mask) = ts.saved_mask.take() {
        ts.blocked = mask;
        drop(ts);
        task.recheck_signals();
    }
}

fn setup_frame(
    task: &Task,
    tf: &mut TrapFrame,
    sig: Signal,
    info: &SigInfo,
    act: &super::SigAction,
) -> Result<(), Errno> {
    let (old_mask, altstack) = {
        let mut ts = task.signals.lock();
        // A mask saved by sigsuspend is the one the handler's return restores.
        let old = ts.saved_mask.take().unwrap_or(ts.blocked);
        (old, ts.altstack)
    };
    let user_sp = tf.regs[REG_SP];
    let use_alt = act.has(g::SA_ONSTACK) && altstack.size != 0 && !altstack.contains(user_sp);
    let top = if use_alt {
        altstack
            .sp
            .checked_add(altstack.size)
            .ok_or(crate::errno::EFAULT)?
    } else {
        user_sp
    };
    let frame = top.checked_sub(FRAME_SIZE).ok_or(crate::errno::EFAULT)? & !15;

    // Written straight to the frame, in the parts Linux writes (the ucontext's unused
    // bytes before uc_mcontext are left as they are, as there).
    let mut head = [0u64; HEAD_WORDS];
    head[..SIGINFO_SIZE / 8].copy_from_slice(&siginfo_words(sig, info));
    let uc = SIGINFO_SIZE / 8;
    // uc_flags and uc_link stay 0.
    let ss_flags = if altstack.contains(user_sp) {
        g::SS_ONSTACK
    } else if altstack.size == 0 {
        g::SS_DISABLE
    } else {
        0
    };
    head[uc + UC_STACK / 8] = altstack.sp as u64;
    head[uc + UC_STACK / 8 + 1] = ss_flags as u64;
    head[uc + UC_STACK / 8 + 2] = altstack.size as u64;
    head[uc + UC_SIGMASK / 8] = old_mask.bits();
    write_val(frame, &head)?;

    // uc_mcontext: pc and x1-x31, which are the trap frame's register array with pc
    // in x0's slot (one copy), then the FPU state.
    tf.regs[0] = tf.sepc;
    let written = write_array(frame + SIGINFO_SIZE + UC_MCONTEXT, &tf.regs);
    tf.regs[0] = 0;
    written?;
    // The live registers are the task's (the kernel does not use the FPU).
    let mut fp = crate::arch::context::FpState::default();
    fp.save();
    let fpo = frame + SIGINFO_SIZE + FP_OFFSET;
    write_array(fpo, &fp.f)?;
    write_val(fpo + 8 * fp.f.len(), &(fp.fcsr as u64))?;
    write_val(frame + SIGINFO_SIZE + FP_TAIL, &[0u64; FP_TAIL_WORDS])?;

    let mut ts = task.signals.lock();
    let mut blocked = ts.blocked.union(act.mask);
    if !act.has(g::SA_NODEFER) {
        blocked.add(sig);
    }
    ts.blocked = blocked.without_unblockable();
    drop(ts);

    tf.sepc = act.handler;
    tf.regs[REG_RA] = crate::mm::aspace::SIGRETURN_TRAMPOLINE;
    tf.regs[REG_SP] = frame;
    tf.regs[REG_A0] = sig.number() as usize;
    tf.regs[REG_A0 + 1] = frame;
    tf.regs[REG_A0 + 2] = frame + SIGINFO_SIZE;
    Ok(())
}

/// rt_sigreturn: restores the registers, FPU state, mask and alternate stack saved in
/// the frame at the user stack pointer. A frame that cannot be read kills with SIGSEGV.
pub fn sigreturn(tf: &mut TrapFrame) {
    let uc = tf.regs[REG_SP].wrapping_add(SIGINFO_SIZE);
    // uc_stack's three words, then uc_sigmask.
    let mut stack_and_mask = [0u64; 4];
    // The registers go straight into the trap frame (pc through x0's slot): if the
    // frame cannot be read, the process dies of SIGSEGV without running on with them.
    let task = current();
    let read = read_into(uc.wrapping_add(UC_STACK), &mut stack_and_mask)
        .and_then(|()| read_slice(uc.wrapping_add(UC_MCONTEXT), &mut tf.regs))
        .and_then(|()| {
            let mut fp = task.fp.lock();
            let fpo = uc.wrapping_add(FP_OFFSET);
            read_slice(fpo, &mut fp.f)?;
            let fcsr = read_val::<u32>(fpo + 8 * fp.f.len())?;
            fp.fcsr = fcsr;
            fp.restore();
            Ok(())
        });
    if read.is_err() {
        tf.regs[0] = 0;
        super::force_fault(Signal::SIGSEGV, g::SI_KERNEL as i32, 0);
        return;
    }
    tf.sepc = core::mem::take(&mut tf.regs[0]);
    let [ss_sp, ss_flags, ss_size, mask] = stack_and_mask;
    let mask = SigSet::from_bits(mask).without_unblockable();
    let mut ts = task.signals.lock();
    ts.blocked = mask;
    let deliverable = ts.pending.has_deliverable(mask);
    drop(ts);
    // Signals are looked at again only if the restored mask lets one through (Linux's
    // recalc_sigpending): one queued later, or a stop, marks the thread itself.
    if deliverable || task.process.signals.lock().shared.has_deliverable(mask) {
        task.recheck_signals();
    }
    // uc_stack is applied as by sigaltstack, from the restored stack pointer; errors
    // are ignored (Linux's restore_altstack).
    let _ = super::set_altstack(
        tf.regs[REG_SP],
        ss_sp as usize,
        ss_flags as u32,
        ss_size as usize,
    );
}
