//! Writer for the "newc" cpio format (magic "070701"), the format Linux and Rill read an
//! initramfs in. Only what a root filesystem needs: directories and regular files (a file
//! may have several names: hard links), owned by root, with mtime 0 and inode numbers
//! handed out in order so archives are reproducible.
//!
//! Layout of one entry: a 110-byte ASCII header (the magic, then 13 fields of 8 hex digits),
//! the name with its NUL, zero padding so header + name is a multiple of 4 bytes, the data,
//! and zero padding so the data is a multiple of 4 bytes. The archive ends with an entry
//! named "TRAILER!!!".

use std::io::{self, Write};

const S_IFDIR: u32 = 0o040000;
const S_IFREG: u32 = 0o100000;
const TRAILER: &str = "TRAILER!!!";

/// Streams entries into `out`. Call `finish` to write the trailer.
pub struct Writer<W: Write> {
    out: W,
    next_ino: u32,
}

impl<W: Write> Writer<W> {
    pub fn new(out: W) -> Self {
        Writer { out, next_ino: 1 }
    }

    /// Adds a directory. `perm` holds the permission bits (e.g. 0o755 or 0o1777).
    pub fn dir(&mut self, name: &str, perm: u32) -> io::Result<()> {
        let ino = self.take_ino();
        self.entry(ino, S_IFDIR | (perm & 0o7777), 2, name, &[])
    }

    /// Adds a regular file with the given permission bits and contents.
    pub fn file(&mut self, name: &str, perm: u32, data: &[u8]) -> io::Result<()> {
        let ino = self.take_ino();
        self.entry(ino, S_IFREG | (perm & 0o7777), 1, name, data)
    }

    /// Adds one regular file under several names (hard links), as GNU cpio does: every
    /// entry has the same inode number and the link count, and only the last carries the data.
    pub fn linked_file(&mut self, names: &[&str], perm: u32, data: &[u8]) -> io::Result<()> {
        let ino = self.take_ino();
        let nlink = names.len() as u32;
        for (i, name) in names.iter().enumerate() {
            let last = i + 1 == names.len();
            let data = if last { data } else { &[] };
            self.entry(ino, S_IFREG | (perm & 0o7777), nlink, name, data)?;
        }
        Ok(())
    }

