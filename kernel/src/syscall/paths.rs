//! Calls that work on names and directories: open, mkdir, mknod, symlink, unlink,
//! rename, chdir, getcwd, getdents64, readlink. Paths are walked from the directory node they
//! start at (see fs::path), and every change to the tree holds `TREE_LOCK`.

use super::fs::{access, creds, file, user_path, writable_fs};
use crate::errno::*;
use crate::fs::file::OpenFile;
use crate::fs::path::{self, resolve_at, PathAt};
use crate::fs::vfs::{
    same_node, Inode, Metadata, Want, FIRST_ENTRY_POS, NAME_MAX, S_IFDIR, S_IFIFO, S_IFMT, S_IFREG,
    TREE_LOCK,
};
use crate::mm::uaccess::UserSliceMut;
use crate::task::current_process;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::Ordering;
use linux_raw_sys::general as g;

/// Rename across file systems (the root tmpfs and /proc).
const EXDEV: Errno = Errno(linux_raw_sys::errno::EXDEV);

/// Opens (and with O_CREAT creates) the node at `path`.
pub fn open_path(p: &PathAt, flags: u32, mode: u32) -> SysResult<Arc<OpenFile>> {
    let proc = current_process();
    // O_NOFOLLOW: a link as the last component is ELOOP.
    let found = if flags & g::O_NOFOLLOW != 0 {
        path::lookup_link(p).and_then(|n| match n.readlink() {
            Some(_) => Err(ELOOP),
            None => Ok(n),
        })
    } else {
        path::lookup(p)
    };
    let node = match found {
        Ok(node) => {
            if flags & g::O_CREAT != 0 && flags & g::O_EXCL != 0 {
                return Err(EEXIST);
            }
            node
        }
        Err(ENOENT) if flags & g::O_CREAT != 0 => {
            if p.must_be_dir() {
                return Err(EISDIR);
            }
            let (parent, name) = path::lookup_parent(p)?;
            let name = name.ok_or(EISDIR)?;
            // Linux's lookup_open: nothing is created in a removed directory.
            if parent.is_removed() {
                return Err(ENOENT);
            }
            // lookup_open: on a read-only mount, EROFS stands in for the permission check.
            writable_fs(&parent)?;
            access(&parent.metadata(), Want::DIR_CHANGE)?;
            let umask = crate::task::current_fs().umask();
            let (mode, uid, gid) =
                new_node_owner(&parent.metadata(), S_IFREG | (mode & 0o7777 & !umask));
            let created = {
                let _tree = TREE_LOCK.lock();
                parent.create(name, mode, uid, gid)
            };
            match created {
                Ok(node) => node,
                // Made by someone else since the lookup: open it.
                Err(EEXIST) if flags & g::O_EXCL == 0 => parent.lookup(name)?,
                Err(e) => return Err(e),
            }
        }
        Err(e) => return Err(e),
    };
    let meta = node.metadata();
    let accmode = flags & g::O_ACCMODE;
    if meta.is_dir() && (accmode != g::O_RDONLY || flags & g::O_CREAT != 0) {
        return Err(EISDIR);
    }
    if flags & g::O_DIRECTORY != 0 && !meta.is_dir() {
        return Err(ENOTDIR);
    }
    let want = Want {
        read: accmode == g::O_RDONLY || accmode == g::O_RDWR,
        write: accmode == g::O_WRONLY || accmode == g::O_RDWR || flags & g::O_TRUNC != 0,
        exec: false,
    };
    // sb_permission: files and directories of a read-only mount cannot be written.
    if want.write && matches!(meta.file_type(), S_IFREG | S_IFDIR) {
        writable_fs(&node)?;
    }
    access(&meta, want)?;
    if flags & g::O_TRUNC != 0 && meta.file_type() == S_IFREG && accmode != g::O_RDONLY {
        node.truncate(0)?;
    }
    let f = node.clone().open(flags)?;
    if flags & g::O_NOCTTY == 0 && proc.sid() == proc.pid {
        f.acquire_controlling(proc.pid);
    }
    let of = OpenFile::new(f, Some(node), flags);
    // A file's name, for /proc/PID/fd (a directory knows its own).
    if !meta.is_dir() {
        if let Ok((dir, Some(name))) = path::lookup_parent(p) {
            of.set_origin(crate::fs::vfs::Parent {
                dir,
                name: Arc::from(name),
            });
        }
    }
    Ok(of)
}

