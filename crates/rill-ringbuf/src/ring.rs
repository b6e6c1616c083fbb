//! `RingBuf`: a power-of-two byte ring, stored in chunks that come and go with the data,
//! whose copy routines may fail midway.

use alloc::vec::Vec;
use core::fmt;

/// Storage for a ring, one fixed-size chunk at a time (a page frame, in the kernel).
pub trait Chunk: Sized {
    /// Bytes in a chunk: a power of two.
    const SIZE: usize;
    /// A new chunk, or `None` when memory is short. Its old contents may stay: the ring
    /// reads only bytes it wrote.
    fn alloc() -> Option<Self>;
    /// The chunk's `SIZE` bytes.
    fn bytes(&self) -> &[u8];
    /// The chunk's `SIZE` bytes, for writing.
    fn bytes_mut(&mut self) -> &mut [u8];
}

/// A FIFO of bytes with a fixed, power-of-two capacity.
///
/// Bytes go in through [`push_with`](RingBuf::push_with) and out through
/// [`pop_with`](RingBuf::pop_with), which lend the free space (or the stored bytes) to a copy
/// routine one contiguous slice at a time. The routine may stop early or fail, as a copy to
/// or from user memory does on a fault; the ring then holds exactly the bytes the routine
/// reported as copied, in order.
///
/// Storage: a table of `capacity / C::SIZE` chunk slots, made on the first push (or by
/// [`try_allocate`](RingBuf::try_allocate)) and kept until the ring is dropped or resized
/// while empty. A chunk is allocated when the first byte is written into it and freed as
/// soon as it holds no stored byte, as Linux's pipes take and give back pages: an empty ring
/// holds no chunk.
pub struct RingBuf<C: Chunk> {
    /// Empty until storage is needed; then `capacity / C::SIZE` slots.
    chunks: Vec<Option<C>>,
    /// A power of two, at least `C::SIZE`.
    capacity: usize,
    /// Index of the oldest byte; always less than `capacity`, and 0 whenever `len` is 0.
    head: usize,
    /// How many bytes are stored.
    len: usize,
}

/// The error of [`RingBuf::set_capacity`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResizeError {
    /// The ring holds more bytes than the new capacity (`F_SETPIPE_SZ` answers `EBUSY`).
    Busy,
    /// The new storage could not be allocated (`ENOMEM`); the ring is unchanged.
    NoMemory,
}

impl fmt::Display for ResizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ResizeError::Busy => "ring holds more bytes than the new capacity",
            ResizeError::NoMemory => "out of memory for the ring's storage",
        })
    }
}

impl core::error::Error for ResizeError {}

/// Storage (the chunk table or a chunk) could not be allocated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NoMemory;

impl fmt::Display for NoMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("out of memory for the ring's storage")
    }
}

impl core::error::Error for NoMemory {}

impl<C: Chunk> RingBuf<C> {
    /// An empty ring of `capacity` bytes; allocates nothing yet.
    ///
    /// # Panics
    ///
    /// If `capacity` is not a power of two at least `C::SIZE`.
    pub const fn new(capacity: usize) -> RingBuf<C> {
        assert!(
            capacity.is_power_of_two() && capacity >= C::SIZE,
            "ring capacity must be a power of two of at least a chunk"
        );
        RingBuf {
            chunks: Vec::new(),
            capacity,
            head: 0,
            len: 0,
        }
    }

    /// How many bytes the ring can hold.
    pub const fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many bytes the ring holds.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// How many more bytes fit.
    pub const fn free(&self) -> usize {
        self.capacity - self.len
    }

    /// Whether the ring holds no byte.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether no more bytes fit.
    pub const fn is_full(&self) -> bool {
        self.len == self.capacity
    }

    /// How many chunks the ring holds now.
    pub fn chunks_held(&self) -> usize {
        self.chunks.iter().filter(|c| c.is_some()).count()
    }

    /// Makes the chunk table now if it is not yet, so that only chunks are left to allocate.
    pub fn try_allocate(&mut self) -> Result<(), NoMemory> {
        if self.chunks.is_empty() {
            let slots = self.capacity / C::SIZE;
            let mut chunks = Vec::new();
            chunks.try_reserve_exact(slots).map_err(|_| NoMemory)?;
            chunks.resize_with(slots, || None);
            self.chunks = chunks;
        }
        Ok(())
    }

