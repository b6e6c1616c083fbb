//! CPU time accounting per process and the CPU-time interval timers (ITIMER_VIRTUAL,
//! ITIMER_PROF). Each hart keeps the tick at which it last changed what it charges
//! (entering the kernel from user mode, leaving it, switching tasks); the time since
//! then goes to the running process as user or system time. The virtual and profiling
//! timers are checked whenever time is charged, so they fire at the next trap after
//! they run out (a busy program gets one at least every scheduling slice, as Linux's
//! tick-based accounting does).

use super::sched::MAX_HARTS;
use super::Process;
use crate::arch::cpu;
use crate::signal::{self, SigInfo, Signal};
use crate::time::now_ticks;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use spin::Mutex;

/// The tick at which each hart last charged time.
static MARK: [AtomicU64; MAX_HARTS] = [const { AtomicU64::new(0) }; MAX_HARTS];

fn take_elapsed() -> u64 {
    let now = now_ticks();
    // Only this hart touches its mark: a load and a store, no atomic swap.
    let mark = &MARK[cpu::read_tp() % MAX_HARTS];
    let prev = mark.load(Ordering::Relaxed);
    mark.store(now, Ordering::Relaxed);
    now.saturating_sub(prev)
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

/// The timers of `proc` that ran out, re-armed (or disarmed) and signalled. Inline, so
/// that the usual case (no timer armed) costs a load and a branch on every trap.
#[inline]
fn check_timers(proc: &Arc<Process>) {
    if proc.cpu.armed.load(Ordering::Relaxed) {
        fire_expired(proc);
    }
}

#[inline(never)]
fn fire_expired(proc: &Arc<Process>) {
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

/// A trap from user mode: the time since the last return to user mode was user time.
/// Timers are checked once per trap, on the way out (`leave_kernel`), which counts the
/// user time just charged too.
pub fn enter_kernel(proc: &Arc<Process>) {
    proc.cpu.user.fetch_add(take_elapsed(), Ordering::Relaxed);
}

/// The return to user mode: the time since entering the kernel (or being switched in)
/// was system time.
pub fn leave_kernel(proc: &Arc<Process>) {
    proc.cpu.system.fetch_add(take_elapsed(), Ordering::Relaxed);
    check_timers(proc);
}

/// This hart starts running a task: what came before was not its time.
pub fn switch_in() {
    take_elapsed();
}

/// The task that ran on this hart switched away: its time in the kernel until now was
/// system time.
pub fn switch_out(proc: &Process) {
    proc.cpu.system.fetch_add(take_elapsed(), Ordering::Relaxed);
}
