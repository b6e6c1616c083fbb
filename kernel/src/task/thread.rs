//! A task is one schedulable thread of a process: its kernel stack (with the saved
//! user registers on top), its switched-out kernel context, its FPU state and its
//! per-thread signal state.

use super::process::{Pid, Process};
use super::shared::{Files, FsContext};
use crate::arch::context::{Context, FpState};
use crate::arch::kstack::{ContextCell, KernelStack};
use crate::arch::spinlock::Mutex;
use crate::arch::trap::TrapFrame;
use crate::signal::ThreadSignals;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TaskState {
    /// On a hart right now.
    Running,
    /// In the run queue.
    Ready,
    /// Waiting on a wait queue or timer; a signal wakes it.
    Sleeping,
    /// Stopped by job control until SIGCONT.
    Stopped,
    /// Exited; never runs again.
    Dead,
}

pub struct Task {
    /// The thread id; an exec from a non-leader thread gives it the process's pid.
    tid: AtomicU32,
    pub process: Arc<Process>,
    pub(super) kstack: KernelStack,
    pub(super) ctx: ContextCell,
    pub(crate) state: Mutex<TaskState>,
    /// Set while a hart executes on this task's stack; another hart that picks the task
    /// from the run queue waits until the previous hart has switched away.
    pub(super) on_cpu: AtomicBool,
    /// The harts this task may run on (sched_setaffinity; a bit per hart index).
    affinity: AtomicUsize,
    pub fp: Mutex<FpState>,
    /// The CPU time this thread used (its process's counts all of its threads').
    pub cpu: super::cputime::ThreadTime,
    pub signals: Mutex<ThreadSignals>,
    /// set_tid_address / CLONE_CHILD_CLEARTID: zeroed (and futex-woken) at exit.
    pub clear_child_tid: AtomicUsize,
    /// set_robust_list: the head of the thread's list of held robust futexes.
    pub robust_list: AtomicUsize,
    /// Deadline (timer ticks) an interrupted nanosleep resumes with when restarted.
    pub restart_deadline: Mutex<Option<u64>>,
    /// Set whenever this thread may have a signal to take (one was queued for it or
    /// its process, or its mask changed); delivery clears it before it looks, so a
    /// return to user mode with it clear skips the signal code and its locks.
    signal_check: AtomicBool,
    /// The name prctl(PR_SET_NAME) gave this thread (NUL-padded, at most 15 bytes); None
    /// until then: the program's basename, as Linux sets it at exec.
    pub name: Mutex<Option<[u8; 16]>>,
    /// Killed because another thread of its process is in execve: its death ends only
    /// itself. Any other fatal signal it takes meanwhile ends the whole process.
    pub exec_zapped: AtomicBool,
    /// The descriptor table (shared with the tasks cloned with CLONE_FILES). Only the
    /// task itself replaces it (execve, unshare, exit), so a lookup holds this lock
    /// just long enough to lock the table.
    pub files: Mutex<Files>,
    /// The cwd and umask (shared with the tasks cloned with CLONE_FS).
    pub fs: Mutex<Arc<FsContext>>,
    /// What the task waits for while it sleeps, by name ("" before its first wait): see
    /// `wchan`.
    pub(super) wchan: Mutex<&'static str>,
}

extern "C" fn task_start() -> ! {
    super::sched::finish_switch();
    let task = super::current();
    // The FPU registers still hold whichever task ran last: load this one's (a fork
    // child's are its parent's, a new thread's its creator's).
    task.fp.lock().restore();
    let frame = task.kstack.frame_ptr();
    drop(task);
    crate::trap::return_to_user(frame)
}

impl Task {
    /// A task that will enter user mode with the registers in `tf` when first run.
    pub fn new(
        tid: Pid,
        process: Arc<Process>,
        tf: TrapFrame,
        signals: ThreadSignals,
    ) -> Option<Arc<Task>> {
        Task::with_entry(tid, process, tf, signals, task_start)
    }

