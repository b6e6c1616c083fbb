//! Futexes: wait on a user word while it holds an expected value, woken by address.
//! C libraries use them for locks, condition variables, pthread_join
//! (CLONE_CHILD_CLEARTID) and robust mutexes. A private futex (FUTEX_PRIVATE_FLAG, or a
//! word in private memory) is keyed by (address space, user address), which every
//! thread of a process shares; a word in a shared mapping without the flag by (memory
//! object, offset), so processes that map the object (MAP_SHARED memory, System V
//! segments) at different addresses meet on the same futex.
//!
//! One table maps each key to its waiters, oldest first. A waiter is a small record
//! with its own wait queue: a wake marks it woken and wakes it, a requeue moves it to
//! another key. The value check happens under the table lock, as does every wake, so a
//! wake that follows a change of the word cannot slip between the check and the sleep.

use crate::arch::spinlock::Mutex;
use crate::errno::{SysResult, EAGAIN, EINVAL, ENOMEM, ENOSYS};
use crate::mm::uaccess::{read_val, update_u32_atomic, write_val};
use crate::task::wait::{block_on, WaitQueue};
use crate::task::{current_process, Task};
use alloc::collections::{BTreeMap, VecDeque};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};
use linux_raw_sys::general as g;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    /// Address space (its address), user address.
    Private(usize, usize),
    /// Memory object number, byte offset in it.
    Shared(u64, u64),
}

struct Waiter {
    queue: WaitQueue,
    woken: AtomicBool,
    /// FUTEX_WAIT_BITSET's mask (all ones for FUTEX_WAIT).
    bitset: u32,
    /// The key it waits on now (a requeue changes it).
    key: Mutex<Key>,
}

type Table = BTreeMap<Key, VecDeque<Arc<Waiter>>>;

static FUTEXES: Mutex<Table> = Mutex::new(BTreeMap::new());

/// Kernel heap one waiter may take (its record, its share of the queue and table).
const WAITER_HEAP_COST: usize = 256;

/// Linux's bound on the robust list walk at thread exit.
const ROBUST_LIST_LIMIT: usize = 2048;

/// The size of `struct robust_list_head` (next, futex_offset, list_op_pending).
pub const ROBUST_HEAD_SIZE: usize = 24;

fn key(addr: usize, private: bool) -> SysResult<Key> {
    if !addr.is_multiple_of(4) {
        return Err(EINVAL);
    }
    let aspace = current_process().aspace();
    if !private {
        // A shared futex must be in readable memory even for a call that does not read
        // it (Linux's get_futex_key pins the page).
        read_val::<u32>(addr)?;
        if let Some((object, offset)) = aspace.lock().shared_key(addr) {
            return Ok(Key::Shared(object, offset));
        }
    }
    Ok(Key::Private(Arc::as_ptr(&aspace) as usize, addr))
}

/// FUTEX_WAIT(_BITSET): sleeps while `*addr == val` until woken by a wake whose bitset
/// meets `bitset`, or `deadline` (timer ticks). EAGAIN if the word differs.
pub fn wait(
    addr: usize,
    val: u32,
    deadline: Option<u64>,
    private: bool,
    bitset: u32,
) -> SysResult<usize> {
    if bitset == 0 {
        return Err(EINVAL);
    }
    let k = key(addr, private)?;
    crate::mm::heap::reserve(WAITER_HEAP_COST)?;
    let w = Waiter::new(k, bitset);
    {
        let mut table = FUTEXES.lock();
        if read_val::<u32>(addr)? != val {
            return Err(EAGAIN);
        }
        enqueue(&mut table, &w)?;
    }
    let r = block_on("futex", &[&w.queue], deadline, || {
        w.woken.load(Ordering::Acquire).then_some(0)
    });
    if r.is_err() {
        // Interrupted or timed out: leave the queue, unless a wake took us meanwhile.
        let mut table = FUTEXES.lock();
        if w.woken.load(Ordering::Acquire) {
            return Ok(0);
        }
        dequeue(&mut table, &w);
    }
    r
}

