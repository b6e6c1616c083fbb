//! Calls on descriptors: read/write and friends, close, dup, fcntl, ioctl, pipes,
//! ftruncate, fallocate, and readiness (ppoll, pselect6). Calls that name files by path are in
//! `paths` and `attrs`.

use crate::errno::*;
use crate::fs::file::{OpenFile, POLLNVAL};
use crate::fs::path::PATH_MAX;
use crate::fs::vfs::{check_access, Inode, Metadata, Want, S_IFREG};
use crate::mm::uaccess::{
    read_array, read_cstr, read_val, write_array, write_val, UserIoVec, UserSlice, UserSliceMut,
};
use crate::task::current_process;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use linux_raw_sys::general as g;

pub(super) fn file(fd: i32) -> SysResult<Arc<OpenFile>> {
    // The hot path of read/write: the table is locked through the task's pointer to
    // it rather than through a counted copy of that pointer.
    let task = crate::task::current();
    let files = task.files.lock();
    let file = files.lock().get(fd);
    file
}

pub(super) fn user_path(addr: usize) -> SysResult<String> {
    read_cstr(addr, PATH_MAX)
}

pub(super) fn creds() -> (u32, u32) {
    let c = *current_process().creds.lock();
    (c.euid, c.egid)
}

pub(super) fn access(meta: &Metadata, want: Want) -> SysResult<()> {
    let (uid, gid) = creds();
    check_access(meta, uid, gid, want)
}

pub fn read(fd: i32, buf: usize, len: usize) -> SysResult {
    let f = file(fd)?;
    if !f.readable() {
        return Err(EBADF);
    }
    let mut ubuf = UserSliceMut::new(buf, len)?;
    f.read_user(&mut ubuf, buf)
}

pub fn write(fd: i32, buf: usize, len: usize) -> SysResult {
    let f = file(fd)?;
    if !f.writable() {
        return Err(EBADF);
    }
    let ubuf = UserSlice::new(buf, len)?;
    f.write_user(&ubuf, buf)
}

// Linux's order: a negative offset is EINVAL, then the descriptor (EBADF), then
// "not seekable" (ESPIPE, also on a pipe's wrong end), then the access mode.
pub fn pread64(fd: i32, buf: usize, len: usize, pos: i64) -> SysResult {
    let pos = u64::try_from(pos).map_err(|_| EINVAL)?;
    let f = file(fd)?;
    if !f.file.seekable() {
        return Err(ESPIPE);
    }
    if !f.readable() {
        return Err(EBADF);
    }
    f.pread(pos, &mut UserSliceMut::new(buf, len)?)
}

pub fn pwrite64(fd: i32, buf: usize, len: usize, pos: i64) -> SysResult {
    let pos = u64::try_from(pos).map_err(|_| EINVAL)?;
    let f = file(fd)?;
    if !f.file.seekable() {
        return Err(ESPIPE);
    }
    if !f.writable() {
        return Err(EBADF);
    }
    f.pwrite(pos, &UserSlice::new(buf, len)?)
}

const IOV_MAX: usize = 1024;

fn iovecs(addr: usize, count: usize) -> SysResult<Vec<g::iovec>> {
    if count > IOV_MAX {
        return Err(EINVAL);
    }
    read_array(addr, count)
}

/// The buffers of a readv/writev call as one buffer, each checked by `make`.
fn user_iovec<S>(
    iov: usize,
    count: usize,
    make: fn(usize, usize) -> SysResult<S>,
) -> SysResult<UserIoVec<S>> {
    let vecs = iovecs(iov, count)?;
    let segs = vecs
        .iter()
        .map(|v| make(v.iov_base as usize, v.iov_len as usize))
        .collect::<SysResult<_>>()?;
    UserIoVec::new(segs, vecs.iter().map(|v| v.iov_len as usize))
}

pub fn readv(fd: i32, iov: usize, count: usize) -> SysResult {
    let f = file(fd)?;
    if !f.readable() {
        return Err(EBADF);
    }
    // One read over all the buffers: a pipe waits once and returns what is there.
    f.read(&mut user_iovec(iov, count, UserSliceMut::new)?)
}