    /// A task whose first kernel code is `entry` (pid 1 starts by exec'ing /bin/init).
    pub fn with_entry(
        tid: Pid,
        process: Arc<Process>,
        tf: TrapFrame,
        signals: ThreadSignals,
        entry: extern "C" fn() -> !,
    ) -> Option<Arc<Task>> {
        let kstack = KernelStack::new(tf)?;
        let ctx = Context::new(entry as usize, kstack.frame_ptr() as usize);
        Some(Arc::new(Task {
            tid: AtomicU32::new(tid),
            process,
            kstack,
            ctx: ContextCell::new(ctx),
            state: Mutex::new(TaskState::Ready),
            on_cpu: AtomicBool::new(false),
            affinity: AtomicUsize::new(usize::MAX),
            fp: Mutex::new(FpState::default()),
            cpu: Default::default(),
            signals: Mutex::new(signals),
            clear_child_tid: AtomicUsize::new(0),
            robust_list: AtomicUsize::new(0),
            restart_deadline: Mutex::new(None),
            signal_check: AtomicBool::new(true),
            name: Mutex::new(None),
            exec_zapped: AtomicBool::new(false),
            wchan: Mutex::new(""),
            files: Mutex::new(super::shared::dead_files()),
            fs: Mutex::new(super::shared::dead_fs()),
        }))
    }

    /// The thread's command name (/proc/PID/comm, status Name:, PR_GET_NAME).
    pub fn comm(&self) -> alloc::string::String {
        match *self.name.lock() {
            Some(name) => {
                let len = name.iter().position(|&b| b == 0).unwrap_or(name.len());
                alloc::string::String::from_utf8_lossy(&name[..len]).into_owned()
            }
            None => self.process.name(),
        }
    }

    pub fn files(&self) -> Files {
        self.files.lock().clone()
    }

    pub fn fs(&self) -> Arc<FsContext> {
        self.fs.lock().clone()
    }

    /// Drops this task's references to its table and fs context (at its exit): the
    /// files close unless another task shares the table.
    pub(super) fn release_shared(&self) {
        let files = core::mem::replace(&mut *self.files.lock(), super::shared::dead_files());
        if let Some(table) = Arc::into_inner(files) {
            drop(table.lock().close_all());
        }
        drop(core::mem::replace(
            &mut *self.fs.lock(),
            super::shared::dead_fs(),
        ));
    }

    /// Gives this task a private copy of its descriptor table if it shares it
    /// (execve's unshare_files, unshare(CLONE_FILES)); returns the table.
    pub fn unshare_files(&self) -> crate::errno::SysResult<Files> {
        let current = self.files();
        if !super::shared::is_shared_beyond(&current, 2) {
            return Ok(current);
        }
        let copy = super::shared::copy_files(&current)?;
        *self.files.lock() = copy.clone();
        Ok(copy)
    }

    /// Gives this task a private copy of its cwd and umask if it shares them
    /// (unshare(CLONE_FS)).
    pub fn unshare_fs(&self) -> crate::errno::SysResult<()> {
        let current = self.fs();
        if super::shared::is_shared_beyond(&current, 2) {
            *self.fs.lock() = current.copy()?;
        }
        Ok(())
    }

    pub fn tid(&self) -> Pid {
        self.tid.load(Ordering::Relaxed)
    }

    /// Takes over the process's pid (execve from a non-leader thread, as Linux's de_thread).
    pub(super) fn set_tid(&self, tid: Pid) {
        self.tid.store(tid, Ordering::Relaxed);
    }

    /// The saved user registers at the top of this task's kernel stack.
    pub fn trap_frame_ptr(&self) -> *mut TrapFrame {
        self.kstack.frame_ptr()
    }

    pub fn state(&self) -> TaskState {
        *self.state.lock()
    }

    /// Makes the next return to user mode look for signals (call after queueing one
    /// for this thread or changing its mask).
    pub fn recheck_signals(&self) {
        self.signal_check.store(true, Ordering::Release);
    }

    /// Whether a signal may be waiting for this thread (the mark `recheck_signals`
    /// sets), without clearing it.
    pub fn signal_check_pending(&self) -> bool {
        self.signal_check.load(Ordering::Acquire)
    }

    /// The harts this task may run on.
    pub fn affinity(&self) -> usize {
        self.affinity.load(Ordering::Relaxed)
    }

    /// Sets the harts this task may run on; the scheduler moves it at its next switch
    /// (see `sched::affinity_changed`).
    pub fn set_affinity(&self, harts: usize) {
        self.affinity.store(harts, Ordering::Relaxed);
    }

    /// Whether signals need looking at, clearing the mark: what is found pending but
    /// blocked now is looked at again when the mask changes.
    pub fn take_signal_check(&self) -> bool {
        // A plain load first: the flag is almost always clear, and a swap of a byte is
        // a masked atomic read-modify-write on riscv.
        self.signal_check.load(Ordering::Relaxed)
            && self.signal_check.swap(false, Ordering::Acquire)
    }
}
