//! Load averages as Linux computes them (kernel/sched/loadavg.c): every 5 seconds the
//! number of active tasks (runnable or running; Rill has no uninterruptible sleeps) is
//! sampled and folded into three exponentially decaying averages, over 1, 5 and 15
//! minutes, in 11-bit fixed point. /proc/loadavg and sysinfo read them.

use super::process;
use super::thread::TaskState;
use crate::arch::spinlock::Mutex;

/// Linux's fixed point: FSHIFT fraction bits.
pub const FSHIFT: u32 = 11;
const FIXED_1: u64 = 1 << FSHIFT;
/// 1/exp(5s/1min), 1/exp(5s/5min), 1/exp(5s/15min) in fixed point (Linux's EXP_1/5/15).
const EXP: [u64; 3] = [1884, 2014, 2037];
/// LOAD_FREQ: 5 s, plus Linux's one tick (so the sample does not beat with 5 s jobs).
const PERIOD_NS: u64 = 5_000_000_000 + 10_000_000;

struct Load {
    averages: [u64; 3],
    next_sample_ns: u64,
}

static LOAD: Mutex<Load> = Mutex::new(Load {
    averages: [0; 3],
    next_sample_ns: PERIOD_NS,
});

/// Linux's calc_load: one decay step of `load` towards `active`, rounded up when rising.
fn calc_load(load: u64, exp: u64, active: u64) -> u64 {
    let mut new = load * exp + active * (FIXED_1 - exp);
    if active >= load {
        new += FIXED_1 - 1;
    }
    new / FIXED_1
}

/// Tasks on a hart or in the run queue.
pub fn running_tasks() -> usize {
    process::all_tasks()
        .iter()
        .filter(|t| matches!(*t.state.lock(), TaskState::Running | TaskState::Ready))
        .count()
}

/// Called from the timer interrupt: takes the sample when one is due (periods missed,
/// if any, count the same tasks, as Linux's catch-up after idle does).
pub fn tick(now_ns: u64) {
    // Another hart taking the same interrupt is already sampling.
    let Some(mut load) = LOAD.try_lock() else {
        return;
    };
    if now_ns < load.next_sample_ns {
        return;
    }
    let active = running_tasks() as u64 * FIXED_1;
    while load.next_sample_ns <= now_ns {
        for (avg, exp) in load.averages.iter_mut().zip(EXP) {
            *avg = calc_load(*avg, exp, active);
        }
        load.next_sample_ns += PERIOD_NS;
    }
}

/// The three averages in fixed point (FSHIFT fraction bits).
pub fn averages() -> [u64; 3] {
    LOAD.lock().averages
}
