//! tmpfs: files and directories that live in kernel memory. The whole root file system
//! is one; other node kinds (devices, /proc, FIFOs) are entered into its directories.

use super::file::File;
use super::vfs::{
    alloc_ino, DirEntry, DirLink, Inode, Metadata, Parent, FIRST_ENTRY_POS, NAME_MAX, S_IFDIR,
    S_IFIFO, S_IFMT, S_IFREG,
};
use crate::errno::{
    SysResult, EEXIST, EFBIG, EINVAL, EISDIR, ENAMETOOLONG, ENOENT, ENOMEM, ENOSPC, ENOTDIR,
    ENOTEMPTY, EPERM,
};
use crate::mm::uaccess::{InBuf, OutBuf};
use crate::time::realtime_ns;
use alloc::collections::BTreeMap;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::sync::atomic::{AtomicUsize, Ordering};
use spin::Mutex;

/// Largest regular file tmpfs accepts (keeps one process from eating the heap).
const MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;
/// Bytes all tmpfs files may hold together: file data lives in the kernel heap, which
/// the kernel's own objects need too. Past it, writes fail with ENOSPC. The image itself
/// (about 60 MiB) counts against it.
const TOTAL_LIMIT: usize = 120 * 1024 * 1024;
static TOTAL_BYTES: AtomicUsize = AtomicUsize::new(0);

/// What a node costs besides its data (the node, its name, the directory entry); a
/// directory also has its own entry maps, a leaf node each once anything is in it.
const NODE_COST: usize = 512;
const DIR_COST: usize = 1536;

fn node_cost(mode: u32) -> usize {
    if mode & S_IFMT == S_IFDIR {
        DIR_COST
    } else {
        NODE_COST
    }
}

/// Charges `bytes` to the tmpfs total; ENOSPC past the limit.
fn charge(bytes: usize) -> SysResult<()> {
    TOTAL_BYTES
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| {
            t.checked_add(bytes).filter(|&n| n <= TOTAL_LIMIT)
        })
        .map(|_| ())
        .map_err(|_| ENOSPC)
}

/// Resizes a file's data, charging growth to the tmpfs total.
fn resize_data(data: &mut Vec<u8>, new_len: usize) -> SysResult<()> {
    let old_len = data.len();
    if new_len > old_len {
        let grow = new_len - old_len;
        charge(grow)?;
        if data.try_reserve(grow).is_err() {
            TOTAL_BYTES.fetch_sub(grow, Ordering::Relaxed);
            return Err(ENOMEM);
        }
    } else {
        TOTAL_BYTES.fetch_sub(old_len - new_len, Ordering::Relaxed);
    }
    data.resize(new_len, 0);
    Ok(())
}

/// A directory's entries. Each entry has a position, given in creation order and kept
/// while the entry stays: getdents resumes at a position in O(log n), and its offsets
/// stay valid while other entries come and go.
struct Dir {
    by_name: BTreeMap<Arc<str>, (u64, Arc<dyn Inode>)>,
    by_pos: BTreeMap<u64, Arc<str>>,
    next_pos: u64,
    /// Set by rmdir: the directory lives on only for those still holding it.
    removed: bool,
}

impl Dir {
    fn new() -> Dir {
        Dir {
            by_name: BTreeMap::new(),
            by_pos: BTreeMap::new(),
            next_pos: FIRST_ENTRY_POS,
            removed: false,
        }
    }

    /// The directory's own checks before an entry `name` is added. (Callers check the
    /// heap: `create` here, rename before it takes the entry out of its old place.)
    fn check_insert(&self, name: &str) -> SysResult<()> {
        if self.removed {
            return Err(ENOENT);
        }
        if name.len() > NAME_MAX {
            return Err(ENAMETOOLONG);
        }
        if self.by_name.contains_key(name) {
            return Err(EEXIST);
        }
        Ok(())
    }

    fn insert(&mut self, name: Arc<str>, node: Arc<dyn Inode>) {
        let pos = self.next_pos;
        self.next_pos += 1;
        self.by_pos.insert(pos, name.clone());
        self.by_name.insert(name, (pos, node));
    }

    fn remove(&mut self, name: &str) -> Option<Arc<dyn Inode>> {
        let (pos, node) = self.by_name.remove(name)?;
        self.by_pos.remove(&pos);
        Some(node)
    }
}

/// Heap a new entry may take besides its name: the node and its Arc, the name's Arc,
/// and B-tree nodes (a generous bound; a directory's first entry takes two leaves).
pub const ENTRY_HEAP_COST: usize = 2048;

enum Content {
    Dir(Dir),
    File(Vec<u8>),
    /// A FIFO: the name leads to this pipe (see ipc::fifo).
    Fifo(Arc<crate::ipc::pipe::Pipe>),
}

pub struct TmpNode {
    /// This node, for the parent links of the directories created in it.
    this: Weak<TmpNode>,
    meta: Mutex<Metadata>,
    content: Mutex<Content>,
    /// A directory's parent (unused for other nodes).
    link: DirLink,
}

