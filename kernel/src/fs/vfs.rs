//! The inode interface: what every node in the file tree (tmpfs files and directories,
//! devices, /proc entries, FIFOs) provides, the parent links that make `..` and getcwd
//! work, and the permission rule they share.

use super::file::File;
use crate::arch::spinlock::Mutex;
use crate::errno::{SysResult, EACCES, EBUSY, ENOTDIR, EPERM};
use alloc::string::String;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering};

pub const S_IFMT: u32 = linux_raw_sys::general::S_IFMT;
pub const S_IFREG: u32 = linux_raw_sys::general::S_IFREG;
pub const S_IFDIR: u32 = linux_raw_sys::general::S_IFDIR;
pub const S_IFCHR: u32 = linux_raw_sys::general::S_IFCHR;
pub const S_IFIFO: u32 = linux_raw_sys::general::S_IFIFO;
pub const S_IFLNK: u32 = linux_raw_sys::general::S_IFLNK;

/// Longest name of one directory entry (Linux's NAME_MAX).
pub const NAME_MAX: usize = linux_raw_sys::general::NAME_MAX as usize;

/// Attributes of a node, as stat(2) reports them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Metadata {
    pub ino: u64,
    /// File type and permission bits (st_mode).
    pub mode: u32,
    pub nlink: u32,
    pub uid: u32,
    pub gid: u32,
    pub size: u64,
    /// 512-byte blocks held (st_blocks).
    pub blocks: u64,
    pub rdev: u64,
    pub atime_ns: u64,
    pub mtime_ns: u64,
    pub ctime_ns: u64,
}

impl Metadata {
    /// What an anonymous inode reports (Linux's anon_inodefs: signalfd, pidfd): mode
    /// 0600, no file type.
    pub fn anon_inode() -> Metadata {
        Metadata {
            mode: 0o600,
            nlink: 1,
            ..Default::default()
        }
    }

    pub fn file_type(&self) -> u32 {
        self.mode & S_IFMT
    }
    pub fn is_dir(&self) -> bool {
        self.file_type() == S_IFDIR
    }
}

/// A directory entry as getdents64 reports it.
pub struct DirEntry<'a> {
    pub name: &'a str,
    pub ino: u64,
    pub file_type: u32,
    /// The position just after this entry, where a later read resumes (d_off).
    pub next: u64,
}

/// Positions 0 and 1 of every directory are "." and ".."; its entries start here.
pub const FIRST_ENTRY_POS: u64 = 2;

/// Where a directory is entered: the directory its `..` leads to, and its name there.
#[derive(Clone)]
pub struct Parent {
    pub dir: Arc<dyn Inode>,
    pub name: Arc<str>,
}

/// A directory's own record of its parent. Directories cannot be hard-linked, so there
/// is one. A removed directory keeps it (`..` still leads where it was, as on Linux),
/// so removed directories held open can form a long chain; dropping one releases the
/// chain in a loop rather than by nested drops, which could overflow the kernel stack.
pub struct DirLink(Mutex<Option<Parent>>);

impl DirLink {
    pub const fn new() -> DirLink {
        DirLink(Mutex::new(None))
    }

    pub fn get(&self) -> Option<Parent> {
        self.0.lock().clone()
    }

    pub fn set(&self, parent: Parent) {
        // The old parent is released after the lock (it may be the last reference).
        let old = self.0.lock().replace(parent);
        drop(old);
    }

    /// The parent, taken out (see `Inode::take_parent`).
    pub fn take(&self) -> Option<Arc<dyn Inode>> {
        self.0.lock().take().map(|p| p.dir)
    }
}

impl Drop for DirLink {
    fn drop(&mut self) {
        let mut next = self.0.get_mut().take().map(|p| p.dir);
        while let Some(dir) = next {
            // Only the last reference frees the directory: take its own link first so
            // freeing it does not recurse. (If another holder lets go meanwhile, that
            // drop frees it and loops the same way, one level deeper.)
            if Arc::strong_count(&dir) != 1 {
                break;
            }
            next = dir.take_parent();
        }
    }
}

/// Whether two handles are the same node.
pub fn same_node(a: &Arc<dyn Inode>, b: &Arc<dyn Inode>) -> bool {
    core::ptr::addr_eq(Arc::as_ptr(a), Arc::as_ptr(b))
}

/// Held while the tree changes shape (entries created, removed or moved) and while a
/// path is built from parent links: a rename then checks and moves as one step, and
/// getcwd never sees a directory half-way through a move. Lookups do not take it.
pub static TREE_LOCK: Mutex<()> = Mutex::new(());

static NEXT_INO: AtomicU64 = AtomicU64::new(1);

pub fn alloc_ino() -> u64 {
    NEXT_INO.fetch_add(1, Ordering::Relaxed)
}

/// A node in the file tree. Directory operations default to ENOTDIR so that file kinds
/// implement only what applies to them.
pub trait Inode: Send + Sync {
    fn metadata(&self) -> Metadata;

    /// utimensat: set the access and/or modification time (nanoseconds since 1970).
    fn set_times(&self, _atime_ns: Option<u64>, _mtime_ns: Option<u64>) -> SysResult<()> {
        Err(EPERM)
    }

    /// chmod: replace the permission bits.
    fn set_mode(&self, _mode: u32) -> SysResult<()> {
        Err(EPERM)
    }

    /// Opens the node; the returned object serves read/write/ioctl/poll.
    fn open(self: Arc<Self>, flags: u32) -> SysResult<Arc<dyn File>>;

    fn lookup(&self, _name: &str) -> SysResult<Arc<dyn Inode>> {
        Err(ENOTDIR)
    }

    /// A directory's parent and its name there; None for the root, whose `..` is
    /// itself, and for nodes that are not directories.
    fn parent(&self) -> Option<Parent> {
        None
    }

