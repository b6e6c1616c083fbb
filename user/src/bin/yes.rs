//! `yes [STRING...]`: print STRING (default "y") forever, one per line, until the
//! reader of the output goes away (SIGPIPE) or a write fails.

use std::io::Write;

fn main() {
    rill_user::reset_sigpipe();
    let args = rill_user::args();
    let line = if args.is_empty() {
        "y".to_string()
    } else {
        args.join(" ")
    };
    // Fill a buffer with many copies so each write system call carries a lot of lines.
    let mut chunk = String::new();
    while chunk.len() < 4096 {
        chunk.push_str(&line);
        chunk.push('\n');
    }
    let mut out = std::io::stdout().lock();
    while out.write_all(chunk.as_bytes()).is_ok() {}
    std::process::exit(1);
}
