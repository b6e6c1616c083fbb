//! A descriptor table (a task's, maybe shared with others by CLONE_FILES): slots holding an open file description and the
//! close-on-exec flag.

use super::file::OpenFile;
use crate::errno::{SysResult, EBADF, EMFILE, ENOMEM};
use alloc::sync::Arc;
use alloc::vec::Vec;

/// Linux's fs.nr_open: the ceiling RLIMIT_NOFILE may be raised to.
pub const NR_OPEN: usize = 1 << 20;

/// How many descriptors the current process may have: its RLIMIT_NOFILE (soft).
pub fn fd_limit() -> usize {
    let rlim = crate::task::current_process().rlimits.lock()
        [linux_raw_sys::general::RLIMIT_NOFILE as usize]
        .rlim_cur;
    rlim.min(NR_OPEN as u64) as usize
}
/// Kernel heap a descriptor may cost (its open file description and file object), checked
/// before one is installed, so that filling the heap with descriptors ends in ENOMEM.
const FD_HEAP_COST: usize = 512;

#[derive(Clone)]
pub struct FdEntry {
    pub file: Arc<OpenFile>,
    pub cloexec: bool,
}

impl FdEntry {
    fn flush(&self) {
        self.file.file.flush();
    }
}

#[derive(Default)]
pub struct FdTable {
    slots: Vec<Option<FdEntry>>,
}

impl FdTable {
    pub fn get(&self, fd: i32) -> SysResult<Arc<OpenFile>> {
        self.entry(fd).map(|e| e.file.clone())
    }

    pub fn entry(&self, fd: i32) -> SysResult<&FdEntry> {
        usize::try_from(fd)
            .ok()
            .and_then(|i| self.slots.get(i))
            .and_then(|s| s.as_ref())
            .ok_or(EBADF)
    }

    pub fn entry_mut(&mut self, fd: i32) -> SysResult<&mut FdEntry> {
        usize::try_from(fd)
            .ok()
            .and_then(|i| self.slots.get_mut(i))
            .and_then(|s| s.as_mut())
            .ok_or(EBADF)
    }

    /// The lowest free descriptor >= `min`: EMFILE if none is below the caller's
    /// RLIMIT_NOFILE (soft), as Linux's alloc_fd.
    pub fn lowest_free(&self, min: usize) -> SysResult<usize> {
        (min..fd_limit())
            .find(|&i| self.slots.get(i).is_none_or(|s| s.is_none()))
            .ok_or(EMFILE)
    }

    /// Installs `file` at the lowest free descriptor >= `min`.
    pub fn insert_from(
        &mut self,
        min: usize,
        file: Arc<OpenFile>,
        cloexec: bool,
    ) -> SysResult<i32> {
        let fd = self.lowest_free(min)?;
        crate::mm::heap::reserve(FD_HEAP_COST)?;
        self.set(fd, file, cloexec)?;
        Ok(fd as i32)
    }

    pub fn insert(&mut self, file: Arc<OpenFile>, cloexec: bool) -> SysResult<i32> {
        self.insert_from(0, file, cloexec)
    }

    /// Puts `file` at exactly `fd`, returning what was there (dup2/dup3); ENOMEM when
    /// the table cannot grow that far.
    pub fn set(
        &mut self,
        fd: usize,
        file: Arc<OpenFile>,
        cloexec: bool,
    ) -> SysResult<Option<FdEntry>> {
        if self.slots.len() <= fd {
            let more = fd + 1 - self.slots.len();
            crate::mm::heap::reserve(more * core::mem::size_of::<Option<FdEntry>>())?;
            self.slots.try_reserve(more).map_err(|_| ENOMEM)?;
            self.slots.resize(fd + 1, None);
        }
        let replaced = self.slots[fd].replace(FdEntry { file, cloexec });
        Ok(replaced.inspect(FdEntry::flush))
    }

    /// A copy with the same open file descriptions in the same slots (fork, a clone
    /// without CLONE_FILES); ENOMEM rather than a panic when the heap is short.
    pub fn try_clone(&self) -> SysResult<FdTable> {
        let mut slots = Vec::new();
        slots
            .try_reserve_exact(self.slots.len())
            .map_err(|_| ENOMEM)?;
        slots.extend(self.slots.iter().cloned());
        Ok(FdTable { slots })
    }

    /// One past the highest descriptor the table has room for (select ignores the rest).
    pub fn size(&self) -> usize {
        self.slots.len()
    }

    /// close(2): the entry leaves the table (the caller drops it outside the lock).
    pub fn remove(&mut self, fd: i32) -> SysResult<FdEntry> {
        let entry = usize::try_from(fd)
            .ok()
            .and_then(|i| self.slots.get_mut(i))
            .and_then(|s| s.take())
            .ok_or(EBADF)?;
        entry.flush();
        Ok(entry)
    }

    /// Empties the table at exit, each descriptor closed as by close(2).
    pub fn close_all(&mut self) -> Vec<FdEntry> {
        let closed: Vec<FdEntry> = self.slots.drain(..).flatten().collect();
        closed.iter().for_each(FdEntry::flush);
        closed
    }

    /// The open descriptors in ascending order (/proc/PID/fd).
    pub fn open_fds(&self) -> impl Iterator<Item = (i32, &FdEntry)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(fd, slot)| Some((fd as i32, slot.as_ref()?)))
    }

    /// Drops every close-on-exec descriptor (execve).
    pub fn close_on_exec(&mut self) -> Vec<FdEntry> {
        let mut closed = Vec::new();
        for slot in &mut self.slots {
            if slot.as_ref().is_some_and(|e| e.cloexec) {
                closed.extend(slot.take());
            }
        }
        closed.iter().for_each(FdEntry::flush);
        closed
    }
}