    /// The stored bytes, oldest first, one slice per chunk.
    pub fn stored(&self) -> impl Iterator<Item = &[u8]> {
        let (mut at, mut left) = (self.head, self.len);
        core::iter::from_fn(move || {
            if left == 0 {
                return None;
            }
            let (index, offset) = (at / C::SIZE, at % C::SIZE);
            let span = (C::SIZE - offset).min(left);
            let chunk = self.chunks.get(index)?.as_ref()?;
            at = (at + span) & (self.capacity - 1);
            left -= span;
            Some(&chunk.bytes()[offset..offset + span])
        })
    }

    /// Whether chunk `index` holds a stored byte.
    fn holds_data(&self, index: usize) -> bool {
        if self.len == 0 {
            return false;
        }
        let start = index * C::SIZE;
        if (start..start + C::SIZE).contains(&self.head) {
            return true;
        }
        (start + self.capacity - self.head) & (self.capacity - 1) < self.len
    }

    /// Frees chunk `index` if it holds no stored byte.
    fn release_if_unused(&mut self, index: usize) {
        if !self.holds_data(index) {
            if let Some(slot) = self.chunks.get_mut(index) {
                *slot = None;
            }
        }
    }

    /// Frees the chunks over the next `n` free bytes that hold no stored byte (after a
    /// push that stopped short of them).
    fn release_free_span(&mut self, n: usize) {
        let tail = (self.head + self.len) & (self.capacity - 1);
        let first = tail / C::SIZE;
        let count = (tail % C::SIZE + n)
            .div_ceil(C::SIZE)
            .min(self.chunks.len());
        for i in 0..count {
            self.release_if_unused((first + i) % self.chunks.len());
        }
    }

    /// Allocates the chunks the next `n` bytes pushed will go into, all of them or none:
    /// a push of up to `n` bytes that must go in whole then cannot run out of memory.
    pub fn provide(&mut self, n: usize) -> Result<(), NoMemory> {
        let n = n.min(self.free());
        if n == 0 {
            return Ok(());
        }
        self.try_allocate()?;
        let tail = (self.head + self.len) & (self.capacity - 1);
        let first = tail / C::SIZE;
        let count = (tail % C::SIZE + n).div_ceil(C::SIZE);
        for i in 0..count {
            let index = (first + i) % self.chunks.len();
            if let Some(slot @ None) = self.chunks.get_mut(index) {
                *slot = C::alloc();
                if slot.is_none() {
                    self.release_free_span(n);
                    return Err(NoMemory);
                }
            }
        }
        Ok(())
    }

    /// Changes the capacity to `new`, keeping the stored bytes in order (`F_SETPIPE_SZ`).
    ///
    /// Fails with [`ResizeError::Busy`] if the ring holds more than `new` bytes, and with
    /// [`ResizeError::NoMemory`] if it holds bytes and new storage cannot be had; either way
    /// nothing changes. An empty ring gives its chunk table back, to make one at the new size
    /// on its next push.
    ///
    /// # Panics
    ///
    /// If `new` is not a power of two at least `C::SIZE`.
    pub fn set_capacity(&mut self, new: usize) -> Result<(), ResizeError> {
        assert!(
            new.is_power_of_two() && new >= C::SIZE,
            "ring capacity must be a power of two of at least a chunk"
        );
        if new < self.len {
            return Err(ResizeError::Busy);
        }
        if new == self.capacity {
            return Ok(());
        }
        if self.len == 0 {
            *self = RingBuf::new(new);
            return Ok(());
        }
        let mut fresh = RingBuf::new(new);
        fresh.try_allocate().map_err(|_| ResizeError::NoMemory)?;
        for bytes in self.stored() {
            if fresh.push(bytes) < bytes.len() {
                return Err(ResizeError::NoMemory);
            }
        }
        *self = fresh;
        Ok(())
    }

