//! Files: the inode and open-file interfaces every file kind implements, the per-process
//! descriptor table, path lookup, and the file systems (tmpfs root, /dev, /proc).

pub mod devfs;
pub mod fdtable;
pub mod file;
pub mod flock;
pub mod initramfs;
pub mod mount;
pub mod path;
pub mod procfs;
pub mod tmpfs;
pub mod tty;
pub mod vfs;

use alloc::sync::Arc;
use spin::Once;
use vfs::Inode;

static ROOT: Once<Arc<dyn Inode>> = Once::new();

/// The root directory.
pub fn root() -> Arc<dyn Inode> {
    ROOT.get().expect("root file system not mounted").clone()
}

/// Builds the root file system: a tmpfs holding the initramfs, with /dev (and its own
/// tmpfs at /dev/shm, which may hold half of the machine's `ram_pages`) and /proc
/// grafted in. The root has no size limit, as Linux's rootfs: an image may use most of a
/// small machine's memory. File data goes into page frames: the frame allocator is up,
/// and gets the initramfs image's pages (at physical addresses `initramfs`) as they are
/// read.
pub fn init(initramfs: core::ops::Range<usize>, ram_pages: usize) {
    let (root, _) = tmpfs::TmpNode::new_root_fs();
    ROOT.call_once(|| root.clone());
    if let Err(e) = initramfs::unpack(&root, initramfs) {
        log::warn!("initramfs: {e:?}");
    }
    devfs::mount(&root, ram_pages);
    procfs::mount(&root);
    for dir in ["tmp"] {
        if root.lookup(dir).is_err() {
            let _ = root.create(dir, vfs::S_IFDIR | 0o1777, 0, 0);
        }
    }
}
