//! Signal system calls: dispositions, masks, sending, waiting and sigreturn.

use crate::arch::trap::{TrapFrame, REG_A0, REG_SP};
use crate::errno::*;
use crate::mm::uaccess::{read_val, write_val, UserSliceMut};
use crate::signal::{self, deliver, signal_from_user, SigAction, SigInfo, SigSet, Signal};
use crate::task::{current, current_process, process, with_current, Pid};
use linux_raw_sys::general as g;
use rill_signal::MaskHow;

fn check_sigsetsize(size: usize) -> SysResult<()> {
    if size != SigSet::ABI_SIZE {
        return Err(EINVAL);
    }
    Ok(())
}

pub fn rt_sigaction(sig: usize, act: usize, old: usize, size: usize) -> SysResult {
    check_sigsetsize(size)?;
    let sig = signal_from_user(sig)?;
    let new = if act != 0 {
        Some(SigAction::from_user(&read_val::<g::kernel_sigaction>(act)?))
    } else {
        None
    };
    if new.is_some() && !sig.can_be_caught() {
        return Err(EINVAL);
    }
    let prev = with_current(|task| {
        let mut psigs = task.process.signals.lock();
        let Some(new) = new else {
            return psigs.action(sig);
        };
        let prev = psigs.swap_action(sig, new);
        // Setting SIG_IGN (or a default that ignores) discards pending instances.
        let ignores = new.is_ignore()
            || (new.is_default() && sig.default_action() == signal::DefaultAction::Ignore);
        if ignores {
            psigs.shared.remove(sig);
            drop(psigs);
            task.signals.lock().pending.remove(sig);
        }
        prev
    });
    // As in Linux, the new action stands even if the old one cannot be reported.
    if old != 0 {
        write_val(old, &prev.to_user())?;
    }
    Ok(0)
}

pub fn rt_sigprocmask(how: u32, set: usize, old: usize, size: usize) -> SysResult {
    check_sigsetsize(size)?;
    let task = current();
    let new = if set != 0 {
        Some(SigSet::from_bits(read_val::<u64>(set)?))
    } else {
        None
    };
    let how = match new {
        Some(_) => Some(MaskHow::from_raw(how).ok_or(EINVAL)?),
        None => None,
    };
    let prev = task.signals.lock().blocked;
    if old != 0 {
        write_val(old, &prev.bits())?;
    }
    if let (Some(set), Some(how)) = (new, how) {
        task.signals.lock().blocked = how.apply(prev, set);
        task.recheck_signals();
    }
    Ok(0)
}

pub fn rt_sigpending(set: usize, size: usize) -> SysResult {
    // Linux accepts any size up to the set's own and copies that many bytes.
    if size > SigSet::ABI_SIZE {
        return Err(EINVAL);
    }
    let task = current();
    let mine = task.signals.lock().pending.pending_set();
    let shared = task.process.signals.lock().shared.pending_set();
    let blocked = task.signals.lock().blocked;
    let bytes = mine
        .union(shared)
        .intersection(blocked)
        .bits()
        .to_ne_bytes();
    UserSliceMut::new(set, size)?.write(0, &bytes[..size])?;
    Ok(0)
}

/// A signal mask installed for the duration of one call (sigsuspend, ppoll,
/// pselect6). When the call ends, the old mask is kept as `saved_mask`, which the
/// delivery code restores after running a handler (or at once if none runs).
pub struct TemporaryMask {
    active: bool,
    old: SigSet,
}

impl TemporaryMask {
    pub fn install(addr: usize, size: usize) -> SysResult<TemporaryMask> {
        if addr == 0 {
            return Ok(TemporaryMask {
                active: false,
                old: SigSet::EMPTY,
            });
        }
        check_sigsetsize(size)?;
        let set = SigSet::from_bits(read_val::<u64>(addr)?).without_unblockable();
        let task = current();
        let mut ts = task.signals.lock();
        let old = ts.blocked;
        ts.blocked = set;
        drop(ts);
        task.recheck_signals();
        Ok(TemporaryMask { active: true, old })
    }
}

impl Drop for TemporaryMask {
    fn drop(&mut self) {
        if self.active {
            let task = current();
            task.signals.lock().saved_mask = Some(self.old);
            task.recheck_signals();
        }
    }
}

pub fn rt_sigsuspend(set: usize, size: usize) -> SysResult {
    // Unlike ppoll's, sigsuspend's mask is not optional.
    if set == 0 {
        return Err(EFAULT);
    }
    let _mask = TemporaryMask::install(set, size)?;
    let task = current();
    let r = crate::task::wait::block_on("sigsuspend", &[], None, || None::<()>);
    drop(task);
    match r {
        Err(ERESTARTSYS) | Ok(()) => Err(ERESTARTNOHAND),
        Err(e) => Err(e),
    }
}

