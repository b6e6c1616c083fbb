//! Unpacks the initramfs (a cpio "newc" archive loaded by QEMU, gzip-compressed or not)
//! into the root tmpfs.
//!
//! Regular files with several names (hard links) are made once and linked, as Linux does.
//! The newc format is 110-byte ASCII-hex headers, each followed by the NUL-terminated
//! name and the file data, both padded to 4 bytes. (The `cpio_reader` crate rejects
//! modes with the sticky bit, which /tmp needs, so Rill reads the few fields itself.)
//!
//! The archive is read as a stream: file data goes into the files' page frames in
//! chunks, and the pages of the image already read go back to the frame allocator as
//! the reading passes them, so the image and the files it holds need not fit in RAM
//! side by side.

use super::vfs::{Inode, S_IFDIR, S_IFMT, S_IFREG};
use crate::errno::{SysResult, EINVAL, ENOMEM, ENOSPC};
use crate::mm::uaccess::InBuf;
use crate::mm::{boot_memory, frame, PAGE_SIZE};
use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ops::Range;
use miniz_oxide::inflate::stream::{inflate, InflateState};
use miniz_oxide::{DataFormat, MZFlush, MZStatus};

const HEADER_LEN: usize = 110;
/// Longest entry name accepted (Linux's PATH_MAX).
const NAME_MAX: usize = 4096;
/// Bytes taken from the stream at a time.
const CHUNK: usize = 16 * 1024;

/// The archive as a stream of bytes, over the image at physical addresses `image`.
struct Stream {
    image: Range<usize>,
    /// Image bytes read so far (compressed ones, for a gzip image).
    consumed: usize,
    /// The image pages below this address are back with the frame allocator.
    released: usize,
    /// The inflater, for a gzip image.
    inflater: Option<Box<InflateState>>,
    /// Archive bytes read from the image and not yet taken.
    buf: Vec<u8>,
    pos: usize,
}

impl Stream {
    fn new(image: Range<usize>) -> SysResult<Stream> {
        let mut buf = Vec::new();
        buf.try_reserve_exact(CHUNK).map_err(|_| ENOMEM)?;
        let mut s = Stream {
            released: image.start - image.start % PAGE_SIZE,
            image,
            consumed: 0,
            inflater: None,
            buf,
            pos: 0,
        };
        let head = s.unread();
        if head.starts_with(&[0x1f, 0x8b]) {
            s.consumed = gzip_header_len(head)?;
            s.inflater = Some(InflateState::new_boxed(DataFormat::Raw));
        }
        Ok(s)
    }

    /// The image bytes not yet read, as a slice that lives only while they are unread.
    fn unread(&self) -> &'static [u8] {
        let at = self.image.start + self.consumed;
        boot_memory(at, self.image.end - at)
    }

    /// Reads more of the archive into `buf`; EINVAL at its end.
    fn refill(&mut self) -> SysResult<()> {
        self.buf.clear();
        self.pos = 0;
        self.buf.resize(CHUNK, 0);
        let (used, made) = match self.inflater.take() {
            Some(mut state) => {
                let input = self.unread();
                let r = inflate(&mut state, input, &mut self.buf, MZFlush::None);
                let end = matches!(r.status, Ok(MZStatus::StreamEnd));
                if r.status.is_err() || (r.bytes_written == 0 && (end || input.is_empty())) {
                    return Err(EINVAL);
                }
                self.inflater = Some(state);
                (r.bytes_consumed, r.bytes_written)
            }
            None => {
                let input = self.unread();
                let n = input.len().min(CHUNK);
                if n == 0 {
                    return Err(EINVAL);
                }
                self.buf[..n].copy_from_slice(&input[..n]);
                (n, n)
            }
        };
        self.buf.truncate(made);
        self.consumed += used;
        // Whole pages behind the read position are never looked at again.
        let done = (self.image.start + self.consumed) / PAGE_SIZE * PAGE_SIZE;
        if done > self.released {
            frame::release(self.released..done);
            self.released = done;
        }
        Ok(())
    }

    /// Up to `max` next bytes of the archive (at least one).
    fn take(&mut self, max: usize) -> SysResult<&[u8]> {
        if self.pos == self.buf.len() {
            self.refill()?;
        }
        let n = max.min(self.buf.len() - self.pos);
        let at = self.pos;
        self.pos += n;
        Ok(&self.buf[at..at + n])
    }

    fn read_exact(&mut self, out: &mut [u8]) -> SysResult<()> {
        let mut done = 0;
        while done < out.len() {
            let chunk = self.take(out.len() - done)?;
            out[done..done + chunk.len()].copy_from_slice(chunk);
            done += chunk.len();
        }
        Ok(())
    }

    fn skip(&mut self, mut n: usize) -> SysResult<()> {
        while n > 0 {
            n -= self.take(n)?.len();
        }
        Ok(())
    }

    /// Gives the rest of the image back to the frame allocator.
    fn finish(self) {
        frame::release(self.released..self.image.end);
    }
}