impl TmpNode {
    fn new(mode: u32, uid: u32, gid: u32) -> SysResult<Arc<TmpNode>> {
        let content = match mode & S_IFMT {
            S_IFDIR => Content::Dir(Dir::new()),
            S_IFREG => Content::File(Vec::new()),
            S_IFIFO => Content::Fifo(crate::ipc::pipe::Pipe::new()),
            _ => return Err(EPERM),
        };
        charge(node_cost(mode))?;
        let now = realtime_ns();
        let meta = Metadata {
            ino: alloc_ino(),
            mode,
            nlink: if mode & S_IFMT == S_IFDIR { 2 } else { 1 },
            uid,
            gid,
            atime_ns: now,
            mtime_ns: now,
            ctime_ns: now,
            ..Default::default()
        };
        Ok(Arc::new_cyclic(|this| TmpNode {
            this: this.clone(),
            meta: Mutex::new(meta),
            content: Mutex::new(content),
            link: DirLink::new(),
        }))
    }

    pub fn new_root() -> Arc<dyn Inode> {
        match TmpNode::new(S_IFDIR | 0o755, 0, 0) {
            Ok(n) => n,
            Err(_) => unreachable!("a directory node is always creatable"),
        }
    }

    fn touch_mtime(&self) {
        let now = realtime_ns();
        let mut m = self.meta.lock();
        m.mtime_ns = now;
        m.ctime_ns = now;
    }

    /// Records that `node` (if a directory) is now entered here under `name`.
    fn adopt(&self, name: &Arc<str>, node: &Arc<dyn Inode>) {
        if let Some(me) = self.this.upgrade() {
            node.set_parent(Parent {
                dir: me,
                name: name.clone(),
            });
        }
    }
}

impl Inode for TmpNode {
    fn metadata(&self) -> Metadata {
        let mut m = *self.meta.lock();
        if let Content::File(data) = &*self.content.lock() {
            m.size = data.len() as u64;
        }
        m
    }

    fn set_times(&self, atime_ns: Option<u64>, mtime_ns: Option<u64>) -> SysResult<()> {
        let mut m = self.meta.lock();
        if let Some(a) = atime_ns {
            m.atime_ns = a;
        }
        if let Some(t) = mtime_ns {
            m.mtime_ns = t;
        }
        m.ctime_ns = realtime_ns();
        Ok(())
    }

    fn set_mode(&self, mode: u32) -> SysResult<()> {
        let mut m = self.meta.lock();
        m.mode = (m.mode & S_IFMT) | (mode & 0o7777);
        Ok(())
    }

    fn open(self: Arc<Self>, flags: u32) -> SysResult<Arc<dyn File>> {
        let fifo = match &*self.content.lock() {
            Content::Fifo(pipe) => Some(pipe.clone()),
            _ => None,
        };
        if let Some(pipe) = fifo {
            // May block until a peer opens: the node's lock is not held.
            return crate::ipc::fifo::open(&pipe, flags);
        }
        Ok(Arc::new(TmpHandle { node: self }))
    }

    fn lookup(&self, name: &str) -> SysResult<Arc<dyn Inode>> {
        match &*self.content.lock() {
            Content::Dir(dir) => dir.by_name.get(name).map(|e| e.1.clone()).ok_or(ENOENT),
            _ => Err(ENOTDIR),
        }
    }

    fn parent(&self) -> Option<Parent> {
        self.link.get()
    }

    fn set_parent(&self, parent: Parent) {
        if self.meta.lock().is_dir() {
            self.link.set(parent);
        }
    }

    fn take_parent(&self) -> Option<Arc<dyn Inode>> {
        self.link.take()
    }

    fn is_removed(&self) -> bool {
        matches!(&*self.content.lock(), Content::Dir(d) if d.removed)
    }

    fn create(&self, name: &str, mode: u32, uid: u32, gid: u32) -> SysResult<Arc<dyn Inode>> {
        let node = {
            let mut content = self.content.lock();
            let Content::Dir(dir) = &mut *content else {
                return Err(ENOTDIR);
            };
            dir.check_insert(name)?;
            crate::mm::heap::reserve(name.len() + ENTRY_HEAP_COST)?;
            let node: Arc<dyn Inode> = TmpNode::new(mode, uid, gid)?;
            let name: Arc<str> = Arc::from(name);
            self.adopt(&name, &node);
            dir.insert(name, node.clone());
            node
        };
        if node.metadata().is_dir() {
            self.meta.lock().nlink += 1;
        }
        self.touch_mtime();
        Ok(node)
    }

    fn link(&self, name: &str, node: Arc<dyn Inode>) -> SysResult<()> {
        let mut content = self.content.lock();
        let Content::Dir(dir) = &mut *content else {
            return Err(ENOTDIR);
        };
        dir.check_insert(name)?;
        let is_dir = node.metadata().is_dir();
        if !is_dir {
            node.adjust_links(1);
        }
        let name: Arc<str> = Arc::from(name);
        self.adopt(&name, &node);
        dir.insert(name, node);
        drop(content);
        if is_dir {
            // The new child's ".." names this directory.
            self.adjust_links(1);
        }
        self.touch_mtime();
        Ok(())
    }

