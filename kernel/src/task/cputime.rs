//! CPU time accounting per thread and process, and the CPU-time interval timers
//! (ITIMER_VIRTUAL, ITIMER_PROF).
//!
//! The trap path only stamps time: each hart keeps the tick at which it last changed
//! what it charges and two running sums (user and system time) for the task it runs,
//! touched with plain loads and stores. The sums move into the thread's and the
//! process's counters when the task leaves the hart (`switch_out`) or when a program
//! reads its clocks (`sync`). The timers are checked on the way back to user mode after
//! such a move when one is armed, so they fire at the next return to user mode after
//! they run out: a busy program is switched out (and its time moved) at every timer
//! tick, as Linux's tick-based accounting samples it.

use super::sched::MAX_HARTS;
use super::{Process, Task};
use crate::arch::cpu;
use crate::arch::spinlock::Mutex;
use crate::signal::{self, SigInfo, Signal};
use crate::time::now_ticks;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// One hart's clock: the tick of its last stamp and the time the running task used
/// since it was last moved to the counters. Only the hart itself touches it.
struct HartClock {
    stamp: AtomicU64,
    user: AtomicU64,
    system: AtomicU64,
}

static HARTS: [HartClock; MAX_HARTS] = [const {
    HartClock {
        stamp: AtomicU64::new(0),
        user: AtomicU64::new(0),
        system: AtomicU64::new(0),
    }
}; MAX_HARTS];

fn hart() -> &'static HartClock {
    &HARTS[cpu::read_tp() % MAX_HARTS]
}

/// Adds the time since the hart's last stamp to `sum`: a load and a store each, no
/// atomic read-modify-write (no other hart touches this hart's clock).
#[inline]
fn charge(h: &HartClock, sum: &AtomicU64) {
    let now = now_ticks();
    // The hart's own clock never goes back: no saturation needed.
    let elapsed = now.wrapping_sub(h.stamp.load(Ordering::Relaxed));
    h.stamp.store(now, Ordering::Relaxed);
    sum.store(sum.load(Ordering::Relaxed) + elapsed, Ordering::Relaxed);
}

/// A trap from user mode: the time since the last return to user mode was user time.
#[inline]
pub fn enter_kernel() {
    let h = hart();
    charge(h, &h.user);
}

/// The return to user mode: the time since entering the kernel (or being switched in)
/// was system time.
#[inline]
pub fn leave_kernel() {
    let h = hart();
    charge(h, &h.system);
}

/// This hart starts running a task after idling: what came before was nobody's time.
pub fn switch_in() {
    hart().stamp.store(now_ticks(), Ordering::Relaxed);
}

/// The running `task` leaves the hart: its time in the kernel until now was system
/// time, and everything it used since the last move goes to its counters.
pub fn switch_out(task: &Task) {
    let h = hart();
    charge(h, &h.system);
    let user = h.user.swap(0, Ordering::Relaxed);
    let system = h.system.swap(0, Ordering::Relaxed);
    task.cpu.user.fetch_add(user, Ordering::Relaxed);
    task.cpu.system.fetch_add(system, Ordering::Relaxed);
    let proc = &task.process.cpu;
    proc.user.fetch_add(user, Ordering::Relaxed);
    proc.system.fetch_add(system, Ordering::Relaxed);
    if proc.armed.load(Ordering::Relaxed) {
        // The timers are looked at on the way back to user mode (`fire_expired`).
        task.recheck_signals();
    }
}

/// Brings the counters of the running `task` (and its process) up to this moment,
/// before a program reads its CPU clocks.
pub fn sync(task: &Task) {
    switch_out(task);
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
