//! Round-robin scheduling on every hart from one shared run queue: a task runs on any
//! hart its affinity allows, with no balancing to do (per-hart queues would keep caches
//! warm, which QEMU does not model; they were not built).
//! Each hart runs `run()` on its boot stack: it takes the first ready task allowed on
//! it (sched_setaffinity) and switches to it; the task switches back when it yields,
//! sleeps or exits. All state changes go through the task's state lock, so a wake-up
//! on one hart and a sleep on another cannot lose each other. A hart with nothing to
//! run waits with `wfi`, and whoever queues a task sends an idle hart an IPI.

use super::thread::{Task, TaskState};
use crate::arch::context::{switch, Context};
use crate::arch::cpu;
use crate::arch::kstack::ContextCell;
use crate::arch::smp;
use crate::arch::spinlock::Mutex;
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use core::sync::atomic::{fence, AtomicUsize, Ordering};

pub const MAX_HARTS: usize = 8;

/// Per-hart scheduler state; `tp` holds the hart's index into `CPUS`.
struct Cpu {
    /// The scheduler loop's own context on this hart.
    idle: ContextCell,
}

static CPUS: [Cpu; MAX_HARTS] = [const {
    Cpu {
        idle: ContextCell::new(Context::new(0, 0)),
    }
}; MAX_HARTS];

/// The task each hart runs (read on every system call, so without a lock).
static CURRENT: cpu::PerHartArc<Task, MAX_HARTS> = cpu::PerHartArc::new();

/// The task a hart has just switched away from, straight to another task, until that
/// task has released it (`finish_switch`).
static PREV: cpu::PerHartArc<Task, MAX_HARTS> = cpu::PerHartArc::new();

static RUN_QUEUE: Mutex<VecDeque<Arc<Task>>> = Mutex::new(VecDeque::new());

/// Harts waiting in their scheduler loop for a task (bit per hart index). A hart sets
/// its bit before it looks at the queue a last time and sleeps; whoever queues a task
/// afterwards clears one bit and sends that hart an IPI.
static IDLE: AtomicUsize = AtomicUsize::new(0);

fn this_cpu() -> &'static Cpu {
    &CPUS[smp::this_hart()]
}

/// Sizes the run queue once at boot for every task there can be: it then never grows,
/// so how many tasks happened to be runnable at once leaves no trace in the heap.
pub fn size_run_queue(tasks: usize) {
    RUN_QUEUE.lock().reserve(tasks);
}

/// The task running on this hart. Only called from task context.
pub fn current() -> Arc<Task> {
    match CURRENT.get() {
        Some(t) => t,
        None => panic!("current() called outside a task"),
    }
}

/// Runs `f` on the task running on this hart, borrowed (no reference count taken):
/// for the paths every system call takes. Only called from task context.
pub fn with_current<R>(f: impl FnOnce(&Task) -> R) -> R {
    CURRENT.with(|t| match t {
        Some(t) => f(t),
        None => panic!("with_current() called outside a task"),
    })
}

/// Whether `task` is the one running on this hart (false in interrupt context with no
/// task, where `with_current` would panic).
pub fn is_current(task: &Task) -> bool {
    CURRENT.is(task)
}

/// Queues a Ready task and wakes an idle hart that may run it.
fn enqueue(task: Arc<Task>) {
    let allowed = task.affinity();
    RUN_QUEUE.lock().push_back(task);
    // With one hart there is no other hart to wake, and this one, if idle, looks at
    // the queue before it sleeps again (see below).
    if smp::single() {
        return;
    }
    // Pairs with the fence in `run`: either the idle hart's last look at the queue
    // finds this task, or this sees its idle bit.
    fence(Ordering::SeqCst);
    let me = 1 << smp::this_hart();
    let mut idle = IDLE.load(Ordering::Relaxed);
    loop {
        // This hart, if idle, is in an interrupt handler and looks at the queue next.
        let candidates = idle & allowed & !me;
        if candidates == 0 {
            return;
        }
        let hart = candidates & candidates.wrapping_neg();
        match IDLE.compare_exchange_weak(idle, idle & !hart, Ordering::AcqRel, Ordering::Relaxed) {
            Ok(_) => return smp::send_ipi(hart),
            Err(now) => idle = now,
        }
    }
}

/// The first queued task allowed on this hart.
fn dequeue() -> Option<Arc<Task>> {
    let me = 1 << smp::this_hart();
    let mut queue = RUN_QUEUE.lock();
    // Nearly always the head is allowed (affinity is rarely set): take it without a scan.
    if queue.front()?.affinity() & me != 0 {
        return queue.pop_front();
    }
    let at = queue.iter().position(|t| t.affinity() & me != 0)?;
    queue.remove(at)
}

