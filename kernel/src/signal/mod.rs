//! POSIX signals: dispositions, masks, pending queues, generation and delivery.
//!
//! Generation (`send_*`) records a signal as pending and wakes the target; delivery
//! happens on the way back to user mode (`deliver_pending`), where the kernel takes the
//! next deliverable signal and performs its default action or runs its handler.
//! The pure rules (sets, queues, default actions) live in the host-tested `rill-signal`.

use crate::arch::spinlock::Mutex;
use crate::errno::{Errno, SysResult, EAGAIN, ESRCH};
use crate::task::exit::{self, signal_status};
use crate::task::process::{self, JobEvent};
use crate::task::{sched, Pid, Process, Task};
use crate::ucount::UserCounts;
use alloc::sync::Arc;
use linux_raw_sys::general as g;
use rill_signal::{Admission, Origin};
pub use rill_signal::{DefaultAction, PendingQueue, SigSet, Signal};

pub mod action;
pub mod deliver;
pub mod signalfd;

pub use action::SigAction;
pub use deliver::{deliver_after_syscall, deliver_pending, exit_work_pending};

/// The default RLIMIT_SIGPENDING (soft and hard): how many signals may be queued with
/// their information for all the processes of one user. Linux derives its default from
/// memory (max_threads / 2, about RAM / 256 KiB on riscv64, so ~2000 for 512 MiB); Rill
/// keeps a fixed value of that order. A process may lower its own with setrlimit/prlimit.
pub const RLIMIT_SIGPENDING: usize = 1024;

/// Signals queued with their information, per receiving user (Linux's
/// UCOUNT_RLIMIT_SIGPENDING).
static SIGPENDING: UserCounts = UserCounts::new();

/// One queued signal counted against its receiver's user (Linux's `sigqueue->ucounts`).
/// The count is given back when the entry goes: delivered, discarded, or flushed at exit.
pub struct SigCharge {
    uid: u32,
}

impl Drop for SigCharge {
    fn drop(&mut self) {
        SIGPENDING.sub(self.uid, 1);
    }
}

/// A pending queue's entry: the signal's information and the count it holds.
pub struct Queued {
    pub info: SigInfo,
    _charge: SigCharge,
}

/// The information of a dequeued signal; one pending without an entry is reported as
/// Linux's `collect_signal` does: SI_USER from pid 0, uid 0.
fn info_of(entry: Option<Queued>) -> SigInfo {
    entry.map_or(
        SigInfo {
            code: g::SI_USER as i32,
            ..Default::default()
        },
        |q| q.info,
    )
}

/// Takes the next signal outside `blocked` from `queue`, with its information.
pub fn dequeue(queue: &mut PendingQueue<Queued>, blocked: SigSet) -> Option<(Signal, SigInfo)> {
    queue.dequeue(blocked).map(|(sig, q)| (sig, info_of(q)))
}

/// Who sent a signal with `info`, for the queue-limit rules.
fn origin(info: &SigInfo) -> Origin {
    match info.code {
        c if c == g::SI_USER as i32 => Origin::Kill,
        c if c == g::SI_KERNEL as i32 => Origin::Kernel,
        c if c > 0 => Origin::Event,
        _ => Origin::Queue,
    }
}

/// The `entry` function for a signal to `receiver`: charges the receiver's user, within
/// the receiver's RLIMIT_SIGPENDING unless the sender is exempt, and the kernel heap the
/// queue grows by.
fn admit(receiver: &Process, info: SigInfo) -> impl FnOnce(Admission) -> Option<Queued> {
    let uid = receiver.creds.lock().uid;
    let limit = receiver.rlimits.lock()[g::RLIMIT_SIGPENDING as usize].rlim_cur;
    move |a| {
        let count = SIGPENDING.add(uid, 1).ok()?;
        // From here on, dropping the charge gives the count back.
        let charge = SigCharge { uid };
        if count as u64 > limit && !a.exempt_from_limit {
            return None;
        }
        if a.bytes != 0 {
            crate::mm::heap::reserve(a.bytes).ok()?;
        }
        Some(Queued {
            info,
            _charge: charge,
        })
    }
}