    /// Moves up to `max` bytes in: lends `copy` the free space, oldest position first, one
    /// contiguous slice (within one chunk) at a time, their lengths adding up to at most `max`.
    ///
    /// `copy` fills a prefix of the slice it is given and returns `Ok(n)`, the length of that
    /// prefix; those `n` bytes become part of the ring at once. A short count (`n` less than the
    /// slice) ends the transfer: that is how a copy from user memory that faults after `n`
    /// bytes reports its progress. An `Err` means the call copied nothing; it ends the
    /// transfer too. A chunk that cannot be allocated ends it as well.
    ///
    /// Returns the bytes moved in total, or, if none moved, the `Err` of `copy` or
    /// [`NoMemory`] (a later attempt would meet the same fault, so the partial count is the
    /// answer `write` gives, and the error only when nothing moved). `copy` is not called when
    /// the ring is full or `max` is 0.
    ///
    /// # Panics
    ///
    /// If `copy` claims more bytes than the slice it was given.
    pub fn push_with<E: From<NoMemory>>(
        &mut self,
        max: usize,
        mut copy: impl FnMut(&mut [u8]) -> Result<usize, E>,
    ) -> Result<usize, E> {
        let want = max.min(self.free());
        if want == 0 {
            return Ok(0);
        }
        self.try_allocate()?;
        let mut moved = 0;
        let mut failure = None;
        while moved < want {
            let tail = (self.head + self.len) & (self.capacity - 1);
            let (index, offset) = (tail / C::SIZE, tail % C::SIZE);
            let span = (C::SIZE - offset).min(want - moved);
            let Some(slot) = self.chunks.get_mut(index) else {
                break;
            };
            if slot.is_none() {
                *slot = C::alloc();
            }
            let Some(chunk) = slot.as_mut() else {
                failure = Some(E::from(NoMemory));
                break;
            };
            let n = match copy(&mut chunk.bytes_mut()[offset..offset + span]) {
                Ok(n) => n,
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            };
            assert!(
                n <= span,
                "copy routine claimed more bytes than it was lent"
            );
            self.len += n;
            moved += n;
            if n < span {
                break;
            }
        }
        if moved < want {
            // Chunks allocated ahead (`provide`) or for this copy may hold nothing.
            self.release_free_span(want - moved);
        }
        match failure {
            Some(e) if moved == 0 => Err(e),
            _ => Ok(moved),
        }
    }

    /// Moves up to `max` bytes out: lends `copy` the stored bytes, oldest first, one
    /// contiguous slice (within one chunk) at a time, their lengths adding up to at most `max`.
    ///
    /// `copy` consumes a prefix of the slice it is given and returns `Ok(n)`, the length of
    /// that prefix; those `n` bytes leave the ring at once, and a chunk left without stored
    /// bytes is freed. A short count ends the transfer; an `Err` means the call consumed
    /// nothing and ends it too. Returns the bytes moved in total, or the `Err` of `copy` if it
    /// failed before any byte moved. `copy` is not called when the ring is empty or `max` is 0.
    ///
    /// # Panics
    ///
    /// If `copy` claims more bytes than the slice it was given.
    pub fn pop_with<E>(
        &mut self,
        max: usize,
        mut copy: impl FnMut(&[u8]) -> Result<usize, E>,
    ) -> Result<usize, E> {
        let want = max.min(self.len);
        let mut moved = 0;
        while moved < want {
            let (index, offset) = (self.head / C::SIZE, self.head % C::SIZE);
            let span = (C::SIZE - offset).min(want - moved);
            let Some(Some(chunk)) = self.chunks.get(index) else {
                break;
            };
            let n = match copy(&chunk.bytes()[offset..offset + span]) {
                Ok(n) => n,
                Err(e) if moved == 0 => return Err(e),
                Err(_) => break,
            };
            assert!(
                n <= span,
                "copy routine claimed more bytes than it was lent"
            );
            self.head = (self.head + n) & (self.capacity - 1);
            self.len -= n;
            moved += n;
            if self.len == 0 {
                // Restart at the front: the next push fills chunks from the first.
                self.head = 0;
            }
            if self.head / C::SIZE != index || self.len == 0 {
                self.release_if_unused(index);
            }
            if n < span {
                break;
            }
        }
        Ok(moved)
    }

    /// Copies as much of `bytes` in as fits and memory allows; returns how many went in.
    pub fn push(&mut self, bytes: &[u8]) -> usize {
        let mut rest = bytes;
        let moved = self.push_with(bytes.len(), |space| {
            let (now, later) = rest.split_at(space.len());
            space.copy_from_slice(now);
            rest = later;
            Ok::<_, NoMemory>(space.len())
        });
        moved.unwrap_or(0)
    }

