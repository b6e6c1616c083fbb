//! The pure rules of pipe(7) that sit around the ring: write atomicity (`PIPE_BUF`) and the
//! sizes `F_SETPIPE_SZ` accepts.

use linux_raw_sys::general as linux;

/// `PIPE_BUF`: writes of at most this many bytes to a pipe are atomic (4096 on Linux).
pub const PIPE_BUF: usize = linux::PIPE_BUF as usize;

/// The capacity of a new pipe on Linux: 16 pages, 65536 bytes.
pub const PIPE_DEF_SIZE: usize = 16 * 4096;

/// The default of `/proc/sys/fs/pipe-max-size`: the largest capacity an unprivileged
/// `F_SETPIPE_SZ` may ask for (more is `EPERM`), 1 MiB.
pub const PIPE_MAX_SIZE: usize = 1 << 20;

/// How many bytes a writer may move into a pipe now, per pipe(7).
///
/// - `len_requested`: the byte count the `write` call asked for.
/// - `remaining`: how many of those are still to move (less than `len_requested` once part
///   of a large write has gone in).
/// - `free`: the bytes the pipe can take now.
/// - `pipe_buf`: the atomicity limit, [`PIPE_BUF`] for a Linux-compatible pipe.
///
/// A write of at most `pipe_buf` bytes is atomic: it moves in one piece or not at all, so the
/// answer is all of `remaining` or 0. A larger write is not: it may move any amount, so the
/// answer is as much as fits. An answer of 0 (with `remaining` > 0) means the writer must wait
/// for a reader, or fail with `EAGAIN` under `O_NONBLOCK`; a non-blocking write therefore
/// returns a partial count only when it is larger than `pipe_buf`.
///
/// Atomicity depends on `len_requested`, not on `remaining`: the last few bytes of a large
/// write are not atomic just because few remain.
///
/// The pipe's capacity must be at least `pipe_buf`, as Linux guarantees (its smallest pipe is
/// one page), or a small write could wait forever.
pub const fn pipe_write_chunk(
    len_requested: usize,
    remaining: usize,
    free: usize,
    pipe_buf: usize,
) -> usize {
    if len_requested <= pipe_buf {
        if remaining <= free {
            remaining
        } else {
            0
        }
    } else if remaining < free {
        remaining
    } else {
        free
    }
}

/// The capacity `F_SETPIPE_SZ` gives for a requested size, as Linux's `round_pipe_size()`
/// computes it: at least one page, rounded up to a power of two. `None` (Linux answers
/// `EINVAL`) above 2^31 bytes.
///
/// The caller still enforces [`PIPE_MAX_SIZE`] for unprivileged callers (`EPERM`) and the
/// ring's occupancy (`EBUSY`, from [`RingBuf::set_capacity`](crate::RingBuf::set_capacity)).
/// Linux 6.1 reads the `fcntl` argument as an `unsigned long`, so it should reach this
/// function untruncated.
///
/// # Panics
///
/// If `page_size` is not a power of two.
pub const fn round_pipe_size(requested: u64, page_size: usize) -> Option<usize> {
    assert!(
        page_size.is_power_of_two(),
        "page size must be a power of two"
    );
    if requested > 1 << 31 {
        None
    } else if requested < page_size as u64 {
        Some(page_size)
    } else {
        Some((requested as usize).next_power_of_two())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: usize = 4096;

    #[test]
    fn linux_values() {
        assert_eq!(PIPE_BUF, 4096);
        assert_eq!(PIPE_DEF_SIZE, 65536);
        assert_eq!(PIPE_MAX_SIZE, 1_048_576);
    }

    /// pipe(7): "O_NONBLOCK disabled, n <= PIPE_BUF: All n bytes are written atomically;
    /// write(2) may block if there is not room for n bytes to be written immediately."
    #[test]
    fn small_write_moves_whole_or_waits() {
        assert_eq!(pipe_write_chunk(100, 100, 100, PIPE_BUF), 100);
        assert_eq!(pipe_write_chunk(100, 100, 65536, PIPE_BUF), 100);
        assert_eq!(pipe_write_chunk(100, 100, 99, PIPE_BUF), 0);
        assert_eq!(
            pipe_write_chunk(PIPE_BUF, PIPE_BUF, PIPE_BUF - 1, PIPE_BUF),
            0
        );
        assert_eq!(
            pipe_write_chunk(PIPE_BUF, PIPE_BUF, PIPE_BUF, PIPE_BUF),
            PIPE_BUF
        );
    }

    /// pipe(7): "O_NONBLOCK enabled, n > PIPE_BUF: If the pipe is full, then write(2) fails,
    /// with errno set to EAGAIN. Otherwise, from 1 to n bytes may be written."
    #[test]
    fn large_write_moves_what_fits() {
        let n = PIPE_BUF + 1;
        assert_eq!(pipe_write_chunk(n, n, 0, PIPE_BUF), 0);
        assert_eq!(pipe_write_chunk(n, n, 1, PIPE_BUF), 1);
        assert_eq!(pipe_write_chunk(n, n, 100, PIPE_BUF), 100);
        assert_eq!(pipe_write_chunk(n, n, 65536, PIPE_BUF), n);
        assert_eq!(pipe_write_chunk(1 << 20, 1 << 20, 65536, PIPE_BUF), 65536);
    }

    /// The tail of a large write is no more atomic than its start.
    #[test]
    fn atomicity_follows_the_requested_length() {
        assert_eq!(pipe_write_chunk(10_000, 10, 3, PIPE_BUF), 3);
        assert_eq!(pipe_write_chunk(100, 10, 3, PIPE_BUF), 0);
    }

    #[test]
    fn nothing_to_move() {
        assert_eq!(pipe_write_chunk(0, 0, 0, PIPE_BUF), 0);
        assert_eq!(pipe_write_chunk(10_000, 0, 50, PIPE_BUF), 0);
    }

    #[test]
    fn round_pipe_size_like_linux() {
        assert_eq!(round_pipe_size(0, PAGE), Some(PAGE));
        assert_eq!(round_pipe_size(1, PAGE), Some(PAGE));
        assert_eq!(round_pipe_size(4096, PAGE), Some(4096));
        assert_eq!(round_pipe_size(4097, PAGE), Some(8192));
        assert_eq!(round_pipe_size(65536, PAGE), Some(65536));
        assert_eq!(round_pipe_size(100_000, PAGE), Some(131_072));
        assert_eq!(round_pipe_size(1 << 31, PAGE), Some(1 << 31));
        assert_eq!(round_pipe_size((1 << 31) + 1, PAGE), None);
        assert_eq!(round_pipe_size(u64::MAX, PAGE), None);
    }
}
