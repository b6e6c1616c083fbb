//! `echo [-neE] [ARG...]`: print the arguments separated by spaces, then a newline.
//!
//! -n leaves out the trailing newline; -e interprets backslash escapes (\\ \a \b \c
//! \e \f \n \r \t \v and \0NNN in octal; \c stops all output); -E turns -e off.
//! As in GNU echo, an argument is an option only if it is all made of these letters.

use std::io::Write;

fn main() {
    rill_user::reset_sigpipe();
    let args = rill_user::args();
    let mut newline = true;
    let mut escapes = false;
    let mut first = 0;
    for arg in &args {
        let letters = arg.strip_prefix('-').unwrap_or("");
        if letters.is_empty() || !letters.chars().all(|c| "neE".contains(c)) {
            break;
        }
        for c in letters.chars() {
            match c {
                'n' => newline = false,
                'e' => escapes = true,
                _ => escapes = false,
            }
        }
        first += 1;
    }

    let mut out = Vec::new();
    for (i, arg) in args[first..].iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        if escapes {
            if unescape(arg.as_bytes(), &mut out) {
                newline = false;
                break;
            }
        } else {
            out.extend_from_slice(arg.as_bytes());
        }
    }
    if newline {
        out.push(b'\n');
    }
    let mut stdout = std::io::stdout();
    if stdout.write_all(&out).and_then(|_| stdout.flush()).is_err() {
        std::process::exit(1);
    }
}

/// Appends `arg` to `out` with its backslash escapes decoded. Returns true if a
/// `\c` was met, which means "stop printing here, newline included".
fn unescape(arg: &[u8], out: &mut Vec<u8>) -> bool {
    let mut i = 0;
    while i < arg.len() {
        let c = arg[i];
        i += 1;
        if c != b'\\' || i == arg.len() {
            out.push(c);
            continue;
        }
        let e = arg[i];
        i += 1;
        let decoded = match e {
            b'\\' => b'\\',
            b'a' => 0x07,
            b'b' => 0x08,
            b'c' => return true,
            b'e' => 0x1b,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'v' => 0x0b,
            b'0' => {
                // Up to three octal digits follow \0.
                let mut value: u8 = 0;
                let mut digits = 0;
                while digits < 3 && i < arg.len() && (b'0'..=b'7').contains(&arg[i]) {
                    value = value.wrapping_mul(8) + (arg[i] - b'0');
                    i += 1;
                    digits += 1;
                }
                value
            }
            other => {
                out.push(b'\\');
                other
            }
        };
        out.push(decoded);
    }
    false
}