    /// Copies as many stored bytes out into `out` as it holds; returns how many.
    pub fn pop(&mut self, out: &mut [u8]) -> usize {
        let max = out.len();
        let mut rest = out;
        let moved = self.pop_with(max, |bytes| {
            let (now, later) = core::mem::take(&mut rest).split_at_mut(bytes.len());
            now.copy_from_slice(bytes);
            rest = later;
            Ok::<_, core::convert::Infallible>(bytes.len())
        });
        match moved {
            Ok(n) => n,
            Err(never) => match never {},
        }
    }
}

impl<C: Chunk> fmt::Debug for RingBuf<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RingBuf")
            .field("capacity", &self.capacity)
            .field("len", &self.len)
            .field("head", &self.head)
            .field("chunks_held", &self.chunks_held())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use alloc::vec;
    use std::cell::Cell;

    std::thread_local! {
        /// Chunks the test may still allocate.
        static CHUNKS_LEFT: Cell<usize> = const { Cell::new(usize::MAX) };
    }

    /// Four-byte chunks, so that small rings span several.
    struct Quad([u8; 4]);

    impl Chunk for Quad {
        const SIZE: usize = 4;
        fn alloc() -> Option<Quad> {
            let left = CHUNKS_LEFT.get();
            CHUNKS_LEFT.set(left.checked_sub(1)?);
            Some(Quad([0xee; 4]))
        }
        fn bytes(&self) -> &[u8] {
            &self.0
        }
        fn bytes_mut(&mut self) -> &mut [u8] {
            &mut self.0
        }
    }

    type Ring = RingBuf<Quad>;

    #[derive(Debug, PartialEq)]
    enum Fail {
        Fault,
        NoMemory,
    }

    impl From<NoMemory> for Fail {
        fn from(_: NoMemory) -> Fail {
            Fail::NoMemory
        }
    }

    /// The stored bytes, oldest first, without taking them.
    fn contents(r: &Ring) -> alloc::vec::Vec<u8> {
        r.stored().flatten().copied().collect()
    }

    /// A copy-in routine that copies from `src` but faults after `budget` bytes in total.
    fn faulting_source<'a>(
        src: &'a [u8],
        budget: usize,
    ) -> impl FnMut(&mut [u8]) -> Result<usize, Fail> + 'a {
        let mut offset = 0;
        move |space| {
            let n = space.len().min(budget.saturating_sub(offset));
            if n == 0 {
                return Err(Fail::Fault);
            }
            space[..n].copy_from_slice(&src[offset..offset + n]);
            offset += n;
            Ok(n)
        }
    }

    #[test]
    fn sizes() {
        let mut r = Ring::new(8);
        assert_eq!((r.capacity(), r.len(), r.free()), (8, 0, 8));
        assert!(r.is_empty() && !r.is_full());
        assert_eq!(r.push(b"0123456789"), 8);
        assert!(r.is_full());
        assert_eq!(r.free(), 0);
        assert_eq!(r.push(b"x"), 0);
    }

    #[test]
    #[should_panic(expected = "power of two")]
    fn capacity_must_be_a_power_of_two() {
        Ring::new(48);
    }

    #[test]
    #[should_panic(expected = "at least a chunk")]
    fn capacity_must_hold_a_chunk() {
        Ring::new(2);
    }

    #[test]
    fn chunks_come_with_data_and_go_when_drained() {
        let mut r = Ring::new(64);
        assert!(r.chunks.is_empty());
        assert_eq!(r.push(b""), 0);
        assert_eq!(r.pop(&mut [0; 4]), 0);
        assert!(r.chunks.is_empty());
        r.push(b"a");
        assert_eq!((r.chunks.len(), r.chunks_held()), (16, 1));
        r.push(b"bcdefghij");
        assert_eq!(r.chunks_held(), 3);
        r.pop(&mut [0; 5]);
        assert_eq!(r.chunks_held(), 2);
        r.pop(&mut [0; 5]);
        assert_eq!((r.chunks_held(), r.head), (0, 0));
        let mut r = Ring::new(16);
        r.try_allocate().unwrap();
        assert_eq!((r.chunks.len(), r.chunks_held()), (4, 0));
    }

    #[test]
    fn a_chunk_shared_by_the_oldest_and_newest_bytes_stays() {
        let mut r = Ring::new(8);
        r.push(b"abcdef");
        r.pop(&mut [0; 2]);
        // Full: "cd" and "ef" after the head, then "gh" and "ij" wrapping round into the
        // chunk the head is in.
        assert_eq!(r.push(b"ghij"), 4);
        assert_eq!(r.pop(&mut [0; 2]), 2);
        assert_eq!(r.chunks_held(), 2);
        assert_eq!(contents(&r), b"efghij");
        r.pop(&mut [0; 4]);
        assert_eq!((r.chunks_held(), contents(&r)), (1, b"ij".to_vec()));
    }

    #[test]
    fn no_memory_for_a_chunk() {
        let mut r = Ring::new(16);
        CHUNKS_LEFT.set(1);
        let n = r.push_with(10, faulting_source(b"0123456789", 10));
        assert_eq!(n, Ok(4));
        let n = r.push_with(6, faulting_source(b"456789", 6));
        assert_eq!(n, Err(Fail::NoMemory));
        assert_eq!(r.chunks_held(), 1);
        assert_eq!(r.push(b"x"), 0);
        CHUNKS_LEFT.set(usize::MAX);
        assert_eq!(contents(&r), b"0123");
    }

    #[test]
    fn provide_is_all_or_nothing() {
        let mut r = Ring::new(16);
        r.push(b"01");
        CHUNKS_LEFT.set(1);
        assert_eq!(r.provide(7), Err(NoMemory));
        assert_eq!(r.chunks_held(), 1);
        CHUNKS_LEFT.set(1);
        assert_eq!(r.provide(6), Ok(()));
        assert_eq!(r.chunks_held(), 2);
        assert_eq!(r.push(b"234567"), 6);
        CHUNKS_LEFT.set(usize::MAX);
        assert_eq!(r.provide(16), Ok(()));
        assert_eq!(r.chunks_held(), 4);
        assert_eq!(r.push_with(8, faulting_source(b"89", 2)), Ok(2));
        assert_eq!(r.chunks_held(), 3);
    }

    #[test]
    fn a_fault_leaves_no_empty_chunk() {
        let mut r = Ring::new(16);
        r.push(b"0123");
        assert_eq!(r.push_with(4, faulting_source(b"", 0)), Err(Fail::Fault));
        assert_eq!(r.chunks_held(), 1);
        r.pop(&mut [0; 4]);
        assert_eq!(r.chunks_held(), 0);
    }

    #[test]
    fn wraps_around_in_order() {
        let mut r = Ring::new(8);
        r.push(b"abcdef");
        let mut out = [0; 4];
        assert_eq!(r.pop(&mut out), 4);
        assert_eq!(&out, b"abcd");
        assert_eq!(r.push(b"ghijk"), 5);
        assert_eq!(contents(&r), b"efghijk");
        let mut out = [0; 8];
        assert_eq!(r.pop(&mut out), 7);
        assert_eq!(&out[..7], b"efghijk");
        assert!(r.is_empty());
        assert_eq!(r.chunks_held(), 0);
    }

    #[test]
    fn push_offers_one_chunk_at_a_time() {
        let mut r = Ring::new(8);
        r.push(b"abcdef");
        r.pop(&mut [0; 5]);
        let mut offered = vec![];
        let n = r
            .push_with(100, |space| {
                offered.push(space.len());
                space.fill(b'z');
                Ok::<_, Fail>(space.len())
            })
            .unwrap();
        assert_eq!(n, 7);
        assert_eq!(offered, [2, 4, 1]);
        assert!(r.is_full());
    }

    #[test]
    fn push_respects_max() {
        let mut r = Ring::new(8);
        let n = r
            .push_with(3, |space| {
                assert_eq!(space.len(), 3);
                Ok::<_, Fail>(3)
            })
            .unwrap();
        assert_eq!(n, 3);
        assert_eq!(r.len(), 3);
    }

    #[test]
    fn fault_midway_keeps_exactly_what_was_copied() {
        let mut r = Ring::new(8);
        r.push(b"abcdef");
        r.pop(&mut [0; 5]);
        // Free space is 2 bytes at the end, then 5 at the front. Fault after 4 bytes.
        let n = r.push_with(7, faulting_source(b"1234567", 4)).unwrap();
        assert_eq!(n, 4);
        assert_eq!(r.len(), 5);
        let mut out = [0; 8];
        assert_eq!(r.pop(&mut out), 5);
        assert_eq!(&out[..5], b"f1234");
    }

    #[test]
    fn fault_before_any_byte_is_an_error() {
        let mut r = Ring::new(8);
        assert_eq!(
            r.push_with(4, faulting_source(b"1234", 0)),
            Err(Fail::Fault)
        );
        assert!(r.is_empty());
        r.push(b"ab");
        assert_eq!(r.pop_with(2, |_| Err::<usize, _>("EFAULT")), Err("EFAULT"));
        assert_eq!(r.len(), 2);
    }

    #[test]
    fn pop_fault_after_partial_progress() {
        let mut r = Ring::new(8);
        r.push(b"abcdef");
        r.pop(&mut [0; 4]);
        r.push(b"ghijkl");
        // Stored: "efghijkl", as "efgh" at the end and "ijkl" at the front.
        let mut taken = vec![];
        let mut calls = 0;
        let n = r
            .pop_with(8, |bytes| {
                calls += 1;
                if calls == 2 {
                    return Err("EFAULT");
                }
                taken.extend_from_slice(bytes);
                Ok(bytes.len())
            })
            .unwrap();
        assert_eq!(n, 4);
        assert_eq!(taken, b"efgh");
        assert_eq!(contents(&r), b"ijkl");
        assert_eq!(r.chunks_held(), 1);
    }

    #[test]
    fn short_copy_ends_the_transfer() {
        let mut r = Ring::new(8);
        let mut calls = 0;
        let n = r
            .push_with(8, |space| {
                calls += 1;
                space[0] = b'q';
                Ok::<_, Fail>(1)
            })
            .unwrap();
        assert_eq!((n, calls), (1, 1));
        let n = r.pop_with(8, |_| Ok::<_, ()>(0)).unwrap();
        assert_eq!(n, 0);
        assert_eq!(r.len(), 1);
    }

    #[test]
    #[should_panic(expected = "claimed more bytes")]
    fn overclaiming_copy_panics() {
        let mut r = Ring::new(8);
        let _ = r.push_with(4, |space| Ok::<_, Fail>(space.len() + 1));
    }

    #[test]
    fn set_capacity_keeps_data_in_order() {
        let mut r = Ring::new(8);
        r.push(b"abcdef");
        r.pop(&mut [0; 4]);
        r.push(b"ghij");
        assert_eq!(r.set_capacity(4), Err(ResizeError::Busy));
        assert_eq!(r.capacity(), 8);
        r.set_capacity(16).unwrap();
        assert_eq!(contents(&r), b"efghij");
        assert_eq!((r.free(), r.chunks_held()), (10, 2));
        r.set_capacity(8).unwrap();
        assert_eq!(contents(&r), b"efghij");
        assert_eq!(r.capacity(), 8);
    }

    #[test]
    fn set_capacity_without_memory_changes_nothing() {
        let mut r = Ring::new(8);
        r.push(b"abcdef");
        CHUNKS_LEFT.set(1);
        assert_eq!(r.set_capacity(16), Err(ResizeError::NoMemory));
        CHUNKS_LEFT.set(usize::MAX);
        assert_eq!((r.capacity(), contents(&r)), (8, b"abcdef".to_vec()));
    }

    #[test]
    fn set_capacity_to_exactly_len_fills_the_ring() {
        let mut r = Ring::new(8);
        r.push(b"abcd");
        r.set_capacity(4).unwrap();
        assert!(r.is_full());
    }

    #[test]
    fn resizing_an_empty_ring_releases_storage() {
        let mut r = Ring::new(8);
        r.push(b"ab");
        r.pop(&mut [0; 2]);
        r.set_capacity(4096).unwrap();
        assert!(r.chunks.is_empty());
        assert_eq!(r.capacity(), 4096);
        assert_eq!(r.push(&[7; 5000]), 4096);
    }
}
