//! `test EXPR` and `[ EXPR ]`: file tests, string and integer comparisons,
//! `!`, `-a`, `-o` and parentheses. Status 0 true, 1 false, 2 on a usage error.

use crate::Shell;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};

pub fn run(shell: &mut Shell, args: &[String], bracket: bool) -> i32 {
    let args = if bracket {
        match args.split_last() {
            Some((last, rest)) if last == "]" => rest,
            _ => {
                shell.error("[: missing ]");
                return 2;
            }
        }
    } else {
        args
    };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut t = Test {
        args: &args,
        pos: 0,
    };
    let result = if args.is_empty() { Ok(false) } else { t.or() };
    match result {
        Ok(_) if t.pos < args.len() => {
            shell.error(&format!("test: {}: unexpected operator", args[t.pos]));
            2
        }
        Ok(v) => (!v) as i32,
        Err(msg) => {
            shell.error(&format!("test: {msg}"));
            2
        }
    }
}

struct Test<'a> {
    args: &'a [&'a str],
    pos: usize,
}

impl<'a> Test<'a> {
    fn peek(&self, at: usize) -> Option<&'a str> {
        self.args.get(self.pos + at).copied()
    }

    fn or(&mut self) -> Result<bool, String> {
        let mut v = self.and()?;
        while self.peek(0) == Some("-o") {
            self.pos += 1;
            let r = self.and()?;
            v = v || r;
        }
        Ok(v)
    }

    fn and(&mut self) -> Result<bool, String> {
        let mut v = self.not()?;
        while self.peek(0) == Some("-a") {
            self.pos += 1;
            let r = self.not()?;
            v = v && r;
        }
        Ok(v)
    }

    fn not(&mut self) -> Result<bool, String> {
        // `! x` negates unless `!` is an operand itself (`[ ! = x ]`).
        if self.peek(0) == Some("!") && self.peek(1).is_some() && !is_binary(self.peek(1)) {
            self.pos += 1;
            return Ok(!self.not()?);
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<bool, String> {
        let Some(a) = self.peek(0) else {
            return Err("argument expected".to_string());
        };
        if let (Some(op), Some(b)) = (self.peek(1), self.peek(2)) {
            if is_binary(Some(op)) {
                self.pos += 3;
                return binary(a, op, b);
            }
        }
        if a == "(" && self.peek(1).is_some() {
            self.pos += 1;
            let v = self.or()?;
            if self.peek(0) != Some(")") {
                return Err("closing paren expected".to_string());
            }
            self.pos += 1;
            return Ok(v);
        }
        if a.len() == 2 && a.starts_with('-') && self.peek(1).is_some() {
            if let Some(b) = self.peek(1) {
                self.pos += 2;
                return unary(a, b);
            }
        }
        self.pos += 1;
        Ok(!a.is_empty())
    }
}

fn is_binary(op: Option<&str>) -> bool {
    matches!(
        op,
        Some(
            "=" | "=="
                | "!="
                | "<"
                | ">"
                | "-eq"
                | "-ne"
                | "-lt"
                | "-le"
                | "-gt"
                | "-ge"
                | "-nt"
                | "-ot"
                | "-ef"
        )
    )
}

fn int(s: &str) -> Result<i64, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("{s}: integer expression expected"))
}

fn binary(a: &str, op: &str, b: &str) -> Result<bool, String> {
    let meta = |p: &str| std::fs::metadata(p).ok();
    Ok(match op {
        "=" | "==" => a == b,
        "!=" => a != b,
        "<" => a < b,
        ">" => a > b,
        "-eq" => int(a)? == int(b)?,
        "-ne" => int(a)? != int(b)?,
        "-lt" => int(a)? < int(b)?,
        "-le" => int(a)? <= int(b)?,
        "-gt" => int(a)? > int(b)?,
        "-ge" => int(a)? >= int(b)?,
        "-nt" => match (meta(a), meta(b)) {
            (Some(x), Some(y)) => x.mtime() > y.mtime(),
            (Some(_), None) => true,
            _ => false,
        },
        "-ot" => match (meta(a), meta(b)) {
            (Some(x), Some(y)) => x.mtime() < y.mtime(),
            (None, Some(_)) => true,
            _ => false,
        },
        _ => match (meta(a), meta(b)) {
            (Some(x), Some(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
            _ => false,
        },
    })
}

fn unary(op: &str, arg: &str) -> Result<bool, String> {
    let access = |mode| {
        let c = crate::cstring(arg);
        // SAFETY: c is a valid C string.
        unsafe { libc::access(c.as_ptr(), mode) == 0 }
    };
    let meta = std::fs::metadata(arg).ok();
    let kind = |f: fn(&std::fs::Metadata) -> bool| meta.as_ref().is_some_and(f);
    Ok(match op {
        "-n" => !arg.is_empty(),
        "-z" => arg.is_empty(),
        "-e" => meta.is_some(),
        "-f" => kind(|m| m.is_file()),
        "-d" => kind(|m| m.is_dir()),
        "-h" | "-L" => std::fs::symlink_metadata(arg).is_ok_and(|m| m.file_type().is_symlink()),
        "-p" => kind(|m| m.file_type().is_fifo()),
        "-S" => kind(|m| m.file_type().is_socket()),
        "-b" => kind(|m| m.file_type().is_block_device()),
        "-c" => kind(|m| m.file_type().is_char_device()),
        "-s" => kind(|m| m.len() > 0),
        "-u" => kind(|m| m.permissions().mode() & 0o4000 != 0),
        "-g" => kind(|m| m.permissions().mode() & 0o2000 != 0),
        "-k" => kind(|m| m.permissions().mode() & 0o1000 != 0),
        "-r" => access(libc::R_OK),
        "-w" => access(libc::W_OK),
        "-x" => access(libc::X_OK),
        "-t" => {
            let fd = int(arg)? as i32;
            // SAFETY: isatty only inspects the descriptor.
            unsafe { libc::isatty(fd) == 1 }
        }
        _ => return Err(format!("{op}: unary operator expected")),
    })
}
