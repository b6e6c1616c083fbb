//! `seq [FIRST [INCREMENT]] LAST`: print the integers from FIRST (default 1) up to
//! LAST, stepping by INCREMENT (default 1, may be negative), one per line.

use std::io::{BufWriter, Write};

fn main() {
    rill_user::reset_sigpipe();
    let args = rill_user::args();
    let numbers: Vec<i64> = args
        .iter()
        .map(|a| {
            a.parse().unwrap_or_else(|_| {
                eprintln!("seq: invalid integer argument: '{a}'");
                std::process::exit(1);
            })
        })
        .collect();
    let (first, step, last) = match numbers[..] {
        [last] => (1, 1, last),
        [first, last] => (first, 1, last),
        [first, step, last] => (first, step, last),
        _ => {
            eprintln!("usage: seq [FIRST [INCREMENT]] LAST");
            std::process::exit(2);
        }
    };
    if step == 0 {
        eprintln!("seq: invalid Zero increment value: '0'");
        std::process::exit(1);
    }

    // Buffer the output: one write system call per line would be slow.
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut n = first;
    while (step > 0 && n <= last) || (step < 0 && n >= last) {
        if writeln!(out, "{n}").is_err() {
            std::process::exit(1);
        }
        match n.checked_add(step) {
            Some(next) => n = next,
            None => break,
        }
    }
    if out.flush().is_err() {
        std::process::exit(1);
    }
}