pub fn openat(dirfd: i32, path_addr: usize, flags: u32, mode: u32) -> SysResult {
    let text = user_path(path_addr)?;
    let f = open_path(&resolve_at(dirfd, &text)?, flags, mode)?;
    crate::task::current_files()
        .lock()
        .insert(f, flags & g::O_CLOEXEC != 0)
        .map(|fd| fd as usize)
}

pub fn mkdirat(dirfd: i32, path_addr: usize, mode: u32) -> SysResult {
    let text = user_path(path_addr)?;
    // mkdir takes the permission bits and the sticky bit; S_ISGID comes only from a
    // set-group-ID parent (Linux's vfs_mkdir).
    create_node(&resolve_at(dirfd, &text)?, S_IFDIR | (mode & 0o1777), 0)
}

/// The mode, owner and group of a node the caller creates in a directory with
/// metadata `dir` (Linux's inode_init_owner and mode_strip_sgid): in a set-group-ID
/// directory it takes the directory's group, and a directory keeps S_ISGID; a
/// set-group-ID executable file made there by someone outside that group, without
/// privilege, loses S_ISGID.
fn new_node_owner(dir: &Metadata, mut mode: u32) -> (u32, u32, u32) {
    let (uid, mut gid) = creds();
    if dir.mode & g::S_ISGID != 0 {
        gid = dir.gid;
        if mode & S_IFMT == S_IFDIR {
            mode |= g::S_ISGID;
        } else if mode & (g::S_ISGID | g::S_IXGRP) == g::S_ISGID | g::S_IXGRP
            && uid != 0
            && !in_group(dir.gid)
        {
            mode &= !g::S_ISGID;
        }
    }
    (mode, uid, gid)
}

/// Whether the caller is in group `gid` (its effective group or a supplementary one).
fn in_group(gid: u32) -> bool {
    let proc = current_process();
    let egid = proc.creds.lock().egid;
    egid == gid || proc.groups.lock().contains(&gid)
}

pub fn mknodat(dirfd: i32, path_addr: usize, mode: u32, dev: usize) -> SysResult {
    let text = user_path(path_addr)?;
    let p = resolve_at(dirfd, &text)?;
    match mode & S_IFMT {
        S_IFIFO | g::S_IFSOCK => create_node(&p, mode, 0),
        0 | S_IFREG => create_node(&p, S_IFREG | (mode & 0o7777), 0),
        // Device nodes need privilege (CAP_MKNOD: root); the device numbers are
        // recorded, and opening one finds no driver (ENXIO).
        g::S_IFCHR | g::S_IFBLK => {
            if current_process().creds.lock().euid != 0 {
                return Err(EPERM);
            }
            create_node(&p, mode, dev as u32 as u64)
        }
        // Linux (may_mknod): directories need mkdir; unknown types EINVAL.
        g::S_IFDIR => Err(EPERM),
        _ => Err(EINVAL),
    }
}

/// Creates the node `p` names; `rdev` is a device node's number (new_encode_dev).
fn create_node(p: &PathAt, mode: u32, rdev: u64) -> SysResult {
    let (parent, name) = creation_point(p, mode & S_IFMT == S_IFDIR)?;
    let umask = crate::task::current_fs().umask.load(Ordering::Relaxed);
    let (mode, uid, gid) = new_node_owner(
        &parent.metadata(),
        (mode & S_IFMT) | (mode & 0o7777 & !umask),
    );
    let _tree = TREE_LOCK.lock();
    let node = parent.create(name, mode, uid, gid)?;
    if rdev != 0 {
        node.set_rdev(rdev);
    }
    Ok(0)
}

