//! `PendingQueue`: the signals generated for a thread (or a whole thread group) but not yet
//! delivered, with Linux's rules for coalescing, queueing and delivery order.
//!
//! Linux keeps two of these per thread: the thread's own (`tkill`, faults) and the thread
//! group's shared one (`kill`), and `dequeue_signal()` empties the thread's own first. Before
//! either, `get_signal()` takes any kernel-generated synchronous fault from the thread's own
//! queue in arrival order (`dequeue_synchronous_signal()`). The kernel composes those steps;
//! this type is one queue.

use alloc::collections::VecDeque;
use core::fmt;

use crate::set::SigSet;
use crate::signal::Signal;

/// A queue of pending signals, each with the information it was sent with (`I`: the kernel's
/// own `siginfo` type).
///
/// - A standard signal (1..=31) is pending at most once: sending it again while it is pending
///   changes nothing, and the first instance's information is the one kept
///   ([`Enqueued::Coalesced`]). Linux calls this the "legacy queue".
/// - A realtime signal (32..=64) queues every instance, delivered in the order sent.
/// - [`dequeue`](PendingQueue::dequeue) picks the signal as Linux's `next_signal()` does: among
///   the unblocked pending signals, a [synchronous](SigSet::SYNCHRONOUS) one (lowest number
///   first) before any other, then the lowest number. So every pending standard signal goes
///   before any realtime one, and realtime signals go lowest number first.
///
/// Entries live in one list in arrival order, as in Linux, so an empty queue holds no memory
/// and a queue of `n` entries costs `O(n)` to dequeue from.
pub struct PendingQueue<I> {
    /// The signals with at least one entry in `entries`.
    pending: SigSet,
    /// Every pending instance, oldest first.
    entries: VecDeque<(Signal, I)>,
}

/// What [`PendingQueue::enqueue`] did with a signal it accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Enqueued {
    /// The signal was added to the queue.
    Queued,
    /// A standard signal that was already pending: this instance, and its information, were
    /// dropped. The sender still sees success.
    Coalesced,
}

/// The error of [`PendingQueue::enqueue`]: a realtime signal would exceed the queue limit,
/// or memory for the entry could not be had. Linux's `rt_sigqueueinfo` answers `EAGAIN`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct QueueFull;

impl fmt::Display for QueueFull {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("signal queue full")
    }
}

impl core::error::Error for QueueFull {}

impl<I> PendingQueue<I> {
    /// An empty queue; allocates nothing.
    pub const fn new() -> Self {
        PendingQueue {
            pending: SigSet::EMPTY,
            entries: VecDeque::new(),
        }
    }

    /// Makes `sig` pending with `info`.
    ///
    /// A standard signal already pending is [coalesced](Enqueued::Coalesced). A realtime
    /// signal is refused with [`QueueFull`] when the queue already holds `limit` entries
    /// (standard ones included); standard signals are never refused for the limit, as Linux
    /// exempts them from `RLIMIT_SIGPENDING` when the kernel or `kill` sends them. Either kind
    /// is refused if the allocator cannot grow the queue.
    ///
    /// Linux refuses an over-limit realtime signal only when it carries caller-chosen
    /// information (`sigqueue`, `rt_sigqueueinfo`, timers); from `kill` it still makes the
    /// signal pending but loses the sender's information (the receiver sees `si_code` =
    /// `SI_USER`, `si_pid` = 0). A kernel reproduces that by enqueueing again, with that
    /// zeroed information and `limit` = `usize::MAX`, after a `QueueFull`.
    pub fn enqueue(&mut self, sig: Signal, info: I, limit: usize) -> Result<Enqueued, QueueFull> {
        if sig.is_standard() && self.pending.contains(sig) {
            return Ok(Enqueued::Coalesced);
        }
        if sig.is_realtime() && self.entries.len() >= limit {
            return Err(QueueFull);
        }
        self.entries.try_reserve(1).map_err(|_| QueueFull)?;
        self.entries.push_back((sig, info));
        self.pending.add(sig);
        Ok(Enqueued::Queued)
    }

    /// Takes the next signal to deliver among those not in `blocked`, with its information:
    /// the oldest instance of the signal [`next_signal`](PendingQueue::next_signal) names.
    pub fn dequeue(&mut self, blocked: SigSet) -> Option<(Signal, I)> {
        let sig = self.next_signal(blocked)?;
        let at = self.entries.iter().position(|&(s, _)| s == sig)?;
        let entry = self.entries.remove(at)?;
        if sig.is_standard() || !self.entries.range(at..).any(|&(s, _)| s == sig) {
            self.pending.remove(sig);
        }
        Some(entry)
    }

    /// Takes the next signal to deliver among those in `set`, as `rt_sigtimedwait(set)` does:
    /// [`dequeue`](PendingQueue::dequeue) with everything outside `set` blocked.
    pub fn dequeue_specific(&mut self, set: SigSet) -> Option<(Signal, I)> {
        self.dequeue(set.complement())
    }

