//! Calls on a file's attributes: the stat family, statfs, access checks, chmod, chown,
//! times, size by path, and the creation mask.

use super::fs::{access, creds, file, user_path, writable_fs};
use crate::errno::*;
use crate::fs::path::{self, resolve_at};
use crate::fs::vfs::{Inode, Metadata, Want};
use crate::mm::uaccess::{read_val, write_val};
use crate::task::current_process;
use alloc::sync::Arc;
use linux_raw_sys::general as g;

fn stat_of(m: &Metadata) -> g::stat {
    let mut st: g::stat = crate::mm::uaccess::zeroed();
    st.st_dev = 1;
    st.st_ino = m.ino;
    st.st_mode = m.mode;
    st.st_nlink = m.nlink;
    st.st_uid = m.uid;
    st.st_gid = m.gid;
    st.st_rdev = m.rdev;
    st.st_size = m.size as i64;
    st.st_blksize = 4096;
    st.st_blocks = m.blocks as i64;
    st.st_atime = (m.atime_ns / 1_000_000_000) as i64;
    st.st_atime_nsec = m.atime_ns % 1_000_000_000;
    st.st_mtime = (m.mtime_ns / 1_000_000_000) as i64;
    st.st_mtime_nsec = m.mtime_ns % 1_000_000_000;
    st.st_ctime = (m.ctime_ns / 1_000_000_000) as i64;
    st.st_ctime_nsec = m.ctime_ns % 1_000_000_000;
    st
}

pub fn fstat(fd: i32, buf: usize) -> SysResult {
    let f = file(fd)?;
    let meta = f
        .inode
        .as_ref()
        .map_or_else(|| f.file.metadata(), |i| i.metadata());
    write_val(buf, &stat_of(&meta))?;
    Ok(0)
}

pub fn newfstatat(dirfd: i32, path_addr: usize, buf: usize, flags: u32) -> SysResult {
    let m = stat_target(dirfd, path_addr, flags)?;
    write_val(buf, &stat_of(&m))?;
    Ok(0)
}

/// The metadata a *stat call names: a path relative to `dirfd`, or with AT_EMPTY_PATH
/// and an empty path, `dirfd` itself.
fn stat_target(dirfd: i32, path_addr: usize, flags: u32) -> SysResult<Metadata> {
    let p = user_path(path_addr)?;
    if p.is_empty() && flags & g::AT_EMPTY_PATH != 0 {
        if dirfd == path::AT_FDCWD {
            return Ok(crate::task::current_fs().cwd.lock().metadata());
        }
        let f = file(dirfd)?;
        return Ok(f
            .inode
            .as_ref()
            .map_or_else(|| f.file.metadata(), |i| i.metadata()));
    }
    let p = resolve_at(dirfd, &p)?;
    // lstat: a link itself (only /proc/PID/exe is one).
    let node = if flags & g::AT_SYMLINK_NOFOLLOW != 0 {
        path::lookup_link(&p)?
    } else {
        path::lookup(&p)?
    };
    Ok(node.metadata())
}

pub fn statx(dirfd: i32, path_addr: usize, flags: u32, _mask: u32, buf: usize) -> SysResult {
    let m = stat_target(dirfd, path_addr, flags)?;
    let ts = |ns: u64| g::statx_timestamp {
        tv_sec: (ns / 1_000_000_000) as i64,
        tv_nsec: (ns % 1_000_000_000) as u32,
        __reserved: 0,
    };
    let mut st: g::statx = crate::mm::uaccess::zeroed();
    st.stx_mask = g::STATX_BASIC_STATS;
    st.stx_blksize = 4096;
    st.stx_nlink = m.nlink;
    st.stx_uid = m.uid;
    st.stx_gid = m.gid;
    st.stx_mode = m.mode as u16;
    st.stx_ino = m.ino;
    st.stx_size = m.size;
    st.stx_blocks = m.blocks;
    st.stx_atime = ts(m.atime_ns);
    st.stx_btime = ts(m.ctime_ns);
    st.stx_ctime = ts(m.ctime_ns);
    st.stx_mtime = ts(m.mtime_ns);
    st.stx_rdev_major = (m.rdev >> 8) as u32;
    st.stx_rdev_minor = (m.rdev & 0xff) as u32;
    st.stx_dev_minor = 1;
    write_val(buf, &st)?;
    Ok(0)
}

