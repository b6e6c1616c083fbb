//! `PendingQueue`: the signals generated for a thread (or a whole thread group) but not yet
//! delivered, with Linux's rules for coalescing, queueing, the queue limit and delivery order.
//!
//! Linux keeps two of these per thread: the thread's own (`tkill`, faults) and the thread
//! group's shared one (`kill`), and `dequeue_signal()` empties the thread's own first. Before
//! either, `get_signal()` takes any kernel-generated synchronous fault from the thread's own
//! queue in arrival order (`dequeue_synchronous_signal()`). The kernel composes those steps;
//! this type is one queue.

use core::fmt;

use crate::entries::Entries;
use crate::set::SigSet;
use crate::signal::Signal;

/// A queue of pending signals, each instance with the information it was sent with (`I`: the
/// kernel's own entry type, which may also hold what the entry is charged to).
///
/// A signal is *pending* when its bit is set; most pending signals also have *entries*, one
/// per queued instance with its information. The rules are those of Linux's
/// `__send_signal_locked()` and `collect_signal()`:
///
/// - A standard signal (1..=31) is pending at most once: sending it again while it is pending
///   changes nothing, and the first instance's information is the one kept
///   ([`Enqueued::Coalesced`]). Linux calls this the "legacy queue".
/// - A realtime signal (32..=64) queues every instance, delivered in the order sent.
/// - An entry needs the kernel's consent ([`enqueue`](PendingQueue::enqueue)'s `entry`), which
///   checks the receiver's `RLIMIT_SIGPENDING` and memory. Refused, the signal is still made
///   pending, without an entry ([`Enqueued::WithoutInfo`]), unless it is a realtime signal
///   whose sender chose its information ([`Origin::Queue`], [`Origin::Event`]): that one is
///   refused with [`QueueFull`] (`EAGAIN`). `SIGKILL` never gets an entry.
/// - [`dequeue`](PendingQueue::dequeue) picks the signal as Linux's `next_signal()` does: among
///   the unblocked pending signals, a [synchronous](SigSet::SYNCHRONOUS) one (lowest number
///   first) before any other, then the lowest number. It takes that signal's oldest entry, and
///   the signal stays pending only while another entry is left; a signal pending without an
///   entry is delivered once, with no information (the kernel reports `SI_USER` from pid 0).
///   So an instance that found the queue full is merged into the entries still queued.
///
/// Entries live in one list in arrival order, as in Linux; the first two are held in the
/// queue itself and the rest on the heap, so a queue with at most two entries at a time
/// never allocates, and a drained one holds no heap memory. A queue of `n` entries costs
/// `O(n)` to dequeue from.
pub struct PendingQueue<I> {
    /// The pending signals: those with entries, and those pending without one.
    pending: SigSet,
    /// Every queued instance, oldest first.
    entries: Entries<I>,
}

/// Who sent a signal, which decides how it is treated when it cannot have an entry (Linux
/// tells these apart by the `siginfo` pointer and `si_code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The kernel, with nothing to say beyond the signal (Linux's `SEND_SIG_PRIV` and
    /// `SEND_SIG_NOINFO`): terminal keys, `SIGPIPE`, `SIGALRM`.
    Kernel,
    /// `kill(2)` and the like: `si_code` `SI_USER`.
    Kill,
    /// The kernel, reporting an event in the information (`si_code` > 0: `SIGCHLD`, faults).
    Event,
    /// A sender that chose the information (`si_code` < 0: `sigqueue`, `tgkill`, timers).
    Queue,
}

impl Origin {
    /// Whether an entry for `sig` from this sender is queued even past the receiver's
    /// `RLIMIT_SIGPENDING` (it still counts towards it): standard signals from anyone but a
    /// [`Queue`](Origin::Queue) sender (Linux's `override_rlimit`).
    pub fn exempt_from_limit(self, sig: Signal) -> bool {
        sig.is_standard() && self != Origin::Queue
    }

    /// Whether `sig` from this sender becomes pending without information when it cannot
    /// have an entry; otherwise it is refused with [`QueueFull`]. Only a realtime signal
    /// whose information the sender chose is refused.
    pub fn may_lose_info(self, sig: Signal) -> bool {
        sig.is_standard() || matches!(self, Origin::Kernel | Origin::Kill)
    }
}

