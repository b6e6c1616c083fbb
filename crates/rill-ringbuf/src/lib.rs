//! The byte ring buffer under Rill's pipes, and the pure rules of pipe(7) the pipe code
//! applies around it.
//!
//! - [`RingBuf`]: a power-of-two byte ring, stored in chunks that come and go with its data, whose copy-in and copy-out routines may fail
//!   midway (they touch user memory) and leave the ring holding exactly what was copied.
//! - [`pipe_write_chunk`]: how much a writer may move now, under pipe(7)'s atomicity rule.
//! - [`round_pipe_size`]: the capacity `F_SETPIPE_SZ` turns a request into.
#![no_std]
#![warn(missing_docs)]

extern crate alloc;

mod pipe;
mod ring;

pub use pipe::{pipe_write_chunk, round_pipe_size, PIPE_BUF, PIPE_DEF_SIZE, PIPE_MAX_SIZE};
pub use ring::{Chunk, NoMemory, ResizeError, RingBuf};