pub fn writev(fd: i32, iov: usize, count: usize) -> SysResult {
    let f = file(fd)?;
    if !f.writable() {
        return Err(EBADF);
    }
    // One write of the total length: PIPE_BUF atomicity covers the whole call.
    f.write(&user_iovec(iov, count, UserSlice::new)?)
}

pub fn lseek(fd: i32, off: i64, whence: u32) -> SysResult {
    let f = file(fd)?;
    if whence > g::SEEK_MAX {
        return Err(EINVAL);
    }
    Ok(f.seek(off, whence)? as usize)
}

pub fn close(fd: i32) -> SysResult {
    let entry = crate::task::current_files().lock().remove(fd)?;
    // The description (and a pipe end's wake-ups) goes away outside the table lock.
    drop(entry);
    Ok(0)
}

pub fn dup(fd: i32) -> SysResult {
    let files = crate::task::current_files();
    let mut fds = files.lock();
    let f = fds.get(fd)?;
    fds.insert(f, false).map(|fd| fd as usize)
}

pub fn dup3(old: i32, new: i32, flags: u32) -> SysResult {
    if old == new || flags & !g::O_CLOEXEC != 0 {
        return Err(EINVAL);
    }
    let files = crate::task::current_files();
    let mut fds = files.lock();
    let f = fds.get(old)?;
    let new_idx = usize::try_from(new)
        .ok()
        .filter(|&n| n < crate::fs::fdtable::fd_limit())
        .ok_or(EBADF)?;
    let replaced = fds.set(new_idx, f, flags & g::O_CLOEXEC != 0)?;
    drop(fds);
    drop(replaced);
    Ok(new as usize)
}

pub fn fcntl(fd: i32, cmd: u32, arg: usize) -> SysResult {
    match cmd {
        g::F_DUPFD | g::F_DUPFD_CLOEXEC => {
            let files = crate::task::current_files();
            let mut fds = files.lock();
            let f = fds.get(fd)?;
            if arg >= crate::fs::fdtable::fd_limit() {
                return Err(EINVAL);
            }
            fds.insert_from(arg, f, cmd == g::F_DUPFD_CLOEXEC)
                .map(|fd| fd as usize)
        }
        g::F_GETFD => Ok(crate::task::current_files().lock().entry(fd)?.cloexec as usize),
        g::F_SETFD => {
            crate::task::current_files().lock().entry_mut(fd)?.cloexec =
                arg as u32 & g::FD_CLOEXEC != 0;
            Ok(0)
        }
        g::F_GETFL => Ok(file(fd)?.flags() as usize),
        g::F_SETFL => {
            file(fd)?.set_status_flags(arg as u32);
            Ok(0)
        }
        _ => file(fd)?.file.fcntl(cmd, arg),
    }
}

pub fn ioctl(fd: i32, cmd: u32, arg: usize) -> SysResult {
    let f = file(fd)?;
    match cmd {
        linux_raw_sys::ioctl::FIONBIO => {
            let on: i32 = read_val(arg)?;
            let flags = f.flags();
            f.set_status_flags(if on != 0 {
                flags | g::O_NONBLOCK
            } else {
                flags & !g::O_NONBLOCK
            });
            Ok(0)
        }
        // A regular file: the bytes from the offset to the end (negative past it, as
        // Linux's int). Other kinds answer for themselves (pipes, terminals).
        linux_raw_sys::ioctl::FIONREAD if is_regular(&f) => {
            let size = f.file.metadata().size as i64;
            let left = size.wrapping_sub(*f.offset().lock() as i64);
            write_val(arg, &(left as i32))?;
            Ok(0)
        }
        linux_raw_sys::ioctl::FIOCLEX | linux_raw_sys::ioctl::FIONCLEX => {
            crate::task::current_files().lock().entry_mut(fd)?.cloexec =
                cmd == linux_raw_sys::ioctl::FIOCLEX;
            Ok(0)
        }
        linux_raw_sys::ioctl::TIOCSCTTY => f.file.set_controlling_terminal(arg, f.readable()),
        _ => f.file.ioctl(cmd, arg),
    }
}

