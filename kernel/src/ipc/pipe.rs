//! Pipes: a byte ring buffer with a read side and a write side (pipe(7)).
//!
//! One lock guards the buffer and the counts of open read and write ends. Readers wait
//! on `readable` until there are bytes or no writer is left (EOF); writers wait on
//! `writable` until there is room or no reader is left (SIGPIPE + EPIPE). Each side
//! wakes the other after moving bytes, and closing an end wakes both. A read(2) that
//! finds the pipe empty parks instead: the next write(2) copies straight into its buffer
//! and wakes it (`ParkedReader`). A FIFO is the same object reached through a name (see
//! `fifo`).
//!
//! Memory: the buffer's bytes are page frames, taken as data is written and given back
//! as it is read, as Linux's pipes do: an empty pipe holds no page, and a write may fail
//! with ENOMEM when no frame is left. Its capacity is charged in pages to the maker's user
//! when the pipe is made (a FIFO's when it is first opened), as Linux does
//! (fs.pipe-user-pages-soft); the table of page slots and the packet runs are kernel
//! heap, allocated then through the heap's reserve.

use crate::errno::{
    Errno, SysResult, EAGAIN, EBADF, EBUSY, EFAULT, EINVAL, ENFILE, ENOMEM, EPERM, EPIPE,
};
use crate::fs::file::{File, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
use crate::fs::vfs::{alloc_ino, Metadata, S_IFIFO};
use crate::mm::aspace::AddressSpace;
use crate::mm::page::Page;
use crate::mm::uaccess::{InBuf, OutBuf, UserSlice, UserSliceMut};
use crate::mm::xcopy::{self, Unreachable};
use crate::signal::{self, Signal};
use crate::task::{current_process, sched, Task, WaitQueue};
use crate::ucount::UserCounts;
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use linux_raw_sys::general as g;
use rill_ringbuf::{
    pipe_write_chunk, round_pipe_size, Chunk, NoMemory, ResizeError, RingBuf, PIPE_BUF,
    PIPE_DEF_SIZE, PIPE_MAX_SIZE,
};

/// One page of a pipe's buffer.
struct PipePage(Page);

impl Chunk for PipePage {
    const SIZE: usize = crate::mm::PAGE_SIZE;

    fn alloc() -> Option<PipePage> {
        Page::unzeroed().map(PipePage)
    }

    fn bytes(&self) -> &[u8] {
        self.0.bytes()
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        self.0.bytes_mut()
    }
}

type PipeRing = RingBuf<PipePage>;

impl From<NoMemory> for Errno {
    fn from(_: NoMemory) -> Errno {
        ENOMEM
    }
}
use crate::arch::spinlock::Mutex;

/// A stretch of the buffered bytes: stream bytes, or one packet of an O_DIRECT
/// write (pipe(2)): a read returns at most one packet and discards what it
/// did not take.
struct Run {
    len: usize,
    packet: bool,
}

struct State {
    buf: PipeRing,
    /// The bytes in `buf`, oldest first, as runs (their lengths add up to buf.len()).
    /// At most one per page of the buffer, as Linux keeps at most one packet per slot;
    /// the room for them is allocated with the buffer's slot table.
    runs: VecDeque<Run>,
    readers: usize,
    writers: usize,
    /// How many read/write ends were ever opened: a FIFO open waiting for a peer
    /// must also succeed if the peer came and went meanwhile.
    reader_opens: u64,
    writer_opens: u64,
    /// Who the buffer is charged to (None: no buffer, a FIFO nobody has open).
    charge: Option<Charge>,
    /// A reader asleep on the empty pipe whose buffer a writer fills straight from its own.
    parked: Option<ParkedReader>,
}

/// A read(2) asleep on an empty pipe, its user buffer published: the next writer copies
/// into it straight from the writer's buffer (one copy instead of two through the pipe's
/// pages) and leaves the count, or EFAULT, in `got`. While a reader is parked without a
/// result the pipe is empty, so the bytes keep their order. One reader at a time parks;
/// others wait as before.
struct ParkedReader {
    /// The reading task, woken directly by whatever ends its wait.
    task: Arc<Task>,
    aspace: Arc<Mutex<AddressSpace>>,
    addr: usize,
    len: usize,
    got: Option<SysResult<usize>>,
}

/// The bytes a write must hand straight to a parked reader before it lets the reader run
/// (see `Pipe::let_handed_reader_run`): well above a page, where a copy costs far more than two switches.
const YIELD_AFTER_HANDING: usize = 16 * 1024;

/// Pipe buffer pages charged to one user (Linux's pipe->user and nr_accounted).
#[derive(Clone, Copy)]
struct Charge {
    uid: u32,
    pages: usize,
}

/// Pipe buffer pages per user (Linux's user_struct->pipe_bufs).
static USER_PIPE_PAGES: UserCounts = UserCounts::new();

/// Linux's fs.pipe-user-pages-soft, 16 pages for each of 1024 descriptors by default
/// (root may change it, 0 being no limit): past it, an unprivileged user's new pipe gets
/// PIPE_MIN_DEF_PAGES and no pipe of theirs may grow. fs.pipe-user-pages-hard is 0, no
/// limit: past the soft limit memory is the limit.
static PIPE_USER_PAGES_SOFT: AtomicUsize = AtomicUsize::new(16384);
/// Linux's fs.pipe-max-size: the largest F_SETPIPE_SZ an unprivileged process may ask
/// for (a power of two of at least a page; root may change it).
static PIPE_MAX_BYTES: AtomicUsize = AtomicUsize::new(PIPE_MAX_SIZE);
/// A new pipe's pages past the soft limit (Linux 6.1's PIPE_MIN_DEF_BUFFERS).
const PIPE_MIN_DEF_PAGES: usize = 2;

fn pages(bytes: usize) -> usize {
    bytes / crate::mm::PAGE_SIZE
}

/// Whether `user_pages` is past fs.pipe-user-pages-soft (Linux's too_many_pipe_buffers_soft).
fn past_soft_limit(user_pages: usize) -> bool {
    let soft = PIPE_USER_PAGES_SOFT.load(Ordering::Relaxed);
    soft != 0 && user_pages > soft
}

/// The pipe tunables of /proc/sys/fs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PipeTunable {
    MaxSize,
    UserPagesSoft,
}

