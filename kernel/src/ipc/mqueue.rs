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

use super::mq_limits::{charge, uncharge, MqTunable, HARD_MSGMAX, HARD_MSGSIZEMAX};
use crate::errno::{
    Errno, SysResult, EACCES, EAGAIN, EBADF, EBUSY, EEXIST, EINVAL, EMSGSIZE, ENAMETOOLONG, ENOENT,
    ENOMEM, ENOSPC, ENOTDIR, ENOTSOCK, EOVERFLOW, EPERM,
};
use crate::fs::file::{DirHandle, File, OpenFile, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
use crate::fs::vfs::{
    alloc_ino, check_access, DirEntry, DirLink, Inode, Metadata, Parent, Want, FIRST_ENTRY_POS,
    S_IFDIR, S_IFREG,
};
use crate::mm::uaccess::{InBuf, OutBuf, UserSlice};
use crate::net::netlink::Pending;
use crate::signal::{SigInfo, Signal};
use crate::task::{current_process, Pid, WaitQueue};
use alloc::collections::{BTreeMap, VecDeque};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use linux_raw_sys::general as g;
use spin::Mutex;

/// Priorities run below this (MQ_PRIO_MAX).
pub const MQ_PRIO_MAX: u32 = 32768;
/// Size Linux reports for a queue file.
const FILE_SIZE: u64 = 80;
const NAME_MAX: usize = 255;
/// The file-system number of /dev/mqueue (tmpfs is 0, /proc 1).
const MQUEUE_FS_ID: u32 = 2;
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
    /// Messages by priority; the highest priority is served first.
    messages: BTreeMap<u32, VecDeque<Vec<u8>>>,
    count: usize,
    notification: Option<Notification>,
    /// Receivers asleep on the queue (a notification is due only when there are none).
    waiting_receivers: usize,
}

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

/// What the syscall layer does with a queue descriptor.
pub struct MqFile {
    queue: Arc<Queue>,
    node: Arc<MqNode>,
}

/// A queue's name in /dev/mqueue: its owner, mode and times.
pub struct MqNode {
    name: String,
    meta: Mutex<Metadata>,
    queue: Arc<Queue>,
}

/// /dev/mqueue: the names of the queues. Each name keeps the position it was given when
/// created, so a directory listing resumes correctly while queues come and go.
pub struct MqDir {
    ino: u64,
    link: DirLink,
    names: Mutex<Names>,
}

#[derive(Default)]
struct Names {
    by_name: BTreeMap<String, (u64, Arc<MqNode>)>,
    by_pos: BTreeMap<u64, String>,
    next_pos: u64,
}

impl Names {
    fn get(&self, name: &str) -> Option<&Arc<MqNode>> {
        self.by_name.get(name).map(|(_, n)| n)
    }

    /// Enters a new name; the caller reserved heap for it.
    fn insert(&mut self, name: &str, node: Arc<MqNode>) {
        let pos = FIRST_ENTRY_POS + self.next_pos;
        self.next_pos += 1;
        self.by_pos.insert(pos, name.to_string());
        self.by_name.insert(name.to_string(), (pos, node));
    }

    fn remove(&mut self, name: &str) {
        if let Some((pos, _)) = self.by_name.remove(name) {
            self.by_pos.remove(&pos);
            crate::mm::heap::release_if_empty(&mut self.by_name);
            crate::mm::heap::release_if_empty(&mut self.by_pos);
        }
    }
}

static ROOT: Mutex<Option<Arc<MqDir>>> = Mutex::new(None);

/// The queue directory (entered into /dev as `mqueue`).
pub fn root() -> Arc<MqDir> {
    ROOT.lock()
        .get_or_insert_with(|| {
            Arc::new(MqDir {
                ino: alloc_ino(),
                link: DirLink::new(),
                names: Mutex::new(Names::default()),
            })
        })
        .clone()
}

fn now_ns() -> u64 {
    crate::time::realtime_ns()
}

