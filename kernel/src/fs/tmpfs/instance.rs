//! One tmpfs instance (Linux's superblock): its id, its size in pages and nodes, whether
//! it is mounted read-only, and the registry statfs finds instances in.

use crate::errno::{SysResult, ENOSPC, EROFS};
use crate::mm::object::PageBudget;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};

/// One tmpfs instance (Linux's superblock): its size in pages and in nodes. The root
/// file system is one, without a size (Linux's rootfs is a kernel-internal mount, which
/// tmpfs leaves unlimited: only memory bounds it); /dev/shm is another, limited to half
/// of RAM as Linux's default for a mounted tmpfs (`size=50%`, `nr_inodes` = half the
/// RAM pages). File data lives in page
/// frames (a `MemObject` per file), not in the kernel heap; node records are charged to
/// the heap's reserve as they are made.
pub struct Tmpfs {
    fs_id: u32,
    pages: Arc<PageBudget>,
    nodes: AtomicUsize,
    max_nodes: AtomicUsize,
    /// Mounted read-only (MS_RDONLY): nothing in it can be created, removed or changed.
    read_only: AtomicBool,
}

/// File system ids of the two instances (see `Inode::fs_id`; /proc is 1, mqueue 2).
pub(super) const ROOT_FS_ID: u32 = 0;
pub const SHM_FS_ID: u32 = 3;
/// The ids of tmpfs instances that mount(2) makes start here.
static NEXT_MOUNTED_ID: AtomicU32 = AtomicU32::new(16);

/// The instances, for statfs by file system id.
static ROOT_FS: spin::Once<Arc<Tmpfs>> = spin::Once::new();
static SHM_FS: spin::Once<Arc<Tmpfs>> = spin::Once::new();

/// The tmpfs instance with file system id `fs_id`, if it is one.
pub fn instance(fs_id: u32) -> Option<Arc<Tmpfs>> {
    match fs_id {
        ROOT_FS_ID => ROOT_FS.get().cloned(),
        SHM_FS_ID => SHM_FS.get().cloned(),
        _ => crate::fs::mount::instance(fs_id),
    }
}

impl Tmpfs {
    fn with_id(fs_id: u32, pages: usize, nodes: usize) -> Arc<Tmpfs> {
        Arc::new(Tmpfs {
            fs_id,
            pages: Arc::new(PageBudget::new(pages)),
            nodes: AtomicUsize::new(0),
            max_nodes: AtomicUsize::new(nodes),
            read_only: AtomicBool::new(false),
        })
    }

    pub(super) fn new(fs_id: u32) -> Arc<Tmpfs> {
        let fs = Self::with_id(fs_id, usize::MAX, usize::MAX);
        match fs_id {
            ROOT_FS_ID => ROOT_FS.call_once(|| fs.clone()),
            _ => SHM_FS.call_once(|| fs.clone()),
        };
        fs
    }

    /// A new instance for mount(2), of at most `pages` pages and `nodes` nodes.
    pub fn new_mounted(pages: usize, nodes: usize) -> Arc<Tmpfs> {
        Self::with_id(
            NEXT_MOUNTED_ID.fetch_add(1, Ordering::Relaxed),
            pages,
            nodes,
        )
    }

    pub fn id(&self) -> u32 {
        self.fs_id
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only.load(Ordering::Relaxed)
    }

    pub fn set_read_only(&self, read_only: bool) {
        self.read_only.store(read_only, Ordering::Relaxed);
    }

    /// Remount's new size: pages and nodes already in use stay.
    pub fn set_limits(&self, pages: usize, nodes: usize) {
        self.pages.set_max(pages);
        self.max_nodes.store(nodes, Ordering::Relaxed);
    }

    /// Pages and nodes in use.
    pub fn used(&self) -> (usize, usize) {
        (self.pages.used(), self.nodes.load(Ordering::Relaxed))
    }

    pub fn max_pages(&self) -> usize {
        self.pages.max()
    }

    pub fn max_nodes(&self) -> usize {
        self.max_nodes.load(Ordering::Relaxed)
    }

    /// EROFS when mounted read-only.
    pub(super) fn check_writable(&self) -> SysResult<()> {
        if self.read_only.load(Ordering::Relaxed) {
            return Err(EROFS);
        }
        Ok(())
    }

    /// Sets the size for a machine of `ram_pages` pages: half of it, as Linux.
    pub fn set_size(&self, ram_pages: usize) {
        self.pages.set_max(ram_pages / 2);
        self.max_nodes.store(ram_pages / 2, Ordering::Relaxed);
    }

    pub(super) fn charge_node(&self) -> SysResult<()> {
        let max = self.max_nodes.load(Ordering::Relaxed);
        self.nodes
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                (n < max).then_some(n + 1)
            })
            .map(|_| ())
            .map_err(|_| ENOSPC)
    }

    /// statfs: (total pages, free pages, total nodes, free nodes); all 0 for an
    /// instance without a size, as Linux's shmem_statfs.
    pub fn usage(&self) -> (u64, u64, u64, u64) {
        let (max, used) = (self.pages.max(), self.pages.used());
        if max == usize::MAX {
            return (0, 0, 0, 0);
        }
        let max_nodes = self.max_nodes.load(Ordering::Relaxed);
        let nodes = self.nodes.load(Ordering::Relaxed);
        (
            max as u64,
            max.saturating_sub(used) as u64,
            max_nodes as u64,
            max_nodes.saturating_sub(nodes) as u64,
        )
    }

    /// The budget every file's pages are charged to.
    pub(super) fn page_budget(&self) -> Arc<PageBudget> {
        self.pages.clone()
    }

    /// A node is gone.
    pub(super) fn release_node(&self) {
        self.nodes.fetch_sub(1, Ordering::Relaxed);
    }
}