pub fn rt_sigtimedwait(set: usize, info: usize, timeout: usize, size: usize) -> SysResult {
    check_sigsetsize(size)?;
    let wanted = SigSet::from_bits(read_val::<u64>(set)?).without_unblockable();
    let deadline = if timeout == 0 {
        None
    } else {
        let ts: g::timespec = read_val(timeout)?;
        Some(crate::time::now_ticks() + crate::time::ns_to_ticks(super::time::timespec_ns(&ts)?))
    };
    let task = current();
    let unwanted = wanted.complement();
    let take = || {
        signal::dequeue(&mut task.signals.lock().pending, unwanted)
            .or_else(|| signal::dequeue(&mut task.process.signals.lock().shared, unwanted))
    };
    // The wanted signals count as unblocked for the wait (sigtimedwait(2)).
    let old = task.signals.lock().blocked;
    {
        let mut ts = task.signals.lock();
        ts.real_blocked = old;
        ts.blocked = old.difference(wanted);
    }
    let r = crate::task::wait::block_on("sigtimedwait", &[], deadline, take);
    {
        let mut ts = task.signals.lock();
        ts.blocked = old;
        ts.real_blocked = SigSet::EMPTY;
    }
    task.recheck_signals();
    match r {
        Ok((sig, si)) => {
            if info != 0 {
                UserSliceMut::new(info, 128)?.write(0, &deliver::encode_siginfo(sig, &si))?;
            }
            Ok(sig.number() as usize)
        }
        Err(ETIMEDOUT) => Err(EAGAIN),
        Err(ERESTARTSYS) => Err(EINTR),
        Err(e) => Err(e),
    }
}

fn check_permission(target: &process::Process) -> SysResult<()> {
    crate::task::with_current(|t| {
        // Within one thread group there are no credentials to compare (Linux's
        // check_kill_permission tests same_thread_group first): no lock taken.
        if core::ptr::eq(&*t.process, target) {
            return Ok(());
        }
        let me = *t.process.creds.lock();
        let them = *target.creds.lock();
        if me.euid == 0
            || me.uid == them.uid
            || me.euid == them.uid
            || me.uid == them.suid
            || me.euid == them.suid
        {
            Ok(())
        } else {
            Err(EPERM)
        }
    })
}

/// Sends `sig` (None: only the permission check, as kill's signal 0 does).
fn send_checked(
    target: &alloc::sync::Arc<process::Process>,
    sig: Option<Signal>,
    info: SigInfo,
) -> SysResult<()> {
    check_permission(target)?;
    sig.map_or(Ok(()), |s| signal::send_to_process(target, s, info))
}

fn send_checked_thread(
    target: &alloc::sync::Arc<crate::task::Task>,
    sig: Option<Signal>,
    info: SigInfo,
) -> SysResult<()> {
    check_permission(&target.process)?;
    sig.map_or(Ok(()), |s| signal::send_to_thread(target, s, info))
}

pub fn kill(pid: i32, sig: usize) -> SysResult {
    // Signal 0 checks existence and permission only.
    let sig = if sig == 0 {
        None
    } else {
        Some(signal_from_user(sig)?)
    };
    let me = current_process();
    let info = SigInfo::user(&me);
    if pid > 0 {
        // One process: no list to build, nor a lookup when it is the caller itself.
        if pid as Pid == me.pid {
            return send_checked(&me, sig, info).map(|()| 0);
        }
        let target = process::find(pid as Pid).ok_or(ESRCH)?;
        return send_checked(&target, sig, info).map(|()| 0);
    }
    let targets: alloc::vec::Vec<_> = match pid {
        0 => process::all()
            .into_iter()
            .filter(|p| p.pgid() == me.pgid())
            .collect(),
        -1 => process::all()
            .into_iter()
            .filter(|p| p.pid != 1 && p.pid != me.pid)
            .collect(),
        p => process::all()
            .into_iter()
            .filter(|q| q.pgid() == p.unsigned_abs())
            .collect(),
    };
    let targets: alloc::vec::Vec<_> = targets.into_iter().filter(|p| !p.is_zombie()).collect();
    if targets.is_empty() {
        return Err(ESRCH);
    }
    // Success if any target was signalled; kill(-1) skips init and the caller.
    let mut result = Err(EPERM);
    for t in &targets {
        if send_checked(t, sig, info).is_ok() {
            result = Ok(0);
        }
    }
    result
}

/// The live thread `tid`, of thread group `tgid` if given (tgkill; tkill gives none).
fn thread_target(tgid: Option<i32>, tid: i32) -> SysResult<alloc::sync::Arc<crate::task::Task>> {
    if tid <= 0 || tgid.is_some_and(|g| g <= 0) {
        return Err(EINVAL);
    }
    process::find_thread(tid as Pid)
        .filter(|t| tgid.is_none_or(|g| t.process.pid == g as Pid))
        .ok_or(ESRCH)
}

pub fn tkill(tid: i32, sig: usize) -> SysResult {
    thread_kill(None, tid, sig)
}

pub fn tgkill(tgid: i32, tid: i32, sig: usize) -> SysResult {
    thread_kill(Some(tgid), tid, sig)
}