pub fn faccessat(dirfd: i32, path_addr: usize, mode: u32, _flags: u32) -> SysResult {
    let text = user_path(path_addr)?;
    let node = path::lookup(&resolve_at(dirfd, &text)?)?;
    if mode & !7 != 0 {
        return Err(EINVAL);
    }
    let want = Want {
        read: mode & 4 != 0,
        write: mode & 2 != 0,
        exec: mode & 1 != 0,
    };
    let meta = node.metadata();
    if want.write && matches!(meta.file_type(), g::S_IFREG | g::S_IFDIR) {
        writable_fs(&node)?;
    }
    access(&meta, want)?;
    Ok(0)
}

pub fn truncate(path_addr: usize, len: i64) -> SysResult {
    let text = user_path(path_addr)?;
    let node = path::lookup(&resolve_at(path::AT_FDCWD, &text)?)?;
    let len = u64::try_from(len).map_err(|_| EINVAL)?;
    // vfs_truncate's order: the type, the mount, then permission.
    let meta = node.metadata();
    if meta.is_dir() {
        return Err(EISDIR);
    }
    if meta.file_type() != g::S_IFREG {
        return Err(EINVAL);
    }
    writable_fs(&node)?;
    access(&meta, Want::WRITE)?;
    node.truncate(len)?;
    Ok(0)
}

pub fn fchmod(fd: i32, mode: u32) -> SysResult {
    let f = file(fd)?;
    let node = f.inode.as_ref().ok_or(EBADF)?;
    chmod(node, mode)
}

/// chmod: only the owner or root may change the mode.
fn chmod(node: &Arc<dyn Inode>, mode: u32) -> SysResult {
    writable_fs(node)?;
    let (uid, _) = creds();
    if uid != 0 && uid != node.metadata().uid {
        return Err(EPERM);
    }
    node.set_mode(mode)?;
    Ok(0)
}

/// chown with Linux's rules (chown_ok, chgrp_ok): only root changes the owner; the
/// owner may change the group to its own (effective) group. -1 leaves a field as it is.
/// A regular file loses its set-user-ID bit, and its set-group-ID bit if group-executable,
/// whoever changes it (notify_change's ATTR_KILL_SUID/SGID).
fn chown(node: &Arc<dyn Inode>, uid: u32, gid: u32) -> SysResult {
    writable_fs(node)?;
    let c = *current_process().creds.lock();
    let m = node.metadata();
    let privileged = c.euid == 0;
    if uid != u32::MAX && !privileged && !(c.euid == m.uid && uid == m.uid) {
        return Err(EPERM);
    }
    if gid != u32::MAX && !privileged && !(c.euid == m.uid && (gid == m.gid || gid == c.egid)) {
        return Err(EPERM);
    }
    let new_uid = if uid == u32::MAX { m.uid } else { uid };
    let new_gid = if gid == u32::MAX { m.gid } else { gid };
    node.set_owner(new_uid, new_gid)?;
    if !m.is_dir() {
        let mut mode = m.mode & 0o7777 & !g::S_ISUID;
        if mode & g::S_IXGRP != 0 {
            mode &= !g::S_ISGID;
        }
        if mode != m.mode & 0o7777 {
            node.set_mode(mode)?;
        }
    }
    Ok(0)
}

pub fn fchown(fd: i32, uid: u32, gid: u32) -> SysResult {
    let f = file(fd)?;
    let node = f.inode.as_ref().ok_or(EBADF)?;
    chown(node, uid, gid)
}

pub fn fchownat(dirfd: i32, path_addr: usize, uid: u32, gid: u32, flags: u32) -> SysResult {
    if flags & !(g::AT_SYMLINK_NOFOLLOW | g::AT_EMPTY_PATH) != 0 {
        return Err(EINVAL);
    }
    chown(&target(dirfd, path_addr, flags)?, uid, gid)
}

/// statfs's block size and name length for every Rill file system.
const FS_BLOCK: i64 = 4096;
/// `f_flags`' ST_VALID (include/linux/statfs.h; linux-raw-sys has no ST_* flags).
const ST_VALID: i64 = 0x20;
/// The mqueue file system's magic number (include/uapi/linux/magic.h; not in
/// linux-raw-sys).
const MQUEUE_MAGIC: i64 = 0x1980_0202;

