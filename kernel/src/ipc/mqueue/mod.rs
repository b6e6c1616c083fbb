//! POSIX message queues (mq_open, mq_timedsend, mq_timedreceive, mq_notify, mq_getsetattr,
//! mq_unlink), with Linux's semantics (mq_overview(7)).
//!
//! A queue is a node in its own directory, `/dev/mqueue`, named without the leading slash
//! the C library strips. Messages are kept by priority, highest first and in arrival order
//! within a priority. An open queue is an ordinary descriptor: it can be polled (readable
//! while a message waits, writable while there is room), `read` returns the status line
//! Linux shows (`QSIZE:... NOTIFY:...`), and O_NONBLOCK lives in the open file description
//! like any file's. Unlike System V queues these calls are restarted after a handler with
//! SA_RESTART (signal(7)); their timeouts are absolute CLOCK_REALTIME times.
//!
//! This file is the queue itself: its attributes, the message store, send and receive,
//! and notification. fs.rs is the /dev/mqueue file system: names, nodes, mq_open and
//! mq_unlink, and the descriptor.

mod fs;

pub use fs::{open, root, unlink, MqFile};

use super::mq_limits::{uncharge, MqTunable, HARD_MSGMAX, HARD_MSGSIZEMAX};
use crate::arch::spinlock::Mutex;
use crate::errno::{
    Errno, SysResult, EAGAIN, EBADF, EBUSY, EINVAL, EMSGSIZE, ENOMEM, ENOTSOCK, EOVERFLOW,
};
use crate::fs::file::{POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
use crate::ipc::msg::MsgText;
use crate::mm::uaccess::UserSlice;
use crate::net::netlink::Pending;
use crate::signal::{SigInfo, Signal};
use crate::task::{current_process, sched, Pid, Task, WaitQueue};
use alloc::sync::Arc;
use alloc::vec::Vec;
use linux_raw_sys::general as g;

/// Priorities run below this (MQ_PRIO_MAX).
pub const MQ_PRIO_MAX: u32 = 32768;
/// si_code of a message-queue notification.
const SI_MESGQ: i32 = -3;

/// `struct mq_attr`: four longs and four reserved ones.
pub const MQ_ATTR_SIZE: usize = 64;

/// A queue's fixed attributes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attr {
    pub maxmsg: usize,
    pub msgsize: usize,
}

/// The cookie protocol of SIGEV_THREAD (include/uapi/linux/mqueue.h; not in
/// linux-raw-sys): the C library's cookie comes back on its netlink socket with the
/// last byte saying why.
const NOTIFY_COOKIE_LEN: usize = 32;
const NOTIFY_WOKENUP: u8 = 1;
const NOTIFY_REMOVED: u8 = 2;

/// What a registered process asked for (mq_notify's `struct sigevent`).
pub enum Request {
    /// SIGEV_NONE: registered, nothing sent.
    Nothing,
    /// SIGEV_SIGNAL: the signal number (0 is valid and sends nothing) and value.
    Signal(u32, usize),
    /// SIGEV_THREAD: the cookie, already charged to the netlink socket it goes to.
    Thread(Pending),
}

/// Who gets told when a message arrives in the empty queue.
struct Notification {
    pid: Pid,
    request: Request,
}

impl Notification {
    /// The registration ends without a message (mq_notify(NULL), or a close by its
    /// process): a SIGEV_THREAD cookie goes back marked NOTIFY_REMOVED, as on Linux.
    fn remove(self) {
        if let Request::Thread(cookie) = self.request {
            cookie.deliver(NOTIFY_REMOVED);
        }
    }
}

struct State {
    /// The messages with their priorities, in the reverse of the order they are served:
    /// by priority, and within one priority the newest first. Receiving takes the last,
    /// and the room stays, so a queue in steady use allocates nothing per message.
    messages: Vec<(u32, MsgText)>,
    count: usize,
    notification: Option<Notification>,
    /// Receivers asleep on the queue (a notification is due only when there are none).
    waiting_receivers: usize,
    /// The buffer of the last message received, if small (empty: none), for the next
    /// send: a queue in steady use allocates nothing per message.
    spare: MsgText,
    /// A receiver asleep on the empty queue, to which the next sender hands its message.
    parked: Option<ParkedReceiver>,
}