/// Whether a task allowed on this hart is queued.
fn work_queued() -> bool {
    let me = 1 << smp::this_hart();
    RUN_QUEUE.lock().iter().any(|t| t.affinity() & me != 0)
}

/// Makes a new task runnable; it inherits its creator's CPU affinity (as fork and
/// clone do on Linux).
pub fn spawn(task: Arc<Task>) {
    if let Some(creator) = CURRENT.get() {
        task.set_affinity(creator.affinity());
    }
    let mut st = task.state.lock();
    *st = TaskState::Ready;
    enqueue(task.clone());
}

/// Makes a task in state `from` runnable again. A task still on a hart (it has not
/// finished switching away, or has not even called `block` yet) is only marked
/// Running: it then carries on, or the scheduler loop requeues it once it has switched
/// away. Only a task that is off every hart goes into the run queue, so a task is never
/// queued twice or resumed on two harts.
fn make_runnable(task: &Arc<Task>, from: TaskState) -> bool {
    let mut st = task.state.lock();
    if *st != from {
        return false;
    }
    if task.on_cpu.load(Ordering::Acquire) {
        *st = TaskState::Running;
    } else {
        *st = TaskState::Ready;
        enqueue(task.clone());
    }
    true
}

/// Wakes a sleeping task. Returns whether it was sleeping. A task running on another
/// hart with a signal to look at gets an IPI: the signal then interrupts its user code
/// at once instead of at that hart's next tick.
pub fn wake(task: &Arc<Task>) -> bool {
    if make_runnable(task, TaskState::Sleeping) {
        return true;
    }
    // With one hart a running task is this one, which looks at its signals on its
    // way back to user mode anyway.
    if !smp::single() && task.signal_check_pending() && task.on_cpu.load(Ordering::Acquire) {
        interrupt_elsewhere(task);
    }
    false
}

/// Sends an IPI to the hart running `task`, if that is another one.
fn interrupt_elsewhere(task: &Arc<Task>) {
    if let Some(hart) = CURRENT.position(Arc::as_ptr(task)) {
        if hart != smp::this_hart() {
            smp::send_ipi(1 << hart);
        }
    }
}

/// A software interrupt taken in user mode: the IPI itself has done its work (the
/// return to user mode looks for signals); a task that may no longer run on this hart
/// (sched_setaffinity from elsewhere) moves.
pub fn user_ipi() {
    smp::clear_ipi();
    if current().affinity() & (1 << smp::this_hart()) == 0 {
        schedule_yield();
    }
}

/// Moves the current task off this hart if its affinity no longer allows it; tells
/// the hart running `task` to look (sched_setaffinity).
pub fn affinity_changed(task: &Arc<Task>) {
    let me = smp::this_hart();
    if Arc::ptr_eq(task, &current()) {
        if task.affinity() & (1 << me) == 0 {
            schedule_yield();
        }
    } else if task.on_cpu.load(Ordering::Acquire) {
        interrupt_elsewhere(task);
    }
}

/// Resumes a task stopped by job control.
pub fn resume_stopped(task: &Arc<Task>) {
    make_runnable(task, TaskState::Stopped);
}

/// Sets the current task's state before it calls `block`.
pub fn set_current_state(state: TaskState) {
    with_current(|task| *task.state.lock() = state);
}

/// Gives up the hart with the state the caller set (Sleeping, Stopped or Dead).
/// Returns when the task runs again.
///
/// If another task is ready, the hart switches straight to it (a wake-up followed by a
/// block, as in every IPC round trip, then costs one switch instead of two through the
/// scheduler loop); the task switched to finishes the switch for this one
/// (`finish_switch`). Otherwise the hart goes back to its scheduler loop to wait.
pub fn block() {
    // Borrowed, not counted: a dead task's stack is never resumed, and the Arc held by
    // the hart keeps the task alive until the switch is complete.
    let ctx = with_current(|task| {
        super::cputime::switch_out(task);
        // The FPU registers still hold what was last saved or loaded unless the
        // program wrote them since (the kernel itself never does).
        if cpu::fpu_dirty() {
            task.fp.lock().save();
        }
        task.ctx.as_ptr()
    });
    match dequeue() {
        // `ctx` stays valid: the hart holds the task as `current` until it has switched.
        None => switch(ctx, this_cpu().idle.as_ptr()),
        Some(next) => {
            let next_ctx = start_running(&next);
            if let Some(prev) = CURRENT.replace(Some(next)) {
                // Kept alive (and its stack with it) until the next task has switched.
                PREV.replace(Some(prev));
            }
            switch(ctx, next_ctx);
        }
    }
    finish_switch();
    with_current(|task| task.fp.lock().restore());
}