    fn detach(&self, name: &str) -> SysResult<Arc<dyn Inode>> {
        let mut content = self.content.lock();
        let Content::Dir(dir) = &mut *content else {
            return Err(ENOTDIR);
        };
        let node = dir.remove(name).ok_or(ENOENT)?;
        drop(content);
        if node.metadata().is_dir() {
            self.adjust_links(-1);
        } else {
            node.adjust_links(-1);
        }
        self.touch_mtime();
        Ok(node)
    }

    fn adjust_links(&self, delta: i32) {
        let mut m = self.meta.lock();
        m.nlink = m.nlink.saturating_add_signed(delta);
    }

    fn unlink(&self, name: &str, rmdir: bool) -> SysResult<()> {
        let mut content = self.content.lock();
        let Content::Dir(dir) = &mut *content else {
            return Err(ENOTDIR);
        };
        let node = dir.by_name.get(name).map(|e| e.1.clone()).ok_or(ENOENT)?;
        match (rmdir, node.metadata().is_dir()) {
            (true, false) => return Err(ENOTDIR),
            (false, true) => return Err(EISDIR),
            (true, true) => node.remove_dir()?,
            (false, false) => node.adjust_links(-1),
        }
        dir.remove(name);
        drop(content);
        if rmdir {
            self.adjust_links(-1);
        }
        self.touch_mtime();
        drop(node);
        Ok(())
    }

    fn remove_dir(&self) -> SysResult<()> {
        let mut content = self.content.lock();
        let Content::Dir(dir) = &mut *content else {
            return Err(ENOTDIR);
        };
        if !dir.by_name.is_empty() {
            return Err(ENOTEMPTY);
        }
        dir.removed = true;
        drop(content);
        self.meta.lock().nlink = 0;
        Ok(())
    }

    fn read_dir(&self, pos: u64, emit: &mut dyn FnMut(&DirEntry) -> bool) -> SysResult<()> {
        let content = self.content.lock();
        let Content::Dir(dir) = &*content else {
            return Err(ENOTDIR);
        };
        if dir.removed {
            return Err(ENOENT);
        }
        for (&at, name) in dir.by_pos.range(pos..) {
            let Some((_, node)) = dir.by_name.get(name) else {
                continue;
            };
            let m = node.metadata();
            let entry = DirEntry {
                name,
                ino: m.ino,
                file_type: m.file_type(),
                next: at + 1,
            };
            if !emit(&entry) {
                break;
            }
        }
        Ok(())
    }

    fn truncate(&self, len: u64) -> SysResult<()> {
        if len > MAX_FILE_SIZE {
            return Err(EFBIG);
        }
        match &mut *self.content.lock() {
            Content::File(data) => resize_data(data, len as usize)?,
            Content::Dir(_) => return Err(EISDIR),
            Content::Fifo(_) => return Err(EINVAL),
        }
        self.touch_mtime();
        Ok(())
    }
}

impl Drop for TmpNode {
    fn drop(&mut self) {
        let data = match &*self.content.lock() {
            Content::File(data) => data.len(),
            _ => 0,
        };
        let cost = node_cost(self.meta.get_mut().mode);
        TOTAL_BYTES.fetch_sub(cost + data, Ordering::Relaxed);
    }
}

/// An open tmpfs file or directory.
struct TmpHandle {
    node: Arc<TmpNode>,
}

impl File for TmpHandle {
    fn read(&self, pos: u64, buf: &mut dyn OutBuf, _nonblock: bool) -> SysResult<usize> {
        let content = self.node.content.lock();
        let Content::File(data) = &*content else {
            return Err(EISDIR);
        };
        let start = (pos as usize).min(data.len());
        let n = buf.len().min(data.len() - start);
        buf.write_at(0, &data[start..start + n])?;
        Ok(n)
    }

    fn write(&self, pos: u64, buf: &dyn InBuf, _nonblock: bool) -> SysResult<usize> {
        let len = buf.len();
        let end = pos.checked_add(len as u64).ok_or(EFBIG)?;
        if end > MAX_FILE_SIZE {
            return Err(EFBIG);
        }
        let copied = {
            let mut content = self.node.content.lock();
            let Content::File(data) = &mut *content else {
                return Err(EISDIR);
            };
            let old_len = data.len();
            if old_len < end as usize {
                resize_data(data, end as usize)?;
            }
            // A fault part-way writes what came before it; the file grows only by that.
            let r = buf.read_upto(0, &mut data[pos as usize..end as usize]);
            let got = *r.as_ref().unwrap_or(&0);
            let kept = if got == 0 {
                old_len
            } else {
                old_len.max(pos as usize + got)
            };
            resize_data(data, kept)?;
            r?
        };
        self.node.touch_mtime();
        Ok(copied)
    }

    fn seekable(&self) -> bool {
        true
    }

    fn metadata(&self) -> Metadata {
        self.node.metadata()
    }
}
