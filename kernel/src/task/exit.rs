//! The end of threads and processes, and wait: exit_group and exit (the last thread's
//! exit makes the process a zombie, hands its children to a reaper and tells the
//! parent), execve's killing of the other threads, and wait4's collection of a child's
//! exit, stop or continue with the wait status encodings.

use super::process::{init_process, release_vfork, GroupExit, JobEvent, Life, Pid, Process, TABLE};
use super::sched::{self, current};
use super::thread::{Task, TaskState};
use crate::errno::{Errno, SysResult, EAGAIN, ECHILD};
use crate::signal::Signal;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::Ordering;

/// Encodes an exit for wait4: `(code & 0xff) << 8`.
pub fn exit_status(code: i32) -> i32 {
    (code & 0xff) << 8
}

/// Encodes a death by signal for wait4, with the core-dump bit when `core`.
pub fn signal_status(sig: Signal, core: bool) -> i32 {
    sig.number() as i32 | if core { 0x80 } else { 0 }
}

/// Kills every thread of `proc` but `me` (exit_group, a fatal signal, execve).
fn kill_other_threads(proc: &Process, me: &Arc<Task>, for_exec: bool) {
    for t in proc.threads.lock().iter() {
        if !Arc::ptr_eq(t, me) {
            t.exec_zapped.store(for_exec, Ordering::Relaxed);
            crate::signal::kill_thread(t);
        }
    }
}

/// Ends the whole thread group with wait status `status` (exit_group, a fatal
/// signal); the first group exit's status is the process's.
///
/// While a thread is in execve, the threads it killed die alone. A fatal signal
/// taken meanwhile by any thread is still a group exit, as on Linux (where it is
/// decided when the signal is sent): it takes over from the exec, whose thread is
/// killed too and fails its execve.
pub fn exit_group(status: i32) -> ! {
    let task = current();
    // A wait status with signal bits is a death by signal (an exit's are zero).
    let by_signal = status & 0x7f != 0;
    // The exec's SIGKILL is the one it queued on this thread: if that one is still
    // pending, the SIGKILL taken came from elsewhere (the process-wide queue).
    let took_zap = status == signal_status(Signal::SIGKILL, false)
        && task.exec_zapped.load(Ordering::Relaxed)
        && !task.signals.lock().pending.is_pending(Signal::SIGKILL);
    let first = {
        let mut ge = task.process.group_exit.lock();
        let takes_over = match *ge {
            GroupExit::None => true,
            GroupExit::Exec => by_signal && !took_zap,
            GroupExit::Exiting(_) => false,
        };
        if takes_over {
            *ge = GroupExit::Exiting(status);
        }
        takes_over
    };
    if first {
        kill_other_threads(&task.process, &task, false);
    }
    drop(task);
    exit_thread(status)
}

/// Ends the calling thread (exit); the last thread's exit ends the process, with the
/// group exit's status if there was one.
pub fn exit_thread(status: i32) -> ! {
    let task = current();
    let proc = task.process.clone();

    // As Linux's mm_release: robust futexes first, then the tid word pthread_join
    // waits on.
    crate::ipc::futex::exit_robust_list(&task);
    let ctid = task.clear_child_tid.load(Ordering::Relaxed);
    if ctid != 0 {
        let _ = crate::mm::uaccess::write_val(ctid, &0u32);
        let _ = crate::ipc::futex::wake(ctid, 1, false, u32::MAX);
    }

    let last = {
        let mut threads = proc.threads.lock();
        threads.retain(|t| !Arc::ptr_eq(t, &task));
        threads.is_empty()
    };
    // The pid stays with the process until it is reaped; any other tid goes now.
    if task.tid() != proc.pid {
        TABLE.lock().remove_thread(task.tid());
    }
    if last {
        let status = match *proc.group_exit.lock() {
            GroupExit::Exiting(s) => s,
            _ => status,
        };
        exit_process(task, proc, status)
    }
    task.signals.lock().pending.clear();
    task.release_shared();
    sched::exit_visible();
    proc.thread_exit_wait.wake_all();
    *task.state.lock() = TaskState::Dead;
    drop(task);
    drop(proc);
    sched::block();
    unreachable!("a dead task was scheduled again");
}