/// What accompanies a signal: the fields of `siginfo_t` Rill fills.
#[derive(Clone, Copy, Debug, Default)]
pub struct SigInfo {
    pub code: i32,
    pub pid: u32,
    pub uid: u32,
    /// SIGCHLD: exit code or signal; SIGSEGV etc.: unused.
    pub status: i32,
    /// Faulting address (SIGSEGV, SIGBUS, SIGILL).
    pub addr: usize,
    /// sigqueue's value.
    pub value: usize,
}

impl SigInfo {
    /// Sent by the kernel itself (terminal keys, SIGPIPE).
    pub fn kernel(_sig: Signal) -> SigInfo {
        SigInfo {
            code: g::SI_KERNEL as i32,
            ..Default::default()
        }
    }
    /// Sent by kill(2) from `sender`.
    pub fn user(sender: &Process) -> SigInfo {
        SigInfo {
            code: g::SI_USER as i32,
            pid: sender.pid,
            uid: sender.creds.lock().uid,
            ..Default::default()
        }
    }
}

/// The handler table: shared by the processes cloned with CLONE_SIGHAND (Linux's
/// sighand_struct), always by the threads of one process.
pub type Handlers = Arc<Mutex<[SigAction; 64]>>;

/// Per-process signal state: the dispositions and the process-wide pending queue.
pub struct ProcessSignals {
    actions: Handlers,
    pub shared: PendingQueue<Queued>,
}

impl Default for ProcessSignals {
    fn default() -> Self {
        ProcessSignals {
            actions: Arc::new(Mutex::new([SigAction::default(); 64])),
            shared: PendingQueue::new(),
        }
    }
}

impl ProcessSignals {
    pub fn action(&self, sig: Signal) -> SigAction {
        self.actions.lock()[sig.number() as usize - 1]
    }
    pub fn set_action(&mut self, sig: Signal, act: SigAction) {
        self.actions.lock()[sig.number() as usize - 1] = act;
    }
    /// Installs `act` for `sig` and returns the action it replaces.
    pub fn swap_action(&mut self, sig: Signal, act: SigAction) -> SigAction {
        core::mem::replace(&mut self.actions.lock()[sig.number() as usize - 1], act)
    }
    /// Whether another process shares the handler table (CLONE_SIGHAND).
    pub fn handlers_shared(&self) -> bool {
        Arc::strong_count(&self.actions) > 1
    }
    /// A child's signal state: no pending signals (fork(2)), and its creator's handler
    /// table with `share` (CLONE_SIGHAND), else a copy of it.
    pub fn fork(&self, share: bool) -> SysResult<ProcessSignals> {
        let actions = if share {
            self.actions.clone()
        } else {
            crate::mm::heap::reserve(core::mem::size_of::<[SigAction; 64]>())?;
            Arc::new(Mutex::new(*self.actions.lock()))
        };
        Ok(ProcessSignals {
            actions,
            shared: PendingQueue::new(),
        })
    }
    /// execve resets caught signals to their default; ignored ones stay ignored. A
    /// table shared with another process is left to it: this one gets its own copy
    /// (Linux's de_thread).
    pub fn reset_for_exec(&mut self) {
        if Arc::strong_count(&self.actions) > 1 {
            // Past exec's point of no return: the 2 KiB come from the kernel's reserve.
            let copy = *self.actions.lock();
            self.actions = Arc::new(Mutex::new(copy));
        }
        // Flags and sa_mask are cleared too, even for SIG_IGN (flush_signal_handlers).
        for a in self.actions.lock().iter_mut() {
            let handler = if a.is_ignore() { a.handler } else { 0 };
            *a = SigAction {
                handler,
                ..SigAction::default()
            };
        }
    }
}