/// One word of a futex_waitv call: its address, expected value and whether it is
/// private (FUTEX_PRIVATE_FLAG).
pub struct WaitvEntry {
    pub addr: usize,
    pub val: u32,
    pub private: bool,
}

/// futex_waitv: sleeps while every word holds its expected value (EAGAIN otherwise)
/// until a wake reaches one of them or `deadline` passes; returns the index of a woken
/// word (the last one, when several were, as Linux's futex_unqueue_multiple).
pub fn wait_multiple(entries: &[WaitvEntry], deadline: Option<u64>) -> SysResult<usize> {
    let mut waiters: Vec<Arc<Waiter>> = Vec::new();
    waiters
        .try_reserve_exact(entries.len())
        .map_err(|_| ENOMEM)?;
    crate::mm::heap::reserve(WAITER_HEAP_COST * entries.len())?;
    for e in entries {
        waiters.push(Waiter::new(key(e.addr, e.private)?, u32::MAX));
    }
    let mut queues: Vec<&WaitQueue> = Vec::new();
    queues
        .try_reserve_exact(waiters.len())
        .map_err(|_| ENOMEM)?;
    queues.extend(waiters.iter().map(|w| &w.queue));
    {
        let mut table = FUTEXES.lock();
        for e in entries {
            if read_val::<u32>(e.addr)? != e.val {
                return Err(EAGAIN);
            }
        }
        for (i, w) in waiters.iter().enumerate() {
            if let Err(e) = enqueue(&mut table, w) {
                for queued in &waiters[..i] {
                    dequeue(&mut table, queued);
                }
                return Err(e);
            }
        }
    }
    let r = block_on("futex", &queues, deadline, || {
        waiters
            .iter()
            .any(|w| w.woken.load(Ordering::Acquire))
            .then_some(())
    });
    // Leave every queue no wake took us from.
    let mut table = FUTEXES.lock();
    let mut last_woken = None;
    for (i, w) in waiters.iter().enumerate() {
        if w.woken.load(Ordering::Acquire) {
            last_woken = Some(i);
        } else {
            dequeue(&mut table, w);
        }
    }
    match (last_woken, r) {
        (Some(i), _) => Ok(i),
        (None, Err(e)) => Err(e),
        // block_on returns Ok only once a waiter was woken.
        (None, Ok(())) => Err(EAGAIN),
    }
}

impl Waiter {
    fn new(key: Key, bitset: u32) -> Arc<Waiter> {
        Arc::new(Waiter {
            queue: WaitQueue::new(),
            woken: AtomicBool::new(false),
            bitset,
            key: Mutex::new(key),
        })
    }
}

/// Puts `w` at the end of its key's queue.
fn enqueue(table: &mut Table, w: &Arc<Waiter>) -> SysResult<()> {
    let k = *w.key.lock();
    let q = table.entry(k).or_default();
    if q.try_reserve(1).is_err() {
        if q.is_empty() {
            forget_key(table, &k);
        }
        return Err(ENOMEM);
    }
    q.push_back(w.clone());
    Ok(())
}

/// Takes `w` off whichever key's queue it is on now (a requeue may have moved it).
fn dequeue(table: &mut Table, w: &Arc<Waiter>) {
    let k = *w.key.lock();
    if let Some(q) = table.get_mut(&k) {
        q.retain(|x| !Arc::ptr_eq(x, w));
        if q.is_empty() {
            forget_key(table, &k);
        }
    }
}

/// Removes the queue of `k` once it has no waiter (and the table's last node with it).
fn forget_key(table: &mut Table, k: &Key) {
    table.remove(k);
    crate::mm::heap::release_if_empty(table);
}

