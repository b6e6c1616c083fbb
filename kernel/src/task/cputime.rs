//! CPU time accounting per thread and process, and the CPU-time interval timers
//! (ITIMER_VIRTUAL, ITIMER_PROF).
//!
//! Tick-based, as Linux's default: system calls and other traps stamp nothing (reading
//! the `time` CSR is costly under QEMU, and most calls would pay it twice). Each hart
//! keeps the tick at which it last charged the task it runs; the time since goes to
//! that task's counters at the next accounting point, as user or system time by what
//! that point found:
//! - a timer interrupt taken in user mode charges it as user time;
//! - the task leaving the hart (it blocks, or the tick preempts it after charging its
//!   user time) charges it as system time: switches happen only in the kernel.
//!
//! A thread's user plus system time is therefore exactly the time it ran; how it splits
//! is sampled, a tick (10 ms) at a time. The kernel runs with interrupts masked, so a
//! tick that comes during a system call is taken right after it, in user mode: as with
//! Linux's tick sampling, a program's short stays in either mode can land on the other
//! side. The CPU-time clocks add the running thread's time since the last charge to the
//! counters (`running_ticks`), so they are exact to the call; getrusage and times first
//! charge the caller (`charge_caller`), so they are exact for it and monotonic in each
//! part.
//! The timers are checked on the way back to user mode after a charge when one is
//! armed: a busy program is preempted (and charged) at every tick.

use super::sched::MAX_HARTS;
use super::{Process, Task};
use crate::arch::cpu;
use crate::arch::spinlock::Mutex;
use crate::signal::{self, SigInfo, Signal};
use crate::time::now_ticks;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The tick at which each hart last charged the task it runs. Only the hart itself
/// touches its own.
static STAMPS: [AtomicU64; MAX_HARTS] = [const { AtomicU64::new(0) }; MAX_HARTS];

fn stamp() -> &'static AtomicU64 {
    &STAMPS[cpu::read_tp() % MAX_HARTS]
}

/// The time since this hart's last charge, restarting the count from now.
fn take_elapsed() -> u64 {
    let now = now_ticks();
    let stamp = stamp();
    // The hart's own clock never goes back: no saturation needed.
    let elapsed = now.wrapping_sub(stamp.load(Ordering::Relaxed));
    stamp.store(now, Ordering::Relaxed);
    elapsed
}

/// Adds to the counters of `task` and its process; an armed CPU timer is looked at on
/// the way back to user mode (`fire_expired`).
fn charge(task: &Task, user: u64, system: u64) {
    task.cpu.user.fetch_add(user, Ordering::Relaxed);
    task.cpu.system.fetch_add(system, Ordering::Relaxed);
    let proc = &task.process.cpu;
    proc.user.fetch_add(user, Ordering::Relaxed);
    proc.system.fetch_add(system, Ordering::Relaxed);
    if proc.armed.load(Ordering::Relaxed) {
        task.recheck_signals();
    }
}

/// A timer interrupt taken in user mode: the running task's time since the last
/// charge was user time.
pub fn tick_from_user() {
    let elapsed = take_elapsed();
    super::with_current(|task| charge(task, elapsed, 0));
}

/// This hart starts running a task after idling: what came before was nobody's time.
pub fn switch_in() {
    stamp().store(now_ticks(), Ordering::Relaxed);
}

/// The running `task` leaves the hart, from the kernel: its time since the last charge
/// was system time.
pub fn switch_out(task: &Task) {
    charge(task, 0, take_elapsed());
}

/// Charges the calling task's time since the last charge, before a program reads its
/// counters (getrusage, times), so that what it reads includes all it ran until the
/// call: otherwise a reading could lag by however late the last tick was. The time is
/// user time, as a tick taken at this call's return would count it: between charges a
/// thread is in user mode but for its system calls, and its switches charge the kernel
/// side.
pub fn charge_caller(task: &Task) {
    charge(task, take_elapsed(), 0);
}

/// The time the task running on this hart has used since it was last charged: what
/// its CPU-time clocks add to the counters.
pub fn running_ticks() -> u64 {
    now_ticks().wrapping_sub(stamp().load(Ordering::Relaxed))
}