/// Per-thread signal state: the blocked mask, the thread's own pending queue and the
/// alternate signal stack.
pub struct ThreadSignals {
    pub blocked: SigSet,
    /// The mask in force before a sigtimedwait unblocked the signals it waits for.
    pub real_blocked: SigSet,
    pub pending: PendingQueue<Queued>,
    pub altstack: AltStack,
    /// The mask to restore after a handler run by sigsuspend/ppoll returns.
    pub saved_mask: Option<SigSet>,
}

impl Default for ThreadSignals {
    fn default() -> Self {
        ThreadSignals {
            blocked: SigSet::EMPTY,
            real_blocked: SigSet::EMPTY,
            pending: PendingQueue::new(),
            altstack: AltStack::default(),
            saved_mask: None,
        }
    }
}

impl ThreadSignals {
    pub fn fork(&self) -> ThreadSignals {
        ThreadSignals {
            blocked: self.blocked,
            altstack: self.altstack,
            ..Default::default()
        }
    }
}

/// The alternate signal stack (sigaltstack(2)); size 0 means none.
#[derive(Clone, Copy, Debug, Default)]
pub struct AltStack {
    pub sp: usize,
    pub size: usize,
}

impl AltStack {
    /// Whether `sp` lies on this stack.
    pub fn contains(&self, sp: usize) -> bool {
        self.size != 0 && sp > self.sp && sp - self.sp <= self.size
    }
}

/// Whether `task` has a pending signal that should interrupt a blocking call (or its
/// group is stopping: a sleeping thread stops too, and its call restarts after SIGCONT).
pub fn interrupting_signal_pending(task: &Task) -> bool {
    if task
        .process
        .group_stop
        .load(core::sync::atomic::Ordering::Acquire)
    {
        return true;
    }
    let blocked = task.signals.lock().blocked;
    if task.signals.lock().pending.has_deliverable(blocked) {
        return true;
    }
    task.process.signals.lock().shared.has_deliverable(blocked)
}

/// Whether SIGKILL is pending for `task` (it ends even uninterruptible-by-signals waits).
pub fn kill_pending(task: &Task) -> bool {
    task.signals.lock().pending.is_pending(Signal::SIGKILL)
        || task
            .process
            .signals
            .lock()
            .shared
            .is_pending(Signal::SIGKILL)
}

/// Whether the disposition makes `sig` have no effect at all (so it is discarded at
/// generation, as Linux's sig_ignored()).
fn ignored_at_generation(proc: &Process, sig: Signal) -> bool {
    let act = proc.signals.lock().action(sig);
    // init ignores every signal it has no handler for, SIGKILL included.
    if proc.pid == 1 && !act.is_handler() {
        return true;
    }
    act.is_ignore() || (act.is_default() && sig.default_action() == DefaultAction::Ignore)
}

/// True when `sig` is ignored or blocked by the current thread (terminal job control).
pub fn is_ignored_or_blocked(proc: &Process, sig: Signal) -> bool {
    let blocked = crate::task::current().signals.lock().blocked;
    proc.signals.lock().action(sig).is_ignore() || blocked.contains(sig)
}

/// Sends `sig` to a whole process (kill(2)): it is pending process-wide and taken by
/// one thread that does not block it.
pub fn send_to_process(proc: &Arc<Process>, sig: Signal, info: SigInfo) -> SysResult<()> {
    send(proc, sig, info, None)
}

/// Sends `sig` to one thread (tkill, tgkill, raise): it is pending for that thread only.
/// SIGKILL always ends the whole process, so it is pending process-wide: a thread
/// already dying for another thread's execve cannot take it and lose it.
pub fn send_to_thread(task: &Arc<Task>, sig: Signal, info: SigInfo) -> SysResult<()> {
    let target = (sig != Signal::SIGKILL).then_some(task);
    send(&task.process, sig, info, target)
}

