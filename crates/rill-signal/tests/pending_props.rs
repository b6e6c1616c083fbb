//! Property tests of `PendingQueue`: random operation sequences against a plain model of
//! Linux's rules, the delivery-order, mask and coalescing properties on their own, and a
//! per-user limit enforced through the `entry` function as the kernel does.

use std::cell::Cell;
use std::rc::Rc;

use proptest::prelude::*;
use rill_signal::{Admission, Enqueued, Origin, PendingQueue, QueueFull, SigSet, Signal};

/// The numbers of the synchronous signals: SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV, SIGSYS.
const SYNCHRONOUS: [u32; 6] = [4, 5, 7, 8, 11, 31];
const SIGKILL: u32 = 9;

fn sig(n: u32) -> Signal {
    Signal::new(n).unwrap()
}

fn bit(n: u32) -> u64 {
    1 << (n - 1)
}

/// Signal numbers, biased towards a few so that repeats (coalescing, queueing) are common.
fn signal_number() -> impl Strategy<Value = u32> {
    prop_oneof![
        1u32..=64,
        prop::sample::select(vec![2u32, 7, 9, 10, 11, 31, 32, 33, 40, 64]),
    ]
}

fn origin() -> impl Strategy<Value = Origin> {
    prop::sample::select(vec![
        Origin::Kernel,
        Origin::Kill,
        Origin::Event,
        Origin::Queue,
    ])
}

/// Masks, biased towards sparse ones so that something is usually deliverable.
fn mask() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        any::<u64>(),
        prop::collection::vec(signal_number(), 0..4)
            .prop_map(|ns| ns.iter().fold(0u64, |m, &n| m | bit(n))),
    ]
}

#[derive(Clone, Debug)]
enum Op {
    Enqueue { n: u32, origin: Origin, admit: bool },
    Dequeue { blocked: u64 },
    DequeueSpecific { set: u64 },
    Remove { n: u32 },
    RemoveSet { set: u64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (signal_number(), origin(), prop::bool::weighted(0.8))
            .prop_map(|(n, origin, admit)| Op::Enqueue { n, origin, admit }),
        2 => mask().prop_map(|blocked| Op::Dequeue { blocked }),
        1 => mask().prop_map(|set| Op::DequeueSpecific { set }),
        1 => signal_number().prop_map(|n| Op::Remove { n }),
        1 => mask().prop_map(|set| Op::RemoveSet { set }),
    ]
}

/// The reference: the pending bits and every entry as (number, info), oldest first, with
/// the rules written out plainly.
#[derive(Default)]
struct Model {
    pending: u64,
    entries: Vec<(u32, u64)>,
}

impl Model {
    /// The outcome, and whether the entry function was asked (with its `exempt` flag).
    fn enqueue(
        &mut self,
        n: u32,
        origin: Origin,
        info: u64,
        admit: bool,
    ) -> (Result<Enqueued, QueueFull>, Option<bool>) {
        if n < 32 && self.pending & bit(n) != 0 {
            return (Ok(Enqueued::Coalesced), None);
        }
        if n == SIGKILL {
            self.pending |= bit(n);
            return (Ok(Enqueued::WithoutInfo), None);
        }
        let exempt = n < 32 && origin != Origin::Queue;
        if admit {
            self.entries.push((n, info));
            self.pending |= bit(n);
            return (Ok(Enqueued::Queued), Some(exempt));
        }
        if n < 32 || matches!(origin, Origin::Kernel | Origin::Kill) {
            self.pending |= bit(n);
            (Ok(Enqueued::WithoutInfo), Some(exempt))
        } else {
            (Err(QueueFull), Some(exempt))
        }
    }

    fn dequeue(&mut self, blocked: u64) -> Option<(u32, Option<u64>)> {
        let deliverable = self.pending & !blocked;
        let numbers = (1..=64u32).filter(|&n| deliverable & bit(n) != 0);
        let synchronous = numbers.clone().find(|n| SYNCHRONOUS.contains(n));
        let chosen = synchronous.or_else(|| numbers.clone().next())?;
        let Some(at) = self.entries.iter().position(|&(n, _)| n == chosen) else {
            self.pending &= !bit(chosen);
            return Some((chosen, None));
        };
        let (_, info) = self.entries.remove(at);
        if !self.entries.iter().any(|&(n, _)| n == chosen) {
            self.pending &= !bit(chosen);
        }
        Some((chosen, Some(info)))
    }

