//! `rm [-rf] PATH...`: remove files. -r also removes directories with everything
//! in them (symlinks are removed, never followed); -f ignores paths that do not
//! exist and never reports them.

use std::fs;
use std::io::ErrorKind;

fn main() {
    let (flags, paths) = rill_user::parse_flags("rm", &rill_user::args(), "rfR");
    let recursive = flags.has('r') || flags.has('R');
    let force = flags.has('f');
    if paths.is_empty() && !force {
        eprintln!("rm: missing operand");
        std::process::exit(2);
    }
    let mut status = 0;
    for path in &paths {
        let result = fs::symlink_metadata(path).and_then(|meta| {
            if !meta.is_dir() {
                fs::remove_file(path)
            } else if recursive {
                fs::remove_dir_all(path)
            } else {
                Err(std::io::Error::from_raw_os_error(libc::EISDIR))
            }
        });
        match result {
            Ok(()) => {}
            Err(e) if force && e.kind() == ErrorKind::NotFound => {}
            Err(e) => {
                rill_user::report("rm", path, &e);
                status = 1;
            }
        }
    }
    std::process::exit(status);
}