/// Checks a queue name as Linux's lookup does: no '/', not "." or "..", not empty.
fn check_name(name: &str) -> SysResult<()> {
    if name.is_empty() || name == "." || name == ".." || name.contains('/') {
        return Err(EACCES);
    }
    if name.len() > NAME_MAX {
        return Err(ENAMETOOLONG);
    }
    Ok(())
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

/// mq_open(2) after the name and attributes were copied in: opens or creates the queue
/// and returns the open file description.
pub fn open(name: &str, oflag: u32, mode: u32, attr: Option<Attr>) -> SysResult<Arc<OpenFile>> {
    check_name(name)?;
    let proc = current_process();
    let creds = *proc.creds.lock();
    let dir = root();
    let mut names = dir.names.lock();
    let node = match names.get(name) {
        Some(node) => {
            if oflag & (g::O_CREAT | g::O_EXCL) == g::O_CREAT | g::O_EXCL {
                return Err(EEXIST);
            }
            let want = access_of(oflag)?;
            check_access(&node.metadata(), creds.euid, creds.egid, want)?;
            node.clone()
        }
        None => {
            if oflag & g::O_CREAT == 0 {
                return Err(ENOENT);
            }
            let privileged = creds.euid == 0;
            if names.by_name.len() >= MqTunable::QueuesMax.get() && !privileged {
                return Err(ENOSPC);
            }
            check_access(&dir.metadata(), creds.euid, creds.egid, Want::DIR_CHANGE)?;
            // Without attributes: the defaults, within the unprivileged maximums.
            let attr = attr.unwrap_or(Attr {
                maxmsg: MqTunable::MsgDefault.get().min(MqTunable::MsgMax.get()),
                msgsize: MqTunable::MsgsizeDefault
                    .get()
                    .min(MqTunable::MsgsizeMax.get()),
            });
            check_attr(attr, privileged)?;
            crate::mm::heap::reserve(768 + 4 * name.len())?;
            let limit = proc.rlimits.lock()[g::RLIMIT_MSGQUEUE as usize].rlim_cur;
            let charged = charge(creds.uid, attr, limit)?;
            let umask = crate::task::current_fs().umask();
            let now = now_ns();
            let node = Arc::new(MqNode {
                name: name.to_string(),
                meta: Mutex::new(Metadata {
                    ino: alloc_ino(),
                    mode: S_IFREG | (mode & 0o777 & !umask),
                    nlink: 1,
                    uid: creds.euid,
                    gid: creds.egid,
                    size: FILE_SIZE,
                    atime_ns: now,
                    mtime_ns: now,
                    ctime_ns: now,
                    ..Default::default()
                }),
                queue: Arc::new(Queue {
                    attr,
                    owner_uid: creds.uid,
                    charged,
                    state: Mutex::new(State {
                        messages: BTreeMap::new(),
                        count: 0,
                        notification: None,
                        waiting_receivers: 0,
                    }),
                    readable: WaitQueue::new(),
                    writable: WaitQueue::new(),
                    poll: WaitQueue::new(),
                }),
            });
            names.insert(name, node.clone());
            node
        }
    };
    drop(names);
    let file: Arc<dyn File> = Arc::new(MqFile {
        queue: node.queue.clone(),
        node: node.clone(),
    });
    let flags = oflag & (g::O_ACCMODE | g::O_NONBLOCK);
    Ok(OpenFile::new(file, Some(node as Arc<dyn Inode>), flags))
}

impl Drop for Queue {
    /// The queue is gone (unlinked and closed): its bytes go back to its user.
    fn drop(&mut self) {
        uncharge(self.owner_uid, self.charged);
    }
}

/// The permission an open mode asks for; O_WRONLY|O_RDWR is EINVAL.
fn access_of(oflag: u32) -> SysResult<Want> {
    let (read, write) = match oflag & g::O_ACCMODE {
        g::O_RDONLY => (true, false),
        g::O_WRONLY => (false, true),
        g::O_RDWR => (true, true),
        _ => return Err(EINVAL),
    };
    Ok(Want {
        read,
        write,
        exec: false,
    })
}

/// mq_unlink(2): the name goes; the queue lives on while descriptors refer to it.
pub fn unlink(name: &str) -> SysResult<()> {
    check_name(name)?;
    root().remove(name)
}

impl MqDir {
    /// Removes a name, with the checks of unlink in a sticky, world-writable directory.
    fn remove(&self, name: &str) -> SysResult<()> {
        let creds = *current_process().creds.lock();
        check_access(&self.metadata(), creds.euid, creds.egid, Want::DIR_CHANGE)?;
        let mut names = self.names.lock();
        let node = names.get(name).ok_or(ENOENT)?;
        if creds.euid != 0 && node.metadata().uid != creds.euid {
            return Err(EPERM);
        }
        names.remove(name);
        Ok(())
    }
}

impl Inode for MqDir {
    fn metadata(&self) -> Metadata {
        Metadata {
            ino: self.ino,
            mode: S_IFDIR | 0o1777,
            nlink: 2,
            ..Default::default()
        }
    }

    fn open(self: Arc<Self>, _flags: u32) -> SysResult<Arc<dyn File>> {
        Ok(Arc::new(DirHandle(self)))
    }

    fn lookup(&self, name: &str) -> SysResult<Arc<dyn Inode>> {
        let names = self.names.lock();
        let node = names.get(name).ok_or(ENOENT)?;
        Ok(node.clone() as Arc<dyn Inode>)
    }

    /// Queues are made by mq_open only.
    fn create(&self, _name: &str, _mode: u32, _uid: u32, _gid: u32) -> SysResult<Arc<dyn Inode>> {
        Err(EPERM)
    }

    fn unlink(&self, name: &str, dir: bool) -> SysResult<()> {
        if dir {
            return Err(ENOTDIR);
        }
        self.remove(name)
    }

    fn read_dir(&self, pos: u64, emit: &mut dyn FnMut(&DirEntry) -> bool) -> SysResult<()> {
        let names = self.names.lock();
        for (&at, name) in names.by_pos.range(pos..) {
            let Some(node) = names.get(name) else {
                continue;
            };
            let entry = DirEntry {
                name,
                ino: node.metadata().ino,
                file_type: S_IFREG,
                next: at + 1,
            };
            if !emit(&entry) {
                break;
            }
        }
        Ok(())
    }

    fn parent(&self) -> Option<Parent> {
        self.link.get()
    }

    fn set_parent(&self, parent: Parent) {
        self.link.set(parent);
    }

    /// Its own file system: a rename into or out of it is EXDEV.
    fn fs_id(&self) -> u32 {
        MQUEUE_FS_ID
    }
}

impl Inode for MqNode {
    fn metadata(&self) -> Metadata {
        *self.meta.lock()
    }

    fn set_mode(&self, mode: u32) -> SysResult<()> {
        let mut m = self.meta.lock();
        m.mode = (m.mode & !0o7777) | (mode & 0o7777);
        m.ctime_ns = now_ns();
        Ok(())
    }

    fn open(self: Arc<Self>, _flags: u32) -> SysResult<Arc<dyn File>> {
        Ok(Arc::new(MqFile {
            queue: self.queue.clone(),
            node: self,
        }))
    }

    fn adjust_links(&self, delta: i32) {
        let mut m = self.meta.lock();
        m.nlink = m.nlink.saturating_add_signed(delta);
    }

    fn fs_id(&self) -> u32 {
        MQUEUE_FS_ID
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

    /// Queues `text` (at most msgsize bytes, checked by the caller), waiting for room
    /// unless `nonblock`; `deadline` in timer ticks.
    fn send(&self, text: Vec<u8>, prio: u32, nonblock: bool, deadline: Option<u64>) -> SysResult {
        let mut st = self.state.lock();
        while Queue::is_full(&st, self.attr) {
            if nonblock {
                return Err(EAGAIN);
            }
            drop(st);
            crate::task::wait::block_on(&[&self.writable], deadline, || {
                (!Queue::is_full(&self.state.lock(), self.attr)).then_some(())
            })?;
            st = self.state.lock();
        }
        let slot = st.messages.entry(prio).or_default();
        slot.try_reserve(1).map_err(|_| ENOMEM)?;
        slot.push_back(text);
        st.count += 1;
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

    /// Takes the oldest message of the highest priority, waiting unless `nonblock`.
    fn receive(
        &self,
        bufsz: usize,
        nonblock: bool,
        deadline: Option<u64>,
    ) -> SysResult<(Vec<u8>, u32)> {
        if bufsz < self.attr.msgsize {
            return Err(EMSGSIZE);
        }
        let mut st = self.state.lock();
        while st.count == 0 {
            if nonblock {
                return Err(EAGAIN);
            }
            st.waiting_receivers += 1;
            drop(st);
            let waited = crate::task::wait::block_on(&[&self.readable], deadline, || {
                (self.state.lock().count > 0).then_some(())
            });
            st = self.state.lock();
            st.waiting_receivers -= 1;
            waited?;
        }
        let mut top = st.messages.last_entry().ok_or(EAGAIN)?;
        let prio = *top.key();
        let text = top.get_mut().pop_front().ok_or(EAGAIN)?;
        if top.get().is_empty() {
            top.remove();
        }
        st.count -= 1;
        drop(st);
        self.writable.wake_all();
        self.poll.wake_all();
        Ok((text, prio))
    }

    /// The status line a read of the queue's file shows.
    fn status(&self) -> String {
        let st = self.state.lock();
        let bytes: usize = st.messages.values().flatten().map(|m| m.len()).sum();
        // NOTIFY is the registration's sigev_notify; SIGNO only for SIGEV_SIGNAL.
        let (pid, notify, signo) = match &st.notification {
            Some(n) => match n.request {
                Request::Nothing => (n.pid, g::SIGEV_NONE, 0),
                Request::Signal(sig, _) => (n.pid, g::SIGEV_SIGNAL, sig),
                Request::Thread(_) => (n.pid, g::SIGEV_THREAD, 0),
            },
            None => (0, 0, 0),
        };
        format!("QSIZE:{bytes:<10} NOTIFY:{notify:<5} SIGNO:{signo:<5} NOTIFY_PID:{pid:<6}\n")
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

impl MqFile {
    /// mq_timedsend(2) on this descriptor.
    pub fn send(
        &self,
        text: Vec<u8>,
        prio: u32,
        nonblock: bool,
        deadline: Option<u64>,
    ) -> SysResult {
        let r = self.queue.send(text, prio, nonblock, deadline);
        if r.is_ok() {
            let now = now_ns();
            let mut m = self.node.meta.lock();
            m.mtime_ns = now;
            m.ctime_ns = now;
        }
        r
    }

    /// mq_timedreceive(2) on this descriptor: the text and its priority.
    pub fn receive(
        &self,
        bufsz: usize,
        nonblock: bool,
        deadline: Option<u64>,
    ) -> SysResult<(Vec<u8>, u32)> {
        let r = self.queue.receive(bufsz, nonblock, deadline);
        if r.is_ok() {
            self.node.meta.lock().atime_ns = now_ns();
        }
        r
    }

    /// What readlink of /proc/PID/fd/N shows: the name in the queue file system, and
    /// " (deleted)" once mq_unlink removed it.
    pub fn link_name(&self) -> String {
        let dir = root();
        let names = dir.names.lock();
        let named = names
            .get(&self.node.name)
            .is_some_and(|n| Arc::ptr_eq(n, &self.node));
        let deleted = if named { "" } else { " (deleted)" };
        format!("/{}{deleted}", self.node.name)
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

impl File for MqFile {
    fn read(&self, pos: u64, buf: &mut dyn OutBuf, _nonblock: bool) -> SysResult<usize> {
        let text = self.queue.status();
        let start = (pos as usize).min(text.len());
        let n = buf.len().min(text.len() - start);
        buf.write_at(0, &text.as_bytes()[start..start + n])?;
        Ok(n)
    }

    fn write(&self, _pos: u64, _buf: &dyn InBuf, _nonblock: bool) -> SysResult<usize> {
        Err(EINVAL)
    }

    fn seekable(&self) -> bool {
        true
    }

    fn metadata(&self) -> Metadata {
        self.node.metadata()
    }

    fn poll(&self) -> u16 {
        self.queue.readiness()
    }

    fn poll_queue(&self) -> Option<&WaitQueue> {
        Some(&self.queue.poll)
    }

    fn mqueue(&self) -> Option<&MqFile> {
        Some(self)
    }

    /// Linux's mqueue_flush_file: a process closing any descriptor of the queue ends
    /// its own notification.
    fn flush(&self) {
        let pid = current_process().pid;
        let mut st = self.queue.state.lock();
        let removed = MqFile::take_notification_of(&mut st, pid);
        drop(st);
        if let Some(n) = removed {
            n.remove();
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
