//! Futexes: wait on a user word while it holds an expected value, woken by address.
//! C libraries use them for locks and for CLONE_CHILD_CLEARTID. A private futex
//! (FUTEX_PRIVATE_FLAG, or a word in private memory) is keyed by (address space, user
//! address); a word in a shared mapping without the flag by (memory object, offset),
//! so processes that map the object at different addresses meet on the same futex
//! (PTHREAD_PROCESS_SHARED locks).
//!
//! Each waiter takes a ticket. FUTEX_WAKE moves up to `count` tickets, oldest first,
//! from `waiting` to `woken` and wakes the queue; a waiter returns once its ticket is
//! woken. The value check happens under the same lock as enqueueing, so a wake that
//! follows a change of the word cannot slip between the check and the sleep.

use crate::errno::{SysResult, EAGAIN, EINVAL};
use crate::mm::uaccess::read_val;
use crate::task::current_process;
use crate::task::wait::{block_on, WaitQueue};
use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::sync::Arc;
use spin::Mutex;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    /// Address space (its address), user address.
    Private(usize, usize),
    /// Memory object number, byte offset in it.
    Shared(u64, u64),
}

#[derive(Default)]
struct Tickets {
    next: u64,
    waiting: VecDeque<u64>,
    woken: BTreeSet<u64>,
}

#[derive(Default)]
struct Futex {
    queue: WaitQueue,
    tickets: Mutex<Tickets>,
}

static FUTEXES: Mutex<BTreeMap<Key, Arc<Futex>>> = Mutex::new(BTreeMap::new());

fn key(addr: usize, private: bool) -> SysResult<Key> {
    if !addr.is_multiple_of(4) {
        return Err(EINVAL);
    }
    let aspace = current_process().aspace();
    if !private {
        if let Some((object, offset)) = aspace.lock().shared_key(addr) {
            return Ok(Key::Shared(object, offset));
        }
    }
    Ok(Key::Private(Arc::as_ptr(&aspace) as usize, addr))
}

/// FUTEX_WAIT: sleeps while `*addr == val` until woken or `deadline` (timer ticks).
/// `private` is FUTEX_PRIVATE_FLAG.
pub fn wait(addr: usize, val: u32, deadline: Option<u64>, private: bool) -> SysResult<usize> {
    let k = key(addr, private)?;
    let f = FUTEXES.lock().entry(k).or_default().clone();
    let ticket = {
        let mut t = f.tickets.lock();
        match read_val::<u32>(addr) {
            Ok(v) if v == val => {
                let ticket = t.next;
                t.next += 1;
                t.waiting.push_back(ticket);
                Ok(ticket)
            }
            Ok(_) => Err(EAGAIN),
            Err(e) => Err(e),
        }
    };
    let r = ticket.and_then(|ticket| {
        let r = block_on(&[&f.queue], deadline, || {
            f.tickets.lock().woken.remove(&ticket).then_some(0)
        });
        if r.is_err() {
            // Interrupted or timed out: give up the ticket, unless a wake took it meanwhile.
            let mut t = f.tickets.lock();
            if t.woken.remove(&ticket) {
                return Ok(0);
            }
            t.waiting.retain(|&w| w != ticket);
        }
        r
    });
    // The last user of an idle futex removes its entry.
    let mut table = FUTEXES.lock();
    let idle = {
        let t = f.tickets.lock();
        t.waiting.is_empty() && t.woken.is_empty()
    };
    if idle && Arc::strong_count(&f) == 2 {
        table.remove(&k);
        crate::mm::heap::release_if_empty(&mut table);
    }
    r
}

/// FUTEX_WAKE: wakes up to `count` waiters of `addr`; returns how many.
pub fn wake(addr: usize, count: usize, private: bool) -> SysResult<usize> {
    let k = key(addr, private)?;
    let Some(f) = FUTEXES.lock().get(&k).cloned() else {
        return Ok(0);
    };
    let n = {
        let mut t = f.tickets.lock();
        let n = count.min(t.waiting.len());
        for _ in 0..n {
            if let Some(ticket) = t.waiting.pop_front() {
                t.woken.insert(ticket);
            }
        }
        n
    };
    if n > 0 {
        f.queue.wake_all();
    }
    Ok(n)
}
