//! A small line diff for test reports: unified format with 3 lines of context, computed
//! through the longest common subsequence. Outputs are short, so the quadratic table is fine;
//! past a size limit it shows both sides whole instead.

use std::fmt::Write;

const CONTEXT: usize = 3;
/// Largest table (lines × lines) computed; beyond it both texts are shown in full.
const MAX_CELLS: usize = 4_000_000;
/// Longest diff shown, in lines.
const MAX_LINES: usize = 300;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Same,
    Del,
    Add,
    /// Unchanged lines left out.
    Gap,
}

/// The diff from `old` to `new` with their names as headers, or "" if they are equal.
pub fn unified(old_name: &str, old: &[u8], new_name: &str, new: &[u8]) -> String {
    if old == new {
        return String::new();
    }
    let a = lines(old);
    let b = lines(new);
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    let mut shown = Vec::new();
    if a.len().saturating_mul(b.len()) > MAX_CELLS {
        shown.extend(a.iter().map(|l| (Op::Del, *l)));
        shown.extend(b.iter().map(|l| (Op::Add, *l)));
    } else {
        let ops = edit_script(&a, &b);
        let (mut i, mut j) = (0, 0);
        let mut last_shown = None;
        for (k, &(op, _, _)) in ops.iter().enumerate() {
            let near = |d: &(Op, usize, usize)| d.0 != Op::Same;
            let lo = k.saturating_sub(CONTEXT);
            let hi = (k + CONTEXT + 1).min(ops.len());
            if ops[lo..hi].iter().any(near) {
                if last_shown.is_some_and(|l| l + 1 != k) || (last_shown.is_none() && k > 0) {
                    shown.push((Op::Gap, b"".as_slice()));
                }
                let line = if op == Op::Add { b[j] } else { a[i] };
                shown.push((op, line));
                last_shown = Some(k);
            }
            match op {
                Op::Same => (i, j) = (i + 1, j + 1),
                Op::Del => i += 1,
                Op::Add => j += 1,
                Op::Gap => unreachable!("the edit script has no gaps"),
            }
        }
        if last_shown.is_some_and(|l| l + 1 != ops.len()) {
            shown.push((Op::Gap, b"".as_slice()));
        }
    }
    for (n, (op, line)) in shown.iter().enumerate() {
        if n == MAX_LINES {
            let _ = writeln!(out, "... ({} more lines)", shown.len() - n);
            break;
        }
        let mark = match op {
            Op::Gap => {
                out.push_str("...\n");
                continue;
            }
            Op::Same => ' ',
            Op::Del => '-',
            Op::Add => '+',
        };
        let _ = writeln!(out, "{mark}{}", show(line));
    }
    out
}

/// Splits into lines, each keeping its "\n" so a missing final newline is a difference.
fn lines(text: &[u8]) -> Vec<&[u8]> {
    text.split_inclusive(|&b| b == b'\n').collect()
}

/// The edit script as (op, index in a, index in b), from the LCS table.
fn edit_script(a: &[&[u8]], b: &[&[u8]]) -> Vec<(Op, usize, usize)> {
    let w = b.len() + 1;
    // lcs[i * w + j] = length of the LCS of a[i..] and b[j..].
    let mut lcs = vec![0u32; (a.len() + 1) * w];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i * w + j] = if a[i] == b[j] {
                lcs[(i + 1) * w + j + 1] + 1
            } else {
                lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut ops = Vec::new();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((Op::Same, i, j));
            (i, j) = (i + 1, j + 1);
        } else if j == b.len() || (i < a.len() && lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) {
            ops.push((Op::Del, i, j));
            i += 1;
        } else {
            ops.push((Op::Add, i, j));
            j += 1;
        }
    }
    ops
}

/// A line made printable: control characters and invalid UTF-8 escaped, and a marker when
/// the line has no final newline.
fn show(line: &[u8]) -> String {
    let (body, newline) = match line.strip_suffix(b"\n") {
        Some(body) => (body, true),
        None => (line, false),
    };
    let mut out = String::new();
    for chunk in body.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\t' => out.push('\t'),
                '\r' => out.push_str("\\r"),
                c if c.is_control() => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    if !newline {
        out.push_str("  (no newline at end)");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified("a", b"x\ny\n", "b", b"x\ny\n"), "");
    }

    #[test]
    fn changed_line_with_context() {
        let old = b"1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = b"1\n2\n3\n4\n5\nsix\n7\n8\n9\n";
        assert_eq!(
            unified("linux", old, "rill", new),
            "--- linux\n+++ rill\n...\n 3\n 4\n 5\n-6\n+six\n 7\n 8\n 9\n"
        );
    }

    #[test]
    fn additions_deletions_and_missing_newline() {
        assert_eq!(
            unified("a", b"x\ny\n", "b", b"x\n"),
            "--- a\n+++ b\n x\n-y\n"
        );
        assert_eq!(unified("a", b"", "b", b"new\n"), "--- a\n+++ b\n+new\n");
        assert_eq!(
            unified("a", b"x\n", "b", b"x"),
            "--- a\n+++ b\n-x\n+x  (no newline at end)\n"
        );
    }

    #[test]
    fn control_characters_are_visible() {
        assert_eq!(
            unified("a", b"x\n", "b", b"x\r\n\x01\xff\n"),
            "--- a\n+++ b\n-x\n+x\\r\n+\\x01\\xff\n"
        );
    }
}
