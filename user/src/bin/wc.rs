//! `wc [-lwc] [FILE...]`: count newlines, words and bytes in each FILE or in
//! standard input (`-`), plus a `total` line when there are several files.
//! With no flag all three counts are shown.
//!
//! The column width follows GNU coreutils, so output matches it byte for byte:
//! a single count of a single input is printed unpadded; otherwise the width is
//! the number of digits of the inputs' total size as given by stat, and at least
//! 7 if any input is not a regular file (a pipe or terminal has no known size).

use std::io::{self, Read};
use std::os::fd::AsFd;

/// Counts for one input (or the total).
#[derive(Default, Clone, Copy)]
struct Counts {
    lines: u64,
    words: u64,
    bytes: u64,
}

fn main() {
    rill_user::reset_sigpipe();
    let (flags, operands) = rill_user::parse_flags("wc", &rill_user::args(), "lwc");
    let mut show = [flags.has('l'), flags.has('w'), flags.has('c')];
    if show == [false; 3] {
        show = [true; 3];
    }
    // With no operand, read standard input and print no name.
    let named = !operands.is_empty();
    let files = if named {
        operands
    } else {
        vec!["-".to_string()]
    };
    let width = column_width(&files, show.iter().filter(|s| **s).count());

    let mut total = Counts::default();
    let mut status = 0;
    for file in &files {
        let counts = rill_user::open_input(file).and_then(count);
        match counts {
            Ok(c) => {
                total.lines += c.lines;
                total.words += c.words;
                total.bytes += c.bytes;
                print_counts(c, show, width, named.then_some(file.as_str()));
            }
            Err(e) => {
                rill_user::report("wc", file, &e);
                status = 1;
            }
        }
    }
    if files.len() > 1 {
        print_counts(total, show, width, Some("total"));
    }
    std::process::exit(status);
}

/// Counts lines, words (runs of non-space bytes) and bytes of one input.
fn count(mut input: Box<dyn Read>) -> io::Result<Counts> {
    let mut c = Counts::default();
    let mut in_word = false;
    let mut buf = [0u8; 8192];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => return Ok(c),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        c.bytes += n as u64;
        for &b in &buf[..n] {
            if b == b'\n' {
                c.lines += 1;
            }
            // C's isspace in the "C" locale: space, \t, \n, \v, \f, \r.
            let space = b == b' ' || (b'\t'..=b'\r').contains(&b);
            if !space && !in_word {
                c.words += 1;
            }
            in_word = !space;
        }
    }
}

/// The width of each number column (see the file comment for the rule).
fn column_width(files: &[String], shown: usize) -> usize {
    if files.len() == 1 && shown == 1 {
        return 1;
    }
    let mut min_width = 1;
    let mut total_size = 0u64;
    for (i, file) in files.iter().enumerate() {
        let meta = if file == "-" {
            // fstat of our own fd 0, through a duplicate we can own and drop.
            io::stdin()
                .as_fd()
                .try_clone_to_owned()
                .and_then(|fd| std::fs::File::from(fd).metadata())
        } else {
            std::fs::metadata(file)
        };
        match meta {
            Ok(m) if m.is_file() => total_size += m.len(),
            Ok(_) => min_width = 7,
            // GNU gives up on sizing when the first operand cannot be examined.
            Err(_) if i == 0 => return 1,
            Err(_) => {}
        }
    }
    total_size.to_string().len().max(min_width)
}

fn print_counts(c: Counts, show: [bool; 3], width: usize, name: Option<&str>) {
    let values = [c.lines, c.words, c.bytes];
    let mut fields: Vec<String> = (0..3)
        .filter(|&i| show[i])
        .map(|i| format!("{:>width$}", values[i]))
        .collect();
    if let Some(name) = name {
        fields.push(name.to_string());
    }
    println!("{}", fields.join(" "));
}