/// Marks a task taken from the run queue Running on this hart and installs its address
/// space; returns its saved context. Queued tasks are Ready and off every hart (see
/// `make_runnable`), so no other hart is on its stack.
fn start_running(task: &Task) -> *mut Context {
    {
        let mut st = task.state.lock();
        *st = TaskState::Running;
        task.on_cpu.store(true, Ordering::Release);
    }
    task.process.activate_address_space();
    task.ctx.as_ptr()
}

/// Completes a switch away from `prev`, now that its stack is no longer in use: it may
/// run on another hart from here on, and goes back to the run queue if it only yielded
/// (or was woken while still on this hart).
fn release(prev: Arc<Task>) {
    // Clearing on_cpu under the state lock orders it with `make_runnable`: a waker
    // either saw the task on the hart (and left it to us) or queues it itself.
    let mut st = prev.state.lock();
    prev.on_cpu.store(false, Ordering::Release);
    // Running means the task yielded, or was woken while still on this hart;
    // Sleeping/Stopped tasks wait for a wake-up, Dead ones for nothing.
    match *st {
        TaskState::Running => {
            *st = TaskState::Ready;
            enqueue(prev.clone());
        }
        TaskState::Dead => {
            drop(st);
            // Freed here (stack and all) unless someone else still holds it, and
            // only then counted out.
            if smp::single() {
                drop(prev);
            } else {
                let proc = prev.process.clone();
                drop(prev);
                proc.exits_unreleased.fetch_sub(1, Ordering::Release);
            }
        }
        _ => {}
    }
}

/// The current task is about to make its exit visible (its process a zombie, or its
/// thread gone for those who wait on that) and will then only switch away for good.
pub fn exit_visible() {
    // With one hart nobody can look before the exiting task has switched away and
    // `release` has freed it: the task that reaps runs only after that switch. The
    // count (and the reaper's wait on it) is kept for several harts only.
    if !smp::single() {
        with_current(|t| t.process.exits_unreleased.fetch_add(1, Ordering::AcqRel));
    }
}

/// Waits until every task of `proc` whose exit was made visible has been switched
/// away from and freed, so that its reaper sees the memory of what it reaped back
/// (MemFree and the heap are exact). Such a task runs on another hart, never sleeps
/// again and is only finishing its switch: the wait is short and bounded by that
/// process alone (other processes' exits do not hold it up), and none on one hart.
pub fn wait_exits_released(proc: &super::Process) {
    // One hart: the count is not kept (see `exit_visible`).
    if smp::single() {
        return;
    }
    while proc.exits_unreleased.load(Ordering::Acquire) != 0 {
        core::hint::spin_loop();
    }
}

/// The first thing a task does when a switch lands on it: releases the task this hart
/// switched away from directly (see `block`). Every task's first kernel code
/// (`task_start`) calls it too; init's first run comes from the scheduler loop, which
/// leaves nothing to finish.
pub fn finish_switch() {
    if let Some(prev) = PREV.replace(None) {
        release(prev);
    }
}

/// Puts the current task back in the run queue and runs another (preemption, sched_yield).
pub fn schedule_yield() {
    set_current_state(TaskState::Running);
    block();
}

/// Lets `task`, just woken by the current one, run first when it is the only task
/// waiting for a hart: the current task goes back to the queue behind it. When others
/// wait too nothing happens, so they keep their turn (a pipe writer that handed a parked
/// reader a large piece, see ipc/pipe).
pub fn yield_to(task: &Arc<Task>) {
    let alone = {
        let queue = RUN_QUEUE.lock();
        queue.len() == 1 && queue.front().is_some_and(|t| Arc::ptr_eq(t, task))
    };
    if alone {
        schedule_yield();
    }
}

/// The scheduler loop of one hart; never returns.
pub fn run() -> ! {
    let cpu = this_cpu();
    let me = 1 << smp::this_hart();
    loop {
        let Some(task) = dequeue() else {
            // Idle: leave the last task's address space (so it can be freed), say so,
            // then look once more before sleeping. A task queued after that look finds
            // the bit and sends an IPI, which ends the `wfi` (or keeps it from sleeping).
            crate::mm::tlb::deactivate();
            IDLE.fetch_or(me, Ordering::SeqCst);
            fence(Ordering::SeqCst);
            if !work_queued() {
                cpu::wait_for_interrupt();
            }
            IDLE.fetch_and(!me, Ordering::SeqCst);
            continue;
        };
        let ctx = start_running(&task);
        CURRENT.replace(Some(task));
        super::cputime::switch_in();
        // The task's context was made by `Task::new` or saved by `block`, and
        // `CURRENT` keeps the task alive until it switches back.
        switch(cpu.idle.as_ptr(), ctx);
        // The task that switched back here (not necessarily the one started above, if
        // tasks switched among themselves in between).
        let Some(prev) = CURRENT.replace(None) else {
            continue;
        };
        release(prev);
    }
}
