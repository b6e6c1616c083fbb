//! Path lookup. Rill has no symbolic links, so a path is made absolute by joining it
//! to the starting directory and walked from the root. `.` and `..` are resolved during
//! the walk (so `file/..` is ENOTDIR and `missing/..` is ENOENT, as on Linux), and the
//! normalised text form names the result (cwd, /proc). Every directory passed through
//! must grant search (x) permission.

use super::vfs::{check_access, Inode, Want};
use crate::errno::{SysResult, EBADF, ENAMETOOLONG, ENOENT, ENOTDIR};
use crate::task::current_process;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

pub const PATH_MAX: usize = 4096;
const NAME_MAX: usize = 255;
pub const AT_FDCWD: i32 = linux_raw_sys::general::AT_FDCWD;

/// A path made absolute: the components as written (after the start directory's),
/// their normalised form, and whether a trailing slash asked for a directory.
pub struct AbsPath {
    /// Normalised: no `.` or `..`.
    pub components: Vec<String>,
    /// As written, absolute, `.` and `..` kept for the walk.
    raw: Vec<String>,
    pub must_be_dir: bool,
}

impl core::fmt::Display for AbsPath {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.components.is_empty() {
            return f.write_str("/");
        }
        for c in &self.components {
            write!(f, "/{c}")?;
        }
        Ok(())
    }
}

impl AbsPath {
    /// The last component as written (None for "/").
    pub fn name(&self) -> Option<&str> {
        self.raw.last().map(|s| s.as_str())
    }

    /// Whether the last component is `.` or `..` (which cannot be created or removed).
    pub fn ends_in_dot(&self) -> Option<&str> {
        self.name().filter(|n| *n == "." || *n == "..")
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
    let mut raw: Vec<String> = Vec::new();
    let start = if path.starts_with('/') { "" } else { base };
    for part in start.split('/').chain(path.split('/')) {
        if part.is_empty() {
            continue;
        }
        if part.len() > NAME_MAX {
            return Err(ENAMETOOLONG);
        }
        raw.push(String::from(part));
        match part {
            "." => {}
            ".." => {
                components.pop();
            }
            name => components.push(String::from(name)),
        }
    }
    Ok(AbsPath {
        components,
        raw,
        must_be_dir: path.ends_with('/'),
    })
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

/// Walks `names` from the root; `..` returns to the directory the walk came from.
fn walk(names: &[String]) -> SysResult<Arc<dyn Inode>> {
    let mut stack: Vec<Arc<dyn Inode>> = alloc::vec![super::root()];
    for name in names {
        let node = stack.last().cloned().ok_or(ENOENT)?;
        match name.as_str() {
            "." | ".." => {
                if !node.metadata().is_dir() {
                    return Err(ENOTDIR);
                }
                if name == ".." && stack.len() > 1 {
                    stack.pop();
                }
            }
            _ => stack.push(search(&node, name)?),
        }
    }
    stack.pop().ok_or(ENOENT)
}

/// The node a path names.
pub fn lookup(path: &AbsPath) -> SysResult<Arc<dyn Inode>> {
    let node = walk(&path.raw)?;
    if path.must_be_dir && !node.metadata().is_dir() {
        return Err(ENOTDIR);
    }
    Ok(node)
}

/// The directory holding the last component, for creating or removing it.
pub fn lookup_parent(path: &AbsPath) -> SysResult<Arc<dyn Inode>> {
    let node = walk(&path.raw[..path.raw.len().saturating_sub(1)])?;
    if !node.metadata().is_dir() {
        return Err(ENOTDIR);
    }
    Ok(node)
}