/// The length of a gzip member's header (RFC 1952), which comes before the deflate data.
fn gzip_header_len(h: &[u8]) -> SysResult<usize> {
    const FHCRC: u8 = 2;
    const FEXTRA: u8 = 4;
    const FNAME: u8 = 8;
    const FCOMMENT: u8 = 16;
    let flags = *h.get(3).ok_or(EINVAL)?;
    if h.get(2) != Some(&8) {
        return Err(EINVAL);
    }
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let len = h.get(at..at + 2).ok_or(EINVAL)?;
        at += 2 + u16::from_le_bytes([len[0], len[1]]) as usize;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let text = h.get(at..).ok_or(EINVAL)?;
            at += text.iter().position(|&b| b == 0).ok_or(EINVAL)? + 1;
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    if at > h.len() {
        return Err(EINVAL);
    }
    Ok(at)
}

fn hex_field(h: &[u8], index: usize) -> SysResult<u32> {
    let start = 6 + 8 * index;
    let s = core::str::from_utf8(&h[start..start + 8]).map_err(|_| EINVAL)?;
    u32::from_str_radix(s, 16).map_err(|_| EINVAL)
}

const fn pad4(x: usize) -> usize {
    (4 - x % 4) % 4
}

/// Unpacks the archive at physical addresses `image` into `root`, giving the image's
/// pages to the frame allocator as they are read (all of them by the end).
pub fn unpack(root: &Arc<dyn Inode>, image: Range<usize>) -> SysResult<()> {
    if image.is_empty() {
        return Ok(());
    }
    let mut stream = Stream::new(image)?;
    let r = unpack_from(root, &mut stream);
    stream.finish();
    r
}

fn unpack_from(root: &Arc<dyn Inode>, stream: &mut Stream) -> SysResult<()> {
    let mut header = [0u8; HEADER_LEN];
    let mut name_buf = Vec::new();
    name_buf.try_reserve_exact(NAME_MAX).map_err(|_| ENOMEM)?;
    // The files with several names met so far, by their inode number in the archive.
    let mut links: BTreeMap<u32, Arc<dyn Inode>> = BTreeMap::new();
    loop {
        stream.read_exact(&mut header)?;
        if &header[..6] != b"070701" && &header[..6] != b"070702" {
            return Err(EINVAL);
        }
        let (mode, uid, gid) = (
            hex_field(&header, 1)?,
            hex_field(&header, 2)?,
            hex_field(&header, 3)?,
        );
        let filesize = hex_field(&header, 6)? as usize;
        let namesize = hex_field(&header, 11)? as usize;
        if namesize == 0 || namesize > NAME_MAX {
            return Err(EINVAL);
        }
        name_buf.resize(namesize, 0);
        stream.read_exact(&mut name_buf)?;
        stream.skip(pad4(HEADER_LEN + namesize))?;
        let name = core::str::from_utf8(&name_buf[..namesize - 1]).map_err(|_| EINVAL)?;
        if name == "TRAILER!!!" {
            return Ok(());
        }
        // "." (which GNU cpio writes first) and "/" name the root itself.
        let mut names = name.split('/').filter(|c| !c.is_empty() && *c != ".");
        let Some(last) = names.next_back() else {
            stream.skip(filesize + pad4(filesize))?;
            continue;
        };
        let mut dir = root.clone();
        for c in names {
            dir = dir.lookup(c)?;
        }
        match mode & S_IFMT {
            S_IFDIR => {
                if dir.lookup(last).is_err() {
                    dir.create(last, mode, uid, gid)?;
                }
                stream.skip(filesize)?;
            }
            S_IFREG => {
                // Names of one file (hard links, as /bin's uutils tools are) share its inode
                // number and have a link count above 1; the data may come with any of them.
                let (ino, nlink) = (hex_field(&header, 0)?, hex_field(&header, 4)?);
                let node = match links.get(&ino).filter(|_| nlink > 1) {
                    Some(node) => {
                        dir.link(last, node.clone())?;
                        node.clone()
                    }
                    None => {
                        let node = dir.create(last, mode, uid, gid)?;
                        if nlink > 1 {
                            links.insert(ino, node.clone());
                        }
                        node
                    }
                };
                let file = node.open(0)?;
                let mut at = 0;
                while at < filesize {
                    let chunk: &[u8] = stream.take(filesize - at)?;
                    let n = chunk.len();
                    if file.write(at as u64, &chunk as &dyn InBuf, false)? != n {
                        return Err(ENOSPC);
                    }
                    at += n;
                }
            }
            _ => return Err(EINVAL),
        }
        stream.skip(pad4(filesize))?;
    }
}
