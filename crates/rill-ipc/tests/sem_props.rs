//! Semaphore operations against a model: all or nothing, undo at exit, and the waiters
//! served in arrival order.

use proptest::prelude::*;
use rill_ipc::abi::{IPC_NOWAIT, SEMVMX, SEM_UNDO};
use rill_ipc::{Blocked, SemError, SemOp, SemSet, Waiter};

fn op(num: u16, op: i16, flags: u32) -> SemOp {
    SemOp {
        num,
        op,
        flags: flags as i16,
    }
}

fn values<W>(s: &SemSet<W>) -> Vec<i32> {
    s.values().collect()
}

#[test]
fn all_or_nothing_and_in_order() {
    let mut s: SemSet<()> = SemSet::new(2).unwrap();
    s.set_all(&[1, 0], 7);
    // The second operation cannot go through, so the first is taken back.
    assert_eq!(
        s.apply(&[op(0, -1, 0), op(1, -1, 0)], 1),
        Err(Blocked::Wait(op(1, -1, 0)))
    );
    assert_eq!(values(&s), [1, 0]);
    assert_eq!(
        s.apply(&[op(0, -1, 0), op(1, -1, IPC_NOWAIT)], 1),
        Err(Blocked::Failed(SemError::Again))
    );
    // A semaphore named twice sees the first change.
    assert_eq!(s.apply(&[op(1, 2, 0), op(1, -1, 0)], 3), Ok(()));
    assert_eq!(values(&s), [1, 1]);
    assert_eq!(s.get(1).unwrap().pid, 3);
    assert_eq!(s.get(0).unwrap().pid, 7);
    // Wait-for-zero.
    assert_eq!(s.apply(&[op(0, 0, 0)], 1), Err(Blocked::Wait(op(0, 0, 0))));
    s.set_value(0, 0, 1);
    assert_eq!(s.apply(&[op(0, 0, 0)], 1), Ok(()));
    // Past SEMVMX.
    s.set_value(0, SEMVMX, 1);
    assert_eq!(
        s.apply(&[op(0, 1, 0)], 1),
        Err(Blocked::Failed(SemError::Range))
    );
}

#[test]
fn undo_at_exit_and_its_limits() {
    let mut s: SemSet<()> = SemSet::new(1).unwrap();
    assert_eq!(s.apply(&[op(0, 5, SEM_UNDO)], 10), Ok(()));
    assert_eq!(s.apply(&[op(0, -2, SEM_UNDO)], 11), Ok(()));
    assert_eq!(values(&s), [3]);
    s.exit(10); // takes back +5: clamped at 0
    assert_eq!(values(&s), [0]);
    s.exit(11); // gives back 2
    assert_eq!(values(&s), [2]);
    assert_eq!(s.get(0).unwrap().pid, 11);
    assert!(!s.has_undo(11));
    // An adjustment past SEMAEM is ERANGE.
    s.set_value(0, 0, 1);
    assert_eq!(s.apply(&[op(0, SEMVMX as i16, SEM_UNDO)], 12), Ok(()));
    s.set_value(0, 0, 1); // forgets the adjustment
    assert_eq!(s.apply(&[op(0, SEMVMX as i16, SEM_UNDO)], 12), Ok(()));
    assert_eq!(s.apply(&[op(0, -1, SEM_UNDO)], 13), Ok(()));
}

#[test]
fn waiters_complete_in_arrival_order_when_they_can() {
    let mut s: SemSet<u32> = SemSet::new(1).unwrap();
    for (pid, want) in [(1, -2), (2, -1), (3, -1)] {
        let ops = vec![op(0, want, 0)];
        let Err(Blocked::Wait(b)) = s.apply(&ops, pid) else {
            panic!("should wait")
        };
        s.wait(Waiter {
            ops,
            pid,
            blocking: b,
            handle: pid,
        })
        .unwrap();
    }
    assert_eq!(s.ncnt(0), 3);
    s.set_value(0, 1, 9);
    let mut done = Vec::new();
    s.update(|w, r| done.push((w, r)));
    // 1 still needs 2; 2 takes the one unit; 3 waits on.
    assert_eq!(done, [(2, Ok(()))]);
    assert_eq!(s.ncnt(0), 2);
    s.set_value(0, 3, 9);
    done.clear();
    s.update(|w, r| done.push((w, r)));
    assert_eq!(done, [(1, Ok(())), (3, Ok(()))]);
    assert_eq!(values(&s), [0]);
    assert!(s.cancel(|&w| w == 1).is_none());
}

proptest! {
    /// Any batch either applies exactly as applying its operations one by one would, or
    /// changes nothing at all.
    #[test]
    fn apply_matches_model(
        start in prop::collection::vec(0..4i32, 3),
        ops in prop::collection::vec((0..3u16, -3..4i16, any::<bool>()), 1..6),
    ) {
        let mut s: SemSet<()> = SemSet::new(3).unwrap();
        s.set_all(&start, 1);
        let ops: Vec<SemOp> = ops
            .into_iter()
            .map(|(n, o, nowait)| op(n, o, if nowait { IPC_NOWAIT } else { 0 }))
            .collect();
        let mut model = start.clone();
        let mut ok = true;
        for o in &ops {
            let v = &mut model[o.num as usize];
            if (o.op == 0 && *v != 0) || *v + o.op as i32 <= -1 {
                ok = false;
                break;
            }
            *v += o.op as i32;
        }
        let got = s.apply(&ops, 2);
        prop_assert_eq!(got.is_ok(), ok);
        prop_assert_eq!(values(&s), if ok { model } else { start });
    }

    /// Undone operations leave the values where they were (while nothing clamps).
    #[test]
    fn undo_restores(deltas in prop::collection::vec((0..2u16, -2..5i16), 1..8)) {
        let mut s: SemSet<()> = SemSet::new(2).unwrap();
        s.set_all(&[10, 10], 1);
        for (n, d) in deltas.into_iter().filter(|&(_, d)| d != 0) {
            prop_assert_eq!(s.apply(&[op(n, d, SEM_UNDO)], 5), Ok(()));
        }
        s.exit(5);
        prop_assert_eq!(values(&s), [10, 10]);
    }
}
