//! `mkfifo [-m MODE] NAME...`: create named pipes (FIFOs) with mkfifo(3), mode
//! MODE in octal (default 0666, reduced by the umask as usual).

use std::ffi::CString;
use std::io;

fn main() {
    let args = rill_user::args();
    let mut mode: libc::mode_t = 0o666;
    let mut names = &args[..];
    if let [flag, value, rest @ ..] = names {
        if flag == "-m" {
            mode = libc::mode_t::from_str_radix(value, 8).unwrap_or_else(|_| {
                eprintln!("mkfifo: invalid mode '{value}'");
                std::process::exit(2);
            });
            names = rest;
        }
    }
    if names.is_empty() {
        eprintln!("usage: mkfifo [-m MODE] NAME...");
        std::process::exit(2);
    }
    let mut status = 0;
    for name in names {
        let path = CString::new(name.as_str()).expect("arguments never contain NUL");
        // SAFETY: path is a valid NUL-terminated string.
        if unsafe { libc::mkfifo(path.as_ptr(), mode) } != 0 {
            rill_user::report("mkfifo", name, &io::Error::last_os_error());
            status = 1;
        }
    }
    std::process::exit(status);
}