/// Wakes up to `n` waiters of `k` whose bitset meets `bitset`, oldest first.
fn wake_locked(table: &mut Table, k: Key, n: usize, bitset: u32) -> usize {
    let Some(q) = table.get_mut(&k) else {
        return 0;
    };
    let mut woken = 0;
    let mut i = 0;
    while i < q.len() && woken < n {
        if q[i].bitset & bitset == 0 {
            i += 1;
            continue;
        }
        if let Some(w) = q.remove(i) {
            w.woken.store(true, Ordering::Release);
            w.queue.wake_all();
            woken += 1;
        }
    }
    if q.is_empty() {
        forget_key(table, &k);
    }
    woken
}

/// FUTEX_WAKE(_BITSET): wakes up to `n` waiters of `addr`; returns how many.
pub fn wake(addr: usize, n: usize, private: bool, bitset: u32) -> SysResult<usize> {
    if bitset == 0 {
        return Err(EINVAL);
    }
    let k = key(addr, private)?;
    Ok(wake_locked(&mut FUTEXES.lock(), k, n, bitset))
}

/// FUTEX_REQUEUE / FUTEX_CMP_REQUEUE: wakes up to `nwake` waiters of `addr` and moves
/// up to `nmove` of the rest to `addr2` (if `expect` is given, only while `*addr`
/// still holds it: EAGAIN otherwise). Returns how many were woken or moved.
pub fn requeue(
    addr: usize,
    addr2: usize,
    nwake: usize,
    nmove: usize,
    expect: Option<u32>,
    private: bool,
) -> SysResult<usize> {
    let k1 = key(addr, private)?;
    let k2 = key(addr2, private)?;
    crate::mm::heap::reserve(WAITER_HEAP_COST)?;
    let mut table = FUTEXES.lock();
    if let Some(v) = expect {
        if read_val::<u32>(addr)? != v {
            return Err(EAGAIN);
        }
    }
    if k1 == k2 {
        let woken = wake_locked(&mut table, k1, nwake, u32::MAX);
        let left = table.get(&k1).map_or(0, |q| q.len());
        return Ok(woken + nmove.min(left));
    }
    // Room for the moved waiters first, so that nothing is woken or moved on ENOMEM.
    let most = table.get(&k1).map_or(0, |q| nmove.min(q.len()));
    if most > 0 {
        let q2 = table.entry(k2).or_default();
        if q2.try_reserve(most).is_err() {
            if q2.is_empty() {
                forget_key(&mut table, &k2);
            }
            return Err(ENOMEM);
        }
    }
    let woken = wake_locked(&mut table, k1, nwake, u32::MAX);
    let mut moved = 0;
    while moved < nmove {
        let Some(w) = table.get_mut(&k1).and_then(|q| q.pop_front()) else {
            break;
        };
        *w.key.lock() = k2;
        table.entry(k2).or_default().push_back(w);
        moved += 1;
    }
    if table.get(&k1).is_some_and(|q| q.is_empty()) {
        forget_key(&mut table, &k1);
    }
    if table.get(&k2).is_some_and(|q| q.is_empty()) {
        forget_key(&mut table, &k2);
    }
    Ok(woken + moved)
}