    /// Writes the trailer and hands back the underlying writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.entry(0, 0, 1, TRAILER, &[])?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn take_ino(&mut self) -> u32 {
        let ino = self.next_ino;
        self.next_ino += 1;
        ino
    }

    fn entry(
        &mut self,
        ino: u32,
        mode: u32,
        nlink: u32,
        name: &str,
        data: &[u8],
    ) -> io::Result<()> {
        if name.is_empty() || name.contains('\0') {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("bad cpio name {name:?}"),
            ));
        }
        let size = u32::try_from(data.len()).map_err(|_| {
            io::Error::new(io::ErrorKind::InvalidInput, format!("{name} is over 4 GiB"))
        })?;
        let namesize = name.len() as u32 + 1;
        // ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor,
        // rdevminor, namesize, check.
        let fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, namesize, 0];
        let mut header = String::from("070701");
        for field in fields {
            header.push_str(&format!("{field:08x}"));
        }
        self.out.write_all(header.as_bytes())?;
        self.out.write_all(name.as_bytes())?;
        self.out.write_all(&[0])?;
        self.pad(header.len() + name.len() + 1)?;
        self.out.write_all(data)?;
        self.pad(data.len())
    }

    /// Writes the zeros that bring a run of `len` bytes up to a multiple of 4.
    fn pad(&mut self, len: usize) -> io::Result<()> {
        let zeros = (4 - len % 4) % 4;
        self.out.write_all(&[0; 3][..zeros])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(entry: &[u8], index: usize) -> u32 {
        let start = 6 + index * 8;
        u32::from_str_radix(std::str::from_utf8(&entry[start..start + 8]).unwrap(), 16).unwrap()
    }

    #[test]
    fn empty_archive_is_just_the_trailer() {
        let bytes = Writer::new(Vec::new()).finish().unwrap();
        // 110-byte header + "TRAILER!!!\0" (11 bytes) = 121, padded to 124.
        assert_eq!(bytes.len(), 124);
        assert_eq!(&bytes[..6], b"070701");
        assert_eq!(field(&bytes, 11), 11);
        assert_eq!(&bytes[110..121], b"TRAILER!!!\0");
        assert_eq!(&bytes[121..], &[0, 0, 0]);
    }

    #[test]
    fn header_fields_and_padding() {
        let mut w = Writer::new(Vec::new());
        w.dir("tmp", 0o1777).unwrap();
        w.file("bin/hello", 0o755, b"hello").unwrap();
        let bytes = w.finish().unwrap();

        // "tmp\0" after the header: 110 + 4 = 114, padded to 116. No data.
        let dir = &bytes[..116];
        assert_eq!(field(dir, 0), 1, "ino");
        assert_eq!(field(dir, 1), 0o041777, "mode");
        assert_eq!((field(dir, 2), field(dir, 3)), (0, 0), "uid, gid");
        assert_eq!(field(dir, 4), 2, "nlink");
        assert_eq!(field(dir, 5), 0, "mtime");
        assert_eq!(field(dir, 6), 0, "filesize");
        assert_eq!(field(dir, 11), 4, "namesize");
        assert_eq!(&dir[110..116], b"tmp\0\0\0");

        // "bin/hello\0": 110 + 10 = 120, already aligned; 5 data bytes padded to 8.
        let file = &bytes[116..116 + 128];
        assert_eq!(field(file, 0), 2);
        assert_eq!(field(file, 1), 0o100755);
        assert_eq!(field(file, 4), 1);
        assert_eq!(field(file, 6), 5);
        assert_eq!(&file[110..120], b"bin/hello\0");
        assert_eq!(&file[120..128], b"hello\0\0\0");

        assert_eq!(&bytes[244 + 110..244 + 120], b"TRAILER!!!");
        assert_eq!(bytes.len() % 4, 0);
    }

    #[test]
    fn every_entry_starts_aligned() {
        let mut w = Writer::new(Vec::new());
        for (i, name) in ["a", "bb", "ccc", "dddd", "eeeee"].iter().enumerate() {
            w.file(name, 0o644, &vec![b'x'; i]).unwrap();
        }
        let bytes = w.finish().unwrap();
        let mut at = 0;
        let mut names = Vec::new();
        while at < bytes.len() {
            assert_eq!(at % 4, 0);
            assert_eq!(&bytes[at..at + 6], b"070701");
            let namesize = field(&bytes[at..], 11) as usize;
            let size = field(&bytes[at..], 6) as usize;
            names.push(
                String::from_utf8(bytes[at + 110..at + 110 + namesize - 1].to_vec()).unwrap(),
            );
            at += (110 + namesize).next_multiple_of(4) + size.next_multiple_of(4);
        }
        assert_eq!(names, ["a", "bb", "ccc", "dddd", "eeeee", "TRAILER!!!"]);
    }

    /// GNU cpio, if the host has it, lists the archive with the modes, owners and sizes given.
    #[test]
    fn host_cpio_reads_it() {
        use std::process::{Command, Stdio};
        let mut w = Writer::new(Vec::new());
        w.dir("bin", 0o755).unwrap();
        w.dir("tmp", 0o1777).unwrap();
        w.file("bin/x", 0o755, b"abcde").unwrap();
        w.file("README", 0o644, b"").unwrap();
        let bytes = w.finish().unwrap();
        let child = Command::new("cpio")
            .args(["-itv", "--quiet"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let Ok(mut child) = child else {
            eprintln!("cpio is not installed; skipping");
            return;
        };
        child.stdin.take().unwrap().write_all(&bytes).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let listing: Vec<Vec<String>> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| l.split_whitespace().map(str::to_string).collect())
            .collect();
        // mode, links, owner, group, size, month, day, year, name
        let expect = [
            ["drwxr-xr-x", "2", "root", "root", "0", "bin"],
            ["drwxrwxrwt", "2", "root", "root", "0", "tmp"],
            ["-rwxr-xr-x", "1", "root", "root", "5", "bin/x"],
            ["-rw-r--r--", "1", "root", "root", "0", "README"],
        ];
        assert_eq!(listing.len(), expect.len());
        for (line, want) in listing.iter().zip(expect) {
            assert_eq!(line[..5], want[..5]);
            assert_eq!(line[6..], ["1", "1970", want[5]]);
        }
    }

    #[test]
    fn linked_names_share_an_inode_and_the_last_has_the_data() {
        let mut w = Writer::new(Vec::new());
        w.file("bin/a", 0o755, b"").unwrap();
        w.linked_file(&["bin/ls", "bin/cat"], 0o755, b"elf!")
            .unwrap();
        let bytes = w.finish().unwrap();
        // "bin/a\0" ends at 116, "bin/ls\0" at 117 and "bin/cat\0" at 118: padded to 120.
        let ls = &bytes[116..];
        let cat = &bytes[116 + 120..];
        assert_eq!(&ls[110..117], b"bin/ls\0");
        assert_eq!(&cat[110..118], b"bin/cat\0");
        assert_eq!((field(ls, 0), field(cat, 0)), (2, 2), "one inode");
        assert_eq!((field(ls, 4), field(cat, 4)), (2, 2), "two links");
        assert_eq!(
            (field(ls, 6), field(cat, 6)),
            (0, 4),
            "data only on the last"
        );
        assert_eq!(&cat[120..124], b"elf!");
    }

    #[test]
    fn rejects_bad_names() {
        let mut w = Writer::new(Vec::new());
        assert!(w.file("", 0o644, b"").is_err());
        assert!(w.file("a\0b", 0o644, b"").is_err());
    }
}