    /// The signal [`dequeue`](PendingQueue::dequeue) would take now, without taking it.
    pub fn next_signal(&self, blocked: SigSet) -> Option<Signal> {
        self.pending.difference(blocked).next_to_deliver()
    }

    /// Whether some pending signal is outside `blocked`: Linux's `TIF_SIGPENDING` condition.
    pub fn has_deliverable(&self, blocked: SigSet) -> bool {
        !self.pending.difference(blocked).is_empty()
    }

    /// The signals with at least one pending instance (`rt_sigpending`, `/proc/PID/status`).
    pub fn pending_set(&self) -> SigSet {
        self.pending
    }

    /// Whether `sig` has at least one pending instance.
    pub fn is_pending(&self, sig: Signal) -> bool {
        self.pending.contains(sig)
    }

    /// Discards every pending instance of `sig` (it became ignored, say); returns how many.
    pub fn remove(&mut self, sig: Signal) -> usize {
        self.remove_set(SigSet::single(sig))
    }

    /// Discards every pending instance of every signal in `set` (as generating `SIGCONT`
    /// discards [`SigSet::STOP`]); returns how many.
    pub fn remove_set(&mut self, set: SigSet) -> usize {
        if self.pending.intersection(set).is_empty() {
            return 0;
        }
        let before = self.entries.len();
        self.entries.retain(|&(s, _)| !set.contains(s));
        self.pending = self.pending.difference(set);
        before - self.entries.len()
    }

    /// Discards everything pending.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.pending = SigSet::EMPTY;
    }

    /// How many instances are pending (each queued realtime instance counts).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every pending instance with its information, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = (Signal, &I)> {
        self.entries.iter().map(|(sig, info)| (*sig, info))
    }
}

impl<I> Default for PendingQueue<I> {
    fn default() -> Self {
        PendingQueue::new()
    }
}