/// SIGCONT resumes every stopped thread and discards pending stop signals; a stop
/// signal discards a pending SIGCONT (signal(7), "prepare_signal" in Linux). SIGKILL
/// resumes stopped threads so they can die.
fn prepare(proc: &Arc<Process>, sig: Signal) {
    if sig == Signal::SIGCONT {
        proc.signals.lock().shared.remove_set(SigSet::STOP);
        let mut continued = proc
            .group_stop
            .swap(false, core::sync::atomic::Ordering::AcqRel);
        for t in proc.threads.lock().iter() {
            t.signals.lock().pending.remove_set(SigSet::STOP);
            if t.state() == crate::task::thread::TaskState::Stopped {
                sched::resume_stopped(t);
                continued = true;
            }
        }
        if continued {
            *proc.job_event.lock() = Some(JobEvent::Continued);
            if let Some(parent) = proc.parent.lock().upgrade() {
                notify_parent(
                    &parent,
                    proc,
                    g::CLD_CONTINUED as i32,
                    Signal::SIGCONT.number() as i32,
                );
            }
        }
    } else if SigSet::STOP.contains(sig) {
        proc.signals.lock().shared.remove(Signal::SIGCONT);
        for t in proc.threads.lock().iter() {
            t.signals.lock().pending.remove(Signal::SIGCONT);
        }
    } else if sig == Signal::SIGKILL {
        for t in proc.threads.lock().iter() {
            sched::resume_stopped(t);
        }
    }
}

fn send(
    proc: &Arc<Process>,
    sig: Signal,
    info: SigInfo,
    target: Option<&Arc<Task>>,
) -> SysResult<()> {
    if proc.is_zombie() {
        return Ok(());
    }
    // The thread whose mask decides whether an ignored signal is kept.
    let Some(task) = target.cloned().or_else(|| proc.main_thread()) else {
        return Ok(());
    };
    prepare(proc, sig);
    let (blocked, real_blocked) = {
        let ts = task.signals.lock();
        (ts.blocked, ts.real_blocked)
    };
    // A blocked signal stays pending even if ignored (the mask may change later); so
    // does one a sigtimedwait is waiting for (real_blocked, as in Linux).
    if !blocked.union(real_blocked).contains(sig) && ignored_at_generation(proc, sig) {
        return Ok(());
    }
    // Past the receiver's limit the signal is still made pending, without its
    // information, unless it is a realtime one whose information the sender chose:
    // that one fails with EAGAIN (Linux's __send_signal_locked).
    let entry = admit(proc, info);
    let queued = if target.is_some() {
        task.signals
            .lock()
            .pending
            .enqueue(sig, origin(&info), entry)
    } else {
        proc.signals
            .lock()
            .shared
            .enqueue(sig, origin(&info), entry)
    };
    if queued.is_err() {
        return Err(EAGAIN);
    }
    signalfd::signal_queued();
    if target.is_some() {
        task.recheck_signals();
        if !blocked.contains(sig) {
            sched::wake(&task);
        }
        return Ok(());
    }
    // Every thread may take it on its way to user mode; the first one that does not
    // block it is woken to do so (Linux's complete_signal).
    let mut woken = false;
    for t in proc.threads.lock().iter() {
        t.recheck_signals();
        if !woken && !t.signals.lock().blocked.contains(sig) {
            // The sender itself (kill(getpid())) is running and looks on its way out.
            if !sched::is_current(t) {
                sched::wake(t);
            }
            woken = true;
        }
    }
    Ok(())
}

/// Makes `task` die as by SIGKILL (exit_group, execve by another thread).
pub fn kill_thread(task: &Arc<Task>) {
    queue_on_thread(task, Signal::SIGKILL, SigInfo::kernel(Signal::SIGKILL));
    sched::resume_stopped(task);
    sched::wake(task);
}

