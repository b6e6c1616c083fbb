//! Pipes: a byte ring buffer with a read side and a write side (pipe(7)).
//!
//! One lock guards the buffer and the counts of open read and write ends. Readers wait
//! on `readable` until there are bytes or no writer is left (EOF); writers wait on
//! `writable` until there is room or no reader is left (SIGPIPE + EPIPE). Each side
//! wakes the other after moving bytes, and closing an end wakes both. A FIFO is the
//! same object reached through a name (see `fifo`).

use crate::fs::file::{File, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
use crate::fs::vfs::{alloc_ino, Metadata, S_IFIFO};
use crate::mm::uaccess::{InBuf, OutBuf};
use crate::signal::{self, Signal};
use crate::errno::{Errno, SysResult, EAGAIN, EBADF, EBUSY, EINVAL, ENOMEM, EPERM, EPIPE};
use crate::task::{current_process, WaitQueue};
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use linux_raw_sys::general as g;
use rill_ringbuf::{
    pipe_write_chunk, round_pipe_size, ResizeError, RingBuf, PIPE_BUF, PIPE_DEF_SIZE, PIPE_MAX_SIZE,
};
use spin::Mutex;

/// A stretch of the buffered bytes: stream bytes, or one packet of an O_DIRECT
/// write (pipe(2)): a read returns at most one packet and discards what it
/// did not take.
struct Run {
    len: usize,
    packet: bool,
}

struct State {
    buf: RingBuf,
    /// The bytes in `buf`, oldest first, as runs (their lengths add up to buf.len()).
    runs: VecDeque<Run>,
    readers: usize,
    writers: usize,
    /// How many read/write ends were ever opened: a FIFO open waiting for a peer
    /// must also succeed if the peer came and went meanwhile.
    reader_opens: u64,
    writer_opens: u64,
    /// Bytes of buffer charged to the system-wide budget (0: no storage yet).
    charged: usize,
}

/// Kernel heap all pipe buffers may use together. Past it a new buffer gets one page
/// (Linux's pipe-user-pages-soft), and past even that writes fail with ENOMEM.
const PIPE_BUDGET: usize = 32 * 1024 * 1024;
static PIPE_BYTES: AtomicUsize = AtomicUsize::new(0);

fn charge(bytes: usize) -> bool {
    PIPE_BYTES
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| {
            t.checked_add(bytes).filter(|&n| n <= PIPE_BUDGET)
        })
        .is_ok()
}

fn uncharge(bytes: usize) {
    PIPE_BYTES.fetch_sub(bytes, Ordering::Relaxed);
}

impl State {
    /// Charges the buffer to the pipe budget and allocates it, before the first write.
    fn ensure_storage(&mut self) -> SysResult<()> {
        if self.charged == 0 {
            let mut cap = self.buf.capacity();
            if !charge(cap) {
                cap = crate::mm::PAGE_SIZE;
                if !charge(cap) {
                    return Err(ENOMEM);
                }
                // Nothing is stored yet, so shrinking cannot fail.
                let _ = self.buf.set_capacity(cap);
            }
            self.charged = cap;
        }
        self.buf.try_allocate().map_err(|_| ENOMEM)
    }

    /// Gives the buffer back (a FIFO's last close, or the pipe going away).
    fn release_storage(&mut self) {
        uncharge(core::mem::take(&mut self.charged));
        self.buf = RingBuf::new(PIPE_DEF_SIZE);
        self.runs.clear();
    }
}

impl Drop for Pipe {
    fn drop(&mut self) {
        uncharge(self.state.get_mut().charged);
    }
}

pub struct Pipe {
    state: Mutex<State>,
    readable: WaitQueue,
    writable: WaitQueue,
    /// poll/select waiters: woken on every change.
    poll: WaitQueue,
    ino: u64,
    /// The creator's effective ids, which fstat reports (Linux: current_fsuid()).
    uid: u32,
    gid: u32,
}

impl Pipe {
    pub fn new() -> Arc<Pipe> {
        Pipe::with_owner(0, 0)
    }

    /// A pipe whose fstat shows owner `uid` and group `gid` (pipe2: the caller's).
    pub fn with_owner(uid: u32, gid: u32) -> Arc<Pipe> {
        Arc::new(Pipe {
            state: Mutex::new(State {
                buf: RingBuf::new(PIPE_DEF_SIZE),
                runs: VecDeque::new(),
                readers: 0,
                writers: 0,
                reader_opens: 0,
                writer_opens: 0,
                charged: 0,
            }),
            readable: WaitQueue::new(),
            writable: WaitQueue::new(),
            poll: WaitQueue::new(),
            ino: alloc_ino(),
            uid,
            gid,
        })
    }

