//! flock(2) locks: whole-file advisory locks, shared or exclusive, held by an open file
//! description (so dup'd and inherited descriptors share one) and released when that
//! description's last descriptor closes. A blocked locker sleeps on one wait queue that
//! every release wakes.

use super::file::OpenFile;
use crate::arch::spinlock::Mutex;
use crate::errno::{SysResult, EAGAIN, EINVAL};
use crate::task::WaitQueue;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use linux_raw_sys::general as g;

/// A file, by its file system and inode number.
type FileKey = (u32, u64);

/// One lock: the description holding it (by address) and whether it is exclusive.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Holder {
    description: usize,
    exclusive: bool,
}

static LOCKS: Mutex<BTreeMap<FileKey, Vec<Holder>>> = Mutex::new(BTreeMap::new());
static RELEASED: WaitQueue = WaitQueue::new();

/// Rough heap one more holder may take (a table node and a vector slot).
const HOLDER_HEAP_COST: usize = 128;

fn key_of(file: &OpenFile) -> FileKey {
    match &file.inode {
        Some(node) => (node.fs_id(), node.metadata().ino),
        None => (u32::MAX, file.file.metadata().ino),
    }
}

/// flock(2) on the description `file`: LOCK_SH, LOCK_EX or LOCK_UN, with LOCK_NB
/// failing with EWOULDBLOCK instead of waiting. Changing a held lock's kind first drops
/// the old one (as on Linux, the change is not atomic).
pub fn flock(file: &OpenFile, op: u32) -> SysResult<()> {
    let nonblock = op & g::LOCK_NB != 0;
    let exclusive = match op & !g::LOCK_NB {
        g::LOCK_SH => false,
        g::LOCK_EX => true,
        g::LOCK_UN => {
            release(file as *const OpenFile as usize);
            return Ok(());
        }
        _ => return Err(EINVAL),
    };
    let key = key_of(file);
    let me = Holder {
        description: file as *const OpenFile as usize,
        exclusive,
    };
    {
        let mut locks = LOCKS.lock();
        if let Some(holders) = locks.get(&key) {
            if holders.contains(&me) {
                return Ok(());
            }
        }
        let converted = locks.get_mut(&key).is_some_and(|holders| {
            let before = holders.len();
            holders.retain(|h| h.description != me.description);
            holders.len() != before
        });
        drop(locks);
        if converted {
            RELEASED.wake_all();
        }
    }
    crate::mm::heap::reserve(HOLDER_HEAP_COST)?;
    let take = || {
        let mut locks = LOCKS.lock();
        let holders = locks.entry(key).or_default();
        let conflict = holders
            .iter()
            .any(|h| h.description != me.description && (exclusive || h.exclusive));
        if conflict {
            return None;
        }
        holders.try_reserve(1).ok()?;
        holders.push(me);
        Some(())
    };
    if nonblock {
        return take().ok_or(EAGAIN);
    }
    RELEASED.wait_until("flock", take)
}

/// Drops every lock the description at `description` holds (LOCK_UN, and its last close).
pub fn release(description: usize) {
    let mut released = false;
    {
        let mut locks = LOCKS.lock();
        if locks.is_empty() {
            return;
        }
        locks.retain(|_, holders| {
            let before = holders.len();
            holders.retain(|h| h.description != description);
            released |= holders.len() != before;
            !holders.is_empty()
        });
    }
    if released {
        RELEASED.wake_all();
    }
}