fn thread_kill(tgid: Option<i32>, tid: i32, sig: usize) -> SysResult {
    if tid <= 0 || tgid.is_some_and(|g| g <= 0) {
        return Err(EINVAL);
    }
    let sig = if sig == 0 {
        None
    } else {
        Some(signal_from_user(sig)?)
    };
    let target = thread_target(tgid, tid)?;
    let me = current_process();
    let info = SigInfo {
        code: g::SI_TKILL,
        ..SigInfo::user(&me)
    };
    send_checked_thread(&target, sig, info)?;
    Ok(0)
}

pub fn rt_sigqueueinfo(pid: i32, sig: usize, info_addr: usize) -> SysResult {
    let sig = signal_from_user(sig)?;
    let code: i32 = read_val(info_addr + 8)?;
    let value: usize = read_val(info_addr + 24)?;
    let me = current_process();
    let target = process::find(pid as Pid)
        .filter(|p| !p.is_zombie())
        .ok_or(ESRCH)?;
    // Only the kernel may claim SI_USER or positive codes for another process.
    if (code >= 0 || code == g::SI_TKILL) && target.pid != me.pid {
        return Err(EPERM);
    }
    let info = SigInfo {
        code,
        value,
        ..SigInfo::user(&me)
    };
    send_checked(&target, Some(sig), info)?;
    Ok(0)
}

/// rt_tgsigqueueinfo(tgid, tid, sig, info): rt_sigqueueinfo aimed at one thread.
pub fn rt_tgsigqueueinfo(tgid: i32, tid: i32, sig: usize, info_addr: usize) -> SysResult {
    let sig = signal_from_user(sig)?;
    let code: i32 = read_val(info_addr + 8)?;
    let value: usize = read_val(info_addr + 24)?;
    let target = thread_target(Some(tgid), tid)?;
    let me = current_process();
    // As rt_sigqueueinfo: only the kernel may claim these codes for another process.
    if (code >= 0 || code == g::SI_TKILL) && target.process.pid != me.pid {
        return Err(EPERM);
    }
    let info = SigInfo {
        code,
        value,
        ..SigInfo::user(&me)
    };
    send_checked_thread(&target, Some(sig), info)?;
    Ok(0)
}

pub fn rt_sigreturn(tf: &mut TrapFrame) -> SysResult {
    deliver::sigreturn(tf);
    // The dispatcher stores our result in a0: hand back the restored a0.
    Ok(tf.regs[REG_A0])
}

pub fn sigaltstack(tf: &TrapFrame, new: usize, old: usize) -> SysResult {
    let task = current();
    let cur = task.signals.lock().altstack;
    let on_stack = cur.contains(tf.regs[REG_SP]);
    // The new stack is applied first: on error the old one is not reported (Linux).
    if new != 0 {
        let sp: usize = read_val(new)?;
        let flags: u32 = read_val(new + 8)?;
        let size: usize = read_val(new + 16)?;
        signal::set_altstack(tf.regs[REG_SP], sp, flags, size)?;
    }
    if old != 0 {
        let flags = if on_stack {
            g::SS_ONSTACK
        } else if cur.size == 0 {
            g::SS_DISABLE
        } else {
            0
        };
        let mut report = [0u8; 24];
        report[..8].copy_from_slice(&(cur.sp as u64).to_ne_bytes());
        report[8..12].copy_from_slice(&flags.to_ne_bytes());
        report[16..].copy_from_slice(&(cur.size as u64).to_ne_bytes());
        UserSliceMut::new(old, 24)?.write(0, &report)?;
    }
    Ok(0)
}

/// pidfd_send_signal(2): kill(2) through a pidfd (or a /proc/PID directory), with the
/// caller's siginfo if given, under rt_sigqueueinfo's rules.
pub fn pidfd_send_signal(pidfd: i32, sig: usize, info_addr: usize, flags: u32) -> SysResult {
    if flags != 0 {
        return Err(EINVAL);
    }
    let file = crate::task::current_files().lock().get(pidfd)?;
    let target = file.file.pid_target().ok_or(EBADF)??;
    let me = current_process();
    let info = if info_addr == 0 {
        SigInfo::user(&me)
    } else {
        let word = |at: usize| read_val::<i32>(info_addr + at);
        if word(0)? as usize != sig {
            return Err(EINVAL);
        }
        let code = word(8)?;
        // Only the kernel may claim SI_USER or positive codes for another process.
        if (code >= 0 || code == g::SI_TKILL) && target.pid != me.pid {
            return Err(EPERM);
        }
        // The caller's information goes as it is, si_pid and si_uid included (Linux).
        SigInfo {
            code,
            pid: word(16)? as u32,
            uid: word(20)? as u32,
            value: read_val(info_addr + 24)?,
            ..Default::default()
        }
    };
    let sig = if sig == 0 {
        None
    } else {
        Some(signal_from_user(sig)?)
    };
    send_checked(&target, sig, info)?;
    Ok(0)
}
