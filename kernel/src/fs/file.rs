//! Open files. `File` is what an opened node does (read, write, poll, ioctl);
//! `OpenFile` is the open file description shared by dup'd and inherited descriptors:
//! it holds the status flags and, for seekable files, the offset.

use super::vfs::{Inode, Metadata, Parent};
use crate::arch::spinlock::Mutex;
use crate::errno::{SysResult, EINVAL, ENOTTY, ESPIPE};
use crate::mm::uaccess::{InBuf, OutBuf, UserSlice, UserSliceMut};
use crate::task::WaitQueue;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU32, Ordering};
use linux_raw_sys::general as g;

/// Readiness bits for poll (POLLIN and friends).
pub const POLLIN: u16 = g::POLLIN as u16;
pub const POLLOUT: u16 = g::POLLOUT as u16;
pub const POLLERR: u16 = g::POLLERR as u16;
pub const POLLHUP: u16 = g::POLLHUP as u16;
pub const POLLNVAL: u16 = g::POLLNVAL as u16;
pub const POLLRDNORM: u16 = g::POLLRDNORM as u16;
pub const POLLWRNORM: u16 = g::POLLWRNORM as u16;

/// The behaviour of an opened node.
pub trait File: Send + Sync {
    /// Reads at `pos` (ignored by unseekable files). `nonblock` is O_NONBLOCK.
    fn read(&self, pos: u64, buf: &mut dyn OutBuf, nonblock: bool) -> SysResult<usize>;
    fn write(&self, pos: u64, buf: &dyn InBuf, nonblock: bool) -> SysResult<usize>;
    /// read(2) of an unseekable file into one plain user range starting at `addr`: a pipe
    /// can have a writer fill it directly. Others read through `read`.
    fn read_user(&self, buf: &mut UserSliceMut, _addr: usize, nonblock: bool) -> SysResult<usize> {
        self.read(0, buf, nonblock)
    }
    /// write(2) to an unseekable file from one plain user range starting at `addr`.
    fn write_user(&self, buf: &UserSlice, _addr: usize, nonblock: bool) -> SysResult<usize> {
        self.write(0, buf, nonblock)
    }
    /// Whether reads and writes use the description's offset (regular files, dirs).
    fn seekable(&self) -> bool {
        false
    }
    fn metadata(&self) -> Metadata;
    /// Current readiness (POLLIN, POLLOUT, POLLHUP, ...).
    fn poll(&self) -> u16 {
        POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM
    }
    /// The queue woken when readiness may have changed; None if it never changes.
    fn poll_queue(&self) -> Option<&WaitQueue> {
        None
    }
    fn ioctl(&self, _cmd: u32, _arg: usize) -> SysResult<usize> {
        Err(ENOTTY)
    }
    /// fcntl commands specific to the file kind (F_GETPIPE_SZ, ...).
    fn fcntl(&self, cmd: u32, _arg: usize) -> SysResult<usize> {
        match cmd {
            // Linux's pipe_fcntl: "not a pipe" is EBADF.
            g::F_GETPIPE_SZ | g::F_SETPIPE_SZ => Err(crate::errno::EBADF),
            _ => Err(EINVAL),
        }
    }
    /// Told the description's status flags when it is made and at every F_SETFL
    /// (a pipe's write end follows O_DIRECT).
    fn set_status_flags(&self, _flags: u32) {}
    /// Opened without O_NOCTTY by the leader `sid` of a session with no controlling
    /// terminal: a terminal becomes that session's controlling terminal.
    fn acquire_controlling(&self, _sid: crate::task::Pid) {}
    /// A descriptor of this file is being closed by the current process (close, dup2
    /// over it, exec, exit), as Linux's `flush`: a POSIX queue drops the process's
    /// notification.
    fn flush(&self) {}
    /// The POSIX message queue behind the descriptor, for the mq_* calls (EBADF if none).
    fn mqueue(&self) -> Option<&crate::ipc::mqueue::MqFile> {
        None
    }
    /// The socket behind the descriptor, for the socket calls (ENOTSOCK if none).
    fn socket(&self) -> Option<&crate::net::Socket> {
        None
    }
    /// The signalfd behind the descriptor, for signalfd4 on an existing one.
    fn signalfd(&self) -> Option<&crate::signal::signalfd::SignalFd> {
        None
    }
    /// The process a pidfd or a /proc/PID directory refers to, for pidfd_send_signal
    /// (None: not a pidfd; ESRCH: the process is gone).
    fn pid_target(&self) -> Option<SysResult<Arc<crate::task::Process>>> {
        None
    }
    /// ioctl TIOCSCTTY, which also needs to know whether the descriptor was opened for
    /// reading (Linux's tiocsctty checks FMODE_READ).
    fn set_controlling_terminal(&self, _arg: usize, _readable: bool) -> SysResult<usize> {
        Err(ENOTTY)
    }
}

/// An open directory of a small in-memory file system (/dev/mqueue, /dev/pts): getdents64
/// and fstat go to its node; reading and writing it are errors.
pub struct DirHandle(pub Arc<dyn Inode>);

impl File for DirHandle {
    fn read(&self, _pos: u64, _buf: &mut dyn OutBuf, _nonblock: bool) -> SysResult<usize> {
        Err(crate::errno::EISDIR)
    }
    fn write(&self, _pos: u64, _buf: &dyn InBuf, _nonblock: bool) -> SysResult<usize> {
        Err(crate::errno::EBADF)
    }
    fn seekable(&self) -> bool {
        true
    }
    fn metadata(&self) -> Metadata {
        self.0.metadata()
    }
}