impl PipeTunable {
    /// The tunables by file name.
    pub const ALL: [(&'static str, PipeTunable); 2] = [
        ("pipe-max-size", PipeTunable::MaxSize),
        ("pipe-user-pages-soft", PipeTunable::UserPagesSoft),
    ];

    /// The file's text.
    pub fn read(self) -> alloc::string::String {
        let v = match self {
            PipeTunable::MaxSize => PIPE_MAX_BYTES.load(Ordering::Relaxed),
            PipeTunable::UserPagesSoft => PIPE_USER_PAGES_SOFT.load(Ordering::Relaxed),
        };
        alloc::format!("{v}\n")
    }

    /// A write of `text`, a decimal number, else EINVAL and nothing changes. As on
    /// Linux, pipe-max-size (an unsigned int) is rounded as F_SETPIPE_SZ rounds (up to a
    /// power of two of at least a page; EINVAL past 2 GiB); pipe-user-pages-soft is an
    /// unsigned long.
    pub fn write(self, text: &[u8]) -> SysResult<()> {
        let text = core::str::from_utf8(text).map_err(|_| EINVAL)?;
        let word = text.split_ascii_whitespace().next().ok_or(EINVAL)?;
        match self {
            PipeTunable::MaxSize => {
                let v: u32 = word.parse().map_err(|_| EINVAL)?;
                let size = round_pipe_size(v.into(), crate::mm::PAGE_SIZE).ok_or(EINVAL)?;
                PIPE_MAX_BYTES.store(size, Ordering::Relaxed);
            }
            PipeTunable::UserPagesSoft => {
                let v: u64 = word.parse().map_err(|_| EINVAL)?;
                PIPE_USER_PAGES_SOFT.store(v as usize, Ordering::Relaxed);
            }
        }
        Ok(())
    }
}

/// The caller's real uid, which pipe buffers are charged to, and whether it may pass the
/// per-user limits (Linux: CAP_SYS_RESOURCE or CAP_SYS_ADMIN).
fn caller() -> (u32, bool) {
    let creds = *current_process().creds.lock();
    (creds.uid, creds.euid == 0)
}

/// Kernel heap a buffer of `slots` pages takes: its slot table and room for its runs.
fn slot_heap(slots: usize) -> usize {
    slots * (core::mem::size_of::<Option<PipePage>>() + core::mem::size_of::<Run>())
}

/// A ring of `size` bytes with its slot table, and room for its runs, allocated through
/// the kernel heap's reserve. Its pages come as bytes are written.
fn new_buffer(size: usize) -> SysResult<(PipeRing, VecDeque<Run>)> {
    let slots = pages(size);
    crate::mm::heap::reserve(slot_heap(slots))?;
    let mut buf = PipeRing::new(size);
    buf.try_allocate().map_err(|_| ENOMEM)?;
    let mut runs = VecDeque::new();
    runs.try_reserve_exact(slots).map_err(|_| ENOMEM)?;
    Ok((buf, runs))
}

impl State {
    /// Gives the pipe its buffer, charged to the caller's user: 16 pages, or 2 for an
    /// unprivileged user past the soft limit (Linux's alloc_pipe_info).
    fn attach_buffer(&mut self) -> SysResult<()> {
        if self.charge.is_some() {
            return Ok(());
        }
        let (uid, privileged) = caller();
        let mut pages = pages(PIPE_DEF_SIZE);
        if past_soft_limit(USER_PIPE_PAGES.add(uid, pages)?) && !privileged {
            USER_PIPE_PAGES.sub(uid, pages - PIPE_MIN_DEF_PAGES);
            pages = PIPE_MIN_DEF_PAGES;
        }
        match new_buffer(pages * crate::mm::PAGE_SIZE) {
            Ok((buf, runs)) => {
                self.buf = buf;
                self.runs = runs;
                self.charge = Some(Charge { uid, pages });
                Ok(())
            }
            Err(e) => {
                USER_PIPE_PAGES.sub(uid, pages);
                Err(e)
            }
        }
    }

