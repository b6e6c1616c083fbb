//! System V shared memory (shmget, shmat, shmdt, shmctl), with Linux's semantics.
//!
//! A segment is a memory object (`mm::object::MemObject`, the same kind of object as
//! MAP_SHARED memory), entered in its own id table. shmat maps the object shared into
//! the caller's address space; fork copies the mapping, and exec, exit and shmdt take it
//! away, all through the ordinary area code. The attachment count is the number of
//! areas mapping the object, as Linux counts its vmas.
//!
//! The table keeps the object alive until IPC_RMID. Removing a segment that is still
//! attached only marks it (SHM_DEST, its key made private): the object then lives as
//! long as some mapping holds it, and the segment's entry is dropped from the table by
//! the first shm call after the last detach.

use super::limits;
use super::sysv::{caller, get_error, now_secs};
use crate::arch::spinlock::Mutex;
use crate::errno::{Errno, SysResult, EACCES, EIDRM, EINVAL, ENOMEM, ENOSPC, EPERM};
use crate::mm::aspace::{Backing, MapSpec, Prot, MAP_END};
use crate::mm::object::{MemObject, ObjectKind};
use crate::mm::PAGE_SIZE;
use crate::task::{current_process, Pid};
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use rill_ipc::abi::{
    ShmInfo64, ShmUsage, ShmidDs, SHMMIN, SHM_DEST, SHM_EXEC, SHM_HUGETLB, SHM_LOCKED, SHM_RDONLY,
    SHM_REMAP, SHM_RND,
};
use rill_ipc::{Access, IpcIds, IpcPerm};

/// What shmctl(IPC_STAT) reports besides the permissions.
#[derive(Clone, Copy, Default)]
struct Times {
    atime: i64,
    dtime: i64,
    ctime: i64,
    cpid: Pid,
    lpid: Pid,
}

/// One segment.
pub struct Segment {
    /// Size in bytes, as shmget was asked.
    size: usize,
    object: Weak<MemObject>,
    /// The table's own reference, given up by IPC_RMID.
    keep: Mutex<Option<Arc<MemObject>>>,
    times: Mutex<Times>,
}

impl Segment {
    fn pages(&self) -> usize {
        self.size.div_ceil(PAGE_SIZE)
    }

    /// Areas mapping the segment in every process (0 once the object is gone).
    fn nattch(&self) -> Result<usize, Errno> {
        match self.object.upgrade() {
            Some(o) => o.shared_mappings(),
            None => Ok(0),
        }
    }
}

struct Table {
    ids: IpcIds<Arc<Segment>>,
    /// Pages of all segments (SHM_INFO's shm_tot, against shmall).
    pages: usize,
    /// Segments removed while attached, waiting for their last detach.
    doomed: Vec<i32>,
}

static SEGMENTS: Mutex<Table> = Mutex::new(Table {
    ids: IpcIds::new(),
    pages: 0,
    doomed: Vec::new(),
});

impl Table {
    /// Drops the removed segments whose last attachment has gone.
    fn purge(&mut self) {
        let mut i = 0;
        while i < self.doomed.len() {
            let id = self.doomed[i];
            let gone = self
                .ids
                .get(id)
                .is_none_or(|s| s.obj.object.strong_count() == 0);
            if gone {
                if let Some(seg) = self.ids.remove(id) {
                    self.pages -= seg.pages();
                }
                self.doomed.swap_remove(i);
            } else {
                i += 1;
            }
        }
    }
}

/// shmget(2).
pub fn get(key: i32, size: usize, flags: u32) -> SysResult {
    let (cred, pid) = caller();
    let mut table = SEGMENTS.lock();
    table.purge();
    let pages_now = table.pages;
    let mut made_pages = 0;
    let id = table
        .ids
        .get_or_create(
            key,
            flags,
            cred,
            limits::shmmni(),
            |seg: &Arc<Segment>| {
                if size > seg.size {
                    Err(EINVAL)
                } else {
                    Ok(())
                }
            },
            || {
                if size < SHMMIN || size as u64 > limits::shmmax() {
                    return Err(EINVAL);
                }
                let pages = size.div_ceil(PAGE_SIZE);
                if pages_now as u64 + pages as u64 > limits::shmall() {
                    return Err(ENOSPC);
                }
                // Rill has no huge pages: Linux without hugetlbfs cannot make such a
                // segment (after the size checks; an existing key is found regardless).
                if flags & SHM_HUGETLB != 0 {
                    return Err(EINVAL);
                }
                made_pages = pages;
                crate::mm::heap::reserve(512)?;
                let object = MemObject::new(ObjectKind::SysvSegment(key), size as u64)?;
                Ok(Arc::new(Segment {
                    size,
                    object: Arc::downgrade(&object),
                    keep: Mutex::new(Some(object)),
                    times: Mutex::new(Times {
                        ctime: now_secs(),
                        cpid: pid,
                        ..Default::default()
                    }),
                }))
            },
        )
        .map_err(get_error)?;
    table.pages += made_pages;
    Ok(id as usize)
}

