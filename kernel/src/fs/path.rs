//! Path lookup. A path is walked component by component from the node it starts at: the
//! root for an absolute path, else the cwd or a directory descriptor's node, so depth
//! costs nothing and a renamed directory is followed. `.` stays, `..` goes to the
//! directory's parent (at the root it stays); `file/..` is ENOTDIR and `missing/..`
//! ENOENT, as on Linux. Every directory a component is looked up in must grant search
//! (x) permission. Symbolic links (tmpfs links, /proc/PID/exe) are followed on the way,
//! at most 40 per lookup (then ELOOP); the last component's only if the call asks. A
//! directory with a file system mounted on it leads to that file system's root (whose
//! `..` is the mount point's parent).

use super::vfs::{check_access, Inode, Want, NAME_MAX, TREE_LOCK};
use crate::errno::{SysResult, EBADF, ELOOP, ENAMETOOLONG, ENOENT, ENOMEM, ENOTDIR};
use crate::task::current_process;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

/// Longest path including its NUL (Linux's PATH_MAX).
pub const PATH_MAX: usize = linux_raw_sys::general::PATH_MAX as usize;
pub const AT_FDCWD: i32 = linux_raw_sys::general::AT_FDCWD;

/// A path as written, with the directory a relative path starts from.
pub struct PathAt<'a> {
    start: Arc<dyn Inode>,
    text: &'a str,
}

impl<'a> PathAt<'a> {
    fn components(&self) -> impl DoubleEndedIterator<Item = &'a str> {
        self.text.split('/').filter(|c| !c.is_empty())
    }

    /// The last component as written (None for "/").
    pub fn name(&self) -> Option<&'a str> {
        self.components().next_back()
    }

    /// Whether the last component is `.` or `..` (which cannot be created or removed).
    pub fn ends_in_dot(&self) -> Option<&'a str> {
        self.name().filter(|n| *n == "." || *n == "..")
    }

    /// A trailing slash asks for a directory.
    pub fn must_be_dir(&self) -> bool {
        self.text.ends_with('/')
    }

    /// The absolute name of what the path names, for /proc/PID/exe: the directory's
    /// path and the last component (a link's target for a link).
    pub fn absolute_name(&self) -> SysResult<String> {
        let (dir, name) = lookup_parent(self)?;
        let dir = match name {
            None | Some(".") => dir,
            Some("..") => dir.parent().map_or(dir, |p| p.dir),
            Some(name) => {
                // /proc/PID/exe names what a link leads to (an absolute target).
                if let Ok(Some(Ok(target))) = dir.lookup(name).map(|n| n.readlink()) {
                    if target.starts_with('/') {
                        return Ok(target);
                    }
                }
                let mut path = dir_path(&dir)?;
                if path.len() + 1 + name.len() >= PATH_MAX {
                    return Err(ENAMETOOLONG);
                }
                if path != "/" {
                    path.push('/');
                }
                path.push_str(name);
                return Ok(path);
            }
        };
        dir_path(&dir)
    }
}

fn checked(text: &str) -> SysResult<&str> {
    if text.is_empty() {
        return Err(ENOENT);
    }
    if text.len() >= PATH_MAX {
        return Err(ENAMETOOLONG);
    }
    Ok(text)
}

/// An absolute path, walked from the root.
pub fn from_root(text: &str) -> SysResult<PathAt<'_>> {
    Ok(PathAt {
        start: super::root(),
        text: checked(text)?,
    })
}

/// The path of a `*at()` call: relative paths start at `dirfd`, which is AT_FDCWD or a
/// descriptor of a directory.
pub fn resolve_at(dirfd: i32, text: &str) -> SysResult<PathAt<'_>> {
    let text = checked(text)?;
    let start = if text.starts_with('/') {
        super::root()
    } else if dirfd == AT_FDCWD {
        crate::task::current_fs().cwd.lock().clone()
    } else {
        let file = crate::task::current_files()
            .lock()
            .get(dirfd)
            .map_err(|_| EBADF)?;
        match &file.inode {
            Some(node) if node.metadata().is_dir() => node.clone(),
            _ => return Err(ENOTDIR),
        }
    };
    Ok(PathAt { start, text })
}

/// One step of a walk: the component `name` of directory `dir`.
fn step(dir: &Arc<dyn Inode>, name: &str, uid: u32, gid: u32) -> SysResult<Arc<dyn Inode>> {
    let meta = dir.metadata();
    if !meta.is_dir() {
        return Err(ENOTDIR);
    }
    check_access(&meta, uid, gid, Want::EXEC)?;
    match name {
        "." => Ok(dir.clone()),
        ".." => Ok(dir.parent().map_or_else(|| dir.clone(), |p| p.dir)),
        _ if name.len() > NAME_MAX => Err(ENAMETOOLONG),
        // A mount point leads into what is mounted on it.
        _ => dir.lookup(name).map(super::mount::cross),
    }
}