/// Makes the calling thread the only one of its process before execve replaces the
/// program (Linux's de_thread): the others are killed, and it takes the process's pid.
pub fn become_sole_thread() -> SysResult<()> {
    let task = current();
    let proc = task.process.clone();
    {
        let mut ge = proc.group_exit.lock();
        if *ge != GroupExit::None {
            // Another group exit or exec is under way: let its signal act on us.
            return Err(EAGAIN);
        }
        *ge = GroupExit::Exec;
    }
    kill_other_threads(&proc, &task, true);
    let r = super::wait::block_on_killable("thread_exit", &[&proc.thread_exit_wait], || {
        (proc.threads.lock().len() == 1).then_some(())
    });
    {
        let mut ge = proc.group_exit.lock();
        if *ge != GroupExit::Exec {
            // A fatal signal turned the exec into a group exit: this thread has its
            // SIGKILL and dies on the way out (Linux's de_thread fails the same way).
            return Err(EAGAIN);
        }
        *ge = GroupExit::None;
    }
    r?;
    let tid = task.tid();
    if tid != proc.pid {
        TABLE.lock().remove_thread(tid);
        task.set_tid(proc.pid);
    }
    Ok(())
}

/// The end of the last thread: the process becomes a zombie with wait status `status`.
fn exit_process(task: Arc<Task>, proc: Arc<Process>, status: i32) -> ! {
    crate::ipc::sem::exit_process(proc.pid);
    // Close files first: this is what lets pipe readers see EOF.
    task.release_shared();
    // Leave the address space on the kernel's page table before dropping it.
    crate::mm::tlb::deactivate();
    // With no page left even for an empty root, the old space stays until reaped.
    if let Some(empty) = crate::mm::aspace::exited() {
        *proc.aspace.lock() = empty;
    }
    release_vfork(&proc);
    finish_exit(task, proc, status)
}

fn finish_exit(task: Arc<Task>, proc: Arc<Process>, status: i32) -> ! {
    if proc.pid == 1 {
        let code = if status & 0x7f != 0 {
            128 + (status & 0x7f)
        } else {
            (status >> 8) & 0xff
        };
        log::info!("init exited with status {code}; powering off");
        crate::arch::sbi::shutdown(code as u8);
    }
    if let Some(key) = proc.real_timer.lock().key.take() {
        super::wait::cancel_timer(key);
    }
    if proc.sid() == proc.pid {
        crate::fs::tty::hang_up_session(proc.pid);
    }
    // Groups whose link to the rest of the session went through this process: its own
    // (when its parent is in another group of the session) and its children's (when
    // in another group than ours). If the exit orphans them, stopped jobs get SIGHUP.
    let (pgid, sid) = (proc.pgid(), proc.sid());
    let mut groups: Vec<Pid> = proc
        .children
        .lock()
        .iter()
        .filter(|c| c.pgid() != pgid && c.sid() == sid)
        .map(|c| c.pgid())
        .collect();
    let parent_links = proc
        .parent
        .lock()
        .upgrade()
        .is_some_and(|p| p.pgid() != pgid && p.sid() == sid);
    if parent_links {
        groups.push(pgid);
    }
    groups.sort_unstable();
    groups.dedup();
    reparent_children(&proc);
    sched::exit_visible();
    *proc.life.lock() = Life::Zombie(status);
    crate::signal::flush_pending(&task);
    super::pidfd::process_exited();
    for g in groups {
        crate::signal::hangup_if_orphaned(g, sid);
    }

    let parent = proc.parent.lock().upgrade();
    if let Some(parent) = parent {
        crate::signal::notify_parent_exit(&parent, &proc, status);
        if crate::signal::parent_reaps_automatically(&parent) {
            // SIGCHLD ignored or SA_NOCLDWAIT: no zombie is left for wait4.
            let mut children = parent.children.lock();
            children.retain(|c| !Arc::ptr_eq(c, &proc));
            free_room_if_empty(&mut children);
            drop(children);
            TABLE.lock().remove(&proc);
        }
        parent.child_wait.wake_all();
    }
    *task.state.lock() = TaskState::Dead;
    drop(task);
    drop(proc);
    sched::block();
    unreachable!("a dead task was scheduled again");
}

