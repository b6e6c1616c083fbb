//! The kernel command line. Words are separated by blanks; `"` quotes a stretch that
//! may hold blanks, and `\` makes the next byte literal (the rule `xtask exec` uses to
//! pass a program's arguments). The words after a `--` word are init's arguments.

use alloc::string::String;
use alloc::vec::Vec;

/// Splits the command line into words.
pub fn split(cmdline: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Vec<u8> = Vec::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut bytes = cmdline.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'\\' => {
                if let Some(next) = bytes.next() {
                    word.push(next);
                }
                in_word = true;
            }
            b'"' => {
                quoted = !quoted;
                in_word = true;
            }
            b' ' | b'\t' | b'\n' | b'\r' if !quoted => {
                if in_word {
                    words.push(String::from_utf8_lossy(&word).into_owned());
                    word.clear();
                    in_word = false;
                }
            }
            _ => {
                word.push(b);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(String::from_utf8_lossy(&word).into_owned());
    }
    words
}

/// The arguments for init: everything after the first `--`.
pub fn init_args(cmdline: &str) -> Vec<String> {
    let words = split(cmdline);
    match words.iter().position(|w| w == "--") {
        Some(i) => words[i + 1..].to_vec(),
        None => Vec::new(),
    }
}
