//! `grep [-vcniq] PATTERN [FILE...]`: print the lines of each FILE (or standard
//! input, `-`) that match PATTERN.
//!
//! -v selects non-matching lines, -c prints only a count, -n prefixes line numbers,
//! -i ignores case, -q prints nothing and stops at the first match. With several
//! files each output line starts with the file name. PATTERN uses the syntax of
//! the Rust `regex` crate, which is close to `grep -E` (extended regular expressions).
//! Exit status: 0 if a line was selected, 1 if none was, 2 on any error.

use regex::bytes::{Regex, RegexBuilder};
use std::io::{self, BufRead, BufReader, BufWriter, Write};

struct Options {
    invert: bool,
    count: bool,
    number: bool,
    quiet: bool,
    /// Prefix output lines with the file name (more than one file).
    names: bool,
}

fn main() {
    rill_user::reset_sigpipe();
    let (flags, operands) = rill_user::parse_flags("grep", &rill_user::args(), "vcniq");
    let Some((pattern, files)) = operands.split_first() else {
        eprintln!("usage: grep [-vcniq] PATTERN [FILE...]");
        std::process::exit(2);
    };
    // Byte-oriented matching, as grep does in the C locale: `.` is any byte and
    // -i folds ASCII letters only. (It also keeps the Unicode tables out of the
    // binary.)
    let regex = RegexBuilder::new(pattern)
        .unicode(false)
        .case_insensitive(flags.has('i'))
        .build()
        .unwrap_or_else(|e| {
            eprintln!("grep: {e}");
            std::process::exit(2);
        });
    let mut files = files.to_vec();
    if files.is_empty() {
        files.push("-".to_string());
    }
    let opts = Options {
        invert: flags.has('v'),
        count: flags.has('c'),
        number: flags.has('n'),
        quiet: flags.has('q'),
        names: files.len() > 1,
    };

    let mut out = BufWriter::new(io::stdout().lock());
    let mut selected_any = false;
    let mut error = false;
    for file in &files {
        let result = rill_user::open_input(file)
            .and_then(|input| search(&regex, BufReader::new(input), file, &opts, &mut out));
        match result {
            Ok(selected) => selected_any |= selected,
            Err(e) => {
                rill_user::report("grep", file, &e);
                error = true;
            }
        }
        if selected_any && opts.quiet {
            break;
        }
    }
    if out.flush().is_err() {
        error = true;
    }
    let status = match (selected_any, error) {
        (true, _) if opts.quiet => 0,
        (_, true) => 2,
        (true, false) => 0,
        (false, false) => 1,
    };
    std::process::exit(status);
}

/// Scans one input, writing what the options ask for. Returns whether any line
/// was selected.
fn search(
    regex: &Regex,
    mut input: impl BufRead,
    name: &str,
    opts: &Options,
    out: &mut impl Write,
) -> io::Result<bool> {
    let name = if name == "-" {
        "(standard input)"
    } else {
        name
    };
    let prefix = if opts.names {
        format!("{name}:")
    } else {
        String::new()
    };
    let mut line = Vec::new();
    let mut number = 0u64;
    let mut selected = 0u64;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        number += 1;
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        if regex.is_match(&line) == opts.invert {
            continue;
        }
        selected += 1;
        if opts.quiet {
            break;
        }
        if !opts.count {
            out.write_all(prefix.as_bytes())?;
            if opts.number {
                write!(out, "{number}:")?;
            }
            out.write_all(&line)?;
            out.write_all(b"\n")?;
        }
    }
    if opts.count && !opts.quiet {
        writeln!(out, "{prefix}{selected}")?;
    }
    Ok(selected > 0)
}
