//! splice(2), for the pair programs use it on: a file's data into a pipe (uutils' cat
//! does this for every file it prints). Other pairs with a pipe on one side are EINVAL,
//! as Linux answers for a file whose file system cannot splice; programs then fall back
//! to read and write, as uutils does. Data is copied through a kernel buffer, and only
//! what the pipe took counts as moved, so the file's offset never passes unsent data.

use super::fs::file;
use crate::errno::*;
use crate::fs::vfs::{S_IFIFO, S_IFMT};
use crate::mm::uaccess::read_val;
use linux_raw_sys::general as g;

const KNOWN_FLAGS: u32 =
    g::SPLICE_F_MOVE | g::SPLICE_F_NONBLOCK | g::SPLICE_F_MORE | g::SPLICE_F_GIFT;

fn is_pipe(f: &crate::fs::file::OpenFile) -> bool {
    let meta = f
        .inode
        .as_ref()
        .map_or_else(|| f.file.metadata(), |i| i.metadata());
    meta.mode & S_IFMT == S_IFIFO
}

pub fn splice(
    fd_in: i32,
    off_in: usize,
    fd_out: i32,
    off_out: usize,
    len: usize,
    flags: u32,
) -> SysResult {
    if flags & !KNOWN_FLAGS != 0 {
        return Err(EINVAL);
    }
    let input = file(fd_in)?;
    let output = file(fd_out)?;
    if !input.readable() || !output.writable() {
        return Err(EBADF);
    }
    let (in_pipe, out_pipe) = (is_pipe(&input), is_pipe(&output));
    // An offset for a pipe end is ESPIPE, as Linux checks it first.
    if (in_pipe && off_in != 0) || (out_pipe && off_out != 0) {
        return Err(ESPIPE);
    }
    if !in_pipe && !out_pipe {
        return Err(EINVAL);
    }
    if in_pipe || !input.file.seekable() || output.flags() & g::O_APPEND != 0 {
        return Err(EINVAL);
    }
    if len == 0 {
        return Ok(0);
    }
    let explicit = match off_in {
        0 => None,
        addr => Some((
            u64::try_from(read_val::<i64>(addr)?).map_err(|_| EINVAL)?,
            addr,
        )),
    };
    let nonblock = flags & g::SPLICE_F_NONBLOCK != 0 || output.flags() & g::O_NONBLOCK != 0;
    // Only the first write may wait for room: once something moved, a full pipe ends
    // the call (its reader may be this very process).
    super::fs::copy_out_of_file(&input, explicit, len, |chunk, done| {
        output.file.write(0, &chunk, nonblock || done > 0)
    })
}