fn is_regular(f: &OpenFile) -> bool {
    f.inode
        .as_ref()
        .is_some_and(|i| i.metadata().file_type() == S_IFREG)
}

pub fn pipe2(fds_addr: usize, flags: u32) -> SysResult {
    if flags & !(g::O_CLOEXEC | g::O_NONBLOCK | g::O_DIRECT) != 0 {
        return Err(EINVAL);
    }
    // Check the destination before creating anything (EFAULT leaves no descriptors).
    UserSliceMut::new(fds_addr, 8)?.write(0, &[0u8; 8])?;
    let (uid, gid) = creds();
    let pipe = crate::ipc::pipe::Pipe::with_owner(uid, gid)?;
    let status = flags & (g::O_NONBLOCK | g::O_DIRECT);
    // O_DIRECT (packet mode) belongs to the write end only, as on Linux.
    let r = OpenFile::new(
        pipe.open_end(true, false),
        None,
        g::O_RDONLY | (status & g::O_NONBLOCK),
    );
    let w = OpenFile::new(pipe.open_end(false, true), None, g::O_WRONLY | status);
    let cloexec = flags & g::O_CLOEXEC != 0;
    let files = crate::task::current_files();
    let mut fds = files.lock();
    let rfd = fds.insert(r, cloexec)?;
    let wfd = match fds.insert(w, cloexec) {
        Ok(fd) => fd,
        Err(e) => {
            let _ = fds.remove(rfd);
            return Err(e);
        }
    };
    drop(fds);
    write_val(fds_addr, &[rfd, wfd])?;
    Ok(0)
}

pub fn ftruncate(fd: i32, len: i64) -> SysResult {
    let f = file(fd)?;
    if !f.writable() {
        return Err(EINVAL);
    }
    let len = u64::try_from(len).map_err(|_| EINVAL)?;
    f.inode.as_ref().ok_or(EINVAL)?.truncate(len)?;
    Ok(0)
}

/// fallocate(2), with Linux's checks in its order (vfs_fallocate); a tmpfs file does
/// the work (shmem_fallocate: allocation, with or without FALLOC_FL_KEEP_SIZE, and
/// FALLOC_FL_PUNCH_HOLE).
pub fn fallocate(fd: i32, mode: u32, offset: i64, len: i64) -> SysResult {
    use g::{
        FALLOC_FL_COLLAPSE_RANGE as COLLAPSE, FALLOC_FL_INSERT_RANGE as INSERT,
        FALLOC_FL_KEEP_SIZE as KEEP, FALLOC_FL_NO_HIDE_STALE as NO_HIDE,
        FALLOC_FL_PUNCH_HOLE as PUNCH, FALLOC_FL_UNSHARE_RANGE as UNSHARE,
        FALLOC_FL_ZERO_RANGE as ZERO,
    };
    let f = file(fd)?;
    if offset < 0 || len <= 0 {
        return Err(EINVAL);
    }
    if mode & !(KEEP | PUNCH | NO_HIDE | COLLAPSE | ZERO | INSERT | UNSHARE) != 0
        || mode & (PUNCH | ZERO) == PUNCH | ZERO
        || (mode & PUNCH != 0 && mode & KEEP == 0)
    {
        return Err(EOPNOTSUPP);
    }
    if (mode & COLLAPSE != 0 && mode & !COLLAPSE != 0)
        || (mode & INSERT != 0 && mode & !INSERT != 0)
        || (mode & UNSHARE != 0 && mode & !(UNSHARE | KEEP) != 0)
    {
        return Err(EINVAL);
    }
    if !f.writable() {
        return Err(EBADF);
    }
    match f.file.metadata().file_type() {
        g::S_IFIFO => return Err(ESPIPE),
        g::S_IFDIR => return Err(EISDIR),
        g::S_IFREG => {}
        _ => return Err(ENODEV),
    }
    let end = offset.checked_add(len).ok_or(EFBIG)?;
    if end as u64 > crate::fs::tmpfs::MAX_FILE_SIZE {
        return Err(EFBIG);
    }
    let node = f.inode.as_ref().ok_or(ENODEV)?;
    node.allocate(mode, offset as u64, len as u64)?;
    Ok(0)
}