    fn remove_set(&mut self, set: u64) {
        self.entries.retain(|&(n, _)| set & bit(n) == 0);
        self.pending &= !set;
    }
}

fn unpack(entry: Option<(Signal, Option<u64>)>) -> Option<(u32, Option<u64>)> {
    entry.map(|(s, info)| (s.number(), info))
}

/// An entry that holds one unit of a per-user count while it exists, as the kernel's do.
struct Charged {
    count: Rc<Cell<usize>>,
}

impl Drop for Charged {
    fn drop(&mut self) {
        self.count.set(self.count.get() - 1);
    }
}

/// The kernel's `entry` function: charge the count, within `limit` unless exempt.
fn charge(count: &Rc<Cell<usize>>, limit: usize) -> impl FnOnce(Admission) -> Option<Charged> + '_ {
    move |a: Admission| {
        if !a.exempt_from_limit && count.get() >= limit {
            return None;
        }
        count.set(count.get() + 1);
        Some(Charged {
            count: count.clone(),
        })
    }
}

proptest! {
    #[test]
    fn matches_the_model(ops in prop::collection::vec(op(), 0..200)) {
        let mut queue = PendingQueue::new();
        let mut model = Model::default();
        for (info, op) in (0u64..).zip(ops) {
            match op {
                Op::Enqueue { n, origin, admit } => {
                    let mut asked = None;
                    let got = queue.enqueue(sig(n), origin, |a| {
                        asked = Some(a.exempt_from_limit);
                        admit.then_some(info)
                    });
                    prop_assert_eq!((got, asked), model.enqueue(n, origin, info, admit));
                }
                Op::Dequeue { blocked } => {
                    let expected = model.dequeue(blocked);
                    prop_assert_eq!(
                        queue.next_signal(SigSet::from_bits(blocked)).map(Signal::number),
                        expected.map(|(n, _)| n)
                    );
                    prop_assert_eq!(unpack(queue.dequeue(SigSet::from_bits(blocked))), expected);
                }
                Op::DequeueSpecific { set } => {
                    prop_assert_eq!(
                        unpack(queue.dequeue_specific(SigSet::from_bits(set))),
                        model.dequeue(!set)
                    );
                }
                Op::Remove { n } => {
                    queue.remove(sig(n));
                    model.remove_set(bit(n));
                }
                Op::RemoveSet { set } => {
                    queue.remove_set(SigSet::from_bits(set));
                    model.remove_set(set);
                }
            }
            prop_assert_eq!(queue.len(), model.entries.len());
            prop_assert_eq!(queue.is_empty(), model.pending == 0);
            prop_assert_eq!(queue.pending_set().bits(), model.pending);
            let listed: Vec<(u32, u64)> = queue.iter().map(|(s, &info)| (s.number(), info)).collect();
            prop_assert_eq!(listed, model.entries.clone());
        }
    }

    /// However often standard signals are sent, each is pending at most once.
    #[test]
    fn standard_signals_coalesce(ns in prop::collection::vec(1u32..32, 0..100)) {
        let mut queue = PendingQueue::new();
        for (info, &n) in ns.iter().enumerate() {
            let was_pending = queue.is_pending(sig(n));
            let outcome = queue.enqueue(sig(n), Origin::Kill, |_| Some(info)).unwrap();
            prop_assert_eq!(outcome == Enqueued::Coalesced, was_pending);
        }
        let distinct: SigSet = ns.iter().map(|&n| sig(n)).collect();
        prop_assert_eq!(queue.pending_set(), distinct);
        prop_assert_eq!(queue.len(), distinct.difference(SigSet::single(Signal::SIGKILL)).len());
    }

    /// Draining delivers synchronous signals first, then by number; instances of one realtime
    /// signal come out in the order they were sent.
    #[test]
    fn drain_order(ns in prop::collection::vec(signal_number(), 0..100)) {
        let mut queue = PendingQueue::new();
        let mut sent = Vec::new();
        for (info, &n) in ns.iter().enumerate() {
            match queue.enqueue(sig(n), Origin::Kill, |_| Some(info)).unwrap() {
                Enqueued::Queued => sent.push((n, Some(info))),
                Enqueued::WithoutInfo => sent.push((n, None)),
                Enqueued::Coalesced => {}
            }
        }
        let drained: Vec<(u32, Option<usize>)> =
            std::iter::from_fn(|| queue.dequeue(SigSet::EMPTY)).map(|(s, i)| (s.number(), i)).collect();
        let mut expected = sent;
        expected.sort_by_key(|&(n, info)| (!SYNCHRONOUS.contains(&n), n, info));
        prop_assert_eq!(drained, expected);
        prop_assert!(queue.is_empty());
    }

    /// A blocked signal is never dequeued, and nothing unblocked is left behind.
    #[test]
    fn mask_is_respected(ns in prop::collection::vec(signal_number(), 0..60), blocked in mask()) {
        let blocked = SigSet::from_bits(blocked);
        let mut queue = PendingQueue::new();
        for &n in &ns {
            queue.enqueue(sig(n), Origin::Kill, |_| Some(())).unwrap();
        }
        while let Some((s, _)) = queue.dequeue(blocked) {
            prop_assert!(!blocked.contains(s));
        }
        prop_assert!(!queue.has_deliverable(blocked));
        prop_assert_eq!(queue.pending_set().difference(blocked), SigSet::EMPTY);
        let still_blocked: SigSet = ns.iter().map(|&n| sig(n)).filter(|&s| blocked.contains(s)).collect();
        prop_assert_eq!(queue.pending_set(), still_blocked);
    }

    /// With a per-user count behind `entry`: entries past the limit exist only for exempt
    /// senders; a realtime signal past it is refused from sigqueue-like senders and pending
    /// without information from kill; every signal sent is pending; and the count always
    /// equals the entries alive (dequeued and discarded entries give theirs back).
    #[test]
    fn limit_through_the_entry_function(
        sends in prop::collection::vec((signal_number(), origin()), 0..120),
        limit in 0usize..24,
        blocked in mask(),
    ) {
        let count = Rc::new(Cell::new(0));
        let mut queue = PendingQueue::new();
        for &(n, origin) in &sends {
            let before = count.get();
            let full = before >= limit;
            let was_pending = queue.is_pending(sig(n));
            let result = queue.enqueue(sig(n), origin, charge(&count, limit));
            match result {
                Err(QueueFull) => {
                    prop_assert!(full && sig(n).is_realtime());
                    prop_assert!(matches!(origin, Origin::Queue | Origin::Event));
                }
                Ok(Enqueued::Queued) => prop_assert!(!full || origin.exempt_from_limit(sig(n))),
                Ok(Enqueued::WithoutInfo) => prop_assert!(full || n == SIGKILL),
                Ok(Enqueued::Coalesced) => prop_assert!(was_pending && sig(n).is_standard()),
            }
            if result.is_ok() {
                prop_assert!(queue.is_pending(sig(n)));
            }
            prop_assert_eq!(count.get(), queue.len());
        }
        let realtime = queue.iter().filter(|(s, _)| s.is_realtime()).count();
        prop_assert!(realtime <= limit);
        while queue.dequeue(SigSet::from_bits(blocked)).is_some() {
            prop_assert_eq!(count.get(), queue.len());
        }
        queue.remove_set(SigSet::from_bits(blocked & 0xffff));
        prop_assert_eq!(count.get(), queue.len());
        queue.clear();
        prop_assert_eq!(count.get(), 0);
    }

    /// `dequeue_specific` takes only signals in its set, blocked or not elsewhere.
    #[test]
    fn dequeue_specific_stays_in_the_set(ns in prop::collection::vec(signal_number(), 0..60), set in mask()) {
        let set = SigSet::from_bits(set);
        let mut queue = PendingQueue::new();
        for &n in &ns {
            queue.enqueue(sig(n), Origin::Kill, |_| Some(())).unwrap();
        }
        let before = queue.pending_set();
        while let Some((s, _)) = queue.dequeue_specific(set) {
            prop_assert!(set.contains(s));
        }
        prop_assert_eq!(queue.pending_set(), before.difference(set));
    }
}