/// What [`PendingQueue::enqueue`] asks the kernel's `entry` function to allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Admission {
    /// The entry is queued even past the receiver's limit ([`Origin::exempt_from_limit`]).
    pub exempt_from_limit: bool,
    /// Bytes the queue allocates to hold one more entry (0 if it has room already): at most
    /// a doubling of its list, as Rust's collections grow.
    pub bytes: usize,
}

/// What [`PendingQueue::enqueue`] did with a signal it accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Enqueued {
    /// The signal is pending with a new entry holding its information.
    Queued,
    /// A standard signal that was already pending: this instance, and its information, were
    /// dropped. The sender still sees success.
    Coalesced,
    /// The signal is pending, but its information was lost: it had no entry (the queue limit,
    /// memory, or `SIGKILL`). The sender still sees success.
    WithoutInfo,
}

/// The error of [`PendingQueue::enqueue`]: a realtime signal carrying information its sender
/// chose could not have an entry. Linux's `rt_sigqueueinfo` answers `EAGAIN`.
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
            entries: Entries::new(),
        }
    }

    /// Makes `sig` pending, from `origin`.
    ///
    /// A standard signal already pending is [coalesced](Enqueued::Coalesced) without calling
    /// `entry`. Otherwise (and unless `sig` is `SIGKILL`) `entry` is asked for the entry: the
    /// kernel checks the [`Admission`] against the receiver's limit and its memory and returns
    /// the information to queue, or `None` to refuse. A refused signal is pending
    /// [without information](Enqueued::WithoutInfo), or [`QueueFull`] if
    /// [`origin.may_lose_info(sig)`](Origin::may_lose_info) is false; an entry the list cannot
    /// be grown for counts as refused (it is dropped, which gives back what it holds).
    pub fn enqueue(
        &mut self,
        sig: Signal,
        origin: Origin,
        entry: impl FnOnce(Admission) -> Option<I>,
    ) -> Result<Enqueued, QueueFull> {
        if sig.is_standard() && self.pending.contains(sig) {
            return Ok(Enqueued::Coalesced);
        }
        if sig != Signal::SIGKILL {
            let admission = Admission {
                exempt_from_limit: origin.exempt_from_limit(sig),
                bytes: self.entries.growth_bytes(),
            };
            if let Some(info) = entry(admission) {
                if self.entries.push_back(sig, info).is_ok() {
                    self.pending.add(sig);
                    return Ok(Enqueued::Queued);
                }
            }
            if !origin.may_lose_info(sig) {
                return Err(QueueFull);
            }
        }
        self.pending.add(sig);
        Ok(Enqueued::WithoutInfo)
    }

    /// Takes the next signal to deliver among those not in `blocked`: the signal
    /// [`next_signal`](PendingQueue::next_signal) names, with the information of its oldest
    /// entry, or `None` for a signal pending without one.
    pub fn dequeue(&mut self, blocked: SigSet) -> Option<(Signal, Option<I>)> {
        let sig = self.next_signal(blocked)?;
        let Some((info, more)) = self.entries.take_first(sig) else {
            self.pending.remove(sig);
            return Some((sig, None));
        };
        if !more {
            self.pending.remove(sig);
        }
        Some((sig, Some(info)))
    }

    /// Takes the next signal to deliver among those in `set`, as `rt_sigtimedwait(set)` does:
    /// [`dequeue`](PendingQueue::dequeue) with everything outside `set` blocked.
    pub fn dequeue_specific(&mut self, set: SigSet) -> Option<(Signal, Option<I>)> {
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

    /// The pending signals (`rt_sigpending`, `/proc/PID/status`).
    pub fn pending_set(&self) -> SigSet {
        self.pending
    }

    /// Whether `sig` is pending.
    pub fn is_pending(&self, sig: Signal) -> bool {
        self.pending.contains(sig)
    }

    /// Discards `sig` and all its entries (it became ignored, say).
    pub fn remove(&mut self, sig: Signal) {
        self.remove_set(SigSet::single(sig));
    }

    /// Discards every signal in `set` and all their entries (as generating `SIGCONT` discards
    /// [`SigSet::STOP`]).
    pub fn remove_set(&mut self, set: SigSet) {
        if self.pending.intersection(set).is_empty() {
            return;
        }
        self.entries.retain(|s, _| !set.contains(s));
        self.pending = self.pending.difference(set);
    }

    /// Discards everything pending.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.pending = SigSet::EMPTY;
    }

    /// How many entries are queued (each queued realtime instance counts; a signal pending
    /// without information does not).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Every entry with its information, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = (Signal, &I)> {
        self.entries.iter()
    }
}