/// The last descriptor of a description is gone: its flock locks go with it.
impl Drop for OpenFile {
    fn drop(&mut self) {
        super::flock::release(self as *const OpenFile as usize);
    }
}

/// Status flags fcntl(F_SETFL) may change.
const SETFL_MASK: u32 = g::O_APPEND | g::O_NONBLOCK | g::O_DIRECT | g::FASYNC | g::O_NOATIME;

pub struct OpenFile {
    pub file: Arc<dyn File>,
    /// The node this was opened from (None for pipes and other anonymous files); a
    /// directory's is where *at() lookups relative to it start.
    pub inode: Option<Arc<dyn Inode>>,
    flags: AtomicU32,
    /// `file.seekable()`, which never changes: read and write test it without a call.
    seekable: bool,
    offset: Mutex<u64>,
    /// Where a file opened by path was entered (its directory and name), for the
    /// /proc/PID/fd links; directories find theirs through their parent links.
    origin: spin::Once<Parent>,
}

impl OpenFile {
    pub fn new(file: Arc<dyn File>, inode: Option<Arc<dyn Inode>>, flags: u32) -> Arc<OpenFile> {
        file.set_status_flags(flags);
        Arc::new(OpenFile {
            seekable: file.seekable(),
            file,
            inode,
            flags: AtomicU32::new(
                flags & !(g::O_CREAT | g::O_EXCL | g::O_TRUNC | g::O_CLOEXEC | g::O_NOCTTY),
            ),
            offset: Mutex::new(0),
            origin: spin::Once::new(),
        })
    }

    /// Records the directory entry the file was opened through (once, at open).
    pub fn set_origin(&self, origin: Parent) {
        self.origin.call_once(|| origin);
    }

    pub fn origin(&self) -> Option<&Parent> {
        self.origin.get()
    }

    /// File status flags and access mode (F_GETFL).
    pub fn flags(&self) -> u32 {
        self.flags.load(Ordering::Relaxed)
    }

    pub fn set_status_flags(&self, new: u32) {
        let old = self.flags();
        let flags = (old & !SETFL_MASK) | (new & SETFL_MASK);
        self.flags.store(flags, Ordering::Relaxed);
        self.file.set_status_flags(flags);
    }

    pub fn readable(&self) -> bool {
        self.flags() & g::O_ACCMODE != g::O_WRONLY
    }

    pub fn writable(&self) -> bool {
        let m = self.flags() & g::O_ACCMODE;
        m == g::O_WRONLY || m == g::O_RDWR
    }

    fn nonblock(&self) -> bool {
        self.flags() & g::O_NONBLOCK != 0
    }

    pub fn read(&self, buf: &mut dyn OutBuf) -> SysResult<usize> {
        if !self.seekable {
            return self.file.read(0, buf, self.nonblock());
        }
        let mut off = self.offset.lock();
        let n = self.file.read(*off, buf, self.nonblock())?;
        *off += n as u64;
        Ok(n)
    }

    pub fn write(&self, buf: &dyn InBuf) -> SysResult<usize> {
        if !self.seekable {
            return self.file.write(0, buf, self.nonblock());
        }
        let mut off = self.offset.lock();
        if self.flags() & g::O_APPEND != 0 {
            *off = self.file.metadata().size;
        }
        let n = self.file.write(*off, buf, self.nonblock())?;
        *off += n as u64;
        Ok(n)
    }

    /// read(2) into the plain user range `buf`, which starts at `addr`.
    pub fn read_user(&self, buf: &mut UserSliceMut, addr: usize) -> SysResult<usize> {
        if !self.seekable {
            return self.file.read_user(buf, addr, self.nonblock());
        }
        self.read(buf)
    }

    /// write(2) from the plain user range `buf`, which starts at `addr`.
    pub fn write_user(&self, buf: &UserSlice, addr: usize) -> SysResult<usize> {
        if !self.seekable {
            return self.file.write_user(buf, addr, self.nonblock());
        }
        self.write(buf)
    }

    pub fn pread(&self, pos: u64, buf: &mut dyn OutBuf) -> SysResult<usize> {
        if !self.seekable {
            return Err(ESPIPE);
        }
        self.file.read(pos, buf, self.nonblock())
    }

    pub fn pwrite(&self, pos: u64, buf: &dyn InBuf) -> SysResult<usize> {
        if !self.seekable {
            return Err(ESPIPE);
        }
        self.file.write(pos, buf, self.nonblock())
    }

    /// lseek(2).
    pub fn seek(&self, offset: i64, whence: u32) -> SysResult<u64> {
        if !self.seekable {
            return Err(ESPIPE);
        }
        let mut off = self.offset.lock();
        let base = match whence {
            g::SEEK_SET => 0,
            g::SEEK_CUR => *off as i64,
            g::SEEK_END => self.file.metadata().size as i64,
            _ => return Err(EINVAL),
        };
        let new = base.checked_add(offset).filter(|&n| n >= 0).ok_or(EINVAL)?;
        *off = new as u64;
        Ok(new as u64)
    }

    /// The offset; a directory's is the position getdents64 resumes at.
    pub fn offset(&self) -> &Mutex<u64> {
        &self.offset
    }
}
