//! `tail [-n N | -n +N] [FILE...]`: print the last N lines (default 10) of each
//! FILE or of standard input (`-`); with `+N`, print from line N to the end.
//! With more than one file, each is introduced by a `==> NAME <==` header.

use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, BufWriter, Write};

/// What part of each input to print.
#[derive(Clone, Copy)]
enum Range {
    /// The last N lines.
    Last(usize),
    /// Everything from line N (counting from 1) on.
    From(usize),
}

fn main() {
    rill_user::reset_sigpipe();
    let (count, mut files) = rill_user::parse_line_count(&rill_user::args());
    let range = match count.as_deref() {
        None => Range::Last(10),
        Some(n) => {
            let parsed = match n.strip_prefix('+') {
                Some(from) => from.parse().map(Range::From),
                None => n.parse().map(Range::Last),
            };
            parsed.unwrap_or_else(|_| {
                eprintln!("tail: invalid number of lines: '{n}'");
                std::process::exit(1);
            })
        }
    };
    if files.is_empty() {
        files.push("-".to_string());
    }

    let mut out = BufWriter::new(io::stdout().lock());
    let mut status = 0;
    for (i, file) in files.iter().enumerate() {
        let input = match rill_user::open_input(file) {
            Ok(input) => input,
            Err(e) => {
                rill_user::report("tail", file, &e);
                status = 1;
                continue;
            }
        };
        if files.len() > 1 {
            let sep = if i > 0 { "\n" } else { "" };
            let name = if file == "-" { "standard input" } else { file };
            let _ = writeln!(out, "{sep}==> {name} <==");
        }
        match select_lines(BufReader::new(input), range) {
            Ok(lines) => {
                for line in lines {
                    if out.write_all(&line).is_err() {
                        std::process::exit(1);
                    }
                }
            }
            Err(e) => {
                rill_user::report("tail", file, &e);
                status = 1;
            }
        }
    }
    if out.flush().is_err() {
        std::process::exit(1);
    }
    std::process::exit(status);
}

/// Reads the whole input and keeps the lines `range` asks for. For `Last(n)` only
/// the latest n lines are held in memory at any time.
fn select_lines(mut reader: impl BufRead, range: Range) -> io::Result<VecDeque<Vec<u8>>> {
    let mut kept = VecDeque::new();
    let mut number = 0;
    loop {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(kept);
        }
        number += 1;
        match range {
            Range::Last(n) => {
                if n == 0 {
                    continue;
                }
                if kept.len() == n {
                    kept.pop_front();
                }
                kept.push_back(line);
            }
            Range::From(first) => {
                if number >= first {
                    kept.push_back(line);
                }
            }
        }
    }
}
