//! tmpfs: files and directories that live in kernel memory. The whole root file system
//! is one; other node kinds (devices, /proc, FIFOs) are entered into its directories.

use super::file::File;
use super::vfs::{alloc_ino, DirEntry, Inode, Metadata, S_IFDIR, S_IFIFO, S_IFMT, S_IFREG};
use crate::mm::uaccess::{InBuf, OutBuf};
use crate::errno::{
    SysResult, EEXIST, EFBIG, EINVAL, EISDIR, ENOENT, ENOMEM, ENOSPC, ENOTDIR, ENOTEMPTY, EPERM,
};
use crate::time::realtime_ns;
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicUsize, Ordering};
use spin::Mutex;

/// Largest regular file tmpfs accepts (keeps one process from eating the heap).
const MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;
/// Bytes all tmpfs files may hold together: file data lives in the kernel heap, which
/// the kernel's own objects need too. Past it, writes fail with ENOSPC.
const TOTAL_LIMIT: usize = 80 * 1024 * 1024;
static TOTAL_BYTES: AtomicUsize = AtomicUsize::new(0);

/// What a node costs besides its data (the node, its name, the directory entry).
const NODE_COST: usize = 512;

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

enum Content {
    Dir(BTreeMap<String, Arc<dyn Inode>>),
    File(Vec<u8>),
    /// A FIFO: the name leads to this pipe (see ipc::fifo).
    Fifo(Arc<crate::ipc::pipe::Pipe>),
}

pub struct TmpNode {
    meta: Mutex<Metadata>,
    content: Mutex<Content>,
}

impl TmpNode {
    fn new(mode: u32, uid: u32, gid: u32) -> SysResult<Arc<TmpNode>> {
        let content = match mode & S_IFMT {
            S_IFDIR => Content::Dir(BTreeMap::new()),
            S_IFREG => Content::File(Vec::new()),
            S_IFIFO => Content::Fifo(crate::ipc::pipe::Pipe::new()),
            _ => return Err(EPERM),
        };
        charge(NODE_COST)?;
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
        Ok(Arc::new(TmpNode {
            meta: Mutex::new(meta),
            content: Mutex::new(content),
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
            Content::Dir(entries) => entries.get(name).cloned().ok_or(ENOENT),
            _ => Err(ENOTDIR),
        }
    }

    fn create(&self, name: &str, mode: u32, uid: u32, gid: u32) -> SysResult<Arc<dyn Inode>> {
        let node = {
            let mut content = self.content.lock();
            let Content::Dir(entries) = &mut *content else {
                return Err(ENOTDIR);
            };
            if entries.contains_key(name) {
                return Err(EEXIST);
            }
            let node: Arc<dyn Inode> = TmpNode::new(mode, uid, gid)?;
            entries.insert(name.to_string(), node.clone());
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
        let Content::Dir(entries) = &mut *content else {
            return Err(ENOTDIR);
        };
        let is_dir = node.metadata().is_dir();
        if !is_dir {
            node.adjust_links(1);
        }
        entries.insert(name.to_string(), node);
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
        let Content::Dir(entries) = &mut *content else {
            return Err(ENOTDIR);
        };
        let node = entries.remove(name).ok_or(ENOENT)?;
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

    fn unlink(&self, name: &str, dir: bool) -> SysResult<()> {
        let mut content = self.content.lock();
        let Content::Dir(entries) = &mut *content else {
            return Err(ENOTDIR);
        };
        let node = entries.get(name).ok_or(ENOENT)?;
        let meta = node.metadata();
        match (dir, meta.is_dir()) {
            (true, false) => return Err(ENOTDIR),
            (false, true) => return Err(EISDIR),
            (true, true) if !node.readdir()?.is_empty() => return Err(ENOTEMPTY),
            _ => {}
        }
        if !dir {
            node.adjust_links(-1);
        }
        entries.remove(name);
        drop(content);
        if dir {
            self.meta.lock().nlink -= 1;
        }
        self.touch_mtime();
        Ok(())
    }

    fn readdir(&self) -> SysResult<Vec<DirEntry>> {
        match &*self.content.lock() {
            Content::Dir(entries) => Ok(entries
                .iter()
                .map(|(name, node)| {
                    let m = node.metadata();
                    DirEntry {
                        name: name.clone(),
                        ino: m.ino,
                        file_type: m.file_type(),
                    }
                })
                .collect()),
            _ => Err(ENOTDIR),
        }
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
        TOTAL_BYTES.fetch_sub(NODE_COST + data, Ordering::Relaxed);
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
