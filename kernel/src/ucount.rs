//! Per-user counts of kernel resources, as Linux keeps them in `user_struct` and `ucounts`:
//! queued signals (checked against `RLIMIT_SIGPENDING`) and pipe buffer pages (checked
//! against pipe-user-pages-soft). A count belongs to a real uid, so every process of a
//! user shares it; the users with nothing counted take no memory. The first few users
//! with a count live in slots inside the counter itself, so counting one more signal or
//! pipe page (and giving it back) never allocates in the common case.

use crate::arch::spinlock::Mutex;
use crate::errno::SysResult;
use alloc::collections::BTreeMap;

/// One resource's counts, by real uid.
pub struct UserCounts {
    counts: Mutex<Counts>,
}

/// How many users' counts are held without allocating.
const SLOTS: usize = 4;

/// A user's count is in one place: a slot (count 0: a free slot) or the map.
struct Counts {
    slots: [(u32, usize); SLOTS],
    map: BTreeMap<u32, usize>,
}

impl Counts {
    fn get_mut(&mut self, uid: u32) -> Option<&mut usize> {
        match self
            .slots
            .iter_mut()
            .find(|(u, count)| *u == uid && *count != 0)
        {
            Some((_, count)) => Some(count),
            None => self.map.get_mut(&uid),
        }
    }
}

/// Heap a new user's entry may take (a map node split, at worst).
const NEW_USER_HEAP: usize = 1024;

impl UserCounts {
    pub const fn new() -> Self {
        UserCounts {
            counts: Mutex::new(Counts {
                slots: [(0, 0); SLOTS],
                map: BTreeMap::new(),
            }),
        }
    }

    /// Adds `n` to `uid`'s count and returns the new count (ENOMEM if a first count for
    /// `uid` cannot be recorded). The caller checks its limit against the result and
    /// gives `n` back with `sub` if it is over, as Linux's `inc_rlimit_ucounts` callers do.
    pub fn add(&self, uid: u32, n: usize) -> SysResult<usize> {
        let mut counts = self.counts.lock();
        if let Some(count) = counts.get_mut(uid) {
            *count = count.saturating_add(n);
            return Ok(*count);
        }
        if n == 0 {
            return Ok(0);
        }
        if let Some(slot) = counts.slots.iter_mut().find(|(_, count)| *count == 0) {
            *slot = (uid, n);
            return Ok(n);
        }
        crate::mm::heap::reserve(NEW_USER_HEAP)?;
        counts.map.insert(uid, n);
        Ok(n)
    }

    /// Takes `n` off `uid`'s count (what an earlier `add` charged).
    pub fn sub(&self, uid: u32, n: usize) {
        let mut counts = self.counts.lock();
        let Some(count) = counts.get_mut(uid) else {
            return;
        };
        *count = count.saturating_sub(n);
        // A slot whose count reaches 0 is free again; a map entry goes.
        if *count == 0 && counts.map.remove(&uid).is_some() {
            crate::mm::heap::release_if_empty(&mut counts.map);
        }
    }

    /// `uid`'s count now.
    pub fn get(&self, uid: u32) -> usize {
        self.counts.lock().get_mut(uid).map_or(0, |c| *c)
    }
}
