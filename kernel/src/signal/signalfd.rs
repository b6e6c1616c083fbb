//! signalfd: a file whose reads take pending signals of a chosen set, as
//! `struct signalfd_siginfo` records, instead of having them delivered. The set can be
//! changed by a later signalfd4 on the same descriptor. A signalfd reads the queues of
//! the thread that reads it (a forked child reading an inherited one takes its own
//! signals, as on Linux), so readers and pollers sleep on one queue, `WAITERS`, which
//! the signal code wakes whenever it queues a signal while anyone waits there.

use super::{dequeue, SigInfo, SigSet, Signal};
use crate::arch::spinlock::Mutex;
use crate::errno::*;
use crate::fs::file::{File, OpenFile, POLLIN, POLLRDNORM};
use crate::fs::vfs::Metadata;
use crate::mm::uaccess::{read_val, InBuf, OutBuf};
use crate::task::{current, Task, WaitQueue};
use alloc::sync::Arc;
use linux_raw_sys::general as g;

/// sizeof(struct signalfd_siginfo) (include/uapi/linux/signalfd.h; linux-raw-sys has
/// no binding for it).
const RECORD_SIZE: usize = 128;
/// SFD_CLOEXEC and SFD_NONBLOCK are defined as O_CLOEXEC and O_NONBLOCK.
const SFD_FLAGS: u32 = g::O_CLOEXEC | g::O_NONBLOCK;

pub struct SignalFd {
    /// The signals reads take (never SIGKILL or SIGSTOP).
    mask: Mutex<SigSet>,
}

static WAITERS: WaitQueue = WaitQueue::new();

/// A signal was queued: signalfd readers and pollers look again.
pub fn signal_queued() {
    WAITERS.wake_all();
}

/// signalfd's records: Linux's signalfd_copyinfo, field by field at the offsets of
/// `struct signalfd_siginfo`.
fn encode(sig: Signal, info: &SigInfo) -> [u8; RECORD_SIZE] {
    let mut b = [0u8; RECORD_SIZE];
    let mut put = |at: usize, bytes: &[u8]| b[at..at + bytes.len()].copy_from_slice(bytes);
    put(0, &sig.number().to_ne_bytes());
    put(8, &info.code.to_ne_bytes());
    let fault = matches!(
        sig,
        Signal::SIGSEGV | Signal::SIGBUS | Signal::SIGILL | Signal::SIGFPE | Signal::SIGTRAP
    ) && info.code > 0;
    if fault {
        put(72, &(info.addr as u64).to_ne_bytes());
        return b;
    }
    put(12, &info.pid.to_ne_bytes());
    put(16, &info.uid.to_ne_bytes());
    if sig == Signal::SIGCHLD && info.code > 0 {
        put(40, &info.status.to_ne_bytes());
    } else {
        // ssi_int and ssi_ptr both carry sigqueue's value.
        put(44, &(info.value as u32).to_ne_bytes());
        put(48, &(info.value as u64).to_ne_bytes());
    }
    b
}

impl SignalFd {
    fn take(&self, task: &Task) -> Option<(Signal, SigInfo)> {
        let unwanted = self.mask.lock().complement();
        dequeue(&mut task.signals.lock().pending, unwanted)
            .or_else(|| dequeue(&mut task.process.signals.lock().shared, unwanted))
    }
}

impl File for SignalFd {
    fn read(&self, _pos: u64, buf: &mut dyn OutBuf, nonblock: bool) -> SysResult<usize> {
        let count = buf.len() / RECORD_SIZE;
        if count == 0 {
            return Err(EINVAL);
        }
        let task = current();
        let mut done = 0;
        while done < count {
            // Only the first record is waited for.
            let next = match self.take(&task) {
                Some(s) => s,
                None if done > 0 => break,
                None if nonblock => return Err(EAGAIN),
                None => crate::task::wait::block_on("signalfd_read", &[&WAITERS], None, || {
                    self.take(&task)
                })?,
            };
            buf.write_at(done * RECORD_SIZE, &encode(next.0, &next.1))?;
            done += 1;
        }
        Ok(done * RECORD_SIZE)
    }

    fn write(&self, _pos: u64, _buf: &dyn InBuf, _nonblock: bool) -> SysResult<usize> {
        Err(EINVAL)
    }

    fn metadata(&self) -> Metadata {
        Metadata::anon_inode()
    }

    fn poll(&self) -> u16 {
        let task = current();
        let mask = *self.mask.lock();
        let pending = task
            .signals
            .lock()
            .pending
            .pending_set()
            .union(task.process.signals.lock().shared.pending_set());
        if pending.intersection(mask).is_empty() {
            0
        } else {
            POLLIN | POLLRDNORM
        }
    }

    fn poll_queue(&self) -> Option<&WaitQueue> {
        Some(&WAITERS)
    }

    fn signalfd(&self) -> Option<&SignalFd> {
        Some(self)
    }
}

/// signalfd4(2): a new signalfd for `fd` -1, or a new mask for the signalfd `fd`.
pub fn signalfd4(fd: i32, mask_addr: usize, size: usize, flags: u32) -> SysResult {
    // Linux's order: the mask's size, the mask itself, then the flags.
    if size != SigSet::ABI_SIZE {
        return Err(EINVAL);
    }
    let mask = SigSet::from_bits(read_val::<u64>(mask_addr)?).without_unblockable();
    if flags & !SFD_FLAGS != 0 {
        return Err(EINVAL);
    }
    if fd != -1 {
        let file = crate::task::current_files().lock().get(fd)?;
        let sfd = file.file.signalfd().ok_or(EINVAL)?;
        *sfd.mask.lock() = mask;
        // A waiting reader looks again with the new mask.
        WAITERS.wake_all();
        return Ok(fd as usize);
    }
    crate::mm::heap::reserve(core::mem::size_of::<SignalFd>())?;
    let sfd = Arc::new(SignalFd {
        mask: Mutex::new(mask),
    });
    let file = OpenFile::new(sfd, None, g::O_RDWR | (flags & g::O_NONBLOCK));
    let fd = crate::task::current_files()
        .lock()
        .insert(file, flags & g::O_CLOEXEC != 0)?;
    Ok(fd as usize)
}
