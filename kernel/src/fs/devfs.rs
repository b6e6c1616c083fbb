//! /dev: the null, zero and console devices, the pseudo-terminal multiplexer and its
//! /dev/pts, the POSIX message-queue directory and the /dev/shm tmpfs, entered into the
//! root tmpfs.

use super::file::File;
use super::tty::{PtmxNode, PtsDir, TtyNode};
use super::vfs::{alloc_ino, Inode, Metadata, S_IFCHR, S_IFDIR};
use crate::errno::SysResult;
use crate::mm::uaccess::{InBuf, OutBuf};
use alloc::sync::Arc;

#[derive(Clone, Copy)]
enum Kind {
    Null,
    Zero,
}

struct Device {
    kind: Kind,
    ino: u64,
}

impl Device {
    fn rdev(&self) -> u64 {
        match self.kind {
            Kind::Null => (1 << 8) | 3,
            Kind::Zero => (1 << 8) | 5,
        }
    }
}

impl Inode for Device {
    fn metadata(&self) -> Metadata {
        Metadata {
            ino: self.ino,
            mode: S_IFCHR | 0o666,
            nlink: 1,
            rdev: self.rdev(),
            ..Default::default()
        }
    }
    fn open(self: Arc<Self>, _flags: u32) -> SysResult<Arc<dyn File>> {
        Ok(self)
    }
}

impl File for Device {
    fn read(&self, _pos: u64, buf: &mut dyn OutBuf, _nonblock: bool) -> SysResult<usize> {
        match self.kind {
            Kind::Null => Ok(0),
            Kind::Zero => {
                let zeros = [0u8; 512];
                let mut done = 0;
                while done < buf.len() {
                    let n = (buf.len() - done).min(zeros.len());
                    buf.write_at(done, &zeros[..n])?;
                    done += n;
                }
                Ok(done)
            }
        }
    }
    fn write(&self, _pos: u64, buf: &dyn InBuf, _nonblock: bool) -> SysResult<usize> {
        Ok(buf.len())
    }
    fn metadata(&self) -> Metadata {
        Inode::metadata(self)
    }
}

pub fn mount(root: &Arc<dyn Inode>, ram_pages: usize) {
    let dev = match root.lookup("dev") {
        Ok(d) => d,
        Err(_) => match root.create("dev", S_IFDIR | 0o755, 0, 0) {
            Ok(d) => d,
            Err(e) => {
                log::warn!("cannot create /dev: {e:?}");
                return;
            }
        },
    };
    let nodes: [(&str, Arc<dyn Inode>); 7] = [
        (
            "null",
            Arc::new(Device {
                kind: Kind::Null,
                ino: alloc_ino(),
            }),
        ),
        (
            "zero",
            Arc::new(Device {
                kind: Kind::Zero,
                ino: alloc_ino(),
            }),
        ),
        ("console", Arc::new(TtyNode::Console)),
        ("tty", Arc::new(TtyNode::Controlling)),
        ("hvc0", Arc::new(TtyNode::Hvc0)),
        ("ptmx", Arc::new(PtmxNode::new())),
        ("pts", Arc::new(PtsDir::new())),
    ];
    for (name, node) in nodes {
        if let Err(e) = dev.link(name, node) {
            log::warn!("cannot create /dev/{name}: {e:?}");
        }
    }
    // POSIX message queues are named in their own directory, as Linux's mqueue mount.
    let _ = dev.link("mqueue", crate::ipc::mqueue::root());
    // POSIX shared memory (shm_open) is files in a tmpfs of its own, world-writable
    // and sticky as Linux distributions mount it.
    let (shm, fs) = super::tmpfs::TmpNode::new_root(super::tmpfs::SHM_FS_ID, 0o1777);
    fs.set_size(ram_pages);
    if let Err(e) = dev.link("shm", shm) {
        log::warn!("cannot create /dev/shm: {e:?}");
    }
}
