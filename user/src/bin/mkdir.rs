//! `mkdir [-p] DIR...`: create directories. With -p, missing parent directories
//! are created too and an existing directory is not an error.

fn main() {
    let (flags, dirs) = rill_user::parse_flags("mkdir", &rill_user::args(), "p");
    if dirs.is_empty() {
        eprintln!("mkdir: missing operand");
        std::process::exit(2);
    }
    let mut status = 0;
    for dir in &dirs {
        let result = if flags.has('p') {
            std::fs::create_dir_all(dir)
        } else {
            std::fs::create_dir(dir)
        };
        if let Err(e) = result {
            rill_user::report("mkdir", dir, &e);
            status = 1;
        }
    }
    std::process::exit(status);
}
