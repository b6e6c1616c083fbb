//! tmpfs: files and directories that live in kernel memory. The whole root file system
//! is one; other node kinds (devices, /proc, FIFOs) are entered into its directories.

use super::file::File;
use super::vfs::{
    alloc_ino, DirEntry, DirLink, Inode, Metadata, Parent, FIRST_ENTRY_POS, NAME_MAX, S_IFDIR,
    S_IFIFO, S_IFLNK, S_IFMT, S_IFREG,
};
use crate::arch::spinlock::Mutex;
use crate::errno::{
    Errno, SysResult, EEXIST, EFBIG, EINVAL, EISDIR, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR,
    ENOTEMPTY, ENXIO, EOPNOTSUPP, EPERM,
};
use crate::mm::object::{FileName, MemObject, ObjectKind};
use crate::mm::uaccess::{InBuf, OutBuf};
use crate::time::realtime_ns;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::sync::{Arc, Weak};
use core::sync::atomic::Ordering;

mod instance;
use instance::ROOT_FS_ID;
pub use instance::{instance, Tmpfs, SHM_FS_ID};

/// Largest file size, Linux's MAX_LFS_FILESIZE: a write or truncate past it is EFBIG.
pub const MAX_FILE_SIZE: u64 = i64::MAX as u64;

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
        crate::mm::heap::release_if_empty(&mut self.by_name);
        crate::mm::heap::release_if_empty(&mut self.by_pos);
        Some(node)
    }
}

/// Heap a new entry may take besides its name: the node and its Arc, the name's Arc,
/// and B-tree nodes (a generous bound; a directory's first entry takes two leaves).
pub const ENTRY_HEAP_COST: usize = 2048;

enum Content {
    Dir(Dir),
    /// A regular file: its bytes are the object's pages.
    File(Arc<MemObject>),
    /// A FIFO: the name leads to this pipe (see ipc::fifo).
    Fifo(Arc<crate::ipc::pipe::Pipe>),
    /// A device node or a socket's name: Rill has no driver or socket behind it.
    Special,
    /// A symbolic link and its target.
    Symlink(Arc<str>),
}

pub struct TmpNode {
    /// This node, for the parent links of the directories created in it.
    this: Weak<TmpNode>,
    /// The instance the node belongs to.
    fs: Arc<Tmpfs>,
    meta: Mutex<Metadata>,
    content: Mutex<Content>,
    /// A directory's parent (unused for other nodes).
    link: DirLink,
    /// A regular file's name, for /proc/PID/maps.
    name: Option<Arc<FileIdent>>,
}

/// Where a regular file was last entered (its directory and name there) and whether it
/// has been unlinked: what /proc/PID/maps shows. The file's object holds it too, so a
/// mapping of an unlinked, closed file still names it.
struct FileIdent {
    ino: u64,
    link: DirLink,
    deleted: core::sync::atomic::AtomicBool,
}

impl TmpNode {
    fn new(fs: &Arc<Tmpfs>, mode: u32, uid: u32, gid: u32) -> SysResult<Arc<TmpNode>> {
        let content = match mode & S_IFMT {
            S_IFDIR => Content::Dir(Dir::new()),
            S_IFREG => Content::File(MemObject::with_budget(
                ObjectKind::File,
                0,
                Some(fs.page_budget()),
            )?),
            S_IFIFO => Content::Fifo(crate::ipc::pipe::Pipe::new()),
            linux_raw_sys::general::S_IFCHR
            | linux_raw_sys::general::S_IFBLK
            | linux_raw_sys::general::S_IFSOCK => Content::Special,
            S_IFLNK => Content::Symlink(Arc::from("")),
            _ => return Err(EPERM),
        };
        fs.charge_node()?;
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
        let name = match &content {
            Content::File(object) => {
                let ident = Arc::new(FileIdent {
                    ino: meta.ino,
                    link: DirLink::new(),
                    deleted: false.into(),
                });
                object.set_file(ident.clone());
                Some(ident)
            }
            _ => None,
        };
        Ok(Arc::new_cyclic(|this| TmpNode {
            this: this.clone(),
            fs: fs.clone(),
            meta: Mutex::new(meta),
            content: Mutex::new(content),
            link: DirLink::new(),
            name,
        }))
    }

