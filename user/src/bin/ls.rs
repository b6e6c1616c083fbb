//! `ls [-la1] [PATH...]`: list directory contents.
//!
//! Names are sorted bytewise. Without -a, names starting with `.` are hidden; -a
//! shows them, including `.` and `..`. -l prints one line per file:
//! `TYPE+MODE NLINK UID GID SIZE NAME` (type is d, -, p, c, b, s or l; user and
//! group are numbers since there is no /etc/passwd; symlinks show `-> TARGET`).
//! When standard output is a terminal, short listings are laid out in columns;
//! otherwise (and with -1) one name per line. File operands are listed before
//! directories; with several operands each directory gets a `NAME:` header.
//! Exit status 2 if anything could not be listed.

use std::fs::{self, Metadata};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

struct Options {
    all: bool,
    long: bool,
    columns: bool,
}

/// A name to print and the metadata it was found with (lstat, so links stay links).
struct Entry {
    name: String,
    meta: Metadata,
    /// Where the entry lives, to read a symlink's target.
    path: String,
}

fn main() {
    rill_user::reset_sigpipe();
    let (flags, mut operands) = rill_user::parse_flags("ls", &rill_user::args(), "la1");
    // SAFETY: isatty only inspects the descriptor.
    let tty = unsafe { libc::isatty(1) } == 1;
    let opts = Options {
        all: flags.has('a'),
        long: flags.has('l'),
        columns: tty && !flags.has('1') && !flags.has('l'),
    };
    if operands.is_empty() {
        operands.push(".".to_string());
    }
    operands.sort();

    let mut status = 0;
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for op in &operands {
        let Some(meta) = lstat(op, &mut status) else {
            continue;
        };
        // A symlink given by name is followed, unless -l asks to describe the link.
        let is_dir = if opts.long {
            meta.is_dir()
        } else {
            fs::metadata(op).map(|m| m.is_dir()).unwrap_or(false)
        };
        if is_dir {
            dirs.push(op.clone());
        } else {
            files.push(Entry {
                name: op.clone(),
                meta,
                path: op.clone(),
            });
        }
    }

    let mut out = BufWriter::new(io::stdout().lock());
    let mut first = true;
    if !files.is_empty() {
        print_entries(&mut out, &files, &opts);
        first = false;
    }
    let headers = operands.len() > 1;
    for dir in &dirs {
        if headers {
            let sep = if first { "" } else { "\n" };
            let _ = writeln!(out, "{sep}{dir}:");
        }
        first = false;
        match read_entries(dir, opts.all, &mut status) {
            Ok(entries) => print_entries(&mut out, &entries, &opts),
            Err(e) => {
                let _ = out.flush();
                rill_user::report("ls", dir, &e);
                status = 2;
            }
        }
    }
    if out.flush().is_err() {
        status = 2;
    }
    std::process::exit(status);
}

fn lstat(path: &str, status: &mut i32) -> Option<Metadata> {
    match fs::symlink_metadata(path) {
        Ok(meta) => Some(meta),
        Err(e) => {
            rill_user::report("ls", path, &e);
            *status = 2;
            None
        }
    }
}

/// The sorted entries of directory `dir`.
fn read_entries(dir: &str, all: bool, status: &mut i32) -> io::Result<Vec<Entry>> {
    let mut names: Vec<String> = Vec::new();
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if all || !name.starts_with('.') {
            names.push(name);
        }
    }
    // read_dir never yields `.` and `..`, so -a adds them back.
    if all {
        names.push(".".to_string());
        names.push("..".to_string());
    }
    names.sort();
    let mut entries = Vec::new();
    for name in names {
        let path = Path::new(dir).join(&name).to_string_lossy().into_owned();
        if let Some(meta) = lstat(&path, status) {
            entries.push(Entry { name, meta, path });
        }
    }
    Ok(entries)
}

fn print_entries(out: &mut impl Write, entries: &[Entry], opts: &Options) {
    if opts.long {
        print_long(out, entries);
    } else if opts.columns {
        print_columns(out, entries);
    } else {
        for e in entries {
            let _ = writeln!(out, "{}", e.name);
        }
    }
}

/// The `-l` format, with numeric columns right-aligned to their widest value.
fn print_long(out: &mut impl Write, entries: &[Entry]) {
    let width = |f: &dyn Fn(&Metadata) -> u64| {
        entries
            .iter()
            .map(|e| f(&e.meta).to_string().len())
            .max()
            .unwrap_or(1)
    };
    let w_nlink = width(&|m| m.nlink());
    let w_uid = width(&|m| m.uid().into());
    let w_gid = width(&|m| m.gid().into());
    let w_size = width(&|m| m.size());
    for e in entries {
        let m = &e.meta;
        let mut line = format!(
            "{} {:>w_nlink$} {:>w_uid$} {:>w_gid$} {:>w_size$} {}",
            mode_string(m),
            m.nlink(),
            m.uid(),
            m.gid(),
            m.size(),
            e.name
        );
        if m.file_type().is_symlink() {
            if let Ok(target) = fs::read_link(&e.path) {
                line.push_str(&format!(" -> {}", target.display()));
            }
        }
        let _ = writeln!(out, "{line}");
    }
}

/// `drwxr-xr-x` and friends: the type letter, then rwx for user, group, other,
/// with s/S and t/T showing set-uid, set-gid and sticky bits.
fn mode_string(m: &Metadata) -> String {
    let t = m.file_type();
    let kind = if t.is_dir() {
        'd'
    } else if t.is_symlink() {
        'l'
    } else if t.is_fifo() {
        'p'
    } else if t.is_char_device() {
        'c'
    } else if t.is_block_device() {
        'b'
    } else if t.is_socket() {
        's'
    } else {
        '-'
    };
    let mode = m.mode();
    let mut s = String::from(kind);
    // (shift of the rwx triple, special bit, letter shown for it in the x place)
    for (shift, special, letter) in [(6, 0o4000, 's'), (3, 0o2000, 's'), (0, 0o1000, 't')] {
        let bits = (mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        let exec = bits & 1 != 0;
        s.push(match (mode & special != 0, exec) {
            (true, true) => letter,
            (true, false) => letter.to_ascii_uppercase(),
            (false, true) => 'x',
            (false, false) => '-',
        });
    }
    s
}

/// Names in columns, filled top to bottom then left to right like GNU ls.
fn print_columns(out: &mut impl Write, entries: &[Entry]) {
    if entries.is_empty() {
        return;
    }
    let col_width = entries.iter().map(|e| e.name.len()).max().unwrap_or(0) + 2;
    let cols = (terminal_width() / col_width).max(1);
    let rows = entries.len().div_ceil(cols);
    for row in 0..rows {
        let mut line = String::new();
        for col in 0..cols {
            if let Some(e) = entries.get(col * rows + row) {
                line.push_str(&format!("{:<col_width$}", e.name));
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

/// The terminal's width from TIOCGWINSZ, or 80 if the terminal cannot tell.
fn terminal_width() -> usize {
    // SAFETY: winsize is plain integers; the ioctl only writes into it.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: TIOCGWINSZ takes a pointer to a winsize.
    let ok = unsafe { libc::ioctl(1, libc::TIOCGWINSZ, &mut ws) } == 0;
    if ok && ws.ws_col > 0 {
        ws.ws_col as usize
    } else {
        80
    }
}
