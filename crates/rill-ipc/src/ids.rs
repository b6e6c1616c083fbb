//! The table of one kind of System V IPC object: keys and ids to objects.
//!
//! An id is `seq << 15 | index`. Indices are handed out cyclically within a window that grows
//! with use (Linux's `ipc_idr_alloc`), and the sequence number advances each time allocation
//! wraps to an index not above the previous one, so an id that outlived its object names
//! nothing (EINVAL) rather than a newer object in the same slot.

use crate::abi::{IPC_CREAT, IPC_EXCL, IPC_PRIVATE};
use crate::perm::{Access, Cred, IpcPerm};
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// Most objects of one kind, and the number of table indices (Linux's `IPCMNI`).
pub const IPCMNI: usize = 32768;
const IPCMNI_SHIFT: u32 = 15;
/// Sequence numbers run below this (Linux's `IPCID_SEQ_MAX`: the id must stay positive).
const SEQ_MAX: u16 = (i32::MAX >> IPCMNI_SHIFT) as u16;
/// Indices cycle through at least this many slots before reusing a low one.
const MIN_CYCLE: usize = 64;

/// An object in the table with its permissions.
#[derive(Debug)]
pub struct Slot<T> {
    /// Ownership, mode and key.
    pub perm: IpcPerm,
    /// The object itself.
    pub obj: T,
}

/// Why a `*get` call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup<E> {
    /// No object has the key and `IPC_CREAT` was not given (`ENOENT`).
    NotFound,
    /// `IPC_CREAT | IPC_EXCL` and the key has an object (`EEXIST`).
    Exists,
    /// The object's mode does not grant the flags' permission bits (`EACCES`).
    Denied,
    /// The table holds its limit of objects (`ENOSPC`).
    Full,
    /// The table could not grow (`ENOMEM`).
    NoMemory,
    /// The kind's own check or constructor failed.
    Other(E),
}

/// Keys and ids to objects of one kind (message queues, segments or semaphore sets).
///
/// The objects sit at their index in a vector, so every msgsnd, msgrcv or semop finds its
/// object by indexing; the vector ends at the highest index in use, which allocation
/// keeps within a window of one and a half times the objects in use (at least 64).
#[derive(Debug)]
pub struct IpcIds<T> {
    slots: Vec<Option<Slot<T>>>,
    in_use: usize,
    keys: BTreeMap<i32, usize>,
    seq: u16,
    last_index: Option<usize>,
}

impl<T> Default for IpcIds<T> {
    fn default() -> Self {
        Self::new()
    }
}

fn index_of(id: i32) -> usize {
    id as usize & (IPCMNI - 1)
}

fn seq_of(id: i32) -> u16 {
    (id >> IPCMNI_SHIFT) as u16
}

fn build_id(seq: u16, index: usize) -> i32 {
    ((seq as i32) << IPCMNI_SHIFT) | index as i32
}

impl<T> IpcIds<T> {
    /// An empty table; allocates nothing.
    pub const fn new() -> Self {
        IpcIds {
            slots: Vec::new(),
            in_use: 0,
            keys: BTreeMap::new(),
            seq: 0,
            last_index: None,
        }
    }

    /// Objects in the table.
    pub fn in_use(&self) -> usize {
        self.in_use
    }

    /// The highest index in use (what `IPC_INFO` returns), if any: the vector ends there.
    pub fn max_index(&self) -> Option<usize> {
        self.slots.len().checked_sub(1)
    }

    /// The object named by `id`; None (EINVAL) for a negative id, an empty slot, or a slot
    /// now holding another object.
    pub fn get(&self, id: i32) -> Option<&Slot<T>> {
        if id < 0 {
            return None;
        }
        self.slots
            .get(index_of(id))?
            .as_ref()
            .filter(|s| s.perm.seq == seq_of(id))
    }

    /// Like [`get`](Self::get), for changing the object or its permissions.
    pub fn get_mut(&mut self, id: i32) -> Option<&mut Slot<T>> {
        if id < 0 {
            return None;
        }
        self.slots
            .get_mut(index_of(id))?
            .as_mut()
            .filter(|s| s.perm.seq == seq_of(id))
    }

    /// The object at table index `index` and its id (`MSG_STAT` and friends).
    pub fn get_by_index(&self, index: usize) -> Option<(i32, &Slot<T>)> {
        self.slots
            .get(index)?
            .as_ref()
            .map(|s| (build_id(s.perm.seq, index), s))
    }

