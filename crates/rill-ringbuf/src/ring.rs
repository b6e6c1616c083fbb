//! `RingBuf`: a power-of-two byte ring whose copy routines may fail midway.

use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

/// A FIFO of bytes with a fixed, power-of-two capacity.
///
/// Bytes go in through [`push_with`](RingBuf::push_with) and out through
/// [`pop_with`](RingBuf::pop_with), which lend the free space (or the stored bytes) to a copy
/// routine as at most two contiguous slices, because the ring wraps. The routine may stop
/// early or fail, as a copy to or from user memory does on a fault; the ring then holds
/// exactly the bytes the routine reported as copied, in order.
///
/// Storage is allocated on the first push that moves a byte, not before: a pipe nobody writes
/// to costs no buffer. It is kept, even when drained, until the ring is dropped or resized
/// while empty. [`try_allocate`](RingBuf::try_allocate) allocates it ahead of time, reporting
/// an allocation failure instead of aborting.
pub struct RingBuf {
    /// Empty until storage is needed; then exactly `capacity` bytes.
    storage: Vec<u8>,
    /// A power of two.
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

/// The error of [`RingBuf::try_allocate`]: the storage could not be allocated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NoMemory;

impl fmt::Display for NoMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("out of memory for the ring's storage")
    }
}

impl core::error::Error for NoMemory {}

/// A zero-filled buffer of `size` bytes, or `NoMemory`.
fn allocate(size: usize) -> Result<Vec<u8>, NoMemory> {
    let mut storage = Vec::new();
    storage.try_reserve_exact(size).map_err(|_| NoMemory)?;
    storage.resize(size, 0);
    Ok(storage)
}

