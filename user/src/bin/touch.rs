//! `touch FILE...`: set each FILE's access and modification times to now,
//! creating it empty if it does not exist.

use std::ffi::CString;
use std::fs::OpenOptions;
use std::io;

fn main() {
    let (_, files) = rill_user::parse_flags("touch", &rill_user::args(), "");
    if files.is_empty() {
        eprintln!("touch: missing file operand");
        std::process::exit(2);
    }
    let mut status = 0;
    for file in &files {
        if let Err(e) = touch(file) {
            rill_user::report("touch", file, &e);
            status = 1;
        }
    }
    std::process::exit(status);
}

fn touch(file: &str) -> io::Result<()> {
    let path = CString::new(file).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    // A null `times` pointer means "both times = now".
    // SAFETY: path is a valid C string; a null times pointer is allowed.
    let r = unsafe { libc::utimensat(libc::AT_FDCWD, path.as_ptr(), std::ptr::null(), 0) };
    if r == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    if err.kind() != io::ErrorKind::NotFound {
        return Err(err);
    }
    // Creating a file gives it the current times already.
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(file)
        .map(drop)
}
