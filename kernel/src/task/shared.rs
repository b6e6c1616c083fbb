//! What clone(2) lets tasks share beyond the address space: the descriptor table
//! (CLONE_FILES) and the fs context, cwd and umask (CLONE_FS). Each task points at one
//! of each; clone either shares its creator's or gives the new task a copy, and
//! execve/unshare make a shared one private again (Linux's copy_files, copy_fs,
//! unshare_files).

use crate::arch::spinlock::Mutex;
use crate::errno::SysResult;
use crate::fs::fdtable::FdTable;
use crate::fs::vfs::Inode;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU32, Ordering};

/// A descriptor table as tasks hold it: shared by the tasks cloned with CLONE_FILES.
pub type Files = Arc<Mutex<FdTable>>;

/// The cwd and umask, shared by the tasks cloned with CLONE_FS.
pub struct FsContext {
    /// The working directory: relative paths start at this node.
    pub cwd: Mutex<Arc<dyn Inode>>,
    pub umask: AtomicU32,
}

/// Kernel heap a private copy of a table or context costs besides its slots.
const COPY_HEAP_COST: usize = 256;

impl FsContext {
    /// The context of pid 1: the root, umask 022.
    pub fn initial() -> Arc<FsContext> {
        Arc::new(FsContext {
            cwd: Mutex::new(crate::fs::root()),
            umask: AtomicU32::new(0o022),
        })
    }

    /// A private copy (clone without CLONE_FS, unshare(CLONE_FS)).
    pub fn copy(&self) -> SysResult<Arc<FsContext>> {
        crate::mm::heap::reserve(COPY_HEAP_COST)?;
        Ok(Arc::new(FsContext {
            cwd: Mutex::new(self.cwd.lock().clone()),
            umask: AtomicU32::new(self.umask()),
        }))
    }

    pub fn umask(&self) -> u32 {
        self.umask.load(Ordering::Relaxed)
    }
}

/// A private copy of a descriptor table (fork, clone without CLONE_FILES, unshare):
/// the same open file descriptions in the same slots.
pub fn copy_files(files: &Files) -> SysResult<Files> {
    let table = files.lock();
    crate::mm::heap::reserve(COPY_HEAP_COST + table.size() * 16)?;
    let copy = table.try_clone()?;
    drop(table);
    Ok(Arc::new(Mutex::new(copy)))
}

/// What a dead task points at, so that its own references are gone (its files close
/// when no other task shares them, its cwd no longer pins a mount).
pub fn dead_files() -> Files {
    DEAD_FILES
        .call_once(|| Arc::new(Mutex::new(FdTable::default())))
        .clone()
}

pub fn dead_fs() -> Arc<FsContext> {
    DEAD_FS.call_once(FsContext::initial).clone()
}

static DEAD_FILES: spin::Once<Files> = spin::Once::new();
static DEAD_FS: spin::Once<Arc<FsContext>> = spin::Once::new();

/// Whether `shared` has more holders than the `mine` references the caller knows of
/// (then it must be copied before a change only the caller may see).
pub fn is_shared_beyond<T>(shared: &Arc<T>, mine: usize) -> bool {
    Arc::strong_count(shared) > mine
}
