//! /dev/mqueue, the queues' own file system: the directory of names (MqDir), each
//! queue's node with its owner, mode and times (MqNode), mq_open and mq_unlink by name,
//! and the open descriptor (MqFile), whose `read` shows the `QSIZE:... NOTIFY:...`
//! status line.

use super::{check_attr, now_ns, Attr, Queue, Request, State};
use crate::arch::spinlock::Mutex;
use crate::errno::{
    SysResult, EACCES, EEXIST, EINVAL, ENAMETOOLONG, ENOENT, ENOSPC, ENOTDIR, EPERM,
};
use crate::fs::file::{DirHandle, File, OpenFile};
use crate::fs::vfs::{
    alloc_ino, check_access, DirEntry, DirLink, Inode, Metadata, Parent, Want, FIRST_ENTRY_POS,
    S_IFDIR, S_IFREG,
};
use crate::ipc::mq_limits::{charge, MqTunable};
use crate::ipc::msg::MsgText;
use crate::mm::uaccess::{InBuf, OutBuf};
use crate::task::{current_process, WaitQueue};
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use linux_raw_sys::general as g;

/// Size Linux reports for a queue file.
const FILE_SIZE: u64 = 80;
const NAME_MAX: usize = 255;
/// The file-system number of /dev/mqueue (tmpfs is 0, /proc 1).
const MQUEUE_FS_ID: u32 = 2;

/// What the syscall layer does with a queue descriptor.
pub struct MqFile {
    pub(super) queue: Arc<Queue>,
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
                        messages: Vec::new(),
                        spare: MsgText::new(),
                        parked: None,
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
    /// The status line a read of the queue's file shows.
    fn status(&self) -> String {
        let st = self.state.lock();
        let bytes: usize = st.messages.iter().map(|(_, m)| m.len()).sum();
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

impl MqFile {
    /// mq_timedsend(2) on this descriptor.
    #[inline(always)]
    pub fn send(
        &self,
        text: MsgText,
        prio: u32,
        nonblock: bool,
        deadline: Option<u64>,
    ) -> SysResult {
        let r = self.queue.send(text, prio, nonblock, deadline);
        if r.is_ok() {
            self.touch_sent();
        }
        r
    }

    /// A message was sent: the queue file's modification and change times.
    #[inline(always)]
    pub(super) fn touch_sent(&self) {
        let now = now_ns();
        let mut m = self.node.meta.lock();
        m.mtime_ns = now;
        m.ctime_ns = now;
    }

    /// mq_timedreceive(2) on this descriptor: the text of the message taken and its
    /// priority.
    #[inline(always)]
    pub fn receive(
        &self,
        bufsz: usize,
        nonblock: bool,
        deadline: Option<u64>,
    ) -> SysResult<(MsgText, u32)> {
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