    /// Opens an end of the pipe; the counts it adds go away when the end is dropped.
    pub fn open_end(self: &Arc<Pipe>, read: bool, write: bool) -> Arc<PipeEnd> {
        let writer_opens_seen = {
            let mut s = self.state.lock();
            // Only an end opened while no writer is open waits for a writer to come
            // before it can be hung up (Linux fifo_open's f_version); one that found
            // a writer is hung up as soon as the writers are gone.
            let seen = if s.writers == 0 { s.writer_opens } else { 0 };
            s.readers += read as usize;
            s.writers += write as usize;
            s.reader_opens += read as u64;
            s.writer_opens += write as u64;
            seen
        };
        self.wake_all();
        Arc::new(PipeEnd {
            pipe: self.clone(),
            read,
            write,
            writer_opens_seen,
            direct: AtomicBool::new(false),
        })
    }

    /// Open read ends, open write ends, and the lifetime open counts of each.
    pub fn counts(&self) -> (usize, usize, u64, u64) {
        let s = self.state.lock();
        (s.readers, s.writers, s.reader_opens, s.writer_opens)
    }

    fn wake_all(&self) {
        self.readable.wake_all();
        self.writable.wake_all();
        self.poll.wake_all();
    }

    /// Woken whenever an end opens or closes (FIFO opens wait here).
    pub fn open_wait(&self) -> &WaitQueue {
        &self.poll
    }

    fn read(&self, buf: &mut dyn OutBuf, nonblock: bool) -> SysResult<usize> {
        if buf.len() == 0 {
            return Ok(0);
        }
        let attempt = || -> Option<SysResult<usize>> {
            let mut s = self.state.lock();
            if !s.buf.is_empty() {
                let want = buf.len();
                let st = &mut *s;
                let (mut done, mut err) = (0, None);
                while done < want {
                    let Some(run) = st.runs.front_mut() else {
                        break;
                    };
                    let take = run.len.min(want - done);
                    let before = done;
                    // A fault partway stops the copy: the bytes copied so far are the result.
                    let r = st
                        .buf
                        .pop_with(take, |chunk: &[u8]| -> Result<usize, Errno> {
                            let n = buf.write_upto(done, chunk)?;
                            done += n;
                            Ok(n)
                        });
                    run.len -= done - before;
                    if let Err(e) = r {
                        err = Some(e);
                        break;
                    }
                    if done - before < take {
                        break;
                    }
                    let packet = run.packet;
                    if packet {
                        let rest = core::mem::take(&mut run.len);
                        let _ = st
                            .buf
                            .pop_with(rest, |chunk: &[u8]| Ok::<_, Errno>(chunk.len()));
                    }
                    if run.len == 0 {
                        st.runs.pop_front();
                    }
                    if packet {
                        break;
                    }
                }
                drop(s);
                self.writable.wake_all();
                self.poll.wake_all();
                return Some(match err {
                    Some(e) if done == 0 => Err(e),
                    _ => Ok(done),
                });
            }
            if s.writers == 0 {
                return Some(Ok(0));
            }
            nonblock.then_some(Err(EAGAIN))
        };
        self.readable.wait_until(attempt)?
    }

    fn write(&self, buf: &dyn InBuf, nonblock: bool, direct: bool) -> SysResult<usize> {
        let total = buf.len();
        if total == 0 {
            return Ok(0);
        }
        let mut written = 0;
        let attempt = || -> Option<SysResult<usize>> {
            let mut s = self.state.lock();
            loop {
                if s.readers == 0 {
                    drop(s);
                    let proc = current_process();
                    signal::send_to_current_thread(Signal::SIGPIPE, signal::SigInfo::user(&proc));
                    return Some(if written > 0 { Ok(written) } else { Err(EPIPE) });
                }
                let mut n = pipe_write_chunk(total, total - written, s.buf.free(), PIPE_BUF);
                if direct {
                    n = n.min(PIPE_BUF); // one packet of at most PIPE_BUF bytes per step
                }
                if n == 0 {
                    return nonblock.then_some(if written > 0 {
                        Ok(written)
                    } else {
                        Err(EAGAIN)
                    });
                }
                if let Err(e) = s.ensure_storage() {
                    return Some(Err(e));
                }
                let start = written;
                // A write of at most PIPE_BUF bytes goes in whole or not at all; a larger
                // one that faults partway has written the bytes before the fault.
                let r = s
                    .buf
                    .push_with(n, |space: &mut [u8]| -> Result<usize, Errno> {
                        let got = if total <= PIPE_BUF {
                            buf.read_at(written, space).map(|()| space.len())?
                        } else {
                            buf.read_upto(written, space)?
                        };
                        written += got;
                        Ok(got)
                    });
                let moved = written - start;
                match s.runs.back_mut() {
                    _ if moved == 0 => {}
                    Some(last) if !direct && !last.packet => last.len += moved,
                    _ => s.runs.push_back(Run {
                        len: moved,
                        packet: direct,
                    }),
                }
                if written > start {
                    self.readable.wake_all();
                    self.poll.wake_all();
                }
                match r {
                    Err(e) => return Some(if written > 0 { Ok(written) } else { Err(e) }),
                    Ok(moved) if moved < n => return Some(Ok(written)),
                    Ok(_) if written == total => return Some(Ok(written)),
                    Ok(_) => {}
                }
            }
        };
        match self.writable.wait_until(attempt) {
            Ok(r) => r,
            // Interrupted after progress: report the bytes already written (pipe(7)).
            Err(_) if written > 0 => Ok(written),
            Err(e) => Err(e),
        }
    }