/// An mq_timedreceive asleep on an empty queue: the next sender leaves its message (text
/// and priority) in `got` instead of queueing it, and wakes this task directly, which
/// then copies it out as if it had found it queued. The message never passes through the
/// queue, so it makes no notification and no poll wake-up, and its buffer goes back to
/// the queue's spare as usual. One receiver at a time parks; others wait as before.
struct ParkedReceiver {
    /// The receiving task, woken directly by whatever ends its wait.
    task: Arc<Task>,
    got: Option<(MsgText, u32)>,
}

/// The largest text buffer a queue keeps as its spare.
const SPARE_TEXT: usize = 256;

/// One queue.
pub struct Queue {
    attr: Attr,
    /// The user charged for the queue and how much, given back when the queue goes.
    owner_uid: u32,
    charged: usize,
    state: Mutex<State>,
    readable: WaitQueue,
    writable: WaitQueue,
    /// Anything that changed readiness, for poll.
    poll: WaitQueue,
}

fn now_ns() -> u64 {
    crate::time::realtime_ns()
}

/// Validates the attributes of a queue being created (Linux's mq_attr_ok).
fn check_attr(attr: Attr, privileged: bool) -> SysResult<()> {
    if attr.maxmsg == 0 || attr.msgsize == 0 {
        return Err(EINVAL);
    }
    let (max_msgs, max_size) = if privileged {
        (HARD_MSGMAX, HARD_MSGSIZEMAX)
    } else {
        (MqTunable::MsgMax.get(), MqTunable::MsgsizeMax.get())
    };
    if attr.maxmsg > max_msgs || attr.msgsize > max_size {
        return Err(EINVAL);
    }
    attr.maxmsg.checked_mul(attr.msgsize).ok_or(EOVERFLOW)?;
    Ok(())
}

/// Decodes `struct mq_attr` (mq_maxmsg and mq_msgsize; negative values are invalid).
pub fn decode_attr(raw: &[u8; MQ_ATTR_SIZE]) -> Result<Attr, Errno> {
    let long = |i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&raw[8 * i..8 * i + 8]);
        i64::from_ne_bytes(b)
    };
    let maxmsg = usize::try_from(long(1)).map_err(|_| EINVAL)?;
    let msgsize = usize::try_from(long(2)).map_err(|_| EINVAL)?;
    Ok(Attr { maxmsg, msgsize })
}

/// Encodes `struct mq_attr` for mq_getsetattr.
pub fn encode_attr(attr: Attr, flags: u32, curmsgs: usize) -> [u8; MQ_ATTR_SIZE] {
    let mut b = [0u8; MQ_ATTR_SIZE];
    let fields = [
        (flags & g::O_NONBLOCK) as i64,
        attr.maxmsg as i64,
        attr.msgsize as i64,
        curmsgs as i64,
    ];
    for (i, v) in fields.iter().enumerate() {
        b[8 * i..8 * i + 8].copy_from_slice(&v.to_ne_bytes());
    }
    b
}

/// The `mq_flags` of a new mq_getsetattr attribute: only O_NONBLOCK may be given.
pub fn decode_flags(raw: &[u8; MQ_ATTR_SIZE]) -> SysResult<u32> {
    let mut b = [0u8; 8];
    b.copy_from_slice(&raw[..8]);
    let flags = i64::from_ne_bytes(b);
    if flags & !(g::O_NONBLOCK as i64) != 0 {
        return Err(EINVAL);
    }
    Ok(flags as u32)
}

impl Drop for Queue {
    /// The queue is gone (unlinked and closed): its bytes go back to its user.
    fn drop(&mut self) {
        uncharge(self.owner_uid, self.charged);
    }
}

impl Queue {
    fn is_full(st: &State, attr: Attr) -> bool {
        st.count >= attr.maxmsg
    }

    /// Readiness for poll: readable while a message waits, writable while there is room.
    fn readiness(&self) -> u16 {
        let st = self.state.lock();
        let mut r = 0;
        if st.count > 0 {
            r |= POLLIN | POLLRDNORM;
        }
        if !Queue::is_full(&st, self.attr) {
            r |= POLLOUT | POLLWRNORM;
        }
        r
    }