impl<I> Default for PendingQueue<I> {
    fn default() -> Self {
        PendingQueue::new()
    }
}

impl<I: fmt::Debug> fmt::Debug for PendingQueue<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingQueue")
            .field("pending", &self.pending)
            .field("entries", &self.entries)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn rt(offset: u32) -> Signal {
        Signal::new(Signal::SIGRTMIN.number() + offset).unwrap()
    }

    /// An `entry` function that admits `info`.
    fn admit(info: u32) -> impl FnOnce(Admission) -> Option<u32> {
        move |_| Some(info)
    }

    fn refuse(_: Admission) -> Option<u32> {
        None
    }

    fn send(q: &mut PendingQueue<u32>, sig: Signal, info: u32) -> Enqueued {
        q.enqueue(sig, Origin::Kill, admit(info)).unwrap()
    }

    fn drain(queue: &mut PendingQueue<u32>, blocked: SigSet) -> Vec<(Signal, Option<u32>)> {
        core::iter::from_fn(|| queue.dequeue(blocked)).collect()
    }

    #[test]
    fn standard_signals_coalesce_keeping_the_first_info() {
        let mut q = PendingQueue::new();
        assert_eq!(send(&mut q, Signal::SIGUSR1, 1), Enqueued::Queued);
        let asked = q.enqueue(Signal::SIGUSR1, Origin::Kill, |_| {
            panic!("asked for an entry")
        });
        assert_eq!(asked, Ok(Enqueued::Coalesced));
        assert_eq!(q.len(), 1);
        assert_eq!(q.dequeue(SigSet::EMPTY), Some((Signal::SIGUSR1, Some(1))));
        assert_eq!(q.dequeue(SigSet::EMPTY), None);
        assert_eq!(send(&mut q, Signal::SIGUSR1, 3), Enqueued::Queued);
    }

    #[test]
    fn realtime_signals_queue_in_order() {
        let mut q = PendingQueue::new();
        for info in 0..3 {
            assert_eq!(send(&mut q, rt(1), info), Enqueued::Queued);
        }
        assert_eq!(q.len(), 3);
        assert_eq!(
            drain(&mut q, SigSet::EMPTY),
            [(rt(1), Some(0)), (rt(1), Some(1)), (rt(1), Some(2))]
        );
        assert!(q.is_empty());
    }

    #[test]
    fn lowest_number_first_then_arrival_order() {
        let mut q = PendingQueue::new();
        send(&mut q, rt(5), 1);
        send(&mut q, rt(0), 2);
        send(&mut q, Signal::SIGTERM, 3);
        send(&mut q, rt(5), 4);
        send(&mut q, Signal::SIGHUP, 5);
        let order: Vec<(Signal, u32)> = drain(&mut q, SigSet::EMPTY)
            .into_iter()
            .map(|(s, i)| (s, i.unwrap()))
            .collect();
        assert_eq!(
            order,
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
        for sig in [
            Signal::SIGHUP,
            Signal::SIGSYS,
            Signal::SIGINT,
            Signal::SIGSEGV,
        ] {
            send(&mut q, sig, 0);
        }
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
        send(&mut q, Signal::SIGSEGV, 0);
        send(&mut q, Signal::SIGUSR1, 0);
        let blocked = SigSet::single(Signal::SIGSEGV);
        assert_eq!(q.dequeue(blocked), Some((Signal::SIGUSR1, Some(0))));
        assert_eq!(q.dequeue(blocked), None);
        assert!(q.is_pending(Signal::SIGSEGV));
    }

    #[test]
    fn mask_is_respected() {
        let mut q = PendingQueue::new();
        send(&mut q, Signal::SIGINT, 0);
        send(&mut q, rt(2), 0);
        let blocked: SigSet = [Signal::SIGINT, rt(2)].into_iter().collect();
        assert!(!q.has_deliverable(blocked));
        assert_eq!(q.next_signal(blocked), None);
        assert_eq!(q.dequeue(blocked), None);
        assert_eq!(q.len(), 2);
        assert!(q.has_deliverable(SigSet::single(Signal::SIGINT)));
        assert_eq!(
            q.dequeue(SigSet::single(Signal::SIGINT)),
            Some((rt(2), Some(0)))
        );
    }

    #[test]
    fn admission_says_who_may_pass_the_limit() {
        let mut q = PendingQueue::<u32>::new();
        let mut seen = Vec::new();
        let cases = [
            (Signal::SIGUSR1, Origin::Kill, true),
            (Signal::SIGUSR2, Origin::Kernel, true),
            (Signal::SIGCHLD, Origin::Event, true),
            (Signal::SIGHUP, Origin::Queue, false),
            (rt(0), Origin::Kill, false),
            (rt(1), Origin::Kernel, false),
            (rt(2), Origin::Queue, false),
        ];
        for (sig, origin, _) in cases {
            q.enqueue(sig, origin, |a| {
                seen.push(a.exempt_from_limit);
                Some(0)
            })
            .unwrap();
        }
        let want: Vec<bool> = cases.iter().map(|c| c.2).collect();
        assert_eq!(seen, want);
    }

    #[test]
    fn refused_entries_lose_info_or_fail() {
        let mut q = PendingQueue::new();
        // kill() and the kernel's own signals stay pending without information.
        assert_eq!(
            q.enqueue(rt(0), Origin::Kill, refuse),
            Ok(Enqueued::WithoutInfo)
        );
        assert_eq!(
            q.enqueue(rt(1), Origin::Kernel, refuse),
            Ok(Enqueued::WithoutInfo)
        );
        // So does a standard signal from any sender.
        assert_eq!(
            q.enqueue(Signal::SIGUSR1, Origin::Queue, refuse),
            Ok(Enqueued::WithoutInfo)
        );
        // A realtime signal whose information was chosen is refused, and not made pending.
        assert_eq!(q.enqueue(rt(2), Origin::Queue, refuse), Err(QueueFull));
        assert_eq!(q.enqueue(rt(3), Origin::Event, refuse), Err(QueueFull));
        assert!(!q.is_pending(rt(2)) && !q.is_pending(rt(3)));
        assert_eq!(q.len(), 0);
        assert_eq!(
            drain(&mut q, SigSet::EMPTY),
            [(Signal::SIGUSR1, None), (rt(0), None), (rt(1), None)]
        );
    }

    #[test]
    fn a_signal_without_info_merges_with_queued_entries() {
        // Queued entries first: the lost instance is not delivered on its own.
        let mut q = PendingQueue::new();
        send(&mut q, rt(0), 1);
        send(&mut q, rt(0), 2);
        assert_eq!(
            q.enqueue(rt(0), Origin::Kill, refuse),
            Ok(Enqueued::WithoutInfo)
        );
        assert_eq!(
            drain(&mut q, SigSet::EMPTY),
            [(rt(0), Some(1)), (rt(0), Some(2))]
        );
        // Lost first, then queued: the entry is what is delivered.
        assert_eq!(
            q.enqueue(rt(0), Origin::Kill, refuse),
            Ok(Enqueued::WithoutInfo)
        );
        send(&mut q, rt(0), 3);
        assert_eq!(drain(&mut q, SigSet::EMPTY), [(rt(0), Some(3))]);
        // A standard signal pending without information coalesces like any other.
        assert_eq!(
            q.enqueue(Signal::SIGINT, Origin::Kill, refuse),
            Ok(Enqueued::WithoutInfo)
        );
        assert_eq!(send(&mut q, Signal::SIGINT, 4), Enqueued::Coalesced);
        assert_eq!(drain(&mut q, SigSet::EMPTY), [(Signal::SIGINT, None)]);
    }

    #[test]
    fn sigkill_never_has_an_entry() {
        let mut q = PendingQueue::<u32>::new();
        let r = q.enqueue(Signal::SIGKILL, Origin::Queue, |_| {
            panic!("asked for an entry")
        });
        assert_eq!(r, Ok(Enqueued::WithoutInfo));
        assert_eq!(q.dequeue(SigSet::EMPTY), Some((Signal::SIGKILL, None)));
    }

    #[test]
    fn a_drained_queue_gives_its_storage_back() {
        let mut q = PendingQueue::new();
        let bytes_asked = |q: &mut PendingQueue<u32>| {
            let mut bytes = None;
            q.enqueue(rt(0), Origin::Kill, |a| {
                bytes = Some(a.bytes);
                Some(0)
            })
            .unwrap();
            bytes.unwrap()
        };
        // The first entries are held inline: they ask for no heap.
        let inline: Vec<usize> = (0..crate::entries::INLINE)
            .map(|_| bytes_asked(&mut q))
            .collect();
        assert!(inline.iter().all(|&b| b == 0));
        let spill = bytes_asked(&mut q);
        assert!(spill > 0);
        for i in 0..20 {
            send(&mut q, rt(1), i);
        }
        drain(&mut q, SigSet::EMPTY);
        for _ in 0..crate::entries::INLINE {
            assert_eq!(bytes_asked(&mut q), 0);
        }
        assert_eq!(bytes_asked(&mut q), spill);
        q.remove(rt(0));
        assert_eq!(bytes_asked(&mut q), 0);
    }

    #[test]
    fn order_holds_across_inline_and_heap_entries() {
        let mut q = PendingQueue::new();
        send(&mut q, rt(1), 1);
        send(&mut q, rt(2), 2);
        send(&mut q, rt(1), 3);
        // rt(2) leaves the inline part with room while an entry is on the heap: newer
        // entries must still come after that one.
        let only_rt2 = SigSet::single(rt(2)).complement();
        assert_eq!(q.dequeue(only_rt2), Some((rt(2), Some(2))));
        send(&mut q, rt(1), 4);
        send(&mut q, rt(2), 5);
        assert_eq!(
            drain(&mut q, SigSet::EMPTY),
            [
                (rt(1), Some(1)),
                (rt(1), Some(3)),
                (rt(1), Some(4)),
                (rt(2), Some(5))
            ]
        );
        assert!(q.is_empty());
    }

    #[test]
    fn dequeue_specific_takes_only_from_the_set() {
        let mut q = PendingQueue::new();
        send(&mut q, Signal::SIGHUP, 1);
        send(&mut q, Signal::SIGUSR2, 2);
        send(&mut q, rt(3), 3);
        let set: SigSet = [Signal::SIGUSR2, rt(3)].into_iter().collect();
        assert_eq!(q.dequeue_specific(set), Some((Signal::SIGUSR2, Some(2))));
        assert_eq!(q.dequeue_specific(set), Some((rt(3), Some(3))));
        assert_eq!(q.dequeue_specific(set), None);
        assert_eq!(q.pending_set(), SigSet::single(Signal::SIGHUP));
    }

    #[test]
    fn remove_discards_every_instance() {
        let mut q = PendingQueue::new();
        send(&mut q, rt(1), 1);
        send(&mut q, Signal::SIGTSTP, 2);
        send(&mut q, rt(1), 3);
        send(&mut q, Signal::SIGTTIN, 4);
        send(&mut q, Signal::SIGINT, 5);
        q.enqueue(rt(7), Origin::Kill, refuse).unwrap();
        q.remove(rt(1));
        q.remove(rt(7));
        q.remove_set(SigSet::STOP);
        assert_eq!(q.pending_set(), SigSet::single(Signal::SIGINT));
        assert_eq!(q.iter().collect::<Vec<_>>(), [(Signal::SIGINT, &5)]);
        q.clear();
        assert!(q.is_empty());
        assert!(q.pending_set().is_empty());
    }

    #[test]
    fn pending_bit_stays_while_entries_remain() {
        let mut q = PendingQueue::new();
        send(&mut q, rt(4), 1);
        send(&mut q, rt(4), 2);
        q.dequeue(SigSet::EMPTY);
        assert!(q.is_pending(rt(4)));
        q.dequeue(SigSet::EMPTY);
        assert!(!q.is_pending(rt(4)));
    }
}
