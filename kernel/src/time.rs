//! Clocks and the timer interrupt. `time` CSR ticks count monotonic time; the goldfish
//! RTC of the virt machine gives the wall-clock time once at boot.

use crate::arch::{cpu, sbi};
use crate::task::sched::MAX_HARTS;
use core::sync::atomic::{AtomicU64, Ordering};

/// Timer ticks per second (device tree `timebase-frequency`; 10 MHz on QEMU virt).
static FREQ: AtomicU64 = AtomicU64::new(10_000_000);
/// Wall-clock nanoseconds at tick 0.
static REALTIME_BASE_NS: AtomicU64 = AtomicU64::new(0);
/// Absolute tick of the next programmed timer interrupt of each hart (each has its
/// own timer; only the hart itself programs it).
static NEXT_EVENT: [AtomicU64; MAX_HARTS] = [const { AtomicU64::new(u64::MAX) }; MAX_HARTS];

fn next_event() -> &'static AtomicU64 {
    &NEXT_EVENT[crate::arch::smp::this_hart()]
}

/// Scheduling time slice.
const SLICE_NS: u64 = 10_000_000;

pub fn init(freq: u64, rtc_base: Option<usize>) {
    if freq != 0 {
        FREQ.store(freq, Ordering::Relaxed);
    }
    if let Some(base) = rtc_base {
        let ns = crate::drivers::rtc::read_ns(base);
        REALTIME_BASE_NS.store(
            ns.saturating_sub(ticks_to_ns(now_ticks())),
            Ordering::Relaxed,
        );
    }
    start_hart();
}

/// Starts this hart's time slices.
pub fn start_hart() {
    arm_deadline(now_ticks() + ns_to_ticks(SLICE_NS));
}

pub fn now_ticks() -> u64 {
    cpu::read_time()
}

pub fn ticks_to_ns(t: u64) -> u64 {
    // Whole seconds and the remainder apart: exactly the 128-bit product and quotient
    // (for any timebase below 18 GHz) without a 128-bit division on every timestamp.
    let freq = FREQ.load(Ordering::Relaxed);
    t / freq * 1_000_000_000 + t % freq * 1_000_000_000 / freq
}

pub fn ns_to_ticks(ns: u64) -> u64 {
    (ns as u128 * FREQ.load(Ordering::Relaxed) as u128 / 1_000_000_000) as u64
}

/// Nanoseconds since boot.
pub fn monotonic_ns() -> u64 {
    ticks_to_ns(now_ticks())
}

pub fn realtime_ns() -> u64 {
    REALTIME_BASE_NS.load(Ordering::Relaxed) + monotonic_ns()
}

/// Makes sure a timer interrupt arrives on this hart no later than tick `deadline`
/// (whichever hart's timer fires first wakes every expired sleeper).
pub fn arm_deadline(deadline: u64) {
    if next_event().fetch_min(deadline, Ordering::AcqRel) > deadline {
        sbi::set_timer(deadline);
    }
}

/// Timer interrupt: wake expired sleepers and program the next event (the earlier of
/// the next sleeper's deadline and the end of the time slice).
pub fn on_timer_interrupt() {
    let now = now_ticks();
    let slice_end = now + ns_to_ticks(SLICE_NS);
    let next = crate::task::wait::expire_timers(now).map_or(slice_end, |d| d.min(slice_end));
    crate::task::loadavg::tick(ticks_to_ns(now));
    next_event().store(next, Ordering::Release);
    sbi::set_timer(next);
}