    /// Every object with its id, in index order (`/proc/sysvipc/*`, `ipcs`).
    pub fn iter(&self) -> impl Iterator<Item = (i32, &Slot<T>)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|s| (build_id(s.perm.seq, i), s)))
    }

    /// The common part of `msgget`, `shmget` and `semget` (Linux's `ipcget`): find the key's
    /// object or create one. For an existing object, `check` runs the kind's own checks (a
    /// segment's size, a set's semaphore count) before the permission check against the mode
    /// bits of `flags`; `create` makes a new object. At most `limit` objects exist at once.
    pub fn get_or_create<E>(
        &mut self,
        key: i32,
        flags: u32,
        cred: Cred,
        limit: usize,
        check: impl FnOnce(&T) -> Result<(), E>,
        create: impl FnOnce() -> Result<T, E>,
    ) -> Result<i32, Lookup<E>> {
        if key != IPC_PRIVATE {
            if let Some(&index) = self.keys.get(&key) {
                if flags & IPC_CREAT != 0 && flags & IPC_EXCL != 0 {
                    return Err(Lookup::Exists);
                }
                let Some((id, slot)) = self.get_by_index(index) else {
                    return Err(Lookup::NotFound);
                };
                check(&slot.obj).map_err(Lookup::Other)?;
                if !slot.perm.permits(cred, Access(flags & 0o777)) {
                    return Err(Lookup::Denied);
                }
                return Ok(id);
            }
            if flags & IPC_CREAT == 0 {
                return Err(Lookup::NotFound);
            }
        }
        if self.in_use >= limit.min(IPCMNI) {
            return Err(Lookup::Full);
        }
        let index = self.next_index().ok_or(Lookup::Full)?;
        // The object first: its constructor checks the memory the table may take too
        // (`growth_bound`).
        let obj = create().map_err(Lookup::Other)?;
        if let Some(more) = (index + 1).checked_sub(self.slots.len()) {
            self.slots.try_reserve(more).map_err(|_| Lookup::NoMemory)?;
        }
        Ok(self.insert(index, IpcPerm::new(key, cred, flags), obj))
    }

    /// At most how many bytes entering one more object allocates for the table itself
    /// (its vector may grow; the key map's nodes are small), for the kind's constructor
    /// to check against its memory.
    pub fn growth_bound(&self) -> usize {
        let window = self.window();
        let slot = core::mem::size_of::<Option<Slot<T>>>();
        let vector = if self.slots.capacity() >= window {
            0
        } else {
            (2 * self.slots.capacity()).max(window) * slot
        };
        vector + 512
    }

    /// Indices below this are handed out (Linux's `ipc_idr_alloc` window).
    fn window(&self) -> usize {
        (self.in_use * 3 / 2).clamp(MIN_CYCLE, IPCMNI)
    }

    /// The index the next object gets, None when every index is taken: the first free
    /// one after the last handed out, cycling within the window.
    fn next_index(&self) -> Option<usize> {
        let window = self.window();
        let start = self.last_index.map_or(0, |i| i + 1);
        self.free_index(start, window)
            .or_else(|| self.free_index(0, window.min(start)))
    }

    /// Enters a new object at free `index` (room for it reserved); returns its id.
    fn insert(&mut self, index: usize, mut perm: IpcPerm, obj: T) -> i32 {
        if self.last_index.is_some_and(|last| index <= last) {
            self.seq = (self.seq + 1) % SEQ_MAX;
        }
        self.last_index = Some(index);
        perm.seq = self.seq;
        if perm.key != IPC_PRIVATE {
            self.keys.insert(perm.key, index);
        }
        let id = build_id(perm.seq, index);
        if self.slots.len() <= index {
            self.slots.resize_with(index + 1, || None);
        }
        if let Some(slot) = self.slots.get_mut(index) {
            *slot = Some(Slot { perm, obj });
        }
        self.in_use += 1;
        id
    }

    /// The first free index in `[from, to)` (none if the range is empty: after many
    /// objects went away the window can end below the cursor).
    fn free_index(&self, from: usize, to: usize) -> Option<usize> {
        if from >= to {
            return None;
        }
        (from..to).find(|&i| self.slots.get(i).is_none_or(|s| s.is_none()))
    }

    /// Takes the object named by `id` out of the table (`IPC_RMID`).
    pub fn remove(&mut self, id: i32) -> Option<T> {
        self.get(id)?;
        let slot = self.slots.get_mut(index_of(id))?.take()?;
        self.in_use -= 1;
        // The vector ends at the highest index in use.
        while self.slots.last().is_some_and(|s| s.is_none()) {
            self.slots.pop();
        }
        if slot.perm.key != IPC_PRIVATE {
            self.keys.remove(&slot.perm.key);
        }
        self.release_if_empty();
        Some(slot.obj)
    }

    /// Detaches the object's key, so `*get` no longer finds it (a segment removed while
    /// still attached); the id stays valid.
    pub fn make_private(&mut self, id: i32) {
        if let Some(slot) = self.get_mut(id) {
            let key = core::mem::replace(&mut slot.perm.key, IPC_PRIVATE);
            if key != IPC_PRIVATE {
                self.keys.remove(&key);
            }
        }
        self.release_if_empty();
    }

    /// Gives back the key map's last node and the vector when they empty (a `BTreeMap`
    /// keeps its root node after its last entry goes), so an unused table holds no heap.
    fn release_if_empty(&mut self) {
        if self.keys.is_empty() {
            self.keys = BTreeMap::new();
        }
        if self.slots.is_empty() {
            self.slots = Vec::new();
        }
    }
}
