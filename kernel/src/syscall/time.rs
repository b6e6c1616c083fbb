//! Time system calls: clocks, sleeps and the interval timers (alarm, setitimer).

use crate::errno::*;
use crate::mm::uaccess::{read_val, write_val};
use crate::task::cputime::{running_ticks, CpuClock, CpuTimer};
use crate::task::{current, current_process, with_current};
use crate::time::{monotonic_ns, now_ticks, ns_to_ticks, realtime_ns, ticks_to_ns};
use linux_raw_sys::general as g;

const NS: u64 = 1_000_000_000;
const MIN_ITIMER_INTERVAL_NS: u64 = 1_000_000;

/// A timespec's length in nanoseconds; EINVAL for negative or unnormalised values.
pub fn timespec_ns(ts: &g::timespec) -> SysResult<u64> {
    if ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NS as i64 {
        return Err(EINVAL);
    }
    Ok((ts.tv_sec as u64)
        .saturating_mul(NS)
        .saturating_add(ts.tv_nsec as u64))
}

fn timespec(ns: u64) -> g::timespec {
    g::timespec {
        tv_sec: (ns / NS) as _,
        tv_nsec: (ns % NS) as _,
    }
}

fn clock_ns(clock: u32) -> SysResult<u64> {
    match clock {
        g::CLOCK_REALTIME | g::CLOCK_REALTIME_COARSE | g::CLOCK_TAI => Ok(realtime_ns()),
        g::CLOCK_MONOTONIC
        | g::CLOCK_MONOTONIC_RAW
        | g::CLOCK_MONOTONIC_COARSE
        | g::CLOCK_BOOTTIME => Ok(monotonic_ns()),
        // The counters plus this thread's time since it was last charged: exact to
        // this call (see `cputime`).
        g::CLOCK_PROCESS_CPUTIME_ID => Ok(ticks_to_ns(with_current(|t| {
            t.process.cpu.clock_ticks(CpuClock::Prof) + running_ticks()
        }))),
        g::CLOCK_THREAD_CPUTIME_ID => Ok(ticks_to_ns(with_current(|t| {
            let (user, system) = t.cpu.ticks();
            user + system + running_ticks()
        }))),
        _ => Err(EINVAL),
    }
}

pub fn clock_gettime(clock: u32, ts: usize) -> SysResult {
    let ns = clock_ns(clock)?;
    write_val(ts, &timespec(ns))?;
    Ok(0)
}

pub fn clock_getres(clock: u32, ts: usize) -> SysResult {
    clock_ns(clock)?;
    if ts != 0 {
        write_val(ts, &timespec(1))?;
    }
    Ok(0)
}

pub fn gettimeofday(tv: usize) -> SysResult {
    if tv != 0 {
        let ns = realtime_ns();
        write_val(
            tv,
            &g::__kernel_old_timeval {
                tv_sec: (ns / NS) as _,
                tv_usec: ((ns % NS) / 1000) as _,
            },
        )?;
    }
    Ok(0)
}

/// Sleeps until tick `deadline`. On a signal, stores the remaining time in `rem` and
/// leaves the deadline for a transparent restart.
fn sleep_until(deadline: u64, rem: usize) -> SysResult {
    let task = current();
    match crate::task::wait::sleep_until("nanosleep", deadline) {
        Ok(()) => Ok(0),
        Err(ERESTARTSYS) => {
            if rem != 0 {
                let left = ticks_to_ns(deadline.saturating_sub(now_ticks()));
                write_val(rem, &timespec(left))?;
            }
            *task.restart_deadline.lock() = Some(deadline);
            Err(ERESTART_RESTARTBLOCK)
        }
        Err(e) => Err(e),
    }
}

pub fn nanosleep(req: usize, rem: usize) -> SysResult {
    let ts: g::timespec = read_val(req)?;
    let ns = timespec_ns(&ts)?;
    // A restarted call (after a stop/continue) resumes with the original deadline.
    let deadline = current()
        .restart_deadline
        .lock()
        .take()
        .unwrap_or_else(|| now_ticks() + ns_to_ticks(ns));
    sleep_until(deadline, rem)
}

pub fn clock_nanosleep(clock: u32, flags: u32, req: usize, rem: usize) -> SysResult {
    let ts: g::timespec = read_val(req)?;
    let ns = timespec_ns(&ts)?;
    let now = clock_ns(clock)?;
    let restarted = current().restart_deadline.lock().take();
    if flags & g::TIMER_ABSTIME != 0 {
        let deadline = now_ticks() + ns_to_ticks(ns.saturating_sub(now));
        return match sleep_until(deadline, 0) {
            // Absolute sleeps restart with the same request and need no saved deadline.
            Err(ERESTART_RESTARTBLOCK) => Err(ERESTARTNOHAND),
            r => r,
        };
    }
    sleep_until(
        restarted.unwrap_or_else(|| now_ticks() + ns_to_ticks(ns)),
        rem,
    )
}

fn itimerval_of(remaining_ns: u64, interval_ns: u64) -> g::itimerval {
    let tv = |ns: u64| g::timeval {
        tv_sec: (ns / NS) as _,
        tv_usec: ((ns % NS) / 1000) as _,
    };
    g::itimerval {
        it_interval: tv(interval_ns),
        it_value: tv(remaining_ns),
    }
}

/// The CPU-time clock behind `which`, or None for ITIMER_REAL; EINVAL for others.
fn cpu_clock(which: u32) -> SysResult<Option<CpuClock>> {
    match which {
        g::ITIMER_REAL => Ok(None),
        g::ITIMER_VIRTUAL => Ok(Some(CpuClock::Virtual)),
        g::ITIMER_PROF => Ok(Some(CpuClock::Prof)),
        _ => Err(EINVAL),
    }
}