/// symlinkat(2): a link `path` whose target is the text `target` (not looked at now).
pub fn symlinkat(target_addr: usize, dirfd: i32, path_addr: usize) -> SysResult {
    let target = user_path(target_addr)?;
    if target.is_empty() {
        return Err(ENOENT);
    }
    let text = user_path(path_addr)?;
    let p = resolve_at(dirfd, &text)?;
    let (parent, name) = creation_point(&p, false)?;
    let (_, uid, gid) = new_node_owner(&parent.metadata(), g::S_IFLNK | 0o777);
    let _tree = TREE_LOCK.lock();
    parent.symlink(name, &target, uid, gid)?;
    Ok(0)
}

/// Linux's filename_create and may_create for a new entry `p` (a directory if `dir`):
/// the directory to create it in and its name.
fn creation_point<'a>(p: &PathAt<'a>, dir: bool) -> SysResult<(Arc<dyn Inode>, &'a str)> {
    let (parent, name) = path::lookup_parent(p)?;
    let name = name.ok_or(EEXIST)?;
    if p.ends_in_dot().is_some() {
        return Err(EEXIST);
    }
    // Linux's filename_create: a removed directory is ENOENT, a long name ENAMETOOLONG.
    if parent.is_removed() {
        return Err(ENOENT);
    }
    if name.len() > NAME_MAX {
        return Err(ENAMETOOLONG);
    }
    if parent.lookup(name).is_ok() {
        return Err(EEXIST);
    }
    // "name/" asks for a directory: a new FIFO or file through it is ENOENT (Linux filename_create).
    if p.must_be_dir() && !dir {
        return Err(ENOENT);
    }
    writable_fs(&parent)?;
    access(&parent.metadata(), Want::DIR_CHANGE)?;
    Ok((parent, name))
}

pub fn unlinkat(dirfd: i32, path_addr: usize, flags: u32) -> SysResult {
    if flags & !g::AT_REMOVEDIR != 0 {
        return Err(EINVAL);
    }
    let rmdir = flags & g::AT_REMOVEDIR != 0;
    let text = user_path(path_addr)?;
    let p = resolve_at(dirfd, &text)?;
    let (parent, name) = path::lookup_parent(&p)?;
    let name = name.ok_or(EBUSY)?;
    if let Some(dot) = p.ends_in_dot() {
        return Err(match (rmdir, dot) {
            (false, _) => EISDIR,
            (true, ".") => EINVAL,
            _ => ENOTEMPTY,
        });
    }
    writable_fs(&parent)?;
    if name.len() > NAME_MAX {
        return Err(ENAMETOOLONG);
    }
    access(&parent.metadata(), Want::DIR_CHANGE)?;
    let _tree = TREE_LOCK.lock();
    // vfs_rmdir: a directory with something mounted on it stays.
    if rmdir
        && parent
            .lookup(name)
            .is_ok_and(|n| crate::fs::mount::is_mount_point(&n))
    {
        return Err(EBUSY);
    }
    parent.unlink(name, rmdir)?;
    Ok(0)
}

/// Whether `node` is `dir` or lies below it (parent links up to the root).
fn is_within(node: &Arc<dyn Inode>, dir: &Arc<dyn Inode>) -> bool {
    let mut cur = node.clone();
    loop {
        if same_node(&cur, dir) {
            return true;
        }
        match cur.parent() {
            Some(p) => cur = p.dir,
            None => return false,
        }
    }
}

