//! The inode interface: what every node in the file tree (tmpfs files and directories,
//! devices, /proc entries, FIFOs) provides, and the permission rule they share.

use super::file::File;
use crate::errno::{SysResult, EACCES, ENOTDIR, EPERM};
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};

pub const S_IFMT: u32 = linux_raw_sys::general::S_IFMT;
pub const S_IFREG: u32 = linux_raw_sys::general::S_IFREG;
pub const S_IFDIR: u32 = linux_raw_sys::general::S_IFDIR;
pub const S_IFCHR: u32 = linux_raw_sys::general::S_IFCHR;
pub const S_IFIFO: u32 = linux_raw_sys::general::S_IFIFO;

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
    pub rdev: u64,
    pub atime_ns: u64,
    pub mtime_ns: u64,
    pub ctime_ns: u64,
}

impl Metadata {
    pub fn file_type(&self) -> u32 {
        self.mode & S_IFMT
    }
    pub fn is_dir(&self) -> bool {
        self.file_type() == S_IFDIR
    }
}

/// A directory entry as getdents64 reports it.
pub struct DirEntry {
    pub name: String,
    pub ino: u64,
    pub file_type: u32,
}

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

    /// Creates a child (regular file, directory or FIFO as `mode`'s type says).
    fn create(&self, _name: &str, _mode: u32, _uid: u32, _gid: u32) -> SysResult<Arc<dyn Inode>> {
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

    fn readdir(&self) -> SysResult<Vec<DirEntry>> {
        Err(ENOTDIR)
    }

    /// Sets the size of a regular file.
    fn truncate(&self, _len: u64) -> SysResult<()> {
        Err(crate::errno::EINVAL)
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