/// FUTEX_WAKE_OP: applies the operation encoded in `op` to `*addr2`, wakes up to
/// `nwake` waiters of `addr`, and, if the old value of `*addr2` passes the encoded
/// comparison, up to `nwake2` of `addr2`. The read-modify-write is one atomic step, as
/// user threads on other harts may change the word at the same time.
pub fn wake_op(
    addr: usize,
    addr2: usize,
    nwake: usize,
    nwake2: usize,
    op: u32,
    private: bool,
) -> SysResult<usize> {
    let k1 = key(addr, private)?;
    let k2 = key(addr2, private)?;
    let kind = (op >> 28) & 7;
    let shift = op & (g::FUTEX_OP_OPARG_SHIFT << 28) != 0;
    let cmp = (op >> 24) & 15;
    let sign_extend12 = |v: u32| ((v << 20) as i32) >> 20;
    let mut oparg = sign_extend12((op >> 12) & 0xfff);
    let cmparg = sign_extend12(op & 0xfff);
    if shift {
        // Linux warns and keeps the low five bits of an out-of-range shift.
        oparg = 1i32 << (oparg & 31);
    }
    let apply = |old: i32| match kind {
        g::FUTEX_OP_SET => Some(oparg),
        g::FUTEX_OP_ADD => Some(old.wrapping_add(oparg)),
        g::FUTEX_OP_OR => Some(old | oparg),
        g::FUTEX_OP_ANDN => Some(old & !oparg),
        g::FUTEX_OP_XOR => Some(old ^ oparg),
        _ => None,
    };
    let compare = |old: i32| match cmp {
        g::FUTEX_OP_CMP_EQ => Some(old == cmparg),
        g::FUTEX_OP_CMP_NE => Some(old != cmparg),
        g::FUTEX_OP_CMP_LT => Some(old < cmparg),
        g::FUTEX_OP_CMP_LE => Some(old <= cmparg),
        g::FUTEX_OP_CMP_GT => Some(old > cmparg),
        g::FUTEX_OP_CMP_GE => Some(old >= cmparg),
        _ => None,
    };
    let mut table = FUTEXES.lock();
    if apply(0).is_none() || compare(0).is_none() {
        // An unreadable word is EFAULT before an unknown operation is ENOSYS.
        read_val::<i32>(addr2)?;
        return Err(ENOSYS);
    }
    // One atomic read-modify-write: a thread on another hart may be using the word.
    let old = update_u32_atomic(addr2, |v| apply(v as i32).unwrap_or(v as i32) as u32)? as i32;
    let pass = compare(old).unwrap_or(false);
    let mut woken = wake_locked(&mut table, k1, nwake, u32::MAX);
    if pass {
        woken += wake_locked(&mut table, k2, nwake2, u32::MAX);
    }
    Ok(woken)
}

/// A robust futex whose owner `tid` died: marks it FUTEX_OWNER_DIED (keeping
/// FUTEX_WAITERS) and wakes one waiter (Linux's handle_futex_death).
fn owner_died(uaddr: usize, tid: u32) {
    if !uaddr.is_multiple_of(4) {
        return;
    }
    let Ok(val) = read_val::<u32>(uaddr) else {
        return;
    };
    if val & g::FUTEX_TID_MASK != tid {
        return;
    }
    let new = (val & g::FUTEX_WAITERS) | g::FUTEX_OWNER_DIED;
    if write_val(uaddr, &new).is_ok() && val & g::FUTEX_WAITERS != 0 {
        let _ = wake(uaddr, 1, false, u32::MAX);
    }
}

/// At thread exit: walks the thread's robust list (at most ROBUST_LIST_LIMIT entries,
/// stopping at the first unreadable one) and releases every futex it still holds.
pub fn exit_robust_list(task: &Task) {
    let head = task.robust_list.swap(0, Ordering::Relaxed);
    if head == 0 {
        return;
    }
    let tid = task.tid();
    let (Ok(first), Ok(offset), Ok(pending)) = (
        read_val::<usize>(head),
        read_val::<isize>(head + 8),
        read_val::<usize>(head + 16),
    ) else {
        return;
    };
    // The low bit of an entry marks a PI futex; the word is at entry + futex_offset.
    let word = |entry: usize| (entry & !1).wrapping_add_signed(offset);
    let mut entry = first;
    for _ in 0..ROBUST_LIST_LIMIT {
        if entry == head {
            break;
        }
        let next = read_val::<usize>(entry & !1);
        if entry != pending {
            owner_died(word(entry), tid);
        }
        match next {
            Ok(n) => entry = n,
            Err(_) => return,
        }
    }
    if pending != 0 {
        owner_died(word(pending), tid);
    }
}
