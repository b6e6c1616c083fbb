//! Property tests of `PendingQueue`: random operation sequences against a plain model of
//! Linux's rules, and the delivery-order, mask, coalescing and limit properties on their own.

use proptest::prelude::*;
use rill_signal::{Enqueued, PendingQueue, QueueFull, SigSet, Signal};

/// The numbers of the synchronous signals: SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV, SIGSYS.
const SYNCHRONOUS: [u32; 6] = [4, 5, 7, 8, 11, 31];

fn sig(n: u32) -> Signal {
    Signal::new(n).unwrap()
}

/// Signal numbers, biased towards a few so that repeats (coalescing, queueing) are common.
fn signal_number() -> impl Strategy<Value = u32> {
    prop_oneof![
        1u32..=64,
        prop::sample::select(vec![2u32, 7, 10, 11, 31, 32, 33, 40, 64]),
    ]
}

/// Masks, biased towards sparse ones so that something is usually deliverable.
fn mask() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        any::<u64>(),
        prop::collection::vec(signal_number(), 0..4)
            .prop_map(|ns| ns.iter().fold(0u64, |m, &n| m | 1 << (n - 1))),
    ]
}

#[derive(Clone, Debug)]
enum Op {
    Enqueue { n: u32, limit: usize },
    Dequeue { blocked: u64 },
    DequeueSpecific { set: u64 },
    Remove { n: u32 },
    RemoveSet { set: u64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (signal_number(), 0usize..12).prop_map(|(n, limit)| Op::Enqueue { n, limit }),
        2 => mask().prop_map(|blocked| Op::Dequeue { blocked }),
        1 => mask().prop_map(|set| Op::DequeueSpecific { set }),
        1 => signal_number().prop_map(|n| Op::Remove { n }),
        1 => mask().prop_map(|set| Op::RemoveSet { set }),
    ]
}

/// The reference: every pending instance as (number, info), oldest first, with the rules
/// written out plainly.
#[derive(Default)]
struct Model {
    entries: Vec<(u32, u64)>,
}

impl Model {
    fn enqueue(&mut self, n: u32, info: u64, limit: usize) -> Result<Enqueued, QueueFull> {
        if n < 32 && self.entries.iter().any(|&(m, _)| m == n) {
            Ok(Enqueued::Coalesced)
        } else if n >= 32 && self.entries.len() >= limit {
            Err(QueueFull)
        } else {
            self.entries.push((n, info));
            Ok(Enqueued::Queued)
        }
    }

    fn dequeue(&mut self, blocked: u64) -> Option<(u32, u64)> {
        let deliverable: Vec<u32> = self
            .entries
            .iter()
            .map(|&(n, _)| n)
            .filter(|&n| blocked & (1 << (n - 1)) == 0)
            .collect();
        let synchronous = deliverable
            .iter()
            .copied()
            .filter(|n| SYNCHRONOUS.contains(n))
            .min();
        let chosen = synchronous.or_else(|| deliverable.iter().copied().min())?;
        let at = self.entries.iter().position(|&(n, _)| n == chosen)?;
        Some(self.entries.remove(at))
    }

    fn remove_set(&mut self, set: u64) -> usize {
        let before = self.entries.len();
        self.entries.retain(|&(n, _)| set & (1 << (n - 1)) == 0);
        before - self.entries.len()
    }

    fn pending_bits(&self) -> u64 {
        self.entries.iter().fold(0, |m, &(n, _)| m | 1 << (n - 1))
    }
}

fn unpack(entry: Option<(Signal, u64)>) -> Option<(u32, u64)> {
    entry.map(|(s, info)| (s.number(), info))
}

proptest! {
    #[test]
    fn matches_the_model(ops in prop::collection::vec(op(), 0..200)) {
        let mut queue = PendingQueue::new();
        let mut model = Model::default();
        for (info, op) in (0u64..).zip(ops) {
            match op {
                Op::Enqueue { n, limit } => {
                    prop_assert_eq!(queue.enqueue(sig(n), info, limit), model.enqueue(n, info, limit));
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
                    prop_assert_eq!(queue.remove(sig(n)), model.remove_set(1 << (n - 1)));
                }
                Op::RemoveSet { set } => {
                    prop_assert_eq!(queue.remove_set(SigSet::from_bits(set)), model.remove_set(set));
                }
            }
            prop_assert_eq!(queue.len(), model.entries.len());
            prop_assert_eq!(queue.is_empty(), model.entries.is_empty());
            prop_assert_eq!(queue.pending_set().bits(), model.pending_bits());
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
            let outcome = queue.enqueue(sig(n), info, 0).unwrap();
            prop_assert_eq!(outcome == Enqueued::Coalesced, was_pending);
        }
        let distinct: SigSet = ns.iter().map(|&n| sig(n)).collect();
        prop_assert_eq!(queue.len(), distinct.len());
        prop_assert_eq!(queue.pending_set(), distinct);
    }

    /// Draining delivers synchronous signals first, then by number; instances of one realtime
    /// signal come out in the order they were sent.
    #[test]
    fn drain_order(ns in prop::collection::vec(signal_number(), 0..100)) {
        let mut queue = PendingQueue::new();
        let mut sent = Vec::new();
        for (info, &n) in ns.iter().enumerate() {
            if queue.enqueue(sig(n), info, usize::MAX).unwrap() == Enqueued::Queued {
                sent.push((n, info));
            }
        }
        let drained: Vec<(u32, usize)> =
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
            queue.enqueue(sig(n), (), usize::MAX).unwrap();
        }
        while let Some((s, ())) = queue.dequeue(blocked) {
            prop_assert!(!blocked.contains(s));
        }
        prop_assert!(!queue.has_deliverable(blocked));
        prop_assert_eq!(queue.pending_set().difference(blocked), SigSet::EMPTY);
        let still_blocked: SigSet = ns.iter().map(|&n| sig(n)).filter(|&s| blocked.contains(s)).collect();
        prop_assert_eq!(queue.pending_set(), still_blocked);
    }

    /// Realtime signals are accepted exactly while the queue holds fewer than the limit.
    #[test]
    fn limit_is_exact(ns in prop::collection::vec(signal_number(), 0..80), limit in 0usize..20) {
        let mut queue = PendingQueue::new();
        for &n in &ns {
            let before = queue.len();
            let result = queue.enqueue(sig(n), (), limit);
            if sig(n).is_realtime() {
                prop_assert_eq!(result.is_ok(), before < limit);
            } else {
                prop_assert!(result.is_ok());
            }
        }
        let realtime = queue.iter().filter(|(s, _)| s.is_realtime()).count();
        prop_assert!(realtime <= limit);
    }

    /// `dequeue_specific` takes only signals in its set, blocked or not elsewhere.
    #[test]
    fn dequeue_specific_stays_in_the_set(ns in prop::collection::vec(signal_number(), 0..60), set in mask()) {
        let set = SigSet::from_bits(set);
        let mut queue = PendingQueue::new();
        for &n in &ns {
            queue.enqueue(sig(n), (), usize::MAX).unwrap();
        }
        let before = queue.pending_set();
        while let Some((s, ())) = queue.dequeue_specific(set) {
            prop_assert!(set.contains(s));
        }
        prop_assert_eq!(queue.pending_set(), before.difference(set));
    }
}