/// EROFS when `node` is on a file system mounted read-only.
pub(super) fn writable_fs(node: &Arc<dyn Inode>) -> SysResult<()> {
    if node.read_only() {
        return Err(EROFS);
    }
    Ok(())
}

pub fn sync() -> SysResult {
    Ok(0)
}

/// fadvise64: Rill's files are all in memory, so advice changes nothing; it is checked
/// as Linux checks it (a pipe or FIFO is ESPIPE, a negative length or unknown advice EINVAL).
pub fn fadvise64(fd: i32, len: i64, advice: u32) -> SysResult {
    let f = file(fd)?;
    let meta = f
        .inode
        .as_ref()
        .map_or_else(|| f.file.metadata(), |i| i.metadata());
    if meta.mode & crate::fs::vfs::S_IFMT == crate::fs::vfs::S_IFIFO {
        return Err(ESPIPE);
    }
    if len < 0 || advice > g::POSIX_FADV_NOREUSE {
        return Err(EINVAL);
    }
    Ok(0)
}

/// Polls descriptors until one is ready, the deadline passes or a signal arrives.
/// `interest` holds (fd, requested events); returns the ready events per entry.
fn poll_files(interest: &[(i32, u16)], deadline: Option<u64>) -> SysResult<Vec<u16>> {
    let files: Vec<Option<Arc<OpenFile>>> = {
        let files = crate::task::current_files();
        let fds = files.lock();
        interest
            .iter()
            .map(|&(fd, _)| if fd < 0 { None } else { fds.get(fd).ok() })
            .collect()
    };
    let scan = || -> Option<Vec<u16>> {
        let mut any = false;
        let ready: Vec<u16> = interest
            .iter()
            .zip(&files)
            .map(|(&(fd, want), f)| {
                let ev = match f {
                    None if fd < 0 => 0,
                    None => POLLNVAL,
                    Some(f) => {
                        f.file.poll() & (want | crate::fs::file::POLLERR | crate::fs::file::POLLHUP)
                    }
                };
                any |= ev != 0;
                ev
            })
            .collect();
        any.then_some(ready)
    };
    if let Some(r) = scan() {
        return Ok(r);
    }
    if deadline.is_some_and(|d| d <= crate::time::now_ticks()) {
        return Ok(alloc::vec![0; interest.len()]);
    }
    let queues: Vec<&crate::task::WaitQueue> = files
        .iter()
        .flatten()
        .filter_map(|f| f.file.poll_queue())
        .collect();
    match crate::task::wait::block_on("poll", &queues, deadline, scan) {
        Ok(r) => Ok(r),
        Err(ETIMEDOUT) => Ok(alloc::vec![0; interest.len()]),
        Err(e) => Err(e),
    }
}

/// An interrupted ppoll/pselect6, as in Linux: the time left is written back to the
/// timeout, and the call restarts unless a handler runs (ERESTARTNOHAND), so a stop and
/// continue does not end the wait and a restart waits only for the rest.
/// ppoll and pselect6 write the time left back into the caller's timeout, as Linux
/// does (glibc's select relies on it); a failure to write is ignored.
fn store_time_left(ts_addr: usize, deadline: Option<u64>) {
    if let Some(d) = deadline {
        let left = crate::time::ticks_to_ns(d.saturating_sub(crate::time::now_ticks()));
        let ts = g::timespec {
            tv_sec: (left / 1_000_000_000) as _,
            tv_nsec: (left % 1_000_000_000) as _,
        };
        let _ = write_val(ts_addr, &ts);
    }
}

