//! The nodes of pseudo-terminals: /dev/ptmx, whose every open makes a pair, and the
//! /dev/pts directory with a slave node per pair whose master is open.

use super::pty::{open_master, ptmx_metadata, PtySlave, SLAVES};
use super::Tty;
use crate::errno::{SysResult, ENOENT};
use crate::fs::file::{DirHandle, File};
use crate::fs::vfs::{alloc_ino, DirEntry, DirLink, Inode, Metadata, Parent, FIRST_ENTRY_POS};
use crate::fs::vfs::{S_IFCHR, S_IFDIR};
use alloc::string::ToString;
use alloc::sync::Arc;
use alloc::vec::Vec;

/// /dev/ptmx.
pub struct PtmxNode {
    ino: u64,
}

impl PtmxNode {
    pub fn new() -> PtmxNode {
        PtmxNode { ino: alloc_ino() }
    }
}

impl Inode for PtmxNode {
    fn metadata(&self) -> Metadata {
        ptmx_metadata(self.ino)
    }
    fn open(self: Arc<Self>, _flags: u32) -> SysResult<Arc<dyn File>> {
        open_master()
    }
}

/// /dev/pts: one entry per pair whose master is open.
pub struct PtsDir {
    ino: u64,
    link: DirLink,
}

impl PtsDir {
    pub fn new() -> PtsDir {
        PtsDir {
            ino: alloc_ino(),
            link: DirLink::new(),
        }
    }
}

/// /dev/pts/N.
struct PtsNode {
    tty: Arc<Tty>,
}

impl Inode for PtsNode {
    fn metadata(&self) -> Metadata {
        self.tty.metadata()
    }
    fn open(self: Arc<Self>, _flags: u32) -> SysResult<Arc<dyn File>> {
        Ok(PtySlave::open(self.tty.clone())?)
    }
}

impl Inode for PtsDir {
    fn metadata(&self) -> Metadata {
        Metadata {
            ino: self.ino,
            mode: S_IFDIR | 0o755,
            nlink: 2,
            ..Default::default()
        }
    }

    fn open(self: Arc<Self>, _flags: u32) -> SysResult<Arc<dyn File>> {
        Ok(Arc::new(DirHandle(self)))
    }

    fn lookup(&self, name: &str) -> SysResult<Arc<dyn Inode>> {
        let index: u32 = name.parse().map_err(|_| ENOENT)?;
        if index.to_string() != name {
            return Err(ENOENT);
        }
        let tty = SLAVES.lock().get(&index).cloned().ok_or(ENOENT)?;
        Ok(Arc::new(PtsNode { tty }))
    }

    fn read_dir(&self, pos: u64, emit: &mut dyn FnMut(&DirEntry) -> bool) -> SysResult<()> {
        // A pair's entry sits at a position made from its index.
        let from = pos.saturating_sub(FIRST_ENTRY_POS);
        let entries: Vec<(u32, u64)> = {
            let slaves = SLAVES.lock();
            let mut v = Vec::new();
            let range = slaves.range(from.min(u32::MAX as u64) as u32..);
            v.try_reserve_exact(range.clone().count())
                .map_err(|_| crate::errno::ENOMEM)?;
            v.extend(range.map(|(&i, t)| (i, t.ino)));
            v
        };
        for (index, ino) in entries {
            let name = index.to_string();
            let entry = DirEntry {
                name: &name,
                ino,
                file_type: S_IFCHR,
                next: FIRST_ENTRY_POS + index as u64 + 1,
            };
            if !emit(&entry) {
                break;
            }
        }
        Ok(())
    }

    fn parent(&self) -> Option<Parent> {
        self.link.get()
    }

    fn set_parent(&self, parent: Parent) {
        self.link.set(parent);
    }
}
