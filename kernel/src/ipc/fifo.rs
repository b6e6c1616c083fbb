//! FIFOs (named pipes, fifo(7)): a pipe reached through a name in the file system.
//! The pipe object belongs to the FIFO's inode; each open adds a read end, a write end
//! or (O_RDWR) both, so every opener of the name shares one buffer.
//!
//! The open rendezvous: a blocking read-only open waits until a writer has opened, a
//! blocking write-only open until a reader has; O_NONBLOCK read-only opens succeed at
//! once, O_NONBLOCK write-only opens fail with ENXIO when no reader exists, and O_RDWR
//! never waits. A wait ends early only for a signal (the end is then closed again).

use super::pipe::Pipe;
use crate::errno::{SysResult, ENXIO};
use crate::fs::file::File;
use alloc::sync::Arc;
use linux_raw_sys::general as g;

pub fn open(pipe: &Arc<Pipe>, flags: u32) -> SysResult<Arc<dyn File>> {
    let nonblock = flags & g::O_NONBLOCK != 0;
    match flags & g::O_ACCMODE {
        g::O_RDONLY => {
            let (_, _, _, writers_before) = pipe.counts();
            let end = pipe.open_fifo_end(true, false)?;
            if !nonblock {
                pipe.open_wait().wait_until("fifo_open", || {
                    let (_, writers, _, writer_opens) = pipe.counts();
                    (writers > 0 || writer_opens != writers_before).then_some(())
                })?;
            }
            Ok(end)
        }
        g::O_WRONLY => {
            let (readers, _, readers_before, _) = pipe.counts();
            if nonblock && readers == 0 {
                return Err(ENXIO);
            }
            let end = pipe.open_fifo_end(false, true)?;
            if !nonblock {
                pipe.open_wait().wait_until("fifo_open", || {
                    let (readers, _, reader_opens, _) = pipe.counts();
                    (readers > 0 || reader_opens != readers_before).then_some(())
                })?;
            }
            Ok(end)
        }
        _ => Ok(pipe.open_fifo_end(true, true)?),
    }
}