/// Symbolic links one lookup follows at most (Linux's MAXSYMLINKS): past it, ELOOP.
const MAX_LINKS: u32 = 40;

/// Walks `names` from `start`, following the symbolic links met on the way: every link
/// that is not the last component, and the last one too if `follow_last`. A relative
/// target continues from the link's directory, an absolute one from the root. The
/// components of targets wait on a stack (only a walk that meets a link allocates).
fn walk<'a>(
    start: &Arc<dyn Inode>,
    names: impl Iterator<Item = &'a str>,
    follow_last: bool,
) -> SysResult<Arc<dyn Inode>> {
    let creds = *current_process().creds.lock();
    let mut names = names.peekable();
    let mut pending: Vec<String> = Vec::new();
    let mut links = 0;
    let mut node = start.clone();
    loop {
        let owned;
        let name: &str = match pending.pop() {
            Some(n) => {
                owned = n;
                &owned
            }
            None => match names.next() {
                Some(n) => n,
                None => break,
            },
        };
        let next = step(&node, name, creds.euid, creds.egid)?;
        let last = pending.is_empty() && names.peek().is_none();
        let target = match next.readlink() {
            Some(target) if !last || follow_last => target,
            _ => {
                node = next;
                continue;
            }
        };
        links += 1;
        if links > MAX_LINKS {
            return Err(ELOOP);
        }
        // A /proc/PID/fd link leads to the open node itself, not to its text.
        if let Some(open) = next.follow_link() {
            node = open;
            continue;
        }
        let target = target?;
        if target.starts_with('/') {
            node = super::root();
        }
        let count = target.split('/').filter(|c| !c.is_empty()).count();
        crate::mm::heap::reserve(target.len() + count * 32)?;
        pending.try_reserve(count).map_err(|_| ENOMEM)?;
        pending.extend(
            target
                .split('/')
                .filter(|c| !c.is_empty())
                .rev()
                .map(String::from),
        );
    }
    Ok(node)
}

/// The node a path names, a link itself when the path names one (readlink, lstat).
pub fn lookup_link(path: &PathAt) -> SysResult<Arc<dyn Inode>> {
    let node = walk(&path.start, path.components(), false)?;
    if path.must_be_dir() && !node.metadata().is_dir() {
        return Err(ENOTDIR);
    }
    Ok(node)
}

/// The node a path names, following links (the last component's too).
pub fn lookup(path: &PathAt) -> SysResult<Arc<dyn Inode>> {
    let node = walk(&path.start, path.components(), true)?;
    if path.must_be_dir() && !node.metadata().is_dir() {
        return Err(ENOTDIR);
    }
    Ok(node)
}

/// The directory holding the last component, and that component (None for "/"), for
/// creating or removing it.
pub fn lookup_parent<'a>(path: &PathAt<'a>) -> SysResult<(Arc<dyn Inode>, Option<&'a str>)> {
    let mut names = path.components();
    let last = names.next_back();
    let dir = walk(&path.start, names, true)?;
    if !dir.metadata().is_dir() {
        return Err(ENOTDIR);
    }
    Ok((dir, last))
}

/// The absolute path of directory `dir`, built from its parent links (getcwd):
/// ENOENT if it has been removed, ENAMETOOLONG if the path and its NUL pass PATH_MAX.
pub fn dir_path(dir: &Arc<dyn Inode>) -> SysResult<String> {
    crate::mm::heap::reserve(2 * PATH_MAX)?;
    // Built from the end, as the walk goes up.
    let mut buf: Vec<u8> = Vec::new();
    buf.try_reserve_exact(PATH_MAX).map_err(|_| ENOMEM)?;
    buf.resize(PATH_MAX, 0);
    let mut at = PATH_MAX - 1; // the NUL
    {
        let _tree = TREE_LOCK.lock();
        if dir.is_removed() {
            return Err(ENOENT);
        }
        let mut node = dir.clone();
        while let Some(parent) = node.parent() {
            let name = parent.name.as_bytes();
            at = at.checked_sub(name.len() + 1).ok_or(ENAMETOOLONG)?;
            buf[at] = b'/';
            buf[at + 1..at + 1 + name.len()].copy_from_slice(name);
            node = parent.dir;
        }
    }
    if at == PATH_MAX - 1 {
        return Ok(String::from("/"));
    }
    buf.truncate(PATH_MAX - 1);
    buf.drain(..at);
    String::from_utf8(buf).map_err(|_| crate::errno::EINVAL)
}