/// Sends `sig` to every process in group `pgid`; ESRCH if there is none.
pub fn send_to_group(pgid: Pid, sig: Signal, info: SigInfo) -> SysResult<()> {
    let members: alloc::vec::Vec<_> = process::all()
        .into_iter()
        .filter(|p| p.pgid() == pgid && !p.is_zombie())
        .collect();
    if members.is_empty() {
        return Err(ESRCH);
    }
    for p in members {
        send_to_process(&p, sig, info)?;
    }
    Ok(())
}

/// Sends a kernel-generated synchronous signal (a fault) to the current thread.
pub fn force_fault(sig: Signal, code: i32, addr: usize) {
    let task = crate::task::current();
    let info = SigInfo {
        code,
        addr,
        ..Default::default()
    };
    // A fault cannot be blocked or ignored usefully: Linux resets the disposition to
    // default when the signal is blocked or ignored (force_sig_info), so the process dies.
    {
        let mut sigs = task.signals.lock();
        let mut psigs = task.process.signals.lock();
        let act = psigs.action(sig);
        if sigs.blocked.contains(sig) || act.is_ignore() {
            psigs.set_action(sig, SigAction::default());
            sigs.blocked.remove(sig);
        }
    }
    queue_on_thread(&task, sig, info);
}

/// Discards everything pending for an exiting process, so that its queued signals stop
/// counting against its user while it waits to be reaped (Linux's __exit_signal).
pub fn flush_pending(task: &Task) {
    task.signals.lock().pending.clear();
    task.process.signals.lock().shared.clear();
}

fn notify_parent(parent: &Arc<Process>, child: &Process, code: i32, status: i32) {
    let act = parent.signals.lock().action(Signal::SIGCHLD);
    if (code == g::CLD_STOPPED as i32 || code == g::CLD_CONTINUED as i32)
        && act.flags & g::SA_NOCLDSTOP as u64 != 0
    {
        return;
    }
    let info = SigInfo {
        code,
        pid: child.pid,
        uid: child.creds.lock().uid,
        status,
        ..Default::default()
    };
    let _ = send_to_process(parent, Signal::SIGCHLD, info);
}

/// Tells the parent that `child` exited with wait status `status`.
pub fn notify_parent_exit(parent: &Arc<Process>, child: &Process, status: i32) {
    let (code, st) = if status & 0x7f == 0 {
        (g::CLD_EXITED as i32, (status >> 8) & 0xff)
    } else if status & 0x80 != 0 {
        (g::CLD_DUMPED as i32, status & 0x7f)
    } else {
        (g::CLD_KILLED as i32, status & 0x7f)
    };
    notify_parent(parent, child, code, st);
}

/// Whether `parent` leaves no zombies (SIGCHLD set to SIG_IGN, or SA_NOCLDWAIT).
pub fn parent_reaps_automatically(parent: &Process) -> bool {
    let act = parent.signals.lock().action(Signal::SIGCHLD);
    act.is_ignore() || act.has(g::SA_NOCLDWAIT)
}

/// POSIX orphaned process groups: when group `pgid` has no member whose parent is in
/// another group of the same session, and some member is stopped, every member gets
/// SIGHUP then SIGCONT so it is not left stopped with nobody to continue it.
pub fn hangup_if_orphaned(pgid: Pid, sid: Pid) {
    let all = process::all();
    let members: alloc::vec::Vec<_> = all
        .iter()
        .filter(|p| p.pgid() == pgid && !p.is_zombie())
        .collect();
    if members.is_empty() || members.iter().any(|p| p.sid() != sid) {
        return;
    }
    let linked = members.iter().any(|p| {
        p.parent
            .lock()
            .upgrade()
            .is_some_and(|par| !par.is_zombie() && par.pgid() != pgid && par.sid() == p.sid())
    });
    let stopped = members
        .iter()
        .any(|p| p.group_stop.load(core::sync::atomic::Ordering::Acquire));
    if !linked && stopped {
        let _ = send_to_group(pgid, Signal::SIGHUP, SigInfo::kernel(Signal::SIGHUP));
        let _ = send_to_group(pgid, Signal::SIGCONT, SigInfo::kernel(Signal::SIGCONT));
    }
}

