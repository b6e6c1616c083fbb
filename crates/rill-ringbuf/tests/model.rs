//! Property tests of `RingBuf` against a `VecDeque` model, including copy routines that fault
//! midway, and of the pipe(7) rules in `pipe_write_chunk` and `round_pipe_size`.

use std::collections::VecDeque;

use proptest::prelude::*;
use rill_ringbuf::{
    pipe_write_chunk, round_pipe_size, Chunk, NoMemory, ResizeError, RingBuf, PIPE_BUF,
};

/// Eight-byte chunks, so that small rings span several.
struct Oct([u8; 8]);

impl Chunk for Oct {
    const SIZE: usize = 8;
    fn alloc() -> Option<Oct> {
        Some(Oct([0xee; 8]))
    }
    fn bytes(&self) -> &[u8] {
        &self.0
    }
    fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }
}

type Ring = RingBuf<Oct>;

#[derive(Clone, Debug)]
enum Op {
    /// `push` the bytes.
    Push(Vec<u8>),
    /// `pop` into a buffer of this size.
    Pop(usize),
    /// `set_capacity(1 << shift)`.
    Resize(u32),
    /// `push_with` at most `max` of the bytes, faulting after `budget` bytes.
    PushFaulting {
        bytes: Vec<u8>,
        max: usize,
        budget: usize,
    },
    /// `pop_with` at most `max` bytes, faulting after `budget` bytes.
    PopFaulting { max: usize, budget: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => prop::collection::vec(any::<u8>(), 0..300).prop_map(Op::Push),
        3 => (0usize..300).prop_map(Op::Pop),
        1 => (3u32..10).prop_map(Op::Resize),
        2 => (prop::collection::vec(any::<u8>(), 0..300), 0usize..300, 0usize..300)
            .prop_map(|(bytes, max, budget)| Op::PushFaulting { bytes, max, budget }),
        2 => (0usize..300, 0usize..300).prop_map(|(max, budget)| Op::PopFaulting { max, budget }),
    ]
}

#[derive(Debug, PartialEq)]
struct Fault;

impl From<NoMemory> for Fault {
    fn from(_: NoMemory) -> Fault {
        panic!("the test chunks never run out")
    }
}

/// Checks every observable of `ring` against the model.
fn check(ring: &Ring, model: &VecDeque<u8>, capacity: usize) -> Result<(), TestCaseError> {
    prop_assert_eq!(ring.capacity(), capacity);
    prop_assert_eq!(ring.len(), model.len());
    prop_assert_eq!(ring.free(), capacity - model.len());
    prop_assert_eq!(ring.is_empty(), model.is_empty());
    prop_assert_eq!(ring.is_full(), model.len() == capacity);
    let stored: Vec<u8> = ring.stored().flatten().copied().collect();
    prop_assert_eq!(stored, model.iter().copied().collect::<Vec<u8>>());
    // Exactly the chunks with stored bytes are held (when the newest bytes wrap into the
    // oldest one's chunk, it shows twice in `stored`).
    let spanned = ring.stored().count();
    prop_assert_eq!(ring.chunks_held(), spanned.min(capacity / Oct::SIZE));
    Ok(())
}