    /// Gives the buffer back (a FIFO's last close, or the pipe going away).
    fn release_buffer(&mut self) {
        if let Some(c) = self.charge.take() {
            USER_PIPE_PAGES.sub(c.uid, c.pages);
        }
        self.buf = PipeRing::new(PIPE_DEF_SIZE);
        self.runs = VecDeque::new();
    }

    /// Whether bytes written now must start a new run, and there is no room for one.
    fn runs_full(&self, direct: bool) -> bool {
        let new_run = direct || self.runs.back().is_none_or(|r| r.packet);
        new_run && self.runs.len() >= pages(self.buf.capacity())
    }
}

impl Drop for Pipe {
    fn drop(&mut self) {
        self.state.get_mut().release_buffer();
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
    /// A FIFO's pipe: its buffer comes with the first open (`open_fifo_end`).
    pub fn new() -> Arc<Pipe> {
        Pipe::unbuffered(0, 0)
    }

    /// A pipe (pipe2) with its buffer, charged to the caller's user, whose fstat shows
    /// owner `uid` and group `gid` (the caller's effective ids). Without memory for the
    /// buffer: ENFILE, as Linux's create_pipe_files answers.
    pub fn with_owner(uid: u32, gid: u32) -> SysResult<Arc<Pipe>> {
        let pipe = Pipe::unbuffered(uid, gid);
        pipe.state.lock().attach_buffer().map_err(|_| ENFILE)?;
        Ok(pipe)
    }

    fn unbuffered(uid: u32, gid: u32) -> Arc<Pipe> {
        Arc::new(Pipe {
            state: Mutex::new(State {
                buf: PipeRing::new(PIPE_DEF_SIZE),
                runs: VecDeque::new(),
                readers: 0,
                writers: 0,
                reader_opens: 0,
                writer_opens: 0,
                charge: None,
                parked: None,
            }),
            readable: WaitQueue::new(),
            writable: WaitQueue::new(),
            poll: WaitQueue::new(),
            ino: alloc_ino(),
            uid,
            gid,
        })
    }

    /// Opens an end of a pipe made by `with_owner`; the counts it adds go away when the
    /// end is dropped.
    pub fn open_end(self: &Arc<Pipe>, read: bool, write: bool) -> Arc<PipeEnd> {
        let writer_opens_seen = Pipe::add_end(&mut self.state.lock(), read, write);
        self.opened(read, write, writer_opens_seen)
    }

    /// Opens an end of a FIFO's pipe, giving it a buffer if no end is open (ENOMEM if
    /// none can be had).
    pub fn open_fifo_end(self: &Arc<Pipe>, read: bool, write: bool) -> SysResult<Arc<PipeEnd>> {
        let writer_opens_seen = {
            let mut s = self.state.lock();
            s.attach_buffer()?;
            Pipe::add_end(&mut s, read, write)
        };
        Ok(self.opened(read, write, writer_opens_seen))
    }

    /// Counts a new end; returns the writer_opens it must have seen change before a
    /// hang-up is reported to it.
    fn add_end(s: &mut State, read: bool, write: bool) -> u64 {
        // Only an end opened while no writer is open waits for a writer to come
        // before it can be hung up (Linux fifo_open's f_version); one that found
        // a writer is hung up as soon as the writers are gone.
        let seen = if s.writers == 0 { s.writer_opens } else { 0 };
        s.readers += read as usize;
        s.writers += write as usize;
        s.reader_opens += read as u64;
        s.writer_opens += write as u64;
        seen
    }

    fn opened(self: &Arc<Pipe>, read: bool, write: bool, writer_opens_seen: u64) -> Arc<PipeEnd> {
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

    /// Reads into `buf`; `user_addr` is where it starts in user memory when it is one plain
    /// range, which lets the read park for a writer to fill directly.
    fn read(
        &self,
        buf: &mut dyn OutBuf,
        user_addr: Option<usize>,
        nonblock: bool,
    ) -> SysResult<usize> {
        let len = buf.len();
        if len == 0 {
            return Ok(0);
        }
        let mut attempt = |s: &mut State| -> Option<SysResult<usize>> {
            if !s.buf.is_empty() {
                return Some(self.take_bytes(s, buf));
            }
            if s.writers == 0 {
                return Some(Ok(0));
            }
            nonblock.then_some(Err(EAGAIN))
        };
        let me = {
            let mut s = self.state.lock();
            if let Some(r) = attempt(&mut s) {
                return r;
            }
            match (user_addr, &s.parked) {
                (Some(addr), None) => {
                    let task = crate::task::current();
                    let me = Arc::as_ptr(&task);
                    s.parked = Some(ParkedReader {
                        aspace: task.process.aspace(),
                        task,
                        addr,
                        len,
                        got: None,
                    });
                    me
                }
                _ => {
                    drop(s);
                    return self
                        .readable
                        .wait_until("pipe_read", || attempt(&mut self.state.lock()))?;
                }
            }
        };
        // Parked: whatever ends the wait (a writer's copy, bytes put in the pipe, the last
        // writer gone, a signal) wakes this task directly, so it waits on no queue. Only
        // this read takes its entry out of `parked`.
        let mine = |p: &ParkedReader| Arc::as_ptr(&p.task) == me;
        // The first test, made before the task is marked asleep, is skipped: a writer that
        // came since parking is seen by the second, and its wake-up finds the task awake.
        let mut first = true;
        let waited = crate::task::wait::block_on("pipe_read", &[], None, || {
            if core::mem::take(&mut first) {
                return None;
            }
            let mut s = self.state.lock();
            let p = s.parked.as_mut().filter(|p| mine(p))?;
            if let Some(got) = p.got.take() {
                s.parked = None;
                return Some(got);
            }
            if s.writers != 0 && s.buf.is_empty() {
                return None;
            }
            s.parked = None;
            attempt(&mut s)
        });
        match waited {
            Ok(r) => r,
            // Interrupted: leave the parking place, keeping what a writer may have copied
            // in meanwhile.
            Err(e) => match self.state.lock().parked.take_if(|p| mine(p)) {
                Some(ParkedReader { got: Some(got), .. }) => got,
                _ => Err(e),
            },
        }
    }

    /// Moves the buffered bytes into `buf`, at most one packet (the pipe is not empty).
    fn take_bytes(&self, st: &mut State, buf: &mut dyn OutBuf) -> SysResult<usize> {
        let want = buf.len();
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
        self.writable.wake_all();
        self.poll.wake_all();
        match err {
            Some(e) if done == 0 => Err(e),
            _ => Ok(done),
        }
    }

    /// Wakes the parked reader, if any: the pipe's state changed under it.
    fn wake_parked(s: &State) {
        if let Some(p) = &s.parked {
            sched::wake(&p.task);
        }
    }

    /// Copies the start of a write from user address `src` straight into the buffer of
    /// `p`, a reader parked without a result. Returns the bytes copied, or EFAULT if the
    /// writer's buffer could not be read before any byte moved.
    fn fill_parked(p: &mut ParkedReader, src: usize, len: usize) -> SysResult<usize> {
        let want = len.min(p.len);
        let (copied, stopped) = xcopy::copy_to(&p.aspace, p.addr, src, want);
        match stopped {
            Some(Unreachable::Source) if copied == 0 => return Err(EFAULT),
            // The reader's buffer is bad: its read fails, the bytes stay for the next.
            Some(Unreachable::Destination) if copied == 0 => p.got = Some(Err(EFAULT)),
            _ => p.got = Some(Ok(copied)),
        }
        sched::wake(&p.task);
        Ok(copied)
    }

    /// After a large write: a reader just handed a large piece straight into its buffer
    /// wakes up wanting more; it runs now (if nothing else waits for the hart), before
    /// this writer comes back with its next write. That write then finds the reader
    /// parked again and goes straight into its buffer too, where it would otherwise find
    /// the pipe empty, the reader not yet back, and fill the pipe's pages (a second
    /// copy). Small pieces are not worth the two switches.
    #[inline(never)]
    fn let_handed_reader_run(&self) {
        let reader = {
            let s = self.state.lock();
            s.parked
                .as_ref()
                .filter(|p| matches!(p.got, Some(Ok(n)) if n >= YIELD_AFTER_HANDING))
                .map(|p| p.task.clone())
        };
        if let Some(reader) = reader {
            sched::yield_to(&reader);
        }
    }

    /// Writes `buf`; `user_addr` is where it starts in user memory when it is one plain
    /// range, which lets the write fill a parked reader's buffer directly.
    fn write(
        &self,
        buf: &dyn InBuf,
        user_addr: Option<usize>,
        nonblock: bool,
        direct: bool,
    ) -> SysResult<usize> {
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
                // Packets (O_DIRECT) keep their boundaries in the pipe: no parked reader
                // takes part of one; nor does it take bytes ahead of any in the pipe (put
                // there by writev). A write of at most PIPE_BUF bytes must go in whole: the
                // room for what the reader does not take is had first.
                if let (Some(addr), false, true) = (user_addr, direct, s.buf.is_empty()) {
                    let rest = total - written;
                    let st = &mut *s;
                    if let Some(p) = st.parked.as_mut().filter(|p| p.got.is_none()) {
                        if total <= PIPE_BUF && rest > p.len {
                            if let Err(e) = st.buf.provide(rest - p.len) {
                                return Some(Err(e.into()));
                            }
                        }
                        match Pipe::fill_parked(p, addr + written, rest) {
                            Err(e) => return Some(if written > 0 { Ok(written) } else { Err(e) }),
                            Ok(n) => written += n,
                        }
                        if written == total {
                            return Some(Ok(written));
                        }
                    }
                }
                let mut n = pipe_write_chunk(total, total - written, s.buf.free(), PIPE_BUF);
                if direct {
                    n = n.min(PIPE_BUF); // one packet of at most PIPE_BUF bytes per step
                }
                if s.runs_full(direct) {
                    n = 0;
                }
                if n == 0 {
                    return nonblock.then_some(if written > 0 {
                        Ok(written)
                    } else {
                        Err(EAGAIN)
                    });
                }
                // A write of at most PIPE_BUF bytes has all its pages before it copies,
                // so that running out of memory cannot split it.
                if total <= PIPE_BUF {
                    if let Err(e) = s.buf.provide(n) {
                        return Some(Err(e.into()));
                    }
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
                    Pipe::wake_parked(&s);
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
        match self.writable.wait_until("pipe_write", attempt) {
            Ok(Ok(n)) if n >= YIELD_AFTER_HANDING => {
                self.let_handed_reader_run();
                Ok(n)
            }
            Ok(r) => r,
            // Interrupted after progress: report the bytes already written (pipe(7)).
            Err(_) if written > 0 => Ok(written),
            Err(e) => Err(e),
        }
    }

    /// Readiness of an end. POLLHUP needs a writer to have come and gone since the
    /// reader opened (a FIFO reader that never saw a writer is not "hung up").
    fn poll_events(&self, read: bool, write: bool, direct: bool, writer_opens_seen: u64) -> u16 {
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
            if s.buf.free() >= PIPE_BUF && !s.runs_full(direct) {
                ev |= POLLOUT | POLLWRNORM;
            }
            if s.readers == 0 {
                ev |= POLLERR;
            }
        }
        ev
    }

    /// F_SETPIPE_SZ, as Linux's pipe_set_size: growing past 1 MiB needs privilege, and so
    /// does growing while the owner is past the soft limit (EPERM); the held bytes must
    /// fit (EBUSY). Shrinking is always allowed.
    fn set_size(&self, arg: usize) -> SysResult<usize> {
        let size = round_pipe_size(arg as u64, crate::mm::PAGE_SIZE).ok_or(EINVAL)?;
        let new_pages = pages(size);
        let (_, privileged) = caller();
        let mut s = self.state.lock();
        // An open end (which the caller's descriptor is) means a buffer.
        let Some(charge) = s.charge else {
            return Err(EBADF);
        };
        let growing = new_pages > charge.pages;
        if growing && size > PIPE_MAX_BYTES.load(Ordering::Relaxed) && !privileged {
            return Err(EPERM);
        }
        let user_pages = if growing {
            USER_PIPE_PAGES.add(charge.uid, new_pages - charge.pages)?
        } else {
            USER_PIPE_PAGES.sub(charge.uid, charge.pages - new_pages);
            USER_PIPE_PAGES.get(charge.uid)
        };
        let revert = || {
            if growing {
                USER_PIPE_PAGES.sub(charge.uid, new_pages - charge.pages);
            } else {
                let _ = USER_PIPE_PAGES.add(charge.uid, charge.pages - new_pages);
            }
        };
        if growing && past_soft_limit(user_pages) && !privileged {
            revert();
            return Err(EPERM);
        }
        if s.buf.len() > size || s.runs.len() > new_pages {
            revert();
            return Err(EBUSY);
        }
        if let Err(e) = Pipe::resize(&mut s, size) {
            revert();
            return Err(e);
        }
        s.charge = Some(Charge {
            pages: new_pages,
            ..charge
        });
        drop(s);
        self.wake_all();
        Ok(size)
    }

    /// Moves the held bytes, in order, into a new buffer of `size` bytes (which holds
    /// them), its slot table allocated through the kernel heap's reserve; on ENOMEM
    /// nothing changes.
    fn resize(s: &mut State, size: usize) -> SysResult<()> {
        if size == s.buf.capacity() {
            return Ok(());
        }
        let slots = pages(size);
        crate::mm::heap::reserve(slot_heap(slots))?;
        s.runs
            .try_reserve_exact(slots.saturating_sub(s.runs.len()))
            .map_err(|_| ENOMEM)?;
        if s.buf.is_empty() {
            let mut buf = PipeRing::new(size);
            buf.try_allocate().map_err(|_| ENOMEM)?;
            s.buf = buf;
            return Ok(());
        }
        s.buf.set_capacity(size).map_err(|e| match e {
            ResizeError::Busy => EBUSY,
            ResizeError::NoMemory => ENOMEM,
        })
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
            Pipe::wake_parked(&s);
            // A FIFO's data does not outlive its last open end (fifo(7)).
            if s.readers == 0 && s.writers == 0 {
                s.release_buffer();
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
        self.pipe.read(buf, None, nonblock)
    }

    fn write(&self, _pos: u64, buf: &dyn InBuf, nonblock: bool) -> SysResult<usize> {
        if !self.write {
            return Err(EBADF);
        }
        self.pipe
            .write(buf, None, nonblock, self.direct.load(Ordering::Relaxed))
    }

    fn read_user(&self, buf: &mut UserSliceMut, addr: usize, nonblock: bool) -> SysResult<usize> {
        if !self.read {
            return Err(EBADF);
        }
        self.pipe.read(buf, Some(addr), nonblock)
    }

    fn write_user(&self, buf: &UserSlice, addr: usize, nonblock: bool) -> SysResult<usize> {
        if !self.write {
            return Err(EBADF);
        }
        let direct = self.direct.load(Ordering::Relaxed);
        self.pipe.write(buf, Some(addr), nonblock, direct)
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
        self.pipe.poll_events(
            self.read,
            self.write,
            self.direct.load(Ordering::Relaxed),
            self.writer_opens_seen,
        )
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
