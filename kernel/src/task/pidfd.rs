//! pidfds: files that refer to a process (pidfd_open), readable once it has exited,
//! through which pidfd_send_signal signals it without the races of a reused pid.
//! A /proc/PID directory descriptor serves as a pidfd too, as on Linux.

use super::process::{self, Pid, Process};
use super::WaitQueue;
use crate::errno::*;
use crate::fs::file::{File, OpenFile, POLLIN, POLLRDNORM};
use crate::fs::vfs::Metadata;
use crate::mm::uaccess::{InBuf, OutBuf};
use alloc::sync::{Arc, Weak};
use linux_raw_sys::general as g;

pub struct PidFd {
    target: Weak<Process>,
    pid: Pid,
}

/// Pollers of every pidfd; woken whenever a process exits.
static WAITERS: WaitQueue = WaitQueue::new();

/// A process exited: pidfd pollers look again.
pub fn process_exited() {
    WAITERS.wake_all();
}

impl PidFd {
    /// The process while it can still be signalled: until it is reaped, when its pid
    /// leaves the table (a zombie takes signals and ignores them, as on Linux).
    fn process(&self) -> SysResult<Arc<Process>> {
        let p = self.target.upgrade().ok_or(ESRCH)?;
        match process::find(self.pid) {
            Some(q) if Arc::ptr_eq(&p, &q) => Ok(p),
            _ => Err(ESRCH),
        }
    }

    fn exited(&self) -> bool {
        self.target.upgrade().is_none_or(|p| p.is_zombie())
    }
}

impl File for PidFd {
    fn read(&self, _pos: u64, _buf: &mut dyn OutBuf, _nonblock: bool) -> SysResult<usize> {
        Err(EINVAL)
    }

    fn write(&self, _pos: u64, _buf: &dyn InBuf, _nonblock: bool) -> SysResult<usize> {
        Err(EINVAL)
    }

    fn metadata(&self) -> Metadata {
        Metadata::anon_inode()
    }

    fn poll(&self) -> u16 {
        if self.exited() {
            POLLIN | POLLRDNORM
        } else {
            0
        }
    }

    fn poll_queue(&self) -> Option<&WaitQueue> {
        Some(&WAITERS)
    }

    fn pid_target(&self) -> Option<SysResult<Arc<Process>>> {
        Some(self.process())
    }
}

/// pidfd_open(2): a close-on-exec pidfd for process `pid`.
pub fn pidfd_open(pid: i32, flags: u32) -> SysResult {
    if flags & !g::O_NONBLOCK != 0 || pid <= 0 {
        return Err(EINVAL);
    }
    let target = process::find(pid as Pid).ok_or(ESRCH)?;
    install(&target, flags).map(|fd| fd as usize)
}

/// Puts a close-on-exec pidfd for `target` in the caller's descriptor table (pidfd_open,
/// clone with CLONE_PIDFD).
pub fn install(target: &Arc<Process>, flags: u32) -> SysResult<i32> {
    crate::mm::heap::reserve(core::mem::size_of::<PidFd>())?;
    let file = OpenFile::new(
        Arc::new(PidFd {
            target: Arc::downgrade(target),
            pid: target.pid,
        }),
        None,
        g::O_RDWR | flags,
    );
    let fd = crate::task::current_files().lock().insert(file, true)?;
    Ok(fd)
}
