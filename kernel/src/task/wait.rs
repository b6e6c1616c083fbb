//! Wait queues and timed sleeps.
//!
//! Every blocking call in Rill waits the same way (see `block_on`): mark the task
//! Sleeping, register on the queues it waits for (and the timer list for a deadline),
//! then test the condition once more before giving up the hart. A waker that runs at
//! any point after registration either sees Sleeping and requeues the task, or the
//! re-test sees what the waker did, so no wake-up is lost. A pending signal wakes the
//! task too, and the wait returns ERESTARTSYS for the signal code to turn into EINTR or
//! a restart.

use super::process::Process;
use super::sched::{self, current};
use super::thread::{Task, TaskState};
use crate::arch::spinlock::Mutex;
use crate::errno::{SysResult, ERESTARTSYS, ETIMEDOUT};
use crate::time;
use alloc::collections::BTreeMap;
use alloc::sync::{Arc, Weak};
use core::sync::atomic::{fence, AtomicU64, AtomicUsize, Ordering};
use smallvec::SmallVec;

/// The waiters of one queue. Most queues have one or two at a time, and those live
/// inside the queue: a wait then allocates nothing, and a queue that empties holds no
/// heap memory (a larger crowd spills to the heap and gives it back when woken).
type Waiters = SmallVec<[Arc<Task>; 2]>;

/// Tasks waiting for something to change.
#[derive(Default)]
pub struct WaitQueue {
    waiters: Mutex<Waiters>,
    /// How many waiters there are, so that waking a queue nobody waits on (most wake-ups:
    /// a pipe wakes its writers and pollers after every read) takes no lock.
    count: AtomicUsize,
}

impl WaitQueue {
    pub const fn new() -> Self {
        WaitQueue {
            waiters: Mutex::new(SmallVec::new_const()),
            count: AtomicUsize::new(0),
        }
    }

    /// Wakes every waiter; each re-tests its own condition. The caller has already made
    /// the change the waiters wait for.
    pub fn wake_all(&self) {
        // Pairs with the fence in `add`: either this sees a waiter that registered, or
        // that waiter's test of its condition, made after registering, sees the change.
        fence(Ordering::SeqCst);
        if self.count.load(Ordering::Relaxed) == 0 {
            return;
        }
        let waiters = {
            let mut waiters = self.waiters.lock();
            self.count.store(0, Ordering::Relaxed);
            core::mem::take(&mut *waiters)
        };
        for t in waiters {
            sched::wake(&t);
        }
    }

    /// Blocks until `cond` yields a value; ERESTARTSYS if a signal arrives first. `wchan`
    /// names the wait for /proc/PID/wchan (see `block_on`).
    pub fn wait_until<T>(
        &self,
        wchan: &'static str,
        cond: impl FnMut() -> Option<T>,
    ) -> SysResult<T> {
        block_on(wchan, &[self], None, cond)
    }

    /// Registers `t`; the caller tests its condition afterwards (see `wake_all`).
    fn add(&self, t: &Arc<Task>) {
        {
            let mut waiters = self.waiters.lock();
            waiters.push(t.clone());
            self.count.store(waiters.len(), Ordering::Relaxed);
        }
        fence(Ordering::SeqCst);
    }

    fn remove(&self, t: &Arc<Task>) {
        if self.count.load(Ordering::Relaxed) == 0 {
            // Woken: `wake_all` took every waiter already (it zeroes the count under the
            // lock, before this task can run again).
            return;
        }
        let mut waiters = self.waiters.lock();
        waiters.retain(|w| !Arc::ptr_eq(w, t));
        self.count.store(waiters.len(), Ordering::Relaxed);
        if waiters.spilled() && waiters.len() <= waiters.inline_size() {
            waiters.shrink_to_fit();
        }
    }
}

/// What happens when a timer expires.
enum TimerAction {
    /// Wake a sleeping task.
    Wake(Arc<Task>),
    /// The process's ITIMER_REAL ran out: SIGALRM.
    Alarm(Weak<Process>),
}

/// Timers, keyed by (deadline in timer ticks, sequence number).
static TIMERS: Mutex<BTreeMap<(u64, u64), TimerAction>> = Mutex::new(BTreeMap::new());
static TIMER_SEQ: AtomicU64 = AtomicU64::new(0);

/// Wakes the sleepers whose deadline has passed; returns the next deadline, if any.
pub fn expire_timers(now: u64) -> Option<u64> {
    let mut pending_alarms = alloc::vec::Vec::new();
    let next = expire_locked(now, &mut pending_alarms);
    // Signals are sent outside the timer lock: sending may re-arm the interval timer.
    for (p, key) in pending_alarms {
        crate::signal::itimer_expired(&p, key);
    }
    next.or_else(|| TIMERS.lock().first_key_value().map(|(k, _)| k.0))
}