    /// Queues `text` (at most msgsize bytes, checked by the caller), or hands it to a
    /// receiver parked on the empty queue, waiting for room unless `nonblock`; `deadline`
    /// in timer ticks.
    #[inline(always)]
    fn send(&self, text: MsgText, prio: u32, nonblock: bool, deadline: Option<u64>) -> SysResult {
        let mut st = self.state.lock();
        while Queue::is_full(&st, self.attr) {
            if nonblock {
                return Err(EAGAIN);
            }
            drop(st);
            crate::task::wait::block_on("mq_timedsend", &[&self.writable], deadline, || {
                (!Queue::is_full(&self.state.lock(), self.attr)).then_some(())
            })?;
            st = self.state.lock();
        }
        if st.count == 0 {
            if let Some(p) = st.parked.as_mut().filter(|p| p.got.is_none()) {
                p.got = Some((text, prio));
                sched::wake(&p.task);
                return Ok(0);
            }
        }
        if st.messages.len() == st.messages.capacity() {
            // The list grows as Rust's collections do: double, at least four entries.
            let grown = (st.messages.capacity() * 2).max(4);
            crate::mm::heap::reserve(grown * core::mem::size_of::<(u32, MsgText)>())?;
            st.messages.try_reserve(1).map_err(|_| ENOMEM)?;
        }
        // Before the messages of its priority already there, which are served first.
        let at = st.messages.partition_point(|(p, _)| *p < prio);
        st.messages.insert(at, (prio, text));
        st.count += 1;
        if let Some(p) = &st.parked {
            sched::wake(&p.task);
        }
        let due = if st.count == 1 && st.waiting_receivers == 0 {
            st.notification.take()
        } else {
            None
        };
        drop(st);
        self.readable.wake_all();
        self.poll.wake_all();
        if let Some(n) = due {
            notify(n);
        }
        Ok(0)
    }

    /// Takes the oldest message of the highest priority, waiting unless `nonblock`. A wait
    /// on the empty queue parks the caller (unless another receiver is parked), so that
    /// the next sender hands its message straight to it.
    #[inline(always)]
    fn receive(
        &self,
        bufsz: usize,
        nonblock: bool,
        deadline: Option<u64>,
    ) -> SysResult<(MsgText, u32)> {
        if bufsz < self.attr.msgsize {
            return Err(EMSGSIZE);
        }
        let mut st = self.state.lock();
        while st.count == 0 {
            if nonblock {
                return Err(EAGAIN);
            }
            let mut me = None;
            if st.parked.is_none() {
                let task = crate::task::current();
                me = Some(Arc::as_ptr(&task));
                st.parked = Some(ParkedReceiver { task, got: None });
            }
            st.waiting_receivers += 1;
            drop(st);
            let mine = |p: &ParkedReceiver| Some(Arc::as_ptr(&p.task)) == me;
            let handed = |st: &State| {
                st.parked
                    .as_ref()
                    .is_some_and(|p| mine(p) && p.got.is_some())
            };
            // A parked receiver is woken directly by the sender that hands it a message or
            // queues one, so it waits on no queue. The test that sees a hand-off takes it.
            // The first test, made before the task is registered, is skipped: the queue
            // was just seen empty, and the test made after registering sees any change.
            let queues: &[&WaitQueue] = if me.is_some() { &[] } else { &[&self.readable] };
            let mut first = true;
            let waited = crate::task::wait::block_on("mq_timedreceive", queues, deadline, || {
                if core::mem::take(&mut first) {
                    return None;
                }
                let mut st = self.state.lock();
                if handed(&st) {
                    st.waiting_receivers -= 1;
                    return Some(st.parked.take().and_then(|p| p.got));
                }
                (st.count > 0).then_some(None)
            });
            if let Ok(Some(got)) = waited {
                return Ok(got);
            }
            st = self.state.lock();
            st.waiting_receivers -= 1;
            if let Some(p) = st.parked.take_if(|p| mine(p)) {
                // What a sender handed over stands, even if the wait also ended otherwise.
                if let Some(got) = p.got {
                    return Ok(got);
                }
            }
            waited?;
        }
        let (prio, text) = st.messages.pop().ok_or(EAGAIN)?;
        st.count -= 1;
        drop(st);
        self.writable.wake_all();
        self.poll.wake_all();
        Ok((text, prio))
    }
}

/// Sends a due notification (its process may have gone meanwhile): the signal, or the
/// SIGEV_THREAD cookie marked NOTIFY_WOKENUP.
fn notify(n: Notification) {
    let (sig, value) = match n.request {
        Request::Nothing => return,
        Request::Thread(cookie) => return cookie.deliver(NOTIFY_WOKENUP),
        Request::Signal(sig, value) => (sig, value),
    };
    let Some(sig) = Signal::new(sig) else {
        return;
    };
    let Some(target) = crate::task::process::find(n.pid) else {
        return;
    };
    let sender = current_process();
    let info = SigInfo {
        code: SI_MESGQ,
        pid: sender.pid,
        uid: sender.creds.lock().uid,
        value,
        ..Default::default()
    };
    let _ = crate::signal::send_to_process(&target, sig, info);
}

