//! Futexes: wait on a user word while it holds an expected value, woken by address.
//! C libraries use them for locks and for CLONE_CHILD_CLEARTID; waiters are keyed by
//! (address space, user address).

use crate::mm::uaccess::read_val;
use crate::syscall::errno::{SysResult, EAGAIN};
use crate::task::current_process;
use crate::task::wait::{block_on, WaitQueue};
use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use spin::Mutex;

type Key = (usize, usize);

/// One queue per futex word that has waiters, plus a count of wake-ups it received.
struct Futex {
    queue: WaitQueue,
    wakes: Mutex<u64>,
}

static FUTEXES: Mutex<BTreeMap<Key, Arc<Futex>>> = Mutex::new(BTreeMap::new());

fn key(addr: usize) -> Key {
    (Arc::as_ptr(&current_process().aspace()) as usize, addr)
}

/// FUTEX_WAIT: sleeps while `*addr == val` until woken or `deadline` (timer ticks).
pub fn wait(addr: usize, val: u32, deadline: Option<u64>) -> SysResult<usize> {
    let k = key(addr);
    let f = FUTEXES
        .lock()
        .entry(k)
        .or_insert_with(|| {
            Arc::new(Futex {
                queue: WaitQueue::new(),
                wakes: Mutex::new(0),
            })
        })
        .clone();
    let current: u32 = read_val(addr)?;
    if current != val {
        return Err(EAGAIN);
    }
    let start = *f.wakes.lock();
    let r = block_on(&[&f.queue], deadline, || {
        (*f.wakes.lock() != start).then_some(0)
    });
    let mut table = FUTEXES.lock();
    if Arc::strong_count(&f) == 2 {
        table.remove(&k);
    }
    r
}

/// FUTEX_WAKE: wakes waiters of `addr` (Rill wakes all of them; each re-checks).
pub fn wake(addr: usize, _count: usize) -> usize {
    let f = FUTEXES.lock().get(&key(addr)).cloned();
    match f {
        Some(f) => {
            *f.wakes.lock() += 1;
            f.queue.wake_all();
            1
        }
        None => 0,
    }
}