impl<I: fmt::Debug> fmt::Debug for PendingQueue<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.entries.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    const LIMIT: usize = 16;

    fn rt(offset: u32) -> Signal {
        Signal::new(Signal::SIGRTMIN.number() + offset).unwrap()
    }

    fn drain(queue: &mut PendingQueue<u32>, blocked: SigSet) -> Vec<(Signal, u32)> {
        core::iter::from_fn(|| queue.dequeue(blocked)).collect()
    }

    #[test]
    fn standard_signals_coalesce_keeping_the_first_info() {
        let mut q = PendingQueue::new();
        assert_eq!(q.enqueue(Signal::SIGUSR1, 1, LIMIT), Ok(Enqueued::Queued));
        assert_eq!(
            q.enqueue(Signal::SIGUSR1, 2, LIMIT),
            Ok(Enqueued::Coalesced)
        );
        assert_eq!(q.len(), 1);
        assert_eq!(q.dequeue(SigSet::EMPTY), Some((Signal::SIGUSR1, 1)));
        assert_eq!(q.dequeue(SigSet::EMPTY), None);
        assert_eq!(q.enqueue(Signal::SIGUSR1, 3, LIMIT), Ok(Enqueued::Queued));
    }

    #[test]
    fn realtime_signals_queue_in_order() {
        let mut q = PendingQueue::new();
        for info in 0..3 {
            assert_eq!(q.enqueue(rt(1), info, LIMIT), Ok(Enqueued::Queued));
        }
        assert_eq!(q.len(), 3);
        assert_eq!(
            drain(&mut q, SigSet::EMPTY),
            [(rt(1), 0), (rt(1), 1), (rt(1), 2)]
        );
        assert!(q.pending_set().is_empty());
    }

    #[test]
    fn lowest_number_first_then_arrival_order() {
        let mut q = PendingQueue::new();
        q.enqueue(rt(5), 1, LIMIT).unwrap();
        q.enqueue(rt(0), 2, LIMIT).unwrap();
        q.enqueue(Signal::SIGTERM, 3, LIMIT).unwrap();
        q.enqueue(rt(5), 4, LIMIT).unwrap();
        q.enqueue(Signal::SIGHUP, 5, LIMIT).unwrap();
        assert_eq!(
            drain(&mut q, SigSet::EMPTY),
            [
                (Signal::SIGHUP, 5),
                (Signal::SIGTERM, 3),
                (rt(0), 2),
                (rt(5), 1),
                (rt(5), 4)
            ]
        );
    }

    #[test]
    fn synchronous_signals_go_first() {
        let mut q = PendingQueue::new();
        q.enqueue(Signal::SIGHUP, 0, LIMIT).unwrap();
        q.enqueue(Signal::SIGSYS, 0, LIMIT).unwrap();
        q.enqueue(Signal::SIGINT, 0, LIMIT).unwrap();
        q.enqueue(Signal::SIGSEGV, 0, LIMIT).unwrap();
        let order: Vec<Signal> = drain(&mut q, SigSet::EMPTY)
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        assert_eq!(
            order,
            [
                Signal::SIGSEGV,
                Signal::SIGSYS,
                Signal::SIGHUP,
                Signal::SIGINT
            ]
        );
    }

    #[test]
    fn blocked_synchronous_signal_does_not_hold_others_back() {
        let mut q = PendingQueue::new();
        q.enqueue(Signal::SIGSEGV, 0, LIMIT).unwrap();
        q.enqueue(Signal::SIGUSR1, 0, LIMIT).unwrap();
        let blocked = SigSet::single(Signal::SIGSEGV);
        assert_eq!(q.dequeue(blocked), Some((Signal::SIGUSR1, 0)));
        assert_eq!(q.dequeue(blocked), None);
        assert!(q.is_pending(Signal::SIGSEGV));
    }

    #[test]
    fn mask_is_respected() {
        let mut q = PendingQueue::new();
        q.enqueue(Signal::SIGINT, 0, LIMIT).unwrap();
        q.enqueue(rt(2), 0, LIMIT).unwrap();
        let blocked: SigSet = [Signal::SIGINT, rt(2)].into_iter().collect();
        assert!(!q.has_deliverable(blocked));
        assert_eq!(q.next_signal(blocked), None);
        assert_eq!(q.dequeue(blocked), None);
        assert_eq!(q.len(), 2);
        assert!(q.has_deliverable(SigSet::single(Signal::SIGINT)));
        assert_eq!(q.dequeue(SigSet::single(Signal::SIGINT)), Some((rt(2), 0)));
    }

    #[test]
    fn limit_refuses_realtime_only() {
        let mut q = PendingQueue::new();
        q.enqueue(Signal::SIGUSR1, 0, 2).unwrap();
        q.enqueue(rt(0), 0, 2).unwrap();
        assert_eq!(q.enqueue(rt(0), 0, 2), Err(QueueFull));
        assert_eq!(q.enqueue(rt(7), 0, 2), Err(QueueFull));
        assert_eq!(q.enqueue(Signal::SIGUSR2, 0, 2), Ok(Enqueued::Queued));
        assert_eq!(q.enqueue(Signal::SIGUSR1, 0, 0), Ok(Enqueued::Coalesced));
        assert_eq!(q.len(), 3);
        assert_eq!(q.enqueue(rt(0), 9, usize::MAX), Ok(Enqueued::Queued));
        assert_eq!(q.len(), 4);
    }

    #[test]
    fn dequeue_specific_takes_only_from_the_set() {
        let mut q = PendingQueue::new();
        q.enqueue(Signal::SIGHUP, 1, LIMIT).unwrap();
        q.enqueue(Signal::SIGUSR2, 2, LIMIT).unwrap();
        q.enqueue(rt(3), 3, LIMIT).unwrap();
        let set: SigSet = [Signal::SIGUSR2, rt(3)].into_iter().collect();
        assert_eq!(q.dequeue_specific(set), Some((Signal::SIGUSR2, 2)));
        assert_eq!(q.dequeue_specific(set), Some((rt(3), 3)));
        assert_eq!(q.dequeue_specific(set), None);
        assert_eq!(q.pending_set(), SigSet::single(Signal::SIGHUP));
    }

    #[test]
    fn remove_discards_every_instance() {
        let mut q = PendingQueue::new();
        q.enqueue(rt(1), 1, LIMIT).unwrap();
        q.enqueue(Signal::SIGTSTP, 2, LIMIT).unwrap();
        q.enqueue(rt(1), 3, LIMIT).unwrap();
        q.enqueue(Signal::SIGTTIN, 4, LIMIT).unwrap();
        q.enqueue(Signal::SIGINT, 5, LIMIT).unwrap();
        assert_eq!(q.remove(rt(1)), 2);
        assert_eq!(q.remove(rt(1)), 0);
        assert_eq!(q.remove_set(SigSet::STOP), 2);
        assert_eq!(q.pending_set(), SigSet::single(Signal::SIGINT));
        assert_eq!(q.iter().collect::<Vec<_>>(), [(Signal::SIGINT, &5)]);
        q.clear();
        assert!(q.is_empty());
        assert!(q.pending_set().is_empty());
    }

    #[test]
    fn pending_bit_stays_while_instances_remain() {
        let mut q = PendingQueue::new();
        q.enqueue(rt(4), 1, LIMIT).unwrap();
        q.enqueue(rt(4), 2, LIMIT).unwrap();
        q.dequeue(SigSet::EMPTY);
        assert!(q.is_pending(rt(4)));
        q.dequeue(SigSet::EMPTY);
        assert!(!q.is_pending(rt(4)));
    }
}