    /// Readiness of an end. POLLHUP needs a writer to have come and gone since the
    /// reader opened (a FIFO reader that never saw a writer is not "hung up").
    fn poll_events(&self, read: bool, write: bool, writer_opens_seen: u64) -> u16 {
        let s = self.state.lock();
        let mut ev = 0;
        if read {
            if !s.buf.is_empty() {
                ev |= POLLIN | POLLRDNORM;
            }
            if s.writers == 0 && s.writer_opens != writer_opens_seen {
                ev |= POLLHUP;
            }
        }
        if write {
            if s.buf.free() >= PIPE_BUF {
                ev |= POLLOUT | POLLWRNORM;
            }
            if s.readers == 0 {
                ev |= POLLERR;
            }
        }
        ev
    }

    fn set_size(&self, arg: usize) -> SysResult<usize> {
        let size = round_pipe_size(arg as u64, crate::mm::PAGE_SIZE).ok_or(EINVAL)?;
        let creds = *current_process().creds.lock();
        if size > PIPE_MAX_SIZE && creds.euid != 0 {
            return Err(EPERM);
        }
        let mut s = self.state.lock();
        if s.buf.len() > size {
            return Err(EBUSY);
        }
        // A pipe with storage pays for its new size now; one without, at its first write.
        let charged = s.charged;
        if charged != 0 && size > charged && !charge(size - charged) {
            return Err(EPERM);
        }
        match s.buf.set_capacity(size) {
            Ok(()) => {}
            Err(e) => {
                if charged != 0 && size > charged {
                    uncharge(size - charged);
                }
                return Err(if e == ResizeError::Busy {
                    EBUSY
                } else {
                    ENOMEM
                });
            }
        }
        if charged != 0 {
            if size < charged {
                uncharge(charged - size);
            }
            s.charged = size;
        }
        drop(s);
        self.wake_all();
        Ok(size)
    }
}

/// One open end of a pipe (O_RDWR FIFO opens are both).
pub struct PipeEnd {
    pipe: Arc<Pipe>,
    read: bool,
    write: bool,
    /// The pipe's writer_opens when this end was opened (for POLLHUP).
    writer_opens_seen: u64,
    /// O_DIRECT is set on the description: writes are packets.
    direct: AtomicBool,
}

impl Drop for PipeEnd {
    fn drop(&mut self) {
        {
            let mut s = self.pipe.state.lock();
            s.readers -= self.read as usize;
            s.writers -= self.write as usize;
            // A FIFO's data does not outlive its last open end (fifo(7)).
            if s.readers == 0 && s.writers == 0 {
                s.release_storage();
            }
        }
        self.pipe.wake_all();
    }
}

impl File for PipeEnd {
    fn read(&self, _pos: u64, buf: &mut dyn OutBuf, nonblock: bool) -> SysResult<usize> {
        if !self.read {
            return Err(EBADF);
        }
        self.pipe.read(buf, nonblock)
    }

    fn write(&self, _pos: u64, buf: &dyn InBuf, nonblock: bool) -> SysResult<usize> {
        if !self.write {
            return Err(EBADF);
        }
        self.pipe
            .write(buf, nonblock, self.direct.load(Ordering::Relaxed))
    }

    fn set_status_flags(&self, flags: u32) {
        self.direct
            .store(flags & g::O_DIRECT != 0, Ordering::Relaxed);
    }

    fn metadata(&self) -> Metadata {
        Metadata {
            ino: self.pipe.ino,
            mode: S_IFIFO | 0o600,
            nlink: 1,
            uid: self.pipe.uid,
            gid: self.pipe.gid,
            ..Default::default()
        }
    }

    fn poll(&self) -> u16 {
        self.pipe
            .poll_events(self.read, self.write, self.writer_opens_seen)
    }

    fn poll_queue(&self) -> Option<&WaitQueue> {
        Some(&self.pipe.poll)
    }

    fn ioctl(&self, cmd: u32, arg: usize) -> SysResult<usize> {
        if cmd == linux_raw_sys::ioctl::FIONREAD {
            let n = self.pipe.state.lock().buf.len() as i32;
            crate::mm::uaccess::write_val(arg, &n)?;
            return Ok(0);
        }
        Err(crate::errno::ENOTTY)
    }

    fn fcntl(&self, cmd: u32, arg: usize) -> SysResult<usize> {
        match cmd {
            g::F_GETPIPE_SZ => Ok(self.pipe.state.lock().buf.capacity()),
            g::F_SETPIPE_SZ => self.pipe.set_size(arg),
            _ => Err(EINVAL),
        }
    }
}
