//! Unpacks the initramfs (a cpio "newc" archive loaded by QEMU) into the root tmpfs.
//!
//! The newc format is 110-byte ASCII-hex headers, each followed by the NUL-terminated
//! name and the file data, both padded to 4 bytes. (The `cpio_reader` crate rejects
//! modes with the sticky bit, which /tmp needs, so Rill reads the few fields itself.)

use super::vfs::{Inode, S_IFDIR, S_IFMT, S_IFREG};
use crate::errno::{SysResult, EINVAL};
use crate::mm::uaccess::InBuf;
use alloc::sync::Arc;

const HEADER_LEN: usize = 110;

struct Entry<'a> {
    mode: u32,
    uid: u32,
    gid: u32,
    name: &'a str,
    data: &'a [u8],
}

fn hex_field(h: &[u8], index: usize) -> SysResult<u32> {
    let start = 6 + 8 * index;
    let s = core::str::from_utf8(&h[start..start + 8]).map_err(|_| EINVAL)?;
    u32::from_str_radix(s, 16).map_err(|_| EINVAL)
}

const fn align4(x: usize) -> usize {
    (x + 3) & !3
}

/// Parses the entry at `off`; returns it and the offset of the next one.
fn parse(archive: &[u8], off: usize) -> SysResult<(Entry<'_>, usize)> {
    let h = archive.get(off..off + HEADER_LEN).ok_or(EINVAL)?;
    if &h[..6] != b"070701" && &h[..6] != b"070702" {
        return Err(EINVAL);
    }
    let (mode, uid, gid) = (hex_field(h, 1)?, hex_field(h, 2)?, hex_field(h, 3)?);
    let filesize = hex_field(h, 6)? as usize;
    let namesize = hex_field(h, 11)? as usize;
    let name_start = off + HEADER_LEN;
    let name_bytes = archive
        .get(name_start..name_start + namesize.saturating_sub(1))
        .ok_or(EINVAL)?;
    let name = core::str::from_utf8(name_bytes).map_err(|_| EINVAL)?;
    let data_start = align4(name_start + namesize);
    let data = archive
        .get(data_start..data_start + filesize)
        .ok_or(EINVAL)?;
    Ok((
        Entry {
            mode,
            uid,
            gid,
            name,
            data,
        },
        align4(data_start + filesize),
    ))
}

pub fn unpack(root: &Arc<dyn Inode>, archive: &[u8]) -> SysResult<()> {
    let mut off = 0;
    while off < archive.len() {
        let (entry, next) = parse(archive, off)?;
        off = next;
        if entry.name == "TRAILER!!!" {
            break;
        }
        // "." (which GNU cpio writes first) and "/" name the root itself.
        let mut names = entry.name.split('/').filter(|c| !c.is_empty() && *c != ".");
        let Some(name) = names.next_back() else {
            continue;
        };
        let mut dir = root.clone();
        for c in names {
            dir = dir.lookup(c)?;
        }
        match entry.mode & S_IFMT {
            S_IFDIR => {
                if dir.lookup(name).is_err() {
                    dir.create(name, entry.mode, entry.uid, entry.gid)?;
                }
            }
            S_IFREG => {
                let node = dir.create(name, entry.mode, entry.uid, entry.gid)?;
                let file = node.open(0)?;
                let data: &[u8] = entry.data;
                file.write(0, &data as &dyn InBuf, false)?;
            }
            _ => return Err(EINVAL),
        }
    }
    Ok(())
}