/// What one thread has used, in timer ticks (RUSAGE_THREAD, CLOCK_THREAD_CPUTIME_ID).
#[derive(Default)]
pub struct ThreadTime {
    user: AtomicU64,
    system: AtomicU64,
}

impl ThreadTime {
    pub fn ticks(&self) -> (u64, u64) {
        (
            self.user.load(Ordering::Relaxed),
            self.system.load(Ordering::Relaxed),
        )
    }
}

/// A CPU-time interval timer: the process CPU time (ticks) at which it runs out
/// (0: disarmed) and its reload interval.
#[derive(Clone, Copy, Default)]
pub struct CpuTimer {
    pub expires: u64,
    pub interval: u64,
}

/// What a process has used, in timer ticks, and its CPU-time timers.
#[derive(Default)]
pub struct CpuAccount {
    user: AtomicU64,
    system: AtomicU64,
    /// What the reaped children (and theirs, recursively) used (RUSAGE_CHILDREN).
    children_user: AtomicU64,
    children_system: AtomicU64,
    /// ITIMER_VIRTUAL (counts user time) and ITIMER_PROF (user and system time).
    timers: Mutex<[CpuTimer; 2]>,
    /// Whether either timer is armed: most processes have none, and every trap asks.
    armed: AtomicBool,
}

/// Index into `CpuAccount::timers`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum CpuClock {
    Virtual = 0,
    Prof = 1,
}

impl CpuClock {
    fn signal(self) -> Signal {
        match self {
            CpuClock::Virtual => Signal::SIGVTALRM,
            CpuClock::Prof => Signal::SIGPROF,
        }
    }
}

impl CpuAccount {
    pub fn user_ticks(&self) -> u64 {
        self.user.load(Ordering::Relaxed)
    }
    pub fn system_ticks(&self) -> u64 {
        self.system.load(Ordering::Relaxed)
    }
    pub fn children_ticks(&self) -> (u64, u64) {
        (
            self.children_user.load(Ordering::Relaxed),
            self.children_system.load(Ordering::Relaxed),
        )
    }
    /// wait4 reaped the process `child` accounts for: its time and its children's
    /// count as the reaper's children's.
    pub fn add_reaped(&self, child: &CpuAccount) {
        let (cu, cs) = child.children_ticks();
        self.children_user
            .fetch_add(child.user_ticks() + cu, Ordering::Relaxed);
        self.children_system
            .fetch_add(child.system_ticks() + cs, Ordering::Relaxed);
    }
    pub fn timer(&self, clock: CpuClock) -> CpuTimer {
        self.timers.lock()[clock as usize]
    }
    pub fn set_timer(&self, clock: CpuClock, timer: CpuTimer) {
        let mut timers = self.timers.lock();
        timers[clock as usize] = timer;
        self.armed
            .store(timers.iter().any(|t| t.expires != 0), Ordering::Relaxed);
    }
    /// The time `clock` counts so far.
    pub fn clock_ticks(&self, clock: CpuClock) -> u64 {
        match clock {
            CpuClock::Virtual => self.user_ticks(),
            CpuClock::Prof => self.user_ticks() + self.system_ticks(),
        }
    }
}

/// Fires the timers of `proc` that ran out (re-armed or disarmed), if any is armed:
/// called on the way back to user mode after time was moved to the counters.
pub fn fire_expired(proc: &Arc<Process>) {
    if !proc.cpu.armed.load(Ordering::Relaxed) {
        return;
    }
    let mut fired = [false; 2];
    {
        let mut timers = proc.cpu.timers.lock();
        for clock in [CpuClock::Virtual, CpuClock::Prof] {
            let t = &mut timers[clock as usize];
            if t.expires == 0 || proc.cpu.clock_ticks(clock) < t.expires {
                continue;
            }
            // The next period counts from this expiry, as Linux's check_cpu_itimer.
            t.expires = if t.interval == 0 {
                0
            } else {
                t.expires + t.interval
            };
            fired[clock as usize] = true;
        }
        proc.cpu
            .armed
            .store(timers.iter().any(|t| t.expires != 0), Ordering::Relaxed);
    }
    for clock in [CpuClock::Virtual, CpuClock::Prof] {
        if fired[clock as usize] {
            let sig = clock.signal();
            let _ = signal::send_to_process(proc, sig, SigInfo::kernel(sig));
        }
    }
}
