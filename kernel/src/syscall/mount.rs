//! mount(2) and umount2(2): tmpfs instances mounted on directories (see fs::mount).

use super::fs::user_path;
use crate::errno::*;
use crate::fs::mount::{self, MountFlags, TmpfsOptions};
use crate::fs::path::{self, resolve_at, AT_FDCWD};
use crate::mm::uaccess::read_cstr;
use crate::task::current_process;
use linux_raw_sys::general as g;

/// mount(2)'s options are one page at most (copy_mount_options).
const OPTIONS_MAX: usize = crate::mm::PAGE_SIZE - 1;

/// The old magic number in the flags' top half, which Linux strips (MS_MGC_VAL).
const MS_MGC_MSK: usize = 0xffff_0000;
const MS_MGC_VAL: usize = 0xc0ed_0000;

fn optional_string(addr: usize, max: usize) -> SysResult<Option<alloc::string::String>> {
    if addr == 0 {
        return Ok(None);
    }
    read_cstr(addr, max).map(Some)
}

pub fn mount(source: usize, target: usize, fstype: usize, flags: usize, data: usize) -> SysResult {
    let flags = if flags & MS_MGC_MSK == MS_MGC_VAL {
        flags & !MS_MGC_MSK
    } else {
        flags
    } as u32;
    let source = optional_string(source, path::PATH_MAX)?;
    let fstype = optional_string(fstype, path::PATH_MAX)?;
    let data = optional_string(data, OPTIONS_MAX)?.unwrap_or_default();
    let target_text = user_path(target)?;
    // Linux finds the target first, then checks privilege (path_mount's may_mount).
    let node = path::lookup(&resolve_at(AT_FDCWD, &target_text)?)?;
    if current_process().creds.lock().euid != 0 {
        return Err(EPERM);
    }
    let options = || TmpfsOptions::parse(&data, crate::mm::frame::ram_pages());
    let ms_flags = MountFlags::from_ms(flags);
    if flags & g::MS_REMOUNT != 0 {
        if !mount::is_mount_root(&node) {
            return Err(EINVAL);
        }
        mount::remount(&node, ms_flags, options()?)?;
        return Ok(0);
    }
    // Rill has one mount namespace and nothing propagates: changing a mount's
    // propagation type is accepted as is.
    let propagation = g::MS_SHARED | g::MS_PRIVATE | g::MS_SLAVE | g::MS_UNBINDABLE;
    if flags & propagation != 0 {
        return if mount::is_mount_root(&node) {
            Ok(0)
        } else {
            Err(EINVAL)
        };
    }
    // Bind mounts and moving mounts are not implemented: no mount is changed.
    if flags & (g::MS_BIND | g::MS_MOVE) != 0 {
        return Err(EINVAL);
    }
    let fstype = fstype.ok_or(EINVAL)?;
    mount::check_type(&fstype)?;
    let options = options()?;
    let source = source.unwrap_or_else(|| alloc::string::String::from("none"));
    let creds = *current_process().creds.lock();
    let owner = (creds.euid, creds.egid);
    mount::mount_tmpfs(node, &source, ms_flags, options, owner)?;
    Ok(0)
}

pub fn umount2(target: usize, flags: u32) -> SysResult {
    let known = g::MNT_FORCE | g::MNT_DETACH | g::MNT_EXPIRE | g::UMOUNT_NOFOLLOW;
    if flags & !known != 0 {
        return Err(EINVAL);
    }
    // MNT_EXPIRE marks a mount for a later call; it goes with neither of these.
    if flags & g::MNT_EXPIRE != 0 && flags & (g::MNT_FORCE | g::MNT_DETACH) != 0 {
        return Err(EINVAL);
    }
    let text = user_path(target)?;
    let node = path::lookup(&resolve_at(AT_FDCWD, &text)?)?;
    if current_process().creds.lock().euid != 0 {
        return Err(EPERM);
    }
    // A mount is never unused here the first time MNT_EXPIRE asks (Linux's EAGAIN).
    if flags & g::MNT_EXPIRE != 0 {
        return if mount::is_mount_root(&node) {
            Err(EAGAIN)
        } else {
            Err(EINVAL)
        };
    }
    mount::umount(&node, flags & g::MNT_DETACH != 0)?;
    Ok(0)
}