/// Tells the parent that `child` stopped with `sig`.
pub fn notify_parent_stop(parent: &Arc<Process>, child: &Process, sig: Signal) {
    notify_parent(parent, child, g::CLD_STOPPED as i32, sig.number() as i32);
}

/// The signal masks /proc/PID/status shows.
pub struct Masks {
    pub thread_pending: u64,
    pub shared_pending: u64,
    pub blocked: u64,
    pub ignored: u64,
    pub caught: u64,
    /// Signals queued for the process's user, and the process's RLIMIT_SIGPENDING (SigQ).
    pub queued: usize,
    pub queue_limit: u64,
}

pub fn proc_masks(p: &Process) -> Masks {
    let (thread_pending, blocked) = p.main_thread().map_or((0, 0), |t| {
        let s = t.signals.lock();
        (s.pending.pending_set().bits(), s.blocked.bits())
    });
    let uid = p.creds.lock().uid;
    let queue_limit = p.rlimits.lock()[g::RLIMIT_SIGPENDING as usize].rlim_cur;
    let ps = p.signals.lock();
    let mut ignored = 0u64;
    let mut caught = 0u64;
    for sig in Signal::all() {
        let a = ps.action(sig);
        if a.is_ignore() {
            ignored |= SigSet::single(sig).bits();
        } else if a.is_handler() {
            caught |= SigSet::single(sig).bits();
        }
    }
    Masks {
        thread_pending,
        shared_pending: ps.shared.pending_set().bits(),
        blocked,
        ignored,
        caught,
        queued: SIGPENDING.get(uid),
        queue_limit,
    }
}

/// Performs the default action of `sig` for the current process (no handler).
/// Returns only when the action lets the process continue (ignore, continue, a stop
/// that ended).
pub fn default_action(sig: Signal) {
    match sig.default_action() {
        DefaultAction::Ignore | DefaultAction::Continue => {}
        DefaultAction::Terminate => exit::exit_group(signal_status(sig, false)),
        DefaultAction::CoreDump => {
            let core = crate::task::current_process().core_limit() > 0;
            exit::exit_group(signal_status(sig, core))
        }
        DefaultAction::Stop => stop_current(sig),
    }
}

/// Stops the current thread group until SIGCONT (or SIGKILL) arrives: this thread
/// now, the others on their way back to user mode (sleeping ones are woken for it, and
/// their calls restart or fail with EINTR as after any signal without handler).
fn stop_current(sig: Signal) {
    let task = crate::task::current();
    let proc = task.process.clone();
    *proc.job_event.lock() = Some(JobEvent::Stopped(sig.number()));
    if let Some(parent) = proc.parent.lock().upgrade() {
        notify_parent_stop(&parent, &proc, sig);
        parent.child_wait.wake_all();
    }
    // A SIGCONT that raced ahead of us leaves the process running.
    if proc.signals.lock().shared.is_pending(Signal::SIGCONT) {
        return;
    }
    proc.group_stop
        .store(true, core::sync::atomic::Ordering::Release);
    for t in proc.threads.lock().iter() {
        t.recheck_signals();
        if !Arc::ptr_eq(t, &task) {
            sched::wake(t);
        }
    }
    drop(proc);
    stop_if_group_stopped(&task);
}

/// Stops the calling thread while its group is stopped (called on the way back to
/// user mode); returns once SIGCONT or SIGKILL has resumed it.
#[inline]
pub fn stop_if_group_stopped(task: &Task) {
    // Nearly always the group runs: one load, no count taken. Seeing the flag clear
    // without the lock is safe: a stop that sets it afterwards makes every thread look
    // again (`recheck_signals`).
    if task
        .process
        .group_stop
        .load(core::sync::atomic::Ordering::Acquire)
    {
        stop_for_group(task);
    }
}