fn expire_locked(
    now: u64,
    pending_alarms: &mut alloc::vec::Vec<(Arc<Process>, (u64, u64))>,
) -> Option<u64> {
    let mut timers = TIMERS.lock();
    while let Some(entry) = timers.first_entry() {
        if entry.key().0 > now {
            return Some(entry.key().0);
        }
        let key = *entry.key();
        match entry.remove() {
            TimerAction::Wake(t) => {
                sched::wake(&t);
            }
            TimerAction::Alarm(p) => {
                if let Some(p) = p.upgrade() {
                    pending_alarms.push((p, key));
                }
            }
        }
    }
    crate::mm::heap::release_if_empty(&mut timers);
    None
}

/// Arms the ITIMER_REAL of `proc` for tick `deadline`; returns the timer's key.
pub fn add_alarm(proc: &Arc<Process>, deadline: u64) -> (u64, u64) {
    let key = (deadline, TIMER_SEQ.fetch_add(1, Ordering::Relaxed));
    TIMERS
        .lock()
        .insert(key, TimerAction::Alarm(Arc::downgrade(proc)));
    time::arm_deadline(deadline);
    key
}

pub fn cancel_timer(key: (u64, u64)) {
    let mut timers = TIMERS.lock();
    timers.remove(&key);
    crate::mm::heap::release_if_empty(&mut timers);
}

/// Blocks until `cond` yields a value, waiting on all `queues`, until the absolute
/// `deadline` (timer ticks) if given. Errors: ERESTARTSYS on a signal, ETIMEDOUT.
/// `wchan` names what the task waits for ("pipe_read", "msgrcv", ...), as /proc/PID/wchan
/// and `ps` show it while the task sleeps; it is recorded only when the task does sleep,
/// so a call that finds its condition true at once pays nothing for it.
pub fn block_on<T>(
    wchan: &'static str,
    queues: &[&WaitQueue],
    deadline: Option<u64>,
    cond: impl FnMut() -> Option<T>,
) -> SysResult<T> {
    wait(wchan, queues, deadline, false, cond)
}

/// Like `block_on`, but only SIGKILL ends the wait early (Linux's TASK_KILLABLE: a
/// vfork parent cannot be interrupted by ordinary signals).
pub fn block_on_killable<T>(
    wchan: &'static str,
    queues: &[&WaitQueue],
    cond: impl FnMut() -> Option<T>,
) -> SysResult<T> {
    wait(wchan, queues, None, true, cond)
}

fn wait<T>(
    wchan: &'static str,
    queues: &[&WaitQueue],
    deadline: Option<u64>,
    killable_only: bool,
    mut cond: impl FnMut() -> Option<T>,
) -> SysResult<T> {
    // Already true: no need to register anywhere.
    if let Some(v) = cond() {
        return Ok(v);
    }
    let task = current();
    *task.wchan.lock() = wchan;
    loop {
        *task.state.lock() = TaskState::Sleeping;
        for q in queues {
            q.add(&task);
        }
        let timer_key = deadline.map(|d| {
            let key = (d, TIMER_SEQ.fetch_add(1, Ordering::Relaxed));
            TIMERS.lock().insert(key, TimerAction::Wake(task.clone()));
            time::arm_deadline(d);
            key
        });
        let outcome = if let Some(v) = cond() {
            Some(Ok(v))
        } else if if killable_only {
            crate::signal::kill_pending(&task)
        } else {
            crate::signal::interrupting_signal_pending(&task)
        } {
            Some(Err(ERESTARTSYS))
        } else if deadline.is_some_and(|d| time::now_ticks() >= d) {
            Some(Err(ETIMEDOUT))
        } else {
            None
        };
        if outcome.is_none() {
            sched::block();
        } else {
            *task.state.lock() = TaskState::Running;
        }
        for q in queues {
            q.remove(&task);
        }
        if let Some(key) = timer_key {
            cancel_timer(key);
        }
        if let Some(r) = outcome {
            return r;
        }
    }
}

/// Sleeps until the absolute `deadline` in timer ticks; ERESTARTSYS if a signal comes.
pub fn sleep_until(wchan: &'static str, deadline: u64) -> SysResult<()> {
    match block_on(wchan, &[], Some(deadline), || None::<()>) {
        Err(ETIMEDOUT) => Ok(()),
        other => other,
    }
}