    /// The root directory of a new tmpfs instance with file system id `fs_id` and
    /// permission bits `mode`; the instance, for its size and statfs.
    pub fn new_root(fs_id: u32, mode: u32) -> (Arc<dyn Inode>, Arc<Tmpfs>) {
        let fs = Tmpfs::new(fs_id);
        match TmpNode::new(&fs, S_IFDIR | mode, 0, 0) {
            Ok(n) => (n, fs),
            Err(_) => unreachable!("a directory node is always creatable"),
        }
    }

    /// The root directory of `fs`, a new instance for mount(2).
    pub fn new_root_in(
        fs: &Arc<Tmpfs>,
        mode: u32,
        uid: u32,
        gid: u32,
    ) -> SysResult<Arc<dyn Inode>> {
        Ok(TmpNode::new(fs, S_IFDIR | mode, uid, gid)?)
    }

    /// The root file system's root directory.
    pub fn new_root_fs() -> (Arc<dyn Inode>, Arc<Tmpfs>) {
        Self::new_root(ROOT_FS_ID, 0o755)
    }

    /// The data object of a regular file.
    fn object(&self) -> Option<Arc<MemObject>> {
        match &*self.content.lock() {
            Content::File(object) => Some(object.clone()),
            _ => None,
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

impl TmpNode {
    /// Makes a node of type `mode` under `name`; `link` is a symbolic link's target.
    fn create_entry(
        &self,
        name: &str,
        mode: u32,
        uid: u32,
        gid: u32,
        link: Option<&str>,
    ) -> SysResult<Arc<dyn Inode>> {
        self.fs.check_writable()?;
        let node = {
            let mut content = self.content.lock();
            let Content::Dir(dir) = &mut *content else {
                return Err(ENOTDIR);
            };
            dir.check_insert(name)?;
            let link_len = link.map_or(0, str::len);
            crate::mm::heap::reserve(name.len() + link_len + ENTRY_HEAP_COST)?;
            let node = TmpNode::new(&self.fs, mode, uid, gid)?;
            if let Some(target) = link {
                *node.content.lock() = Content::Symlink(Arc::from(target));
                node.meta.lock().size = link_len as u64;
            }
            let node: Arc<dyn Inode> = node;
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
}

impl Inode for TmpNode {
    fn metadata(&self) -> Metadata {
        let mut m = *self.meta.lock();
        if let Content::File(object) = &*self.content.lock() {
            m.size = object.size();
            m.blocks = object.resident_pages() as u64 * 8;
        }
        m
    }

    fn fs_id(&self) -> u32 {
        self.fs.id()
    }

    fn read_only(&self) -> bool {
        self.fs.is_read_only()
    }

    fn allocate(&self, mode: u32, offset: u64, len: u64) -> SysResult<()> {
        let keep_size = mode & linux_raw_sys::general::FALLOC_FL_KEEP_SIZE != 0;
        let punch = mode & linux_raw_sys::general::FALLOC_FL_PUNCH_HOLE != 0;
        // shmem_fallocate: tmpfs does plain allocation and hole punching.
        if mode
            & !(linux_raw_sys::general::FALLOC_FL_KEEP_SIZE
                | linux_raw_sys::general::FALLOC_FL_PUNCH_HOLE)
            != 0
        {
            return Err(EOPNOTSUPP);
        }
        let object = self.object().ok_or(crate::errno::ENODEV)?;
        if punch {
            object.punch_hole(offset, len)?;
        } else {
            object.allocate(offset, len, keep_size)?;
        }
        self.touch_mtime();
        Ok(())
    }

    fn mem_object(&self) -> Option<Arc<MemObject>> {
        self.object()
    }

    fn set_rdev(&self, rdev: u64) {
        self.meta.lock().rdev = rdev;
    }

    fn set_owner(&self, uid: u32, gid: u32) -> SysResult<()> {
        let mut m = self.meta.lock();
        (m.uid, m.gid) = (uid, gid);
        m.ctime_ns = realtime_ns();
        Ok(())
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
            // Linux: a device number with no driver, or a socket's name, is ENXIO.
            Content::Special => return Err(ENXIO),
            // Lookups follow links; a link itself opens only with O_PATH (not in Rill).
            Content::Symlink(_) => return Err(ELOOP),
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
        if let Some(name) = &self.name {
            name.link.set(parent);
        } else if self.meta.lock().is_dir() {
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
        self.create_entry(name, mode, uid, gid, None)
    }

    fn symlink(&self, name: &str, target: &str, uid: u32, gid: u32) -> SysResult<()> {
        self.create_entry(name, S_IFLNK | 0o777, uid, gid, Some(target))
            .map(|_| ())
    }

    fn readlink(&self) -> Option<SysResult<String>> {
        match &*self.content.lock() {
            Content::Symlink(target) => Some(Ok(String::from(&**target))),
            _ => None,
        }
    }

    fn link(&self, name: &str, node: Arc<dyn Inode>) -> SysResult<()> {
        self.fs.check_writable()?;
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
        self.fs.check_writable()?;
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
        if let Some(name) = &self.name {
            name.deleted.store(m.nlink == 0, Ordering::Relaxed);
        }
    }

    fn unlink(&self, name: &str, rmdir: bool) -> SysResult<()> {
        self.fs.check_writable()?;
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
        self.fs.check_writable()?;
        let object = match &*self.content.lock() {
            Content::File(object) => object.clone(),
            Content::Dir(_) => return Err(EISDIR),
            Content::Fifo(_) | Content::Special | Content::Symlink(_) => return Err(EINVAL),
        };
        object.truncate(len)?;
        self.touch_mtime();
        Ok(())
    }
}

impl FileName for FileIdent {
    fn dev_ino(&self) -> (u32, u32, u64) {
        // stat's st_dev of every Rill file is 1.
        (0, 1, self.ino)
    }

    fn path(&self, out: &mut String) -> Result<(), Errno> {
        let deleted = self.deleted.load(Ordering::Relaxed);
        match self.link.get() {
            Some(parent) => {
                let dir = super::path::dir_path(&parent.dir)?;
                if dir != "/" {
                    out.push_str(&dir);
                }
                out.push('/');
                out.push_str(&parent.name);
            }
            None => out.push('/'),
        }
        if deleted {
            out.push_str(" (deleted)");
        }
        Ok(())
    }
}

impl Drop for TmpNode {
    fn drop(&mut self) {
        self.fs.release_node();
    }
}

/// An open tmpfs file or directory.
struct TmpHandle {
    node: Arc<TmpNode>,
}

impl File for TmpHandle {
    fn read(&self, pos: u64, buf: &mut dyn OutBuf, _nonblock: bool) -> SysResult<usize> {
        let object = self.node.object().ok_or(EISDIR)?;
        object.read(pos, buf)
    }

    fn write(&self, pos: u64, buf: &dyn InBuf, _nonblock: bool) -> SysResult<usize> {
        let object = self.node.object().ok_or(EISDIR)?;
        if buf.len() == 0 {
            return Ok(0);
        }
        // Linux's generic_write_check_limits: at the limit EFBIG, else a short write.
        if pos >= MAX_FILE_SIZE {
            return Err(EFBIG);
        }
        let len = (buf.len() as u64).min(MAX_FILE_SIZE - pos) as usize;
        let n = object.write(pos, &Prefix(buf, len))?;
        self.node.touch_mtime();
        Ok(n)
    }

    fn seekable(&self) -> bool {
        true
    }

    fn metadata(&self) -> Metadata {
        self.node.metadata()
    }
}

/// The first `.1` bytes of a source buffer.
struct Prefix<'a>(&'a dyn InBuf, usize);

impl InBuf for Prefix<'_> {
    fn len(&self) -> usize {
        self.1
    }

    fn read_at(&self, offset: usize, dst: &mut [u8]) -> SysResult<()> {
        let n = dst.len().min(self.1.saturating_sub(offset));
        self.0.read_at(offset, &mut dst[..n])
    }

    fn read_upto(&self, offset: usize, dst: &mut [u8]) -> SysResult<usize> {
        let n = dst.len().min(self.1.saturating_sub(offset));
        self.0.read_upto(offset, &mut dst[..n])
    }
}