/// shmat(2): the address the segment is attached at.
pub fn attach(id: i32, addr: usize, flags: u32) -> SysResult {
    if id < 0 {
        return Err(EINVAL);
    }
    let mut addr = addr;
    if addr != 0 {
        if !addr.is_multiple_of(PAGE_SIZE) {
            if flags & SHM_RND == 0 {
                return Err(EINVAL);
            }
            addr &= !(PAGE_SIZE - 1);
            if addr == 0 && flags & SHM_REMAP != 0 {
                return Err(EINVAL);
            }
        }
    } else if flags & SHM_REMAP != 0 {
        return Err(EINVAL);
    }
    let (mut prot, mut want) = if flags & SHM_RDONLY != 0 {
        (Prot::READ, Access::READ.0)
    } else {
        (Prot::READ | Prot::WRITE, Access::READ_WRITE.0)
    };
    if flags & SHM_EXEC != 0 {
        prot |= Prot::EXEC;
        want |= 0o111;
    }
    let (cred, pid) = caller();
    let seg = {
        let mut table = SEGMENTS.lock();
        table.purge();
        let slot = table.ids.get(id).ok_or(EINVAL)?;
        if !slot.perm.permits(cred, Access(want)) {
            return Err(EACCES);
        }
        slot.obj.clone()
    };
    let object = seg.object.upgrade().ok_or(EIDRM)?;
    let len = seg.pages() * PAGE_SIZE;
    let aspace = current_process().aspace();
    let mut a = aspace.lock();
    let start = if addr != 0 {
        let end = addr
            .checked_add(len)
            .filter(|&e| e <= MAP_END)
            .ok_or(EINVAL)?;
        if flags & SHM_REMAP != 0 {
            a.unmap(addr, end)?;
        } else if a.overlaps(addr, end) {
            return Err(EINVAL);
        }
        addr
    } else {
        a.place(0, len).ok_or(ENOMEM)?
    };
    // A read-only attachment can never be made writable (its "file" is read-only).
    let max_prot = if flags & SHM_RDONLY != 0 {
        Prot::READ | Prot::EXEC
    } else {
        Prot::all()
    };
    a.map(
        start,
        start + len,
        MapSpec {
            prot,
            max_prot,
            locked: false,
            backing: Backing::Shared { object, pgoff: 0 },
        },
    )
    .map_err(|_| ENOMEM)?;
    drop(a);
    let mut t = seg.times.lock();
    t.atime = now_secs();
    t.lpid = pid;
    Ok(start)
}

/// Whether `object` may be mapped again (remap_file_pages): not when it is a segment
/// removed by IPC_RMID whose attachments are all gone, which Linux has destroyed by then.
pub fn may_map_again(object: &Arc<MemObject>) -> SysResult<bool> {
    if !matches!(object.kind(), ObjectKind::SysvSegment(_)) {
        return Ok(true);
    }
    let removed = {
        let table = SEGMENTS.lock();
        let slot = table
            .ids
            .iter()
            .map(|(_, slot)| slot)
            .find(|slot| core::ptr::eq(slot.obj.object.as_ptr(), Arc::as_ptr(object)));
        slot.is_none_or(|slot| slot.perm.mode & SHM_DEST != 0)
    };
    Ok(!removed || object.shared_mappings()? > 0)
}

/// shmdt(2): detaches the attachment that starts at `addr` (with the areas it was
/// split into).
pub fn detach(addr: usize) -> SysResult {
    if !addr.is_multiple_of(PAGE_SIZE) {
        return Err(EINVAL);
    }
    let (_, pid) = caller();
    let object = {
        let aspace = current_process().aspace();
        let mut a = aspace.lock();
        let (mut end, object, pgoff) = a.shared_mapping_at(addr).ok_or(EINVAL)?;
        if pgoff != 0 || !matches!(object.kind(), ObjectKind::SysvSegment(_)) {
            return Err(EINVAL);
        }
        let limit = addr + (object.size() as usize).div_ceil(PAGE_SIZE) * PAGE_SIZE;
        // The pieces of the attachment mprotect or munmap made, up to its size.
        while end < limit {
            match a.shared_mapping_at(end) {
                Some((next, o, off))
                    if Arc::ptr_eq(&o, &object) && off == (end - addr) / PAGE_SIZE =>
                {
                    end = next
                }
                _ => break,
            }
        }
        a.unmap(addr, end)?;
        object
    };
    let mut table = SEGMENTS.lock();
    let seg = table.ids.iter().find_map(|(_, slot)| {
        Weak::ptr_eq(&slot.obj.object, &Arc::downgrade(&object)).then(|| slot.obj.clone())
    });
    drop(object);
    if let Some(seg) = seg {
        let mut t = seg.times.lock();
        t.dtime = now_secs();
        t.lpid = pid;
    }
    table.purge();
    Ok(0)
}

/// What shmctl(2) answers, for the syscall layer to copy out.
pub enum CtlReply {
    Value(usize),
    Stat(ShmidDs, usize),
    Limits(ShmInfo64, usize),
    Usage(ShmUsage, usize),
}

