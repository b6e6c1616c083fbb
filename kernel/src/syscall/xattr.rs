//! Extended attributes, as far as Rill has them: its file systems keep none, so a file's
//! list is empty and any one attribute is absent (ENODATA), as on a Linux tmpfs where none
//! were set. `ls -l` asks for the list of every file it shows (a '+' marks ACLs).

use super::fs::{file, user_path};
use crate::errno::*;
use crate::fs::path::{self, resolve_at};
use crate::mm::uaccess::read_cstr;
use linux_raw_sys::general::XATTR_NAME_MAX;

/// Which file an xattr call names: a path (followed or not) or a descriptor.
pub enum Target {
    Path { addr: usize, follow: bool },
    Fd(i32),
}

/// Checks that `target` names a file; the errors are the lookup's (ENOENT, EBADF, ...).
fn check_target(target: Target) -> SysResult<()> {
    match target {
        Target::Path { addr, follow } => {
            let text = user_path(addr)?;
            let p = resolve_at(path::AT_FDCWD, &text)?;
            if follow {
                path::lookup(&p)?;
            } else {
                path::lookup_link(&p)?;
            }
        }
        Target::Fd(fd) => {
            file(fd)?;
        }
    }
    Ok(())
}

/// listxattr, llistxattr, flistxattr: the names list is empty, whatever the buffer size.
pub fn listxattr(target: Target) -> SysResult {
    check_target(target)?;
    Ok(0)
}

/// getxattr, lgetxattr, fgetxattr: a name of 1 to 255 bytes (else ERANGE, as Linux) is
/// never there.
pub fn getxattr(target: Target, name: usize) -> SysResult {
    let max = XATTR_NAME_MAX as usize;
    let name = read_cstr(name, max).map_err(|e| if e == ENAMETOOLONG { ERANGE } else { e })?;
    if name.is_empty() {
        return Err(ERANGE);
    }
    check_target(target)?;
    Err(ENODATA)
}