fn current_itimer(clock: Option<CpuClock>) -> g::itimerval {
    let proc = current_process();
    let Some(clock) = clock else {
        let t = *proc.real_timer.lock();
        let remaining = t.key.map_or(0, |(deadline, _)| {
            ticks_to_ns(deadline.saturating_sub(now_ticks())).max(1000)
        });
        return itimerval_of(remaining, ticks_to_ns(t.interval));
    };
    let t = proc.cpu.timer(clock);
    // A timer that ran out but has not fired yet (it fires at the next trap) still
    // shows a little time left, as Linux shows a tick.
    let remaining = if t.expires == 0 {
        0
    } else {
        ticks_to_ns(t.expires.saturating_sub(proc.cpu.clock_ticks(clock))).max(1000)
    };
    itimerval_of(remaining, ticks_to_ns(t.interval))
}

pub fn getitimer(which: u32, out: usize) -> SysResult {
    // `which` is checked before the pointer (Linux's do_getitimer, then the copy).
    let clock = cpu_clock(which)?;
    write_val(out, &current_itimer(clock))?;
    Ok(0)
}

pub fn setitimer(which: u32, new: usize, old: usize) -> SysResult {
    let us = |tv: &g::timeval| -> SysResult<u64> {
        if tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1_000_000 {
            return Err(EINVAL);
        }
        Ok((tv.tv_sec as u64)
            .saturating_mul(NS)
            .saturating_add(tv.tv_usec as u64 * 1000))
    };
    // Linux reads the new value first (EFAULT), then checks `which` and the value, sets
    // the timer, and only then copies the old value out: a bad `old` is EFAULT with the
    // new timer in force.
    // A NULL new value disarms the timer (Linux accepts it as all zeros).
    let (value, interval) = if new == 0 {
        (0, 0)
    } else {
        let nv: g::itimerval = read_val(new)?;
        (us(&nv.it_value)?, us(&nv.it_interval)?)
    };
    let clock = cpu_clock(which)?;
    let previous = current_itimer(clock);
    let proc = current_process();
    if let Some(clock) = clock {
        proc.cpu.set_timer(
            clock,
            CpuTimer {
                expires: if value == 0 {
                    0
                } else {
                    proc.cpu.clock_ticks(clock) + ns_to_ticks(value).max(1)
                },
                interval: ns_to_ticks(interval),
            },
        );
    } else {
        set_real_timer(&proc, value, interval);
    }
    if old != 0 {
        write_val(old, &previous)?;
    }
    Ok(0)
}

fn set_real_timer(proc: &alloc::sync::Arc<crate::task::Process>, value: u64, interval: u64) {
    // A periodic timer faster than the timer interrupt can be handled would leave the
    // hart nothing but interrupts; like Linux's tick-based itimers, the period has a
    // floor (1 ms).
    let interval = if interval == 0 {
        0
    } else {
        interval.max(MIN_ITIMER_INTERVAL_NS)
    };
    let mut t = proc.real_timer.lock();
    if let Some(key) = t.key.take() {
        crate::task::wait::cancel_timer(key);
    }
    t.interval = ns_to_ticks(interval);
    if value != 0 {
        t.key = Some(crate::task::wait::add_alarm(
            proc,
            now_ticks() + ns_to_ticks(value),
        ));
    }
}

/// Clock ticks per second of times(2) (Linux's USER_HZ).
const USER_HZ: u64 = 100;

fn timeval(ns: u64) -> g::__kernel_old_timeval {
    g::__kernel_old_timeval {
        tv_sec: (ns / NS) as _,
        tv_usec: ((ns % NS) / 1000) as _,
    }
}

/// getrusage(2): the CPU times; Rill counts nothing else, so the other fields are 0.
pub fn getrusage(who: i32, out: usize) -> SysResult {
    let task = current();
    let proc = &task.process;
    crate::task::cputime::charge_caller(&task);
    let (user, system) = match who {
        w if w == g::RUSAGE_SELF as i32 => (proc.cpu.user_ticks(), proc.cpu.system_ticks()),
        w if w == g::RUSAGE_THREAD as i32 => task.cpu.ticks(),
        g::RUSAGE_CHILDREN => proc.cpu.children_ticks(),
        _ => return Err(EINVAL),
    };
    let mut ru: g::rusage = crate::mm::uaccess::zeroed();
    ru.ru_utime = timeval(ticks_to_ns(user));
    ru.ru_stime = timeval(ticks_to_ns(system));
    write_val(out, &ru)?;
    Ok(0)
}

/// times(2): the process's and its reaped children's CPU times, and the time since
/// boot, in USER_HZ ticks.
pub fn times(out: usize) -> SysResult {
    let task = current();
    crate::task::cputime::charge_caller(&task);
    let proc = &task.process;
    let clock = |ticks: u64| (ticks_to_ns(ticks) / (NS / USER_HZ)) as i64;
    if out != 0 {
        let (cu, cs) = proc.cpu.children_ticks();
        // struct tms: tms_utime, tms_stime, tms_cutime, tms_cstime (clock_t each).
        let tms = [
            clock(proc.cpu.user_ticks()),
            clock(proc.cpu.system_ticks()),
            clock(cu),
            clock(cs),
        ];
        write_val(out, &tms)?;
    }
    Ok(clock(now_ticks()) as usize)
}