proptest! {
    #[test]
    fn matches_a_vecdeque(shift in 3u32..10, ops in prop::collection::vec(op(), 0..100)) {
        let mut capacity = 1usize << shift;
        let mut ring = Ring::new(capacity);
        let mut model = VecDeque::new();
        for op in ops {
            match op {
                Op::Push(bytes) => {
                    let n = bytes.len().min(capacity - model.len());
                    prop_assert_eq!(ring.push(&bytes), n);
                    model.extend(&bytes[..n]);
                }
                Op::Pop(size) => {
                    let mut out = vec![0; size];
                    let n = ring.pop(&mut out);
                    let expected: Vec<u8> = model.drain(..size.min(model.len())).collect();
                    prop_assert_eq!(&out[..n], &expected[..]);
                }
                Op::Resize(shift) => {
                    let new = 1usize << shift;
                    let result = ring.set_capacity(new);
                    if new < model.len() {
                        prop_assert_eq!(result, Err(ResizeError::Busy));
                    } else {
                        prop_assert_eq!(result, Ok(()));
                        capacity = new;
                    }
                }
                Op::PushFaulting { bytes, max, budget } => {
                    let want = max.min(bytes.len()).min(capacity - model.len());
                    let mut offset = 0;
                    let result = ring.push_with(max.min(bytes.len()), |space| {
                        let n = space.len().min(budget.saturating_sub(offset));
                        if n == 0 {
                            return Err(Fault);
                        }
                        space[..n].copy_from_slice(&bytes[offset..offset + n]);
                        offset += n;
                        Ok(n)
                    });
                    let moved = want.min(budget);
                    if want > 0 && moved == 0 {
                        prop_assert_eq!(result, Err(Fault));
                    } else {
                        prop_assert_eq!(result, Ok(moved));
                    }
                    model.extend(&bytes[..moved]);
                }
                Op::PopFaulting { max, budget } => {
                    let want = max.min(model.len());
                    let mut taken = Vec::new();
                    let result = ring.pop_with(max, |data| {
                        let n = data.len().min(budget.saturating_sub(taken.len()));
                        if n == 0 {
                            return Err(Fault);
                        }
                        taken.extend_from_slice(&data[..n]);
                        Ok(n)
                    });
                    let moved = want.min(budget);
                    if want > 0 && moved == 0 {
                        prop_assert_eq!(result, Err(Fault));
                    } else {
                        prop_assert_eq!(result, Ok(moved));
                    }
                    let expected: Vec<u8> = model.drain(..moved).collect();
                    prop_assert_eq!(taken, expected);
                }
            }
            check(&ring, &model, capacity)?;
        }
    }

    /// A copy routine that claims fewer bytes than it wrote leaves exactly the claimed bytes.
    #[test]
    fn short_claims_commit_only_the_claim(
        before in prop::collection::vec(any::<u8>(), 0..16),
        pop_first in 0usize..16,
        claim in 0usize..16,
    ) {
        let mut ring = Ring::new(16);
        ring.push(&before);
        ring.pop(&mut vec![0; pop_first]);
        let kept: Vec<u8> = before[pop_first.min(before.len())..].to_vec();
        let mut first = true;
        let moved = ring.push_with(16, |space| {
            space.fill(0xAA);
            let n = if first { claim.min(space.len()) } else { 0 };
            first = false;
            Ok::<_, Fault>(n)
        }).unwrap();
        let mut expected = kept;
        expected.extend(std::iter::repeat_n(0xAA, moved));
        let stored: Vec<u8> = ring.stored().flatten().copied().collect();
        prop_assert_eq!(stored, expected);
    }

    #[test]
    fn pipe_write_chunk_rules(
        len_requested in 0usize..20_000,
        progress in 0usize..20_000,
        free in 0usize..70_000,
    ) {
        let remaining = len_requested.saturating_sub(progress);
        let n = pipe_write_chunk(len_requested, remaining, free, PIPE_BUF);
        prop_assert!(n <= remaining);
        prop_assert!(n <= free);
        if remaining <= free {
            prop_assert_eq!(n, remaining);
        }
        if len_requested <= PIPE_BUF {
            prop_assert!(n == 0 || n == remaining);
        } else if remaining > 0 && free > 0 {
            prop_assert!(n > 0);
        }
    }

    #[test]
    fn round_pipe_size_rules(requested in 0u64..=(1u64 << 31)) {
        let size = round_pipe_size(requested, 4096).unwrap();
        prop_assert!(size.is_power_of_two());
        prop_assert!(size >= 4096);
        prop_assert!(size as u64 >= requested);
        prop_assert!((size as u64) < 2 * requested.max(4096));
    }
}