#[inline(never)]
fn stop_for_group(task: &Task) {
    let proc = task.process.clone();
    {
        let mut st = task.state.lock();
        // SIGCONT clears the flag before resuming threads: checked under our state
        // lock, either we see it cleared or its resume finds us Stopped.
        if !proc.group_stop.load(core::sync::atomic::Ordering::Acquire) || kill_pending(task) {
            return;
        }
        *st = crate::task::thread::TaskState::Stopped;
    }
    sched::block();
    let parent = proc.parent.lock().upgrade();
    if let Some(parent) = parent {
        parent.child_wait.wake_all();
    }
}

/// Queues `sig` on `task`'s own queue, its entry charged to the process's user (a full
/// queue keeps the signal pending without its information).
fn queue_on_thread(task: &Task, sig: Signal, info: SigInfo) {
    let entry = admit(&task.process, info);
    let _ = task
        .signals
        .lock()
        .pending
        .enqueue(sig, origin(&info), entry);
    task.recheck_signals();
    signalfd::signal_queued();
}

/// Converts a raw signal number from user space, rejecting 0 and out-of-range values.
pub fn signal_from_user(n: usize) -> Result<Signal, Errno> {
    u32::try_from(n)
        .ok()
        .and_then(Signal::new)
        .ok_or(crate::errno::EINVAL)
}

/// Sends `sig` to the calling thread only (SIGPIPE, like Linux's send_sig(current)).
pub fn send_to_current_thread(sig: Signal, info: SigInfo) {
    let task = crate::task::current();
    if ignored_at_generation(&task.process, sig) && !task.signals.lock().blocked.contains(sig) {
        return;
    }
    queue_on_thread(&task, sig, info);
}

/// ITIMER_REAL state of a process: the pending timer and its reload interval.
#[derive(Default, Clone, Copy)]
pub struct RealTimer {
    pub key: Option<(u64, u64)>,
    pub interval: u64,
}

/// The real-time interval timer with `key` ran out: send SIGALRM and re-arm if
/// periodic. A timer that setitimer replaced or cancelled after it left the timer list,
/// but before this took the lock (another hart's setitimer), sends nothing: as on
/// Linux, no SIGALRM comes after setitimer has returned.
pub fn itimer_expired(proc: &Arc<Process>, key: (u64, u64)) {
    let mut t = proc.real_timer.lock();
    if t.key != Some(key) {
        return;
    }
    t.key = None;
    if t.interval != 0 {
        let next = crate::time::now_ticks() + t.interval;
        t.key = Some(crate::task::wait::add_alarm(proc, next));
    }
    drop(t);
    let _ = send_to_process(proc, Signal::SIGALRM, SigInfo::kernel(Signal::SIGALRM));
}

/// Installs the current thread's alternate signal stack, for sigaltstack(2) and for
/// rt_sigreturn's `uc_stack`; `user_sp` is the stack pointer the caller runs on.
pub fn set_altstack(user_sp: usize, sp: usize, flags: u32, size: usize) -> SysResult<()> {
    let task = crate::task::current();
    let mut ts = task.signals.lock();
    if ts.altstack.contains(user_sp) {
        return Err(crate::errno::EPERM);
    }
    // Linux accepts SS_ONSTACK here and treats it as 0.
    let mode = flags & !g::SS_AUTODISARM;
    if mode != 0 && mode != g::SS_ONSTACK && mode != g::SS_DISABLE {
        return Err(crate::errno::EINVAL);
    }
    if mode == g::SS_DISABLE {
        ts.altstack = AltStack::default();
    } else {
        if size < g::MINSIGSTKSZ as usize {
            return Err(crate::errno::ENOMEM);
        }
        ts.altstack = AltStack { sp, size };
    }
    Ok(())
}