pub fn renameat2(
    olddir: i32,
    old_addr: usize,
    newdir: i32,
    new_addr: usize,
    flags: u32,
) -> SysResult {
    if flags != 0 {
        return Err(EINVAL);
    }
    let (old_text, new_text) = (user_path(old_addr)?, user_path(new_addr)?);
    let old = resolve_at(olddir, &old_text)?;
    let new = resolve_at(newdir, &new_text)?;
    let (old_parent, old_name) = path::lookup_parent(&old)?;
    let (new_parent, new_name) = path::lookup_parent(&new)?;
    let (old_name, new_name) = (old_name.ok_or(EBUSY)?, new_name.ok_or(EBUSY)?);
    if old.ends_in_dot().is_some() || new.ends_in_dot().is_some() {
        return Err(EBUSY);
    }
    if old_name.len() > NAME_MAX || new_name.len() > NAME_MAX {
        return Err(ENAMETOOLONG);
    }
    if old_parent.fs_id() != new_parent.fs_id() {
        return Err(EXDEV);
    }
    writable_fs(&old_parent)?;
    // From here the tree holds still: what is checked is what gets moved.
    let _tree = TREE_LOCK.lock();
    let node = old_parent.lookup(old_name)?;
    // /proc is where another file system is entered (a mount point on Linux).
    if node.fs_id() != old_parent.fs_id() {
        return Err(EBUSY);
    }
    if new_parent.is_removed() {
        return Err(ENOENT);
    }
    let existing = new_parent.lookup(new_name).ok();
    let src_dir = node.metadata().is_dir();
    if !src_dir && (old.must_be_dir() || new.must_be_dir()) {
        return Err(ENOTDIR);
    }
    // A directory cannot move below itself; the target cannot be above the source.
    if src_dir && is_within(&new_parent, &node) {
        return Err(EINVAL);
    }
    if let Some(target) = &existing {
        if is_within(&old_parent, target) {
            return Err(ENOTEMPTY);
        }
        if same_node(target, &node) {
            return Ok(0);
        }
    }
    access(&old_parent.metadata(), Want::DIR_CHANGE)?;
    access(&new_parent.metadata(), Want::DIR_CHANGE)?;
    // vfs_rename: mount points do not move, nor are they replaced.
    let mounted = |n: &Arc<dyn Inode>| crate::fs::mount::is_mount_point(n);
    if mounted(&node) || existing.as_ref().is_some_and(mounted) {
        return Err(EBUSY);
    }
    if let Some(target) = existing {
        let dst_dir = target.metadata().is_dir();
        match (src_dir, dst_dir) {
            (true, false) => return Err(ENOTDIR),
            (false, true) => return Err(EISDIR),
            _ => new_parent.unlink(new_name, dst_dir)?,
        }
    }
    // The new entry's name and map slots; the move itself cannot fail after this.
    crate::mm::heap::reserve(new_name.len() + crate::fs::tmpfs::ENTRY_HEAP_COST)?;
    let node = old_parent.detach(old_name)?;
    if let Err(e) = new_parent.link(new_name, node.clone()) {
        // The checks above leave link nothing to refuse; should it all the same, the
        // node goes back rather than being lost.
        log::warn!("rename: link failed after detach: {e:?}");
        let _ = old_parent.link(old_name, node);
        return Err(e);
    }
    Ok(0)
}

pub fn readlinkat(dirfd: i32, path_addr: usize, buf: usize, size: usize) -> SysResult {
    let text = user_path(path_addr)?;
    let p = resolve_at(dirfd, &text)?;
    if size == 0 || size > isize::MAX as usize {
        return Err(EINVAL);
    }
    let out = UserSliceMut::new(buf, size)?;
    match crate::fs::procfs::readlink(&p) {
        Some(target) => {
            let target = target?;
            let n = target.len().min(size);
            out.write(0, &target.as_bytes()[..n])?;
            Ok(n)
        }
        None => {
            path::lookup_link(&p)?;
            Err(EINVAL)
        }
    }
}

pub fn getcwd(buf: usize, size: usize) -> SysResult {
    let cwd = crate::task::current_fs().cwd.lock().clone();
    let path = path::dir_path(&cwd)?;
    let len = path.len() + 1;
    if len > size {
        return Err(ERANGE);
    }
    let out = UserSliceMut::new(buf, len)?;
    out.write(0, path.as_bytes())?;
    out.write(path.len(), &[0])?;
    Ok(len)
}

