//! `mv SRC DST` or `mv SRC... DIR`: move (rename) files and directories.
//!
//! rename(2) only works within one file system; across file systems (EXDEV) a
//! regular file is copied and the original removed, as mv has always done.

use std::fs;

fn main() {
    let (_, operands) = rill_user::parse_flags("mv", &rill_user::args(), "");
    let mut status = 0;
    for (src, dst) in rill_user::source_targets("mv", &operands) {
        let moved = match fs::rename(&src, &dst) {
            Ok(()) => true,
            Err(e) if e.raw_os_error() == Some(libc::EXDEV) && is_file(&src) => {
                rill_user::copy_file("mv", &src, &dst) && remove(&src)
            }
            Err(e) => {
                rill_user::report("mv", &src, &e);
                false
            }
        };
        if !moved {
            status = 1;
        }
    }
    std::process::exit(status);
}

fn is_file(path: &str) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
}

fn remove(path: &str) -> bool {
    fs::remove_file(path)
        .map_err(|e| rill_user::report("mv", path, &e))
        .is_ok()
}
