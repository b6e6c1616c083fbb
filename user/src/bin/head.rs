//! `head [-n N] [FILE...]`: print the first N lines (default 10) of each FILE or of
//! standard input (`-`). `-N` is accepted as the old spelling of `-n N`. With more
//! than one file, each is introduced by a `==> NAME <==` header, as in GNU head.

use std::io::{BufRead, BufReader, BufWriter, Write};

fn main() {
    rill_user::reset_sigpipe();
    let (count, mut files) = rill_user::parse_line_count(&rill_user::args());
    let count: usize = match count {
        None => 10,
        Some(n) => n.parse().unwrap_or_else(|_| {
            eprintln!("head: invalid number of lines: '{n}'");
            std::process::exit(1);
        }),
    };
    if files.is_empty() {
        files.push("-".to_string());
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut status = 0;
    for (i, file) in files.iter().enumerate() {
        let input = match rill_user::open_input(file) {
            Ok(input) => input,
            Err(e) => {
                rill_user::report("head", file, &e);
                status = 1;
                continue;
            }
        };
        if files.len() > 1 {
            let sep = if i > 0 { "\n" } else { "" };
            let name = if file == "-" { "standard input" } else { file };
            let _ = writeln!(out, "{sep}==> {name} <==");
        }
        let mut reader = BufReader::new(input);
        let mut line = Vec::new();
        for _ in 0..count {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) => break,
                Ok(_) => {
                    if out.write_all(&line).is_err() {
                        std::process::exit(1);
                    }
                }
                Err(e) => {
                    rill_user::report("head", file, &e);
                    status = 1;
                    break;
                }
            }
        }
    }
    if out.flush().is_err() {
        std::process::exit(1);
    }
    std::process::exit(status);
}