impl RingBuf {
    /// An empty ring of `capacity` bytes; allocates nothing yet.
    ///
    /// # Panics
    ///
    /// If `capacity` is not a power of two (0 is not).
    pub const fn new(capacity: usize) -> RingBuf {
        assert!(
            capacity.is_power_of_two(),
            "ring capacity must be a power of two"
        );
        RingBuf {
            storage: Vec::new(),
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

    /// Allocates the storage now if it is not yet, so that later pushes need no memory.
    ///
    /// Without it, the first push allocates through the global allocator, which aborts on
    /// failure like any `Vec`.
    pub fn try_allocate(&mut self) -> Result<(), NoMemory> {
        if self.storage.is_empty() {
            self.storage = allocate(self.capacity)?;
        }
        Ok(())
    }

    /// Changes the capacity to `new`, keeping the stored bytes in order (`F_SETPIPE_SZ`).
    ///
    /// Fails with [`ResizeError::Busy`] if the ring holds more than `new` bytes, and with
    /// [`ResizeError::NoMemory`] if it holds bytes and new storage cannot be had; either way
    /// nothing changes. An empty ring gives its storage back, to allocate at the new size on
    /// its next push.
    ///
    /// # Panics
    ///
    /// If `new` is not a power of two.
    pub fn set_capacity(&mut self, new: usize) -> Result<(), ResizeError> {
        assert!(
            new.is_power_of_two(),
            "ring capacity must be a power of two"
        );
        if new < self.len {
            return Err(ResizeError::Busy);
        }
        if new == self.capacity {
            return Ok(());
        }
        if self.len == 0 {
            self.storage = Vec::new();
        } else {
            let mut storage = allocate(new).map_err(|_| ResizeError::NoMemory)?;
            let (first, second) = self.as_slices();
            storage[..first.len()].copy_from_slice(first);
            storage[first.len()..self.len].copy_from_slice(second);
            self.storage = storage;
        }
        self.capacity = new;
        self.head = 0;
        Ok(())
    }

    /// The stored bytes, oldest first, as two slices (the second empty unless the data wraps).
    pub fn as_slices(&self) -> (&[u8], &[u8]) {
        if self.len == 0 {
            return (&[], &[]);
        }
        let first = self.len.min(self.capacity - self.head);
        (
            &self.storage[self.head..self.head + first],
            &self.storage[..self.len - first],
        )
    }

    /// Moves up to `max` bytes in: lends `copy` the free space, oldest position first, as at
    /// most two slices whose lengths add up to at most `max`.
    ///
    /// `copy` fills a prefix of the slice it is given and returns `Ok(n)`, the length of that
    /// prefix; those `n` bytes become part of the ring at once. A short count (`n` less than the
    /// slice) ends the transfer: that is how a copy from user memory that faults after `n`
    /// bytes reports its progress. An `Err` means the call copied nothing; it ends the
    /// transfer too.
    ///
    /// Returns the bytes moved in total, or the `Err` of `copy` if it failed before any byte
    /// moved (a later attempt will meet the same fault, so the partial count is the answer
    /// `write` gives, and `EFAULT` only when nothing moved). `copy` is not called when the ring
    /// is full or `max` is 0.
    ///
    /// # Panics
    ///
    /// If `copy` claims more bytes than the slice it was given.
    pub fn push_with<E>(
        &mut self,
        max: usize,
        mut copy: impl FnMut(&mut [u8]) -> Result<usize, E>,
    ) -> Result<usize, E> {
        let want = max.min(self.free());
        if want == 0 {
            return Ok(0);
        }
        if self.storage.is_empty() {
            self.storage = vec![0; self.capacity];
        }
        let mut moved = 0;
        while moved < want {
            let tail = (self.head + self.len) & (self.capacity - 1);
            let span = (self.capacity - tail).min(want - moved);
            let n = match copy(&mut self.storage[tail..tail + span]) {
                Ok(n) => n,
                Err(e) if moved == 0 => return Err(e),
                Err(_) => break,
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
        Ok(moved)
    }

    /// Moves up to `max` bytes out: lends `copy` the stored bytes, oldest first, as at most two
    /// slices whose lengths add up to at most `max`.
    ///
    /// `copy` consumes a prefix of the slice it is given and returns `Ok(n)`, the length of
    /// that prefix; those `n` bytes leave the ring at once. A short count ends the transfer; an
    /// `Err` means the call consumed nothing and ends it too. Returns the bytes moved in total,
    /// or the `Err` of `copy` if it failed before any byte moved. `copy` is not called when the
    /// ring is empty or `max` is 0.
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
            let span = (self.capacity - self.head).min(want - moved);
            let result = copy(&self.storage[self.head..self.head + span]);
            let n = match result {
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
            if n < span {
                break;
            }
        }
        if self.len == 0 {
            // Restart at the front, so the next push gets one contiguous slice.
            self.head = 0;
        }
        Ok(moved)
    }

    /// Copies as much of `bytes` in as fits; returns how many went in.
    pub fn push(&mut self, bytes: &[u8]) -> usize {
        let mut rest = bytes;
        let moved = self.push_with(bytes.len(), |space| {
            let (now, later) = rest.split_at(space.len());
            space.copy_from_slice(now);
            rest = later;
            Ok::<_, core::convert::Infallible>(space.len())
        });
        match moved {
            Ok(n) => n,
            Err(never) => match never {},
        }
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

impl fmt::Debug for RingBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RingBuf")
            .field("capacity", &self.capacity)
            .field("len", &self.len)
            .field("head", &self.head)
            .field("allocated", &!self.storage.is_empty())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A copy-in routine that copies from `src` but faults after `budget` bytes in total.
    fn faulting_source<'a>(
        src: &'a [u8],
        budget: usize,
    ) -> impl FnMut(&mut [u8]) -> Result<usize, &'static str> + 'a {
        let mut offset = 0;
        move |space| {
            let n = space.len().min(budget.saturating_sub(offset));
            if n == 0 {
                return Err("EFAULT");
            }
            space[..n].copy_from_slice(&src[offset..offset + n]);
            offset += n;
            Ok(n)
        }
    }

    #[test]
    fn sizes() {
        let mut r = RingBuf::new(8);
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
        RingBuf::new(48);
    }

    #[test]
    fn storage_is_allocated_on_first_push() {
        let mut r = RingBuf::new(65536);
        assert!(r.storage.is_empty());
        assert_eq!(r.push(b""), 0);
        assert_eq!(r.pop(&mut [0; 4]), 0);
        assert!(r.storage.is_empty());
        r.push(b"a");
        assert_eq!(r.storage.len(), 65536);
        let mut r = RingBuf::new(16);
        r.try_allocate().unwrap();
        assert_eq!(r.storage.len(), 16);
    }

    #[test]
    fn wraps_around_in_order() {
        let mut r = RingBuf::new(8);
        r.push(b"abcdef");
        let mut out = [0; 4];
        assert_eq!(r.pop(&mut out), 4);
        assert_eq!(&out, b"abcd");
        assert_eq!(r.push(b"ghijk"), 5);
        assert_eq!(r.as_slices(), (&b"efgh"[..], &b"ijk"[..]));
        let mut out = [0; 8];
        assert_eq!(r.pop(&mut out), 7);
        assert_eq!(&out[..7], b"efghijk");
        assert!(r.is_empty());
    }

    #[test]
    fn push_offers_two_slices_when_wrapping() {
        let mut r = RingBuf::new(8);
        r.push(b"abcdef");
        r.pop(&mut [0; 5]);
        let mut offered = vec![];
        let n = r
            .push_with(100, |space| {
                offered.push(space.len());
                space.fill(b'z');
                Ok::<_, ()>(space.len())
            })
            .unwrap();
        assert_eq!(n, 7);
        assert_eq!(offered, [2, 5]);
        assert!(r.is_full());
    }

    #[test]
    fn push_respects_max() {
        let mut r = RingBuf::new(8);
        let n = r
            .push_with(3, |space| {
                assert_eq!(space.len(), 3);
                Ok::<_, ()>(3)
            })
            .unwrap();
        assert_eq!(n, 3);
        assert_eq!(r.len(), 3);
    }

    #[test]
    fn fault_midway_keeps_exactly_what_was_copied() {
        let mut r = RingBuf::new(8);
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
        let mut r = RingBuf::new(8);
        assert_eq!(r.push_with(4, faulting_source(b"1234", 0)), Err("EFAULT"));
        assert!(r.is_empty());
        r.push(b"ab");
        assert_eq!(r.pop_with(2, |_| Err::<usize, _>("EFAULT")), Err("EFAULT"));
        assert_eq!(r.len(), 2);
    }

    #[test]
    fn pop_fault_after_partial_progress() {
        let mut r = RingBuf::new(8);
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
        assert_eq!(r.as_slices(), (&b"ijkl"[..], &b""[..]));
    }

    #[test]
    fn short_copy_ends_the_transfer() {
        let mut r = RingBuf::new(8);
        let mut calls = 0;
        let n = r
            .push_with(8, |space| {
                calls += 1;
                space[0] = b'q';
                Ok::<_, ()>(1)
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
        let mut r = RingBuf::new(8);
        let _ = r.push_with(4, |space| Ok::<_, ()>(space.len() + 1));
    }

    #[test]
    fn set_capacity_keeps_data_in_order() {
        let mut r = RingBuf::new(8);
        r.push(b"abcdef");
        r.pop(&mut [0; 4]);
        r.push(b"ghij");
        assert_eq!(r.set_capacity(4), Err(ResizeError::Busy));
        assert_eq!(r.capacity(), 8);
        r.set_capacity(16).unwrap();
        assert_eq!(r.as_slices(), (&b"efghij"[..], &b""[..]));
        assert_eq!(r.free(), 10);
        r.set_capacity(8).unwrap();
        assert_eq!(r.as_slices(), (&b"efghij"[..], &b""[..]));
        assert_eq!(r.capacity(), 8);
    }

    #[test]
    fn set_capacity_to_exactly_len_fills_the_ring() {
        let mut r = RingBuf::new(8);
        r.push(b"abcd");
        r.set_capacity(4).unwrap();
        assert!(r.is_full());
    }

    #[test]
    fn resizing_an_empty_ring_releases_storage() {
        let mut r = RingBuf::new(8);
        r.push(b"ab");
        r.pop(&mut [0; 2]);
        r.set_capacity(4096).unwrap();
        assert!(r.storage.is_empty());
        assert_eq!(r.capacity(), 4096);
        assert_eq!(r.push(&[7; 5000]), 4096);
    }
}