/// Gives a children list's room back once its last child is gone: a list keeps the
/// capacity of its peak otherwise, so the heap that hundreds of children took would stay
/// taken after they are all reaped. (Shrinking a list that is not empty would allocate,
/// which reaping must not.)
fn free_room_if_empty(children: &mut Vec<Arc<Process>>) {
    if children.is_empty() {
        *children = Vec::new();
    }
}

/// Hands the children of an exiting process to the nearest subreaper ancestor or init.
fn reparent_children(proc: &Arc<Process>) {
    let children = core::mem::take(&mut *proc.children.lock());
    if children.is_empty() {
        return;
    }
    let mut reaper = proc.parent.lock().upgrade();
    while let Some(r) = reaper.clone() {
        if r.subreaper.load(Ordering::Relaxed) && !r.is_zombie() {
            break;
        }
        reaper = r.parent.lock().upgrade();
    }
    let Some(reaper) = reaper.or_else(init_process) else {
        return;
    };
    let mut any_zombie = false;
    for c in &children {
        c.set_parent(&reaper);
        any_zombie |= c.is_zombie();
    }
    reaper.children.lock().extend(children);
    if any_zombie {
        reaper.child_wait.wake_all();
    }
}

/// Which children a wait4 call selects.
#[derive(Clone, Copy)]
pub enum WaitTarget {
    Any,
    Pid(Pid),
    Group(Pid),
}

/// What wait4 found.
pub struct Reaped {
    pub pid: Pid,
    pub status: i32,
}

/// Options of wait4 that decide which state changes to report.
#[derive(Clone, Copy)]
pub struct WaitOptions {
    pub nohang: bool,
    pub untraced: bool,
    pub continued: bool,
}

fn matches(target: WaitTarget, c: &Process) -> bool {
    match target {
        WaitTarget::Any => true,
        WaitTarget::Pid(p) => c.pid == p,
        WaitTarget::Group(g) => c.pgid() == g,
    }
}

/// Collects one state change of a child selected by `target` (wait4's core).
/// Ok(None) means WNOHANG found nothing to report.
pub fn wait_child(target: WaitTarget, opts: WaitOptions) -> SysResult<Option<Reaped>> {
    let me = current().process.clone();
    let mut reaped_child = None;
    let result =
        me.child_wait
            .wait_until("wait4", || -> Option<Result<Option<Reaped>, Errno>> {
                let mut children = me.children.lock();
                let mut any = false;
                for (i, c) in children.iter().enumerate() {
                    if !matches(target, c) {
                        continue;
                    }
                    any = true;
                    let life = *c.life.lock();
                    if let Life::Zombie(status) = life {
                        let pid = c.pid;
                        let child = children.remove(i);
                        free_room_if_empty(&mut children);
                        TABLE.lock().remove(&child);
                        me.cpu.add_reaped(&child.cpu);
                        reaped_child = Some(child);
                        return Some(Ok(Some(Reaped { pid, status })));
                    }
                    let mut ev = c.job_event.lock();
                    match *ev {
                        Some(JobEvent::Stopped(sig)) if opts.untraced => {
                            *ev = None;
                            return Some(Ok(Some(Reaped {
                                pid: c.pid,
                                status: ((sig as i32) << 8) | 0x7f,
                            })));
                        }
                        Some(JobEvent::Continued) if opts.continued => {
                            *ev = None;
                            return Some(Ok(Some(Reaped {
                                pid: c.pid,
                                status: 0xffff,
                            })));
                        }
                        _ => {}
                    }
                }
                if !any {
                    return Some(Err(ECHILD));
                }
                opts.nohang.then_some(Ok(None))
            })?;
    if let Some(child) = reaped_child {
        sched::wait_exits_released(&child);
    }
    result
}
