//! `cat [FILE...]`: copy each FILE (or standard input, also named `-`) to standard
//! output. A file that cannot be read is reported and skipped; the exit status is
//! then 1. `-u` (unbuffered) is accepted and ignored: output is never held back.

use rill_user::CopyError;
use std::io::Write;

fn main() {
    rill_user::reset_sigpipe();
    let (_, mut files) = rill_user::parse_flags("cat", &rill_user::args(), "u");
    if files.is_empty() {
        files.push("-".to_string());
    }
    let mut out = std::io::stdout().lock();
    let mut status = 0;
    for file in &files {
        let mut input = match rill_user::open_input(file) {
            Ok(input) => input,
            Err(e) => {
                rill_user::report("cat", file, &e);
                status = 1;
                continue;
            }
        };
        match rill_user::copy_all(&mut input, &mut out)
            .and_then(|_| out.flush().map_err(CopyError::Write))
        {
            Ok(()) => {}
            Err(CopyError::Read(e)) => {
                rill_user::report("cat", file, &e);
                status = 1;
            }
            Err(CopyError::Write(e)) => {
                rill_user::report("cat", "write error", &e);
                std::process::exit(1);
            }
        }
    }
    std::process::exit(status);
}
