//! Per-user counts of kernel resources, as Linux keeps them in `user_struct` and `ucounts`:
//! queued signals (checked against `RLIMIT_SIGPENDING`) and pipe buffer pages (checked
//! against pipe-user-pages-soft). A count belongs to a real uid, so every process of a
//! user shares it; the users with nothing counted take no memory.

use crate::errno::SysResult;
use alloc::collections::BTreeMap;
use spin::Mutex;

/// One resource's counts, by real uid.
pub struct UserCounts {
    counts: Mutex<BTreeMap<u32, usize>>,
}

/// Heap a new user's entry may take (a map node split, at worst).
const NEW_USER_HEAP: usize = 1024;

impl UserCounts {
    pub const fn new() -> Self {
        UserCounts {
            counts: Mutex::new(BTreeMap::new()),
        }
    }

    /// Adds `n` to `uid`'s count and returns the new count (ENOMEM if a first count for
    /// `uid` cannot be recorded). The caller checks its limit against the result and
    /// gives `n` back with `sub` if it is over, as Linux's `inc_rlimit_ucounts` callers do.
    pub fn add(&self, uid: u32, n: usize) -> SysResult<usize> {
        let mut counts = self.counts.lock();
        if let Some(count) = counts.get_mut(&uid) {
            *count = count.saturating_add(n);
            return Ok(*count);
        }
        if n == 0 {
            return Ok(0);
        }
        crate::mm::heap::reserve(NEW_USER_HEAP)?;
        counts.insert(uid, n);
        Ok(n)
    }

    /// Takes `n` off `uid`'s count (what an earlier `add` charged).
    pub fn sub(&self, uid: u32, n: usize) {
        let mut counts = self.counts.lock();
        if let Some(count) = counts.get_mut(&uid) {
            *count = count.saturating_sub(n);
            if *count == 0 {
                counts.remove(&uid);
                crate::mm::heap::release_if_empty(&mut counts);
            }
        }
    }

    /// `uid`'s count now.
    pub fn get(&self, uid: u32) -> usize {
        self.counts.lock().get(&uid).copied().unwrap_or(0)
    }
}
