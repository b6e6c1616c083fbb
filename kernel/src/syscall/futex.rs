//! Futex system calls: futex and futex_waitv (argument checks and timeouts, on top of
//! ipc::futex's wait queues) and the per-thread robust list that is walked at exit.

use crate::errno::*;
use crate::mm::uaccess::{read_array, read_val, write_val};
use crate::task::process;
use crate::task::{current, current_process, Pid};
use alloc::vec::Vec;
use core::sync::atomic::Ordering;
use linux_raw_sys::general as g;

/// set_robust_list(head, len): the list the kernel walks when the thread exits.
pub fn set_robust_list(head: usize, len: usize) -> SysResult {
    if len != crate::ipc::futex::ROBUST_HEAD_SIZE {
        return Err(EINVAL);
    }
    current().robust_list.store(head, Ordering::Relaxed);
    Ok(0)
}

/// get_robust_list(tid, head_ptr, len_ptr): the list head of thread `tid` (0: caller).
pub fn get_robust_list(tid: i32, head_ptr: usize, len_ptr: usize) -> SysResult {
    let task = match tid {
        0 => current(),
        t if t > 0 => process::find_thread(t as Pid).ok_or(ESRCH)?,
        _ => return Err(ESRCH),
    };
    let me = *current_process().creds.lock();
    let them = *task.process.creds.lock();
    if me.euid != 0 && me.euid != them.uid && me.euid != them.euid {
        return Err(EPERM);
    }
    write_val(len_ptr, &crate::ipc::futex::ROBUST_HEAD_SIZE)?;
    write_val(head_ptr, &task.robust_list.load(Ordering::Relaxed))?;
    Ok(0)
}

/// A futex timeout as a deadline in timer ticks: relative (FUTEX_WAIT) or absolute on
/// CLOCK_MONOTONIC, or CLOCK_REALTIME with FUTEX_CLOCK_REALTIME (FUTEX_WAIT_BITSET).
fn futex_deadline(timeout: usize, absolute: bool, realtime: bool) -> SysResult<Option<u64>> {
    if timeout == 0 {
        return Ok(None);
    }
    let ts: g::timespec = read_val(timeout)?;
    let ns = super::time::timespec_ns(&ts)?;
    let now = crate::time::now_ticks();
    if !absolute {
        return Ok(Some(now + crate::time::ns_to_ticks(ns)));
    }
    let clock_now = if realtime {
        crate::time::realtime_ns()
    } else {
        crate::time::monotonic_ns()
    };
    Ok(Some(
        now + crate::time::ns_to_ticks(ns.saturating_sub(clock_now)),
    ))
}

/// futex(addr, op, val, timeout or val2, addr2, val3).
pub fn futex(addr: usize, op: u32, val: u32, timeout: usize, addr2: usize, val3: u32) -> SysResult {
    use crate::ipc::futex;
    let cmd = op & !(g::FUTEX_PRIVATE_FLAG | g::FUTEX_CLOCK_REALTIME);
    let private = op & g::FUTEX_PRIVATE_FLAG != 0;
    let realtime = op & g::FUTEX_CLOCK_REALTIME != 0;
    if realtime && cmd != g::FUTEX_WAIT && cmd != g::FUTEX_WAIT_BITSET {
        return Err(ENOSYS);
    }
    // A count of waiters to wake: Linux's loop wakes at least one even for 0 or less.
    let wake_count = |n: u32| (n as i32).max(1) as usize;
    // The counts of a requeue: negative is EINVAL.
    let count = |n: u32| usize::try_from(n as i32).map_err(|_| EINVAL);
    match cmd {
        g::FUTEX_WAIT | g::FUTEX_WAIT_BITSET => {
            let bitset = if cmd == g::FUTEX_WAIT {
                g::FUTEX_BITSET_MATCH_ANY
            } else {
                val3
            };
            let relative = cmd == g::FUTEX_WAIT;
            // A relative wait restarted after a signal without handler keeps its deadline.
            let restarted = current().restart_deadline.lock().take();
            let deadline = match restarted {
                Some(d) if relative && timeout != 0 => Some(d),
                _ => futex_deadline(timeout, !relative, realtime)?,
            };
            // As Linux: a wait without timeout follows SA_RESTART; a timed one is EINTR
            // when a handler runs and otherwise resumes with the same deadline.
            match futex::wait(addr, val, deadline, private, bitset) {
                Err(ERESTARTSYS) if relative && deadline.is_some() => {
                    *current().restart_deadline.lock() = deadline;
                    Err(ERESTART_RESTARTBLOCK)
                }
                Err(ERESTARTSYS) if deadline.is_some() => Err(ERESTARTNOHAND),
                r => r,
            }
        }
        g::FUTEX_WAKE => futex::wake(addr, wake_count(val), private, g::FUTEX_BITSET_MATCH_ANY),
        g::FUTEX_WAKE_BITSET => futex::wake(addr, wake_count(val), private, val3),
        g::FUTEX_REQUEUE => futex::requeue(
            addr,
            addr2,
            count(val)?,
            count(timeout as u32)?,
            None,
            private,
        ),
        g::FUTEX_CMP_REQUEUE => futex::requeue(
            addr,
            addr2,
            count(val)?,
            count(timeout as u32)?,
            Some(val3),
            private,
        ),
        g::FUTEX_WAKE_OP => futex::wake_op(
            addr,
            addr2,
            wake_count(val),
            wake_count(timeout as u32),
            val3,
            private,
        ),
        _ => Err(ENOSYS),
    }
}

/// futex_waitv(waiters, nr_futexes, flags, timeout, clockid): waits on up to
/// FUTEX_WAITV_MAX 32-bit futexes at once; the timeout is absolute on `clockid`.
pub fn futex_waitv(
    waiters: usize,
    nr: usize,
    flags: u32,
    timeout: usize,
    clockid: u32,
) -> SysResult {
    if flags != 0 || nr == 0 || nr > g::FUTEX_WAITV_MAX as usize || waiters == 0 {
        return Err(EINVAL);
    }
    let deadline = if timeout == 0 {
        None
    } else {
        if clockid != g::CLOCK_REALTIME && clockid != g::CLOCK_MONOTONIC {
            return Err(EINVAL);
        }
        futex_deadline(timeout, true, clockid == g::CLOCK_REALTIME)?
    };
    let raw = read_array::<g::futex_waitv>(waiters, nr)?;
    let mut entries = Vec::new();
    entries.try_reserve_exact(nr).map_err(|_| ENOMEM)?;
    for w in &raw {
        let known = g::FUTEX_32 | g::FUTEX_PRIVATE_FLAG;
        if w.flags & !known != 0 || w.__reserved != 0 || w.flags & g::FUTEX_32 == 0 {
            return Err(EINVAL);
        }
        entries.push(crate::ipc::futex::WaitvEntry {
            addr: usize::try_from(w.uaddr).map_err(|_| EFAULT)?,
            // Linux compares the low 32 bits.
            val: w.val as u32,
            private: w.flags & g::FUTEX_PRIVATE_FLAG != 0,
        });
    }
    crate::ipc::futex::wait_multiple(&entries, deadline)
}