/// IPC_STAT, SHM_STAT (`id` is a table index) and SHM_STAT_ANY (no read permission).
pub fn stat(id: i32, by_index: bool, check_read: bool) -> SysResult<CtlReply> {
    let (cred, _) = caller();
    let mut table = SEGMENTS.lock();
    table.purge();
    let (seg, perm, ret) = if by_index {
        let (full, slot) = table.ids.get_by_index(id as usize).ok_or(EINVAL)?;
        (slot.obj.clone(), slot.perm, full as usize)
    } else {
        let slot = table.ids.get(id).ok_or(EINVAL)?;
        (slot.obj.clone(), slot.perm, 0)
    };
    drop(table);
    if check_read && !perm.permits(cred, Access::READ) {
        return Err(EACCES);
    }
    Ok(CtlReply::Stat(describe(&seg, perm)?, ret))
}

fn describe(seg: &Segment, perm: IpcPerm) -> SysResult<ShmidDs> {
    let t = *seg.times.lock();
    Ok(ShmidDs {
        perm,
        segsz: seg.size as u64,
        atime: t.atime,
        dtime: t.dtime,
        ctime: t.ctime,
        cpid: t.cpid as i32,
        lpid: t.lpid as i32,
        nattch: seg.nattch()? as u64,
    })
}

/// IPC_INFO: the limits.
pub fn limits_info() -> CtlReply {
    let mut table = SEGMENTS.lock();
    table.purge();
    let info = ShmInfo64 {
        shmmax: limits::shmmax(),
        shmmin: SHMMIN as u64,
        shmmni: limits::shmmni() as u64,
        shmseg: limits::shmmni() as u64,
        shmall: limits::shmall(),
    };
    CtlReply::Limits(info, table.ids.max_index().unwrap_or(0))
}

/// SHM_INFO: segments in use, their pages and the resident ones.
pub fn usage_info() -> CtlReply {
    let mut table = SEGMENTS.lock();
    table.purge();
    let rss = table
        .ids
        .iter()
        .filter_map(|(_, s)| s.obj.object.upgrade())
        .map(|o| o.resident_pages() as u64)
        .sum();
    let usage = ShmUsage {
        used_ids: table.ids.in_use() as i32,
        shm_tot: table.pages as u64,
        shm_rss: rss,
    };
    CtlReply::Usage(usage, table.ids.max_index().unwrap_or(0))
}

/// What IPC_SET, IPC_RMID, SHM_LOCK and SHM_UNLOCK do.
pub enum Control {
    Set { uid: u32, gid: u32, mode: u32 },
    Remove,
    Lock(bool),
}

/// IPC_SET and IPC_RMID need the owner, the creator or root (EPERM); SHM_LOCK and
/// SHM_UNLOCK the owner, the creator or root as well (CAP_IPC_LOCK).
pub fn control(id: i32, what: Control) -> SysResult<CtlReply> {
    let (cred, _) = caller();
    let mut table = SEGMENTS.lock();
    table.purge();
    let slot = table.ids.get_mut(id).ok_or(EINVAL)?;
    if !slot.perm.may_control(cred) {
        return Err(EPERM);
    }
    match what {
        Control::Set { uid, gid, mode } => {
            slot.perm.set(uid, gid, mode);
            slot.obj.times.lock().ctime = now_secs();
        }
        Control::Lock(on) => {
            if on {
                slot.perm.mode |= SHM_LOCKED;
            } else {
                slot.perm.mode &= !SHM_LOCKED;
            }
            slot.obj.times.lock().ctime = now_secs();
        }
        Control::Remove => {
            let seg = slot.obj.clone();
            slot.perm.mode |= SHM_DEST;
            table.ids.make_private(id);
            // The table lets go of the object; mappings keep it while they exist.
            drop(seg.keep.lock().take());
            table.doomed.try_reserve(1).map_err(|_| ENOMEM)?;
            table.doomed.push(id);
            table.purge();
        }
    }
    Ok(CtlReply::Value(0))
}

/// /proc/sysvipc/shm, in Linux's format.
pub fn proc_text() -> SysResult<alloc::string::String> {
    use core::fmt::Write;
    let mut out = alloc::string::String::from(
        "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n",
    );
    let mut table = SEGMENTS.lock();
    table.purge();
    let segments: Vec<_> = table
        .ids
        .iter()
        .map(|(id, slot)| (id, slot.perm, slot.obj.clone()))
        .collect();
    drop(table);
    for (id, p, seg) in segments {
        let d = describe(&seg, p)?;
        let rss = seg.object.upgrade().map_or(0, |o| o.resident_pages()) * PAGE_SIZE;
        let _ = writeln!(
            out,
            "{:10} {:10}  {:4o} {:21} {:5} {:5}  {:5} {:5} {:5} {:5} {:5} {:10} {:10} {:10} {:21} {:21}",
            p.key,
            id,
            p.mode,
            d.segsz,
            d.cpid,
            d.lpid,
            d.nattch,
            p.uid,
            p.gid,
            p.cuid,
            p.cgid,
            d.atime,
            d.dtime,
            d.ctime,
            rss,
            0
        );
    }
    Ok(out)
}