/// Runs `poll_files` for ppoll/pselect6: the time left is stored whatever happens, and
/// a signal makes the call EINTR after a handler, or resume otherwise.
fn poll_with_timeout(
    interest: &[(i32, u16)],
    ts_addr: usize,
    deadline: Option<u64>,
) -> SysResult<Vec<u16>> {
    let r = poll_files(interest, deadline);
    store_time_left(ts_addr, deadline);
    r.map_err(|e| if e == ERESTARTSYS { ERESTARTNOHAND } else { e })
}

/// Events that make a descriptor readable or writable for select (Linux's
/// POLLIN_SET and POLLOUT_SET).
const SELECT_IN: u16 =
    crate::fs::file::POLLIN | crate::fs::file::POLLHUP | crate::fs::file::POLLERR;
const SELECT_OUT: u16 = crate::fs::file::POLLOUT | crate::fs::file::POLLERR;

fn timeout_deadline(ts_addr: usize) -> SysResult<Option<u64>> {
    if ts_addr == 0 {
        return Ok(None);
    }
    let ts: g::timespec = read_val(ts_addr)?;
    let ns = super::time::timespec_ns(&ts)?;
    Ok(Some(
        crate::time::now_ticks() + crate::time::ns_to_ticks(ns),
    ))
}

pub fn ppoll(
    fds_addr: usize,
    nfds: usize,
    ts_addr: usize,
    sigmask: usize,
    sigsetsize: usize,
) -> SysResult {
    if nfds > crate::fs::fdtable::fd_limit() {
        return Err(EINVAL);
    }
    let mut pfds: Vec<g::pollfd> = read_array(fds_addr, nfds)?;
    let deadline = timeout_deadline(ts_addr)?;
    let _mask = super::signal::TemporaryMask::install(sigmask, sigsetsize)?;
    let interest: Vec<(i32, u16)> = pfds.iter().map(|p| (p.fd, p.events as u16)).collect();
    let ready = poll_with_timeout(&interest, ts_addr, deadline)?;
    let mut count = 0;
    for (p, r) in pfds.iter_mut().zip(&ready) {
        p.revents = *r as i16;
        count += (*r != 0) as usize;
    }
    write_array(fds_addr, &pfds)?;
    Ok(count)
}

pub fn pselect6(
    nfds: usize,
    rfds: usize,
    wfds: usize,
    efds: usize,
    ts_addr: usize,
    sig: usize,
) -> SysResult {
    if (nfds as isize) < 0 {
        return Err(EINVAL);
    }
    // Descriptors past the table's size cannot be open: Linux ignores them too.
    let nfds = nfds.min(crate::task::current_files().lock().size());
    let words = nfds.div_ceil(64);
    let read_set = |addr: usize| -> SysResult<Vec<u64>> {
        if addr == 0 {
            return Ok(alloc::vec![0; words]);
        }
        read_array(addr, words)
    };
    let (r, w, e) = (read_set(rfds)?, read_set(wfds)?, read_set(efds)?);
    let mut interest = Vec::new();
    for fd in 0..nfds {
        let bit = |set: &Vec<u64>| set[fd / 64] >> (fd % 64) & 1 != 0;
        let mut ev = 0u16;
        if bit(&r) {
            ev |= SELECT_IN;
        }
        if bit(&w) {
            ev |= SELECT_OUT;
        }
        if bit(&e) {
            ev |= g::POLLPRI as u16;
        }
        if ev != 0 {
            interest.push((fd as i32, ev));
        }
    }
    // pselect6's sixth argument points at { const sigset_t *ss; size_t ss_len; }.
    let (mask_addr, mask_size) = if sig == 0 {
        (0, 0)
    } else {
        (read_val::<usize>(sig)?, read_val::<usize>(sig + 8)?)
    };
    let deadline = timeout_deadline(ts_addr)?;
    let _mask = super::signal::TemporaryMask::install(mask_addr, mask_size)?;
    let ready = poll_with_timeout(&interest, ts_addr, deadline)?;
    if ready.contains(&POLLNVAL) {
        return Err(EBADF);
    }
    let (mut ro, mut wo, mut eo) = (
        alloc::vec![0u64; words],
        alloc::vec![0u64; words],
        alloc::vec![0u64; words],
    );
    let mut count = 0;
    for (&(fd, want), &ev) in interest.iter().zip(&ready) {
        let (i, b) = (fd as usize / 64, 1u64 << (fd as usize % 64));
        if want & crate::fs::file::POLLIN != 0 && ev & SELECT_IN != 0 {
            ro[i] |= b;
            count += 1;
        }
        if want & crate::fs::file::POLLOUT != 0 && ev & SELECT_OUT != 0 {
            wo[i] |= b;
            count += 1;
        }
        if want & g::POLLPRI as u16 != 0 && ev & g::POLLPRI as u16 != 0 {
            eo[i] |= b;
            count += 1;
        }
    }
    for (addr, set) in [(rfds, &ro), (wfds, &wo), (efds, &eo)] {
        if addr != 0 {
            write_array(addr, set)?;
        }
    }
    Ok(count)
}