fn statfs_of(node: &Arc<dyn Inode>) -> g::statfs {
    let mut st: g::statfs = crate::mm::uaccess::zeroed();
    st.f_bsize = FS_BLOCK;
    st.f_frsize = FS_BLOCK;
    st.f_namelen = crate::fs::vfs::NAME_MAX as i64;
    st.f_flags = ST_VALID;
    match crate::fs::tmpfs::instance(node.fs_id()) {
        Some(fs) => {
            let (blocks, free, files, ffree) = fs.usage();
            st.f_type = g::TMPFS_MAGIC as i64;
            st.f_blocks = blocks as i64;
            st.f_bfree = free as i64;
            st.f_bavail = free as i64;
            st.f_files = files as i64;
            st.f_ffree = ffree as i64;
        }
        None if node.fs_id() == crate::fs::procfs::FS_ID => {
            st.f_type = g::PROC_SUPER_MAGIC as i64;
        }
        None => st.f_type = MQUEUE_MAGIC,
    }
    st
}

pub fn statfs(path_addr: usize, buf: usize) -> SysResult {
    let node = target(path::AT_FDCWD, path_addr, 0)?;
    write_val(buf, &statfs_of(&node))?;
    Ok(0)
}

pub fn fstatfs(fd: i32, buf: usize) -> SysResult {
    let f = file(fd)?;
    // A pipe or other anonymous file: Linux reports its pseudo file system; the root's
    // numbers stand in for it here.
    let node = f.inode.clone().unwrap_or_else(crate::fs::root);
    write_val(buf, &statfs_of(&node))?;
    Ok(0)
}

/// The node a call names by `dirfd` and path (AT_EMPTY_PATH: `dirfd` itself; Rill's
/// only link, /proc/PID/exe, itself with AT_SYMLINK_NOFOLLOW).
fn target(dirfd: i32, path_addr: usize, flags: u32) -> SysResult<Arc<dyn Inode>> {
    let p = user_path(path_addr)?;
    if p.is_empty() && flags & g::AT_EMPTY_PATH != 0 {
        if dirfd == path::AT_FDCWD {
            return Ok(crate::task::current_fs().cwd.lock().clone());
        }
        return file(dirfd)?.inode.clone().ok_or(EBADF);
    }
    let p = resolve_at(dirfd, &p)?;
    if flags & g::AT_SYMLINK_NOFOLLOW != 0 {
        path::lookup_link(&p)
    } else {
        path::lookup(&p)
    }
}

pub fn fchmodat(dirfd: i32, path_addr: usize, mode: u32) -> SysResult {
    let text = user_path(path_addr)?;
    let node = path::lookup(&resolve_at(dirfd, &text)?)?;
    chmod(&node, mode)
}

pub fn utimensat(dirfd: i32, path_addr: usize, times: usize, flags: u32) -> SysResult {
    let node = if path_addr == 0 {
        // Linux's futimens(fd) form: a NULL path means `dirfd` itself.
        file(dirfd)?.inode.clone().ok_or(EBADF)?
    } else {
        let m_path = user_path(path_addr)?;
        if m_path.is_empty() && flags & g::AT_EMPTY_PATH != 0 {
            file(dirfd)?.inode.clone().ok_or(EBADF)?
        } else {
            path::lookup(&resolve_at(dirfd, &m_path)?)?
        }
    };
    let now = crate::time::realtime_ns();
    let (atime, mtime) = if times == 0 {
        (Some(now), Some(now))
    } else {
        let pick = |ts: g::timespec| -> SysResult<Option<u64>> {
            match ts.tv_nsec as u64 {
                n if n == g::UTIME_NOW as u64 => Ok(Some(now)),
                n if n == g::UTIME_OMIT as u64 => Ok(None),
                _ => super::time::timespec_ns(&ts).map(Some),
            }
        };
        let size = core::mem::size_of::<g::timespec>();
        (pick(read_val(times)?)?, pick(read_val(times + size)?)?)
    };
    writable_fs(&node)?;
    let meta = node.metadata();
    let (uid, _) = creds();
    // Setting explicit times needs ownership; "now" needs only write access.
    let explicit = times != 0;
    if uid != 0 && uid != meta.uid && (explicit || access(&meta, Want::WRITE).is_err()) {
        return Err(if explicit { EPERM } else { EACCES });
    }
    node.set_times(atime, mtime)?;
    Ok(0)
}

pub fn umask(mask: u32) -> SysResult {
    Ok(crate::task::current_fs()
        .umask
        .swap(mask & 0o777, core::sync::atomic::Ordering::Relaxed) as usize)
}
