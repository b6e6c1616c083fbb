//! Path lookup. Rill has no symbolic links, so a path can be made absolute and have
//! its `.` and `..` components removed as text before walking from the root; every
//! directory passed through must grant search (x) permission.

use super::vfs::{check_access, Inode, Want};
use crate::syscall::errno::{SysResult, EBADF, ENAMETOOLONG, ENOENT, ENOTDIR};
use crate::task::current_process;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

pub const PATH_MAX: usize = 4096;
const NAME_MAX: usize = 255;
pub const AT_FDCWD: i32 = linux_raw_sys::general::AT_FDCWD;

/// A path made absolute and normalised, remembering whether it named a directory
/// explicitly (a trailing slash).
pub struct AbsPath {
    pub components: Vec<String>,
    pub must_be_dir: bool,
}

impl AbsPath {
    pub fn to_string(&self) -> String {
        if self.components.is_empty() {
            return String::from("/");
        }
        let mut s = String::new();
        for c in &self.components {
            s.push('/');
            s.push_str(c);
        }
        s
    }

    /// The last component (None for "/").
    pub fn name(&self) -> Option<&str> {
        self.components.last().map(|s| s.as_str())
    }
}

/// Makes `path` absolute relative to `base` (itself absolute).
pub fn normalize(base: &str, path: &str) -> SysResult<AbsPath> {
    if path.is_empty() {
        return Err(ENOENT);
    }
    if path.len() >= PATH_MAX {
        return Err(ENAMETOOLONG);
    }
    let mut components: Vec<String> = Vec::new();
    let start = if path.starts_with('/') { "" } else { base };
    for part in start.split('/').chain(path.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                components.pop();
            }
            name => {
                if name.len() > NAME_MAX {
                    return Err(ENAMETOOLONG);
                }
                components.push(String::from(name));
            }
        }
    }
    Ok(AbsPath { components, must_be_dir: path.ends_with('/') })
}

/// The absolute path for a `*at()` call: relative paths start at `dirfd`, which is
/// AT_FDCWD or a descriptor of a directory.
pub fn resolve_at(dirfd: i32, path: &str) -> SysResult<AbsPath> {
    let proc = current_process();
    if path.starts_with('/') {
        return normalize("/", path);
    }
    if dirfd == AT_FDCWD {
        let cwd = proc.cwd.lock().clone();
        return normalize(&cwd, path);
    }
    let file = proc.fds.lock().get(dirfd).map_err(|_| EBADF)?;
    if path.is_empty() {
        return Err(ENOENT);
    }
    let is_dir = file.inode.as_ref().is_some_and(|i| i.metadata().is_dir());
    if !is_dir {
        return Err(ENOTDIR);
    }
    normalize(&file.path, path)
}

fn search(dir: &Arc<dyn Inode>, name: &str) -> SysResult<Arc<dyn Inode>> {
    let meta = dir.metadata();
    if !meta.is_dir() {
        return Err(ENOTDIR);
    }
    let creds = *current_process().creds.lock();
    check_access(&meta, creds.euid, creds.egid, Want::EXEC)?;
    dir.lookup(name)
}

/// The node a path names.
pub fn lookup(path: &AbsPath) -> SysResult<Arc<dyn Inode>> {
    let mut node = super::root();
    for name in &path.components {
        node = search(&node, name)?;
    }
    if path.must_be_dir && !node.metadata().is_dir() {
        return Err(ENOTDIR);
    }
    Ok(node)
}

/// The directory holding the last component, for creating or removing it.
pub fn lookup_parent(path: &AbsPath) -> SysResult<Arc<dyn Inode>> {
    let mut node = super::root();
    let n = path.components.len();
    for name in path.components.iter().take(n.saturating_sub(1)) {
        node = search(&node, name)?;
    }
    if !node.metadata().is_dir() {
        return Err(ENOTDIR);
    }
    Ok(node)
}