    /// A directory is now entered in `parent` (creation, rename, mounting /proc).
    fn set_parent(&self, _parent: Parent) {}

    /// Takes the parent link out of a directory about to be freed (see `DirLink`).
    fn take_parent(&self) -> Option<Arc<dyn Inode>> {
        None
    }

    /// Whether the directory has been removed: nothing can be looked up or created in
    /// it, and getcwd in it is ENOENT.
    fn is_removed(&self) -> bool {
        false
    }

    /// The file system the node belongs to (the root tmpfs is 0, /proc 1): rename
    /// across file systems is EXDEV.
    fn fs_id(&self) -> u32 {
        0
    }

    /// The target of a symbolic link (a tmpfs link, /proc/PID/exe); None if the node is
    /// not a link.
    fn readlink(&self) -> Option<SysResult<String>> {
        None
    }

    /// What a /proc/PID/fd link stands for when it is followed: the node the descriptor
    /// was opened from, found even when its name is gone (Linux's magic links); None to
    /// follow the link's text.
    fn follow_link(&self) -> Option<Arc<dyn Inode>> {
        None
    }

    /// Creates a child (regular file, directory or FIFO as `mode`'s type says).
    fn create(&self, _name: &str, _mode: u32, _uid: u32, _gid: u32) -> SysResult<Arc<dyn Inode>> {
        Err(ENOTDIR)
    }

    /// Creates a symbolic link `name` to `target`.
    fn symlink(&self, _name: &str, _target: &str, _uid: u32, _gid: u32) -> SysResult<()> {
        Err(ENOTDIR)
    }

    /// Enters an existing node under `name` (rename's second half), replacing any
    /// entry of that name.
    fn link(&self, _name: &str, _node: Arc<dyn Inode>) -> SysResult<()> {
        Err(ENOTDIR)
    }

    /// Removes the entry `name` without the checks of `unlink` and returns its node
    /// (rename's first half: a directory moves with its contents).
    fn detach(&self, _name: &str) -> SysResult<Arc<dyn Inode>> {
        Err(ENOTDIR)
    }

    /// Another directory entry now names (`+1`) or no longer names (`-1`) this node.
    fn adjust_links(&self, _delta: i32) {}

    /// Removes the entry `name`; `dir` selects rmdir semantics.
    fn unlink(&self, _name: &str, _dir: bool) -> SysResult<()> {
        Err(ENOTDIR)
    }

    /// rmdir's part on the directory itself: ENOTEMPTY unless it is empty, else it is
    /// marked removed (its entry is then taken out by the parent). Directories that are
    /// not tmpfs ones (/proc) cannot be removed, as a mount point cannot on Linux.
    fn remove_dir(&self) -> SysResult<()> {
        Err(EBUSY)
    }

    /// Gives the entries from position `pos` (>= FIRST_ENTRY_POS) on to `emit`, in
    /// position order, until `emit` returns false. Positions stay with their entries:
    /// new entries come after all others, so a listing resumed from a position neither
    /// repeats nor skips entries that stay while others come and go.
    fn read_dir(&self, _pos: u64, _emit: &mut dyn FnMut(&DirEntry) -> bool) -> SysResult<()> {
        Err(ENOTDIR)
    }

    /// Sets the size of a regular file.
    fn truncate(&self, _len: u64) -> SysResult<()> {
        Err(crate::errno::EINVAL)
    }

    /// mknod: records a device node's number (st_rdev).
    fn set_rdev(&self, _rdev: u64) {}

    /// chown: sets the owner and group (the caller has checked the rules).
    fn set_owner(&self, _uid: u32, _gid: u32) -> SysResult<()> {
        Err(EPERM)
    }

    /// Whether the node's file system is mounted read-only (EROFS for changes).
    fn read_only(&self) -> bool {
        false
    }

    /// fallocate: allocates (or with FALLOC_FL_PUNCH_HOLE frees) the bytes of
    /// `[offset, offset + len)` of a regular file. The caller has checked the arguments.
    fn allocate(&self, _mode: u32, _offset: u64, _len: u64) -> SysResult<()> {
        Err(crate::errno::ENODEV)
    }

    /// The memory object holding a regular file's data, which mmap maps.
    fn mem_object(&self) -> Option<Arc<crate::mm::object::MemObject>> {
        None
    }
}

/// The access a permission check asks for (the r, w and x bits).
#[derive(Clone, Copy)]
pub struct Want {
    pub read: bool,
    pub write: bool,
    pub exec: bool,
}

impl Want {
    /// Adding or removing an entry of a directory: write and search permission.
    pub const DIR_CHANGE: Want = Want {
        read: false,
        write: true,
        exec: true,
    };
    pub const WRITE: Want = Want {
        read: false,
        write: true,
        exec: false,
    };
    pub const EXEC: Want = Want {
        read: false,
        write: false,
        exec: true,
    };
}

/// The classic Unix permission check (owner, group, other), with root's override:
/// root may read and write anything and search any directory, but executes a file
/// only if some execute bit is set.
pub fn check_access(meta: &Metadata, uid: u32, gid: u32, want: Want) -> SysResult<()> {
    if uid == 0 {
        if want.exec && !meta.is_dir() && meta.mode & 0o111 == 0 {
            return Err(EACCES);
        }
        return Ok(());
    }
    let bits = if meta.uid == uid {
        (meta.mode >> 6) & 7
    } else if meta.gid == gid {
        (meta.mode >> 3) & 7
    } else {
        meta.mode & 7
    };
    let ok = (!want.read || bits & 4 != 0)
        && (!want.write || bits & 2 != 0)
        && (!want.exec || bits & 1 != 0);
    if ok {
        Ok(())
    } else {
        Err(EACCES)
    }
}