// The queue side of a descriptor; MqFile itself is in fs.rs, with the file system.
impl MqFile {
    /// A zeroed buffer for a message of `len` bytes: the queue's spare if it is large
    /// enough, else a new one (ENOMEM past the heap's reserve).
    #[inline(always)]
    pub fn text_buffer(&self, len: usize) -> SysResult<MsgText> {
        let spare = core::mem::take(&mut self.queue.state.lock().spare);
        if spare.capacity() < len {
            return crate::ipc::msg::reserve_message(len);
        }
        let mut text = spare;
        // The caller reads every byte over (or drops the buffer): only new room is zeroed.
        if text.len() != len {
            text.resize(len, 0);
        }
        Ok(text)
    }

    /// Takes back the buffer of a message received and stored, as the queue's spare.
    #[inline(always)]
    pub fn recycle(&self, text: MsgText) {
        if text.capacity() <= SPARE_TEXT {
            let mut st = self.queue.state.lock();
            if st.spare.capacity() == 0 {
                st.spare = text;
            }
        }
    }

    /// The largest message the queue takes (fixed: no lock needed).
    pub fn msgsize(&self) -> usize {
        self.queue.attr.msgsize
    }

    /// The queue's attributes and current message count.
    pub fn attr(&self) -> (Attr, usize) {
        (self.queue.attr, self.queue.state.lock().count)
    }

    /// mq_notify(2): `Some(request)` registers the caller (EBUSY if another process is
    /// registered; a refused SIGEV_THREAD cookie gives its charge back), None removes
    /// the caller's registration.
    pub fn set_notification(&self, wanted: Option<Request>) -> SysResult<()> {
        let pid = current_process().pid;
        let mut st = self.queue.state.lock();
        match wanted {
            None => {
                let removed = Self::take_notification_of(&mut st, pid);
                drop(st);
                if let Some(n) = removed {
                    n.remove();
                }
            }
            Some(request) => {
                let alive = |n: &Notification| crate::task::process::find(n.pid).is_some();
                if st.notification.as_ref().is_some_and(alive) {
                    return Err(EBUSY);
                }
                st.notification = Some(Notification { pid, request });
            }
        }
        Ok(())
    }

    fn take_notification_of(st: &mut State, pid: Pid) -> Option<Notification> {
        if st.notification.as_ref().is_some_and(|n| n.pid == pid) {
            st.notification.take()
        } else {
            None
        }
    }
}

/// Converts an absolute CLOCK_REALTIME timeout (ns) into a timer-tick deadline.
pub fn deadline_from_realtime(abs_ns: u64) -> u64 {
    let now = now_ns();
    crate::time::now_ticks() + crate::time::ns_to_ticks(abs_ns.saturating_sub(now))
}

/// The notification a process asked for, as mq_notify's `struct sigevent` says it.
/// Signal number 0 is valid (Linux's valid_signal) and sends nothing. For SIGEV_THREAD
/// the C library passes a netlink socket as the "signal" and its cookie as the value:
/// as Linux's do_mq_notify, the cookie is copied (EFAULT), the descriptor checked
/// (EBADF, ENOTSOCK) and the cookie charged to the socket, waiting for room, before the
/// queue descriptor is looked at.
pub fn notification_of(notify: i32, signo: i32, value: usize) -> SysResult<Request> {
    match notify as u32 {
        g::SIGEV_NONE => Ok(Request::Nothing),
        g::SIGEV_SIGNAL => {
            let sig = u32::try_from(signo)
                .ok()
                .filter(|&s| s == 0 || Signal::new(s).is_some())
                .ok_or(EINVAL)?;
            Ok(Request::Signal(sig, value))
        }
        g::SIGEV_THREAD => {
            crate::mm::heap::reserve(2 * NOTIFY_COOKIE_LEN)?;
            let mut cookie = Vec::new();
            cookie
                .try_reserve_exact(NOTIFY_COOKIE_LEN)
                .map_err(|_| ENOMEM)?;
            cookie.resize(NOTIFY_COOKIE_LEN, 0);
            UserSlice::new(value, NOTIFY_COOKIE_LEN)?.read(0, &mut cookie)?;
            let of = crate::task::current_files()
                .lock()
                .get(signo)
                .map_err(|_| EBADF)?;
            let socket = of.file.socket().ok_or(ENOTSOCK)?.netlink().clone();
            drop(of);
            Ok(Request::Thread(Pending::charge(socket, cookie)?))
        }
        _ => Err(EINVAL),
    }
}
