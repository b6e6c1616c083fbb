//! `#!` scripts, read as Linux's binfmt_script reads them: only the first
//! BINPRM_BUF_SIZE bytes count; the interpreter path may follow spaces or tabs, and
//! everything after it, trimmed, is one optional argument. A line longer than the buffer
//! is fine as long as the interpreter path ends inside it (the argument is cut short);
//! a path that might itself be cut short is ENOEXEC.

use crate::errno::{SysResult, ENOEXEC};
use alloc::vec::Vec;

/// How much of a file Linux reads to decide what it is (uapi linux/binfmts.h).
pub const BINPRM_BUF_SIZE: usize = 256;

/// A script's interpreter line.
pub struct Shebang {
    pub interpreter: Vec<u8>,
    pub arg: Option<Vec<u8>>,
}

fn space_or_tab(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// Where the interpreter path may end: a space, a tab or a NUL.
fn terminator(c: u8) -> bool {
    space_or_tab(c) || c == 0
}

/// The bytes of `buf` from `start` up to `end` or the first NUL before it.
fn c_string(buf: &[u8], start: usize, end: usize) -> Vec<u8> {
    let part = buf.get(start..end).unwrap_or(&[]);
    let len = part.iter().position(|&c| c == 0).unwrap_or(part.len());
    part[..len].to_vec()
}

/// The interpreter line of a file whose first bytes are `head` (zero-padded); None when
/// the file does not start with "#!".
pub fn parse(head: &[u8; BINPRM_BUF_SIZE]) -> SysResult<Option<Shebang>> {
    if !head.starts_with(b"#!") {
        return Ok(None);
    }
    let last = BINPRM_BUF_SIZE - 1;
    // The line ends at the newline; without one, at the last byte of the buffer, provided
    // the interpreter path is followed by a space, tab or NUL within it.
    let mut end = match head.iter().position(|&c| c == b'\n') {
        Some(newline) => newline,
        None => {
            let first = (2..=last)
                .find(|&i| !space_or_tab(head[i]))
                .ok_or(ENOEXEC)?;
            if !(first..=last).any(|i| terminator(head[i])) {
                return Err(ENOEXEC);
            }
            last
        }
    };
    while end > 2 && space_or_tab(head[end - 1]) {
        end -= 1;
    }
    let name = match (2..=end).find(|&i| !space_or_tab(head[i])) {
        Some(i) if i != end => i,
        _ => return Err(ENOEXEC),
    };
    let sep = (name..=end).find(|&i| terminator(head[i]));
    let arg = match sep {
        Some(s) if head[s] != 0 => (s..=end).find(|&i| !space_or_tab(head[i])),
        _ => None,
    };
    let name_end = match (arg, sep) {
        (Some(_), Some(s)) => s,
        _ => end,
    };
    Ok(Some(Shebang {
        interpreter: c_string(head, name, name_end),
        arg: arg.map(|a| c_string(head, a, end)),
    }))
}