fn set_cwd(node: Arc<dyn Inode>) -> SysResult {
    let meta = node.metadata();
    if !meta.is_dir() {
        return Err(ENOTDIR);
    }
    access(&meta, Want::EXEC)?;
    let old = core::mem::replace(&mut *crate::task::current_fs().cwd.lock(), node);
    // Released outside the lock: it may be the last hold on removed directories.
    drop(old);
    Ok(0)
}

pub fn chdir(path_addr: usize) -> SysResult {
    let text = user_path(path_addr)?;
    set_cwd(path::lookup(&resolve_at(path::AT_FDCWD, &text)?)?)
}

pub fn fchdir(fd: i32) -> SysResult {
    set_cwd(file(fd)?.inode.clone().ok_or(ENOTDIR)?)
}

/// getdents64 answers at most this much per call (it may always return less).
const GETDENTS_MAX: usize = 64 * 1024;

/// linux_dirent64 records being gathered for one getdents64 call.
struct Dirents {
    data: Vec<u8>,
    cap: usize,
    /// Where the next call resumes: the position after the last record taken.
    pos: u64,
    /// A record did not fit.
    full: bool,
}

impl Dirents {
    /// Adds a record; false (and nothing added) when it does not fit.
    fn push(&mut self, name: &str, ino: u64, file_type: u32, next: u64) -> bool {
        // d_ino, d_off, d_reclen, d_type, then the name and its NUL, padded to 8 bytes.
        let reclen = (19 + name.len() + 1 + 7) & !7;
        if self.data.len() + reclen > self.cap {
            self.full = true;
            return false;
        }
        let start = self.data.len();
        self.data.resize(start + reclen, 0);
        let rec = &mut self.data[start..];
        rec[0..8].copy_from_slice(&ino.to_ne_bytes());
        rec[8..16].copy_from_slice(&next.to_ne_bytes());
        rec[16..18].copy_from_slice(&(reclen as u16).to_ne_bytes());
        rec[18] = (file_type >> 12) as u8;
        rec[19..19 + name.len()].copy_from_slice(name.as_bytes());
        self.pos = next;
        true
    }
}

/// Reads entries from the directory's position on: "." at 0, ".." at 1, then the
/// entries from FIRST_ENTRY_POS, each d_off being where the next read resumes.
pub fn getdents64(fd: i32, buf: usize, len: usize) -> SysResult {
    let f = file(fd)?;
    let node = f.inode.clone().ok_or(ENOTDIR)?;
    let meta = node.metadata();
    if !meta.is_dir() {
        return Err(ENOTDIR);
    }
    if node.is_removed() {
        return Err(ENOENT);
    }
    let out = UserSliceMut::new(buf, len)?;
    let cap = len.min(GETDENTS_MAX);
    crate::mm::heap::reserve(cap)?;
    let mut pos = f.offset().lock();
    let mut d = Dirents {
        data: Vec::new(),
        cap,
        pos: *pos,
        full: false,
    };
    d.data.try_reserve_exact(cap).map_err(|_| ENOMEM)?;
    let mut more = true;
    if d.pos == 0 {
        more = d.push(".", meta.ino, S_IFDIR, 1);
    }
    if more && d.pos == 1 {
        let up = node.parent().map_or(meta.ino, |p| p.dir.metadata().ino);
        more = d.push("..", up, S_IFDIR, FIRST_ENTRY_POS);
    }
    if more {
        let from = d.pos.max(FIRST_ENTRY_POS);
        node.read_dir(from, &mut |e| d.push(e.name, e.ino, e.file_type, e.next))?;
    }
    if d.data.is_empty() && d.full {
        // Not even one record fits.
        return Err(EINVAL);
    }
    out.write(0, &d.data)?;
    *pos = d.pos;
    Ok(d.data.len())
}
