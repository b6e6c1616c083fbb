//! File system calls: open/close/read/write and friends, directories, stat, pipes,
//! descriptor manipulation and readiness (ppoll, pselect6).

use crate::errno::*;
use crate::fs::file::{OpenFile, POLLNVAL};
use crate::fs::path::{self, resolve_at, AbsPath, PATH_MAX};
use crate::fs::vfs::{check_access, Inode, Metadata, Want, S_IFDIR, S_IFIFO, S_IFMT, S_IFREG};
use crate::mm::uaccess::{
    read_array, read_cstr, read_val, write_array, write_val, UserIoVec, UserSlice, UserSliceMut,
};
use crate::task::current_process;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use linux_raw_sys::general as g;

fn file(fd: i32) -> SysResult<Arc<OpenFile>> {
    current_process().fds.lock().get(fd)
}

fn user_path(addr: usize) -> SysResult<String> {
    read_cstr(addr, PATH_MAX)
}

fn creds() -> (u32, u32) {
    let c = *current_process().creds.lock();
    (c.euid, c.egid)
}

fn access(meta: &Metadata, want: Want) -> SysResult<()> {
    let (uid, gid) = creds();
    check_access(meta, uid, gid, want)
}

pub fn read(fd: i32, buf: usize, len: usize) -> SysResult {
    let f = file(fd)?;
    if !f.readable() {
        return Err(EBADF);
    }
    let mut ubuf = UserSliceMut::new(buf, len)?;
    f.read(&mut ubuf)
}