/// Linux's MAX_RW_COUNT: the most one read, write or sendfile moves.
const MAX_RW_COUNT: usize = 0x7fff_f000;

/// sendfile(2): copies from a seekable file to any writable descriptor through a kernel
/// buffer. With `offset_addr`, reading starts at *offset, which is updated, and the
/// input's own offset stays; without, the input's offset moves by what was written.
/// Stops at end of input, at a short write, or (once something moved) at an error.
/// Checks in Linux's order: the offset is read first (EFAULT), then the input (EBADF,
/// ESPIPE for an offset on an unseekable one, EINVAL for a negative offset), then the
/// output; an unseekable input or an O_APPEND output is EINVAL.
pub fn sendfile(out_fd: i32, in_fd: i32, offset_addr: usize, count: usize) -> SysResult {
    let offset: Option<i64> = if offset_addr != 0 {
        Some(read_val(offset_addr)?)
    } else {
        None
    };
    let input = file(in_fd)?;
    if !input.readable() {
        return Err(EBADF);
    }
    if offset.is_some() && !input.file.seekable() {
        return Err(ESPIPE);
    }
    let explicit = offset
        .map(|off| u64::try_from(off).map_err(|_| EINVAL))
        .transpose()?;
    let output = file(out_fd)?;
    if !output.writable() {
        return Err(EBADF);
    }
    if !input.file.seekable() || output.flags() & g::O_APPEND != 0 {
        return Err(EINVAL);
    }
    copy_out_of_file(
        &input,
        explicit.map(|off| (off, offset_addr)),
        count,
        |chunk, _| output.write(&chunk),
    )
}

/// Moves up to `count` bytes of the seekable `input` (sendfile, splice), from the
/// explicit offset if given (with the user address it is written back to) or else from
/// the file's own, which moves on by what went out. `write(chunk, done)` sends a chunk
/// after `done` bytes and says how much of it went. The bytes moved; an error only if
/// nothing moved.
pub(super) fn copy_out_of_file(
    input: &OpenFile,
    explicit: Option<(u64, usize)>,
    count: usize,
    mut write: impl FnMut(&[u8], usize) -> SysResult<usize>,
) -> SysResult {
    let mut pos = match explicit {
        Some((off, _)) => off,
        None => *input.offset().lock(),
    };
    let count = count.min(MAX_RW_COUNT);
    let mut chunk = [0u8; 4096];
    let mut done = 0;
    let mut failure = None;
    while done < count {
        let want = (count - done).min(chunk.len());
        let got = match input.file.read(pos, &mut &mut chunk[..want], false) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                failure = Some(e);
                break;
            }
        };
        match write(&chunk[..got], done) {
            Ok(n) => {
                done += n;
                pos += n as u64;
                if n < got {
                    break;
                }
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    match explicit {
        Some((_, addr)) => write_val(addr, &(pos as i64))?,
        None => *input.offset().lock() = pos,
    }
    match failure {
        Some(e) if done == 0 => Err(e),
        _ => Ok(done),
    }
}

/// flock(2): whole-file locks held by the open file description (fs/flock.rs).
pub fn flock(fd: i32, op: u32) -> SysResult {
    let f = file(fd)?;
    crate::fs::flock::flock(&f, op)?;
    Ok(0)
}