pub fn write(fd: i32, buf: usize, len: usize) -> SysResult {
    let f = file(fd)?;
    if !f.writable() {
        return Err(EBADF);
    }
    let ubuf = UserSlice::new(buf, len)?;
    f.write(&ubuf)
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

/// Opens (and with O_CREAT creates) the node at `path`.
pub fn open_path(p: &AbsPath, flags: u32, mode: u32) -> SysResult<Arc<OpenFile>> {
    let proc = current_process();
    let node = match path::lookup(p) {
        Ok(node) => {
            if flags & g::O_CREAT != 0 && flags & g::O_EXCL != 0 {
                return Err(EEXIST);
            }
            node
        }
        Err(ENOENT) if flags & g::O_CREAT != 0 => {
            if p.must_be_dir {
                return Err(EISDIR);
            }
            let parent = path::lookup_parent(p)?;
            access(&parent.metadata(), Want::DIR_CHANGE)?;
            let umask = proc.umask.load(core::sync::atomic::Ordering::Relaxed);
            let (uid, gid) = creds();
            let name = p.name().ok_or(EISDIR)?;
            parent.create(name, S_IFREG | (mode & 0o7777 & !umask), uid, gid)?
        }
        Err(e) => return Err(e),
    };
    let meta = node.metadata();
    let accmode = flags & g::O_ACCMODE;
    if meta.is_dir() && (accmode != g::O_RDONLY || flags & g::O_CREAT != 0) {
        return Err(EISDIR);
    }
    if flags & g::O_DIRECTORY != 0 && !meta.is_dir() {
        return Err(ENOTDIR);
    }
    let want = Want {
        read: accmode == g::O_RDONLY || accmode == g::O_RDWR,
        write: accmode == g::O_WRONLY || accmode == g::O_RDWR || flags & g::O_TRUNC != 0,
        exec: false,
    };
    access(&meta, want)?;
    if flags & g::O_TRUNC != 0 && meta.file_type() == S_IFREG && accmode != g::O_RDONLY {
        node.truncate(0)?;
    }
    let f = node.clone().open(flags)?;
    if flags & g::O_NOCTTY == 0 && proc.sid() == proc.pid {
        f.acquire_controlling(proc.pid);
    }
    Ok(OpenFile::new(f, Some(node), p.to_string(), flags))
}

pub fn openat(dirfd: i32, path_addr: usize, flags: u32, mode: u32) -> SysResult {
    let p = resolve_at(dirfd, &user_path(path_addr)?)?;
    let f = open_path(&p, flags, mode)?;
    current_process()
        .fds
        .lock()
        .insert(f, flags & g::O_CLOEXEC != 0)
        .map(|fd| fd as usize)
}

pub fn close(fd: i32) -> SysResult {
    let entry = current_process().fds.lock().remove(fd)?;
    // The description (and a pipe end's wake-ups) goes away outside the table lock.
    drop(entry);
    Ok(0)
}

pub fn dup(fd: i32) -> SysResult {
    let proc = current_process();
    let mut fds = proc.fds.lock();
    let f = fds.get(fd)?;
    fds.insert(f, false).map(|fd| fd as usize)
}

pub fn dup3(old: i32, new: i32, flags: u32) -> SysResult {
    if old == new || flags & !g::O_CLOEXEC != 0 {
        return Err(EINVAL);
    }
    let proc = current_process();
    let mut fds = proc.fds.lock();
    let f = fds.get(old)?;
    let new_idx = usize::try_from(new)
        .ok()
        .filter(|&n| n < crate::fs::fdtable::MAX_FDS)
        .ok_or(EBADF)?;
    let replaced = fds.set(new_idx, f, flags & g::O_CLOEXEC != 0);
    drop(fds);
    drop(replaced);
    Ok(new as usize)
}

pub fn fcntl(fd: i32, cmd: u32, arg: usize) -> SysResult {
    let proc = current_process();
    match cmd {
        g::F_DUPFD | g::F_DUPFD_CLOEXEC => {
            let mut fds = proc.fds.lock();
            let f = fds.get(fd)?;
            if arg >= crate::fs::fdtable::MAX_FDS {
                return Err(EINVAL);
            }
            fds.insert_from(arg, f, cmd == g::F_DUPFD_CLOEXEC)
                .map(|fd| fd as usize)
        }
        g::F_GETFD => Ok(proc.fds.lock().entry(fd)?.cloexec as usize),
        g::F_SETFD => {
            proc.fds.lock().entry_mut(fd)?.cloexec = arg as u32 & g::FD_CLOEXEC != 0;
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
        linux_raw_sys::ioctl::FIOCLEX | linux_raw_sys::ioctl::FIONCLEX => {
            current_process().fds.lock().entry_mut(fd)?.cloexec =
                cmd == linux_raw_sys::ioctl::FIOCLEX;
            Ok(0)
        }
        linux_raw_sys::ioctl::TIOCSCTTY => f.file.set_controlling_terminal(arg, f.readable()),
        _ => f.file.ioctl(cmd, arg),
    }
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
        String::from("pipe:"),
        g::O_RDONLY | (status & g::O_NONBLOCK),
    );
    let w = OpenFile::new(
        pipe.open_end(false, true),
        None,
        String::from("pipe:"),
        g::O_WRONLY | status,
    );
    let cloexec = flags & g::O_CLOEXEC != 0;
    let proc = current_process();
    let mut fds = proc.fds.lock();
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

pub fn getdents64(fd: i32, buf: usize, len: usize) -> SysResult {
    let f = file(fd)?;
    let node = f.inode.clone().ok_or(ENOTDIR)?;
    let entries = node.readdir()?;
    let out = UserSliceMut::new(buf, len)?;
    let mut pos = f.offset().lock();
    // Index 0 and 1 are "." and "..", then the directory's entries in order.
    let total = entries.len() + 2;
    let mut written = 0;
    while (*pos as usize) < total {
        let i = *pos as usize;
        let (name, ino, ftype) = match i {
            0 => (".", node.metadata().ino, S_IFDIR),
            1 => ("..", node.metadata().ino, S_IFDIR),
            _ => (
                entries[i - 2].name.as_str(),
                entries[i - 2].ino,
                entries[i - 2].file_type,
            ),
        };
        let reclen = (19 + name.len() + 1 + 7) & !7;
        if written + reclen > len {
            if written == 0 {
                return Err(EINVAL);
            }
            break;
        }
        let mut rec = alloc::vec![0u8; reclen];
        rec[0..8].copy_from_slice(&ino.to_ne_bytes());
        rec[8..16].copy_from_slice(&((i + 1) as i64).to_ne_bytes());
        rec[16..18].copy_from_slice(&(reclen as u16).to_ne_bytes());
        rec[18] = dtype(ftype);
        rec[19..19 + name.len()].copy_from_slice(name.as_bytes());
        out.write(written, &rec)?;
        written += reclen;
        *pos += 1;
    }
    Ok(written)
}

fn dtype(ftype: u32) -> u8 {
    (ftype >> 12) as u8
}

fn stat_of(m: &Metadata) -> g::stat {
    let mut st: g::stat = crate::mm::uaccess::zeroed();
    st.st_dev = 1;
    st.st_ino = m.ino;
    st.st_mode = m.mode;
    st.st_nlink = m.nlink;
    st.st_uid = m.uid;
    st.st_gid = m.gid;
    st.st_rdev = m.rdev;
    st.st_size = m.size as i64;
    st.st_blksize = 4096;
    st.st_blocks = m.size.div_ceil(512) as i64;
    st.st_atime = (m.atime_ns / 1_000_000_000) as i64;
    st.st_atime_nsec = m.atime_ns % 1_000_000_000;
    st.st_mtime = (m.mtime_ns / 1_000_000_000) as i64;
    st.st_mtime_nsec = m.mtime_ns % 1_000_000_000;
    st.st_ctime = (m.ctime_ns / 1_000_000_000) as i64;
    st.st_ctime_nsec = m.ctime_ns % 1_000_000_000;
    st
}

pub fn fstat(fd: i32, buf: usize) -> SysResult {
    let f = file(fd)?;
    let meta = f
        .inode
        .as_ref()
        .map_or_else(|| f.file.metadata(), |i| i.metadata());
    write_val(buf, &stat_of(&meta))?;
    Ok(0)
}

pub fn newfstatat(dirfd: i32, path_addr: usize, buf: usize, flags: u32) -> SysResult {
    let m = stat_target(dirfd, path_addr, flags)?;
    write_val(buf, &stat_of(&m))?;
    Ok(0)
}

/// The metadata a *stat call names: a path relative to `dirfd`, or with AT_EMPTY_PATH
/// and an empty path, `dirfd` itself.
fn stat_target(dirfd: i32, path_addr: usize, flags: u32) -> SysResult<Metadata> {
    let p = user_path(path_addr)?;
    if p.is_empty() && flags & g::AT_EMPTY_PATH != 0 {
        if dirfd == path::AT_FDCWD {
            return Ok(
                path::lookup(&path::normalize(&current_process().cwd.lock(), ".")?)?.metadata(),
            );
        }
        let f = file(dirfd)?;
        return Ok(f
            .inode
            .as_ref()
            .map_or_else(|| f.file.metadata(), |i| i.metadata()));
    }
    Ok(path::lookup(&resolve_at(dirfd, &p)?)?.metadata())
}

pub fn statx(dirfd: i32, path_addr: usize, flags: u32, _mask: u32, buf: usize) -> SysResult {
    let m = stat_target(dirfd, path_addr, flags)?;
    let ts = |ns: u64| g::statx_timestamp {
        tv_sec: (ns / 1_000_000_000) as i64,
        tv_nsec: (ns % 1_000_000_000) as u32,
        __reserved: 0,
    };
    let mut st: g::statx = crate::mm::uaccess::zeroed();
    st.stx_mask = g::STATX_BASIC_STATS;
    st.stx_blksize = 4096;
    st.stx_nlink = m.nlink;
    st.stx_uid = m.uid;
    st.stx_gid = m.gid;
    st.stx_mode = m.mode as u16;
    st.stx_ino = m.ino;
    st.stx_size = m.size;
    st.stx_blocks = m.size.div_ceil(512);
    st.stx_atime = ts(m.atime_ns);
    st.stx_btime = ts(m.ctime_ns);
    st.stx_ctime = ts(m.ctime_ns);
    st.stx_mtime = ts(m.mtime_ns);
    st.stx_rdev_major = (m.rdev >> 8) as u32;
    st.stx_rdev_minor = (m.rdev & 0xff) as u32;
    st.stx_dev_minor = 1;
    write_val(buf, &st)?;
    Ok(0)
}

pub fn faccessat(dirfd: i32, path_addr: usize, mode: u32, _flags: u32) -> SysResult {
    let node = path::lookup(&resolve_at(dirfd, &user_path(path_addr)?)?)?;
    if mode & !7 != 0 {
        return Err(EINVAL);
    }
    let want = Want {
        read: mode & 4 != 0,
        write: mode & 2 != 0,
        exec: mode & 1 != 0,
    };
    access(&node.metadata(), want)?;
    Ok(0)
}

pub fn readlinkat(dirfd: i32, path_addr: usize, buf: usize, size: usize) -> SysResult {
    let p = resolve_at(dirfd, &user_path(path_addr)?)?;
    if size == 0 || size > isize::MAX as usize {
        return Err(EINVAL);
    }
    let out = UserSliceMut::new(buf, size)?;
    match crate::fs::procfs::readlink(&p) {
        Some(target) => {
            let target = target?;
            let n = target.len().min(size);
            out.write(0, &target.as_bytes()[..n])?;
            Ok(n)
        }
        None => {
            path::lookup(&p)?;
            Err(EINVAL)
        }
    }
}

pub fn getcwd(buf: usize, size: usize) -> SysResult {
    let cwd = current_process().cwd.lock().clone();
    if size < cwd.len() + 1 {
        return Err(ERANGE);
    }
    let out = UserSliceMut::new(buf, cwd.len() + 1)?;
    out.write(0, cwd.as_bytes())?;
    out.write(cwd.len(), &[0])?;
    Ok(cwd.len() + 1)
}

fn set_cwd(p: &AbsPath, node: &Arc<dyn Inode>) -> SysResult {
    let meta = node.metadata();
    if !meta.is_dir() {
        return Err(ENOTDIR);
    }
    access(&meta, Want::EXEC)?;
    *current_process().cwd.lock() = p.to_string();
    Ok(0)
}

pub fn chdir(path_addr: usize) -> SysResult {
    let p = resolve_at(path::AT_FDCWD, &user_path(path_addr)?)?;
    let node = path::lookup(&p)?;
    set_cwd(&p, &node)
}

pub fn fchdir(fd: i32) -> SysResult {
    let f = file(fd)?;
    let node = f.inode.clone().ok_or(ENOTDIR)?;
    let p = path::normalize("/", &f.path)?;
    set_cwd(&p, &node)
}

pub fn mkdirat(dirfd: i32, path_addr: usize, mode: u32) -> SysResult {
    let p = resolve_at(dirfd, &user_path(path_addr)?)?;
    create_node(&p, S_IFDIR | (mode & 0o7777))
}

fn create_node(p: &AbsPath, mode: u32) -> SysResult {
    let name = p.name().ok_or(EEXIST)?;
    if p.ends_in_dot().is_some() {
        return Err(EEXIST);
    }
    let parent = path::lookup_parent(p)?;
    if parent.lookup(name).is_ok() {
        return Err(EEXIST);
    }
    // "name/" asks for a directory: a new FIFO or file through it is ENOENT (Linux filename_create).
    if p.must_be_dir && mode & S_IFMT != S_IFDIR {
        return Err(ENOENT);
    }
    access(&parent.metadata(), Want::DIR_CHANGE)?;
    let umask = current_process()
        .umask
        .load(core::sync::atomic::Ordering::Relaxed);
    let (uid, gid) = creds();
    parent.create(name, (mode & S_IFMT) | (mode & 0o7777 & !umask), uid, gid)?;
    Ok(0)
}

pub fn mknodat(dirfd: i32, path_addr: usize, mode: u32, _dev: usize) -> SysResult {
    let p = resolve_at(dirfd, &user_path(path_addr)?)?;
    match mode & S_IFMT {
        S_IFIFO => create_node(&p, mode),
        0 | S_IFREG => create_node(&p, S_IFREG | (mode & 0o7777)),
        // Linux (may_mknod): directories need mkdir, devices privilege; unknown types EINVAL.
        g::S_IFDIR | g::S_IFCHR | g::S_IFBLK | g::S_IFSOCK => Err(EPERM),
        _ => Err(EINVAL),
    }
}

pub fn unlinkat(dirfd: i32, path_addr: usize, flags: u32) -> SysResult {
    if flags & !g::AT_REMOVEDIR != 0 {
        return Err(EINVAL);
    }
    let rmdir = flags & g::AT_REMOVEDIR != 0;
    let p = resolve_at(dirfd, &user_path(path_addr)?)?;
    let name = p.name().ok_or(EBUSY)?;
    let parent = path::lookup_parent(&p)?;
    if let Some(dot) = p.ends_in_dot() {
        return Err(match (rmdir, dot) {
            (false, _) => EISDIR,
            (true, ".") => EINVAL,
            _ => ENOTEMPTY,
        });
    }
    access(&parent.metadata(), Want::DIR_CHANGE)?;
    parent.unlink(name, rmdir)?;
    Ok(0)
}

pub fn renameat2(
    olddir: i32,
    old_addr: usize,
    newdir: i32,
    new_addr: usize,
    flags: u32,
) -> SysResult {
    if flags != 0 {
        return Err(EINVAL);
    }
    let old = resolve_at(olddir, &user_path(old_addr)?)?;
    let new = resolve_at(newdir, &user_path(new_addr)?)?;
    let (old_name, new_name) = (old.name().ok_or(EBUSY)?, new.name().ok_or(EBUSY)?);
    if old.ends_in_dot().is_some() || new.ends_in_dot().is_some() {
        return Err(EBUSY);
    }
    if new.components.starts_with(&old.components) && new.components.len() > old.components.len() {
        return Err(EINVAL);
    }
    let old_parent = path::lookup_parent(&old)?;
    let new_parent = path::lookup_parent(&new)?;
    let node = old_parent.lookup(old_name)?;
    access(&old_parent.metadata(), Want::DIR_CHANGE)?;
    access(&new_parent.metadata(), Want::DIR_CHANGE)?;
    if old.components == new.components {
        return Ok(0);
    }
    if let Ok(existing) = new_parent.lookup(new_name) {
        let (src_dir, dst_dir) = (node.metadata().is_dir(), existing.metadata().is_dir());
        match (src_dir, dst_dir) {
            (true, false) => return Err(ENOTDIR),
            (false, true) => return Err(EISDIR),
            _ => new_parent.unlink(new_name, dst_dir)?,
        }
    }
    let node = old_parent.detach(old_name)?;
    if let Err(e) = new_parent.link(new_name, node.clone()) {
        // Put it back where it was: a failed rename changes nothing.
        let _ = old_parent.link(old_name, node);
        return Err(e);
    }
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

pub fn truncate(path_addr: usize, len: i64) -> SysResult {
    let node = path::lookup(&resolve_at(path::AT_FDCWD, &user_path(path_addr)?)?)?;
    access(&node.metadata(), Want::WRITE)?;
    node.truncate(u64::try_from(len).map_err(|_| EINVAL)?)?;
    Ok(0)
}

pub fn fchmod(fd: i32, mode: u32) -> SysResult {
    let f = file(fd)?;
    let node = f.inode.as_ref().ok_or(EBADF)?;
    chmod(node, mode)
}

/// chmod: only the owner or root may change the mode.
fn chmod(node: &Arc<dyn Inode>, mode: u32) -> SysResult {
    let (uid, _) = creds();
    if uid != 0 && uid != node.metadata().uid {
        return Err(EPERM);
    }
    node.set_mode(mode)?;
    Ok(0)
}

pub fn fchmodat(dirfd: i32, path_addr: usize, mode: u32) -> SysResult {
    let node = path::lookup(&resolve_at(dirfd, &user_path(path_addr)?)?)?;
    chmod(&node, mode)
}

pub fn utimensat(dirfd: i32, path_addr: usize, times: usize, flags: u32) -> SysResult {
    let node = if path_addr == 0 {
        // Linux's futimens(fd) form: a NULL path means `dirfd` itself.
        file(dirfd)?.inode.clone().ok_or(EBADF)?
    } else {
        let m_path = user_path(path_addr)?;
        if m_path.is_empty() && flags & g::AT_EMPTY_PATH != 0 {
            file(dirfd)?.inode.clone().ok_or(EBADF)?
        } else {
            path::lookup(&resolve_at(dirfd, &m_path)?)?
        }
    };
    let now = crate::time::realtime_ns();
    let (atime, mtime) = if times == 0 {
        (Some(now), Some(now))
    } else {
        let pick = |ts: g::timespec| -> SysResult<Option<u64>> {
            match ts.tv_nsec as u64 {
                n if n == g::UTIME_NOW as u64 => Ok(Some(now)),
                n if n == g::UTIME_OMIT as u64 => Ok(None),
                _ => super::time::timespec_ns(&ts).map(Some),
            }
        };
        let size = core::mem::size_of::<g::timespec>();
        (pick(read_val(times)?)?, pick(read_val(times + size)?)?)
    };
    let meta = node.metadata();
    let (uid, _) = creds();
    // Setting explicit times needs ownership; "now" needs only write access.
    let explicit = times != 0;
    if uid != 0 && uid != meta.uid && (explicit || access(&meta, Want::WRITE).is_err()) {
        return Err(if explicit { EPERM } else { EACCES });
    }
    node.set_times(atime, mtime)?;
    Ok(0)
}

pub fn umask(mask: u32) -> SysResult {
    Ok(current_process()
        .umask
        .swap(mask & 0o777, core::sync::atomic::Ordering::Relaxed) as usize)
}

pub fn sync() -> SysResult {
    Ok(0)
}

/// Polls descriptors until one is ready, the deadline passes or a signal arrives.
/// `interest` holds (fd, requested events); returns the ready events per entry.
fn poll_files(interest: &[(i32, u16)], deadline: Option<u64>) -> SysResult<Vec<u16>> {
    let proc = current_process();
    let files: Vec<Option<Arc<OpenFile>>> = {
        let fds = proc.fds.lock();
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
    match crate::task::wait::block_on(&queues, deadline, scan) {
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
    if nfds > crate::fs::fdtable::MAX_FDS {
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
    let nfds = nfds.min(crate::fs::fdtable::MAX_FDS);
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
