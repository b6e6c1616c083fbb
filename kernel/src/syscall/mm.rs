//! Memory system calls: brk, mmap, munmap, mprotect, mremap, msync, madvise. The
//! argument checks follow Linux's order (mm/mmap.c, mm/mremap.c, mm/msync.c) so each
//! bad call gets Linux's errno; the work is in mm::aspace and its neighbours.

use crate::arch::spinlock::Mutex;
use crate::errno::*;
use crate::fs::file::OpenFile;
use crate::fs::tmpfs::MAX_FILE_SIZE;
use crate::fs::vfs::S_IFCHR;
use crate::mm::aspace::{AddressSpace, Backing, Discard, MapSpec, Prot, MAP_END, MMAP_MIN};
use crate::mm::object::{MemObject, ObjectKind};
use crate::mm::remap::RemapFlags;
use crate::mm::{PAGE_SHIFT, PAGE_SIZE};
use crate::task::current_process;
use alloc::sync::Arc;
use linux_raw_sys::general as g;

pub fn brk(addr: usize) -> SysResult {
    let aspace = current_process().aspace();
    let mut a = aspace.lock();
    if addr == 0 {
        return Ok(a.brk);
    }
    Ok(a.set_brk(addr))
}

fn prot_from(prot: u32) -> SysResult<Prot> {
    Prot::from_bits(prot).ok_or(EINVAL)
}

fn check_range(addr: usize, len: usize) -> SysResult<usize> {
    if !addr.is_multiple_of(PAGE_SIZE) || len == 0 {
        return Err(EINVAL);
    }
    let end = crate::mm::checked_page_round_up(len)
        .and_then(|l| addr.checked_add(l))
        .ok_or(EINVAL)?;
    if end > MAP_END {
        return Err(EINVAL);
    }
    Ok(end)
}

/// The flags a file mapping may carry with MAP_SHARED_VALIDATE (Linux's
/// LEGACY_MAP_MASK; no Rill file supports more, such as MAP_SYNC).
const LEGACY_MAP_MASK: u32 = g::MAP_SHARED
    | g::MAP_PRIVATE
    | g::MAP_FIXED
    | g::MAP_ANONYMOUS
    | g::MAP_DENYWRITE
    | g::MAP_EXECUTABLE
    | g::MAP_UNINITIALIZED
    | g::MAP_GROWSDOWN
    | g::MAP_LOCKED
    | g::MAP_NORESERVE
    | g::MAP_POPULATE
    | g::MAP_NONBLOCK
    | g::MAP_STACK
    | g::MAP_HUGETLB
    | g::MAP_HUGE_2MB
    | g::MAP_HUGE_1GB;

/// /dev/zero's device number: mapping it is anonymous memory.
const DEV_ZERO: u64 = (1 << 8) | 5;

/// What a mapping of an open file maps, after Linux's checks of the mapping type and
/// the open mode. A tmpfs file maps its memory object, shared (`Backing::Shared`) or
/// as a private copy (`Backing::PrivateCopy`) from page `pgoff`; a shared mapping of a
/// file opened read-only can never be made writable. /dev/zero maps anonymous memory
/// (shared anonymous for MAP_SHARED), as on Linux; other files have no mmap (ENODEV).
fn file_backing(
    file: &OpenFile,
    flags: u32,
    prot: Prot,
    pgoff: usize,
    len: usize,
) -> SysResult<MapSpec> {
    match flags & g::MAP_TYPE {
        g::MAP_SHARED | g::MAP_SHARED_VALIDATE => {
            // Plain MAP_SHARED ignores flags it does not know (old programs pass junk).
            let checked = match flags & g::MAP_TYPE {
                g::MAP_SHARED => flags & LEGACY_MAP_MASK,
                _ => flags,
            };
            if checked & !LEGACY_MAP_MASK != 0 {
                return Err(EOPNOTSUPP);
            }
            if prot.contains(Prot::WRITE) && !file.writable() {
                return Err(EACCES);
            }
        }
        g::MAP_PRIVATE => {}
        _ => return Err(EINVAL),
    }
    if !file.readable() {
        return Err(EACCES);
    }
    let shared = flags & g::MAP_TYPE != g::MAP_PRIVATE;
    let meta = file.file.metadata();
    if meta.file_type() == S_IFCHR && meta.rdev == DEV_ZERO {
        if !shared {
            return Ok(MapSpec::anonymous(prot));
        }
        if flags & g::MAP_GROWSDOWN != 0 {
            return Err(EINVAL);
        }
        let object = MemObject::new(ObjectKind::SharedAnonymous, len as u64)?;
        return Ok(MapSpec {
            backing: Backing::Shared { object, pgoff: 0 },
            ..MapSpec::anonymous(prot)
        });
    }
    let object = file
        .inode
        .as_ref()
        .and_then(|i| i.mem_object())
        .ok_or(ENODEV)?;
    // Linux's file_mmap_ok: the mapping must end within the largest file size.
    let max_pages = (MAX_FILE_SIZE >> PAGE_SHIFT) as usize;
    if (len >> PAGE_SHIFT) > max_pages || pgoff > max_pages - (len >> PAGE_SHIFT) {
        return Err(EOVERFLOW);
    }
    let mut max_prot = Prot::all();
    let backing = if shared {
        if !file.writable() {
            max_prot.remove(Prot::WRITE);
        }
        Backing::Shared { object, pgoff }
    } else {
        Backing::PrivateCopy { object, pgoff }
    };
    Ok(MapSpec {
        prot,
        max_prot,
        locked: false,
        backing,
    })
}

pub fn mmap(addr: usize, len: usize, prot: u32, flags: u32, fd: i32, off: usize) -> SysResult {
    // riscv's mmap takes a byte offset, which must be page aligned.
    if !off.is_multiple_of(PAGE_SIZE) {
        return Err(EINVAL);
    }
    let file = match flags & g::MAP_ANONYMOUS {
        0 => Some(crate::task::current_files().lock().get(fd)?),
        _ => None,
    };
    // No huge pages (Linux without hugetlbfs says the same).
    if flags & g::MAP_HUGETLB != 0 {
        return Err(EINVAL);
    }
    // mmap ignores protection bits it does not know.
    let prot = Prot::from_bits_truncate(prot);
    if len == 0 {
        return Err(EINVAL);
    }
    let len = crate::mm::checked_page_round_up(len).ok_or(ENOMEM)?;
    let pgoff = off >> PAGE_SHIFT;
    pgoff.checked_add(len >> PAGE_SHIFT).ok_or(EOVERFLOW)?;
    let aspace = current_process().aspace();
    let mut a = aspace.lock();
    a.check_map_count()?;
    // Linux's get_unmapped_area.
    if len > MAP_END - MMAP_MIN {
        return Err(ENOMEM);
    }
    let fixed = flags & (g::MAP_FIXED | g::MAP_FIXED_NOREPLACE) != 0;
    let start = if fixed {
        if addr > MAP_END - len {
            return Err(ENOMEM);
        }
        if !addr.is_multiple_of(PAGE_SIZE) {
            return Err(EINVAL);
        }
        if addr < MMAP_MIN {
            return Err(EPERM);
        }
        addr
    } else {
        a.place(addr, len).ok_or(ENOMEM)?
    };
    let end = start + len;
    if flags & g::MAP_FIXED_NOREPLACE != 0 && a.overlaps(start, end) {
        return Err(EEXIST);
    }
    let mut spec = match &file {
        Some(file) => file_backing(file, flags, prot, pgoff, len)?,
        None => match flags & g::MAP_TYPE {
            g::MAP_SHARED if flags & g::MAP_GROWSDOWN != 0 => return Err(EINVAL),
            g::MAP_SHARED => MapSpec {
                backing: Backing::Shared {
                    object: MemObject::new(ObjectKind::SharedAnonymous, len as u64)?,
                    pgoff: 0,
                },
                ..MapSpec::anonymous(prot)
            },
            g::MAP_PRIVATE => MapSpec::anonymous(prot),
            _ => return Err(EINVAL),
        },
    };
    spec.locked = flags & g::MAP_LOCKED != 0;
    if fixed {
        a.unmap(start, end)?;
    }
    a.map(start, end, spec).map_err(|_| ENOMEM)?;
    // Populate as asked (MAP_NONBLOCK cancels it), or as locked memory must be.
    if flags & (g::MAP_POPULATE | g::MAP_NONBLOCK) == g::MAP_POPULATE || flags & g::MAP_LOCKED != 0
    {
        a.populate_range(start, end);
    }
    Ok(start)
}

pub fn munmap(addr: usize, len: usize) -> SysResult {
    let end = check_range(addr, len)?;
    current_process().aspace().lock().unmap(addr, end)?;
    Ok(0)
}

pub fn mprotect(addr: usize, len: usize, prot: u32) -> SysResult {
    let grows = prot & (g::PROT_GROWSDOWN | g::PROT_GROWSUP);
    if grows == g::PROT_GROWSDOWN | g::PROT_GROWSUP || !addr.is_multiple_of(PAGE_SIZE) {
        return Err(EINVAL);
    }
    if len == 0 {
        return Ok(0);
    }
    let end = crate::mm::checked_page_round_up(len)
        .and_then(|l| addr.checked_add(l))
        .filter(|&e| e > addr)
        .ok_or(ENOMEM)?;
    // PROT_SEM is accepted and means nothing here; the growth bits only extend the
    // range to a growing stack's edge, and Rill's stack does not grow.
    let prot = prot_from(prot & !(g::PROT_SEM | grows))?;
    if end > MAP_END {
        return Err(ENOMEM);
    }
    current_process().aspace().lock().protect(addr, end, prot)?;
    Ok(0)
}

/// mremap: resize or move a mapping (see mm::remap).
pub fn mremap(
    addr: usize,
    old_len: usize,
    new_len: usize,
    flags: usize,
    new_addr: usize,
) -> SysResult {
    let known = (g::MREMAP_FIXED | g::MREMAP_MAYMOVE | g::MREMAP_DONTUNMAP) as usize;
    let f = RemapFlags {
        may_move: flags & g::MREMAP_MAYMOVE as usize != 0,
        fixed: flags & g::MREMAP_FIXED as usize != 0,
        dont_unmap: flags & g::MREMAP_DONTUNMAP as usize != 0,
    };
    if flags & !known != 0 || f.fixed && !f.may_move {
        return Err(EINVAL);
    }
    // MREMAP_DONTUNMAP always moves and never resizes.
    if f.dont_unmap && (!f.may_move || old_len != new_len) {
        return Err(EINVAL);
    }
    if !addr.is_multiple_of(PAGE_SIZE) {
        return Err(EINVAL);
    }
    // PAGE_ALIGN wraps in Linux: a length within a page of the top becomes 0.
    let align = |l: usize| l.wrapping_add(PAGE_SIZE - 1) & !(PAGE_SIZE - 1);
    let (old_len, new_len) = (align(old_len), align(new_len));
    if new_len == 0 {
        return Err(EINVAL);
    }
    let aspace = current_process().aspace();
    let mut a = aspace.lock();
    a.remap(addr, old_len, new_len, f, new_addr)
}

/// msync: Rill's shared memory lives in RAM, so there is nothing to write back; what
/// remains is Linux's checks, including ENOMEM for unmapped parts of the range.
pub fn msync(start: usize, len: usize, flags: u32) -> SysResult {
    if flags & !(g::MS_ASYNC | g::MS_INVALIDATE | g::MS_SYNC) != 0
        || !start.is_multiple_of(PAGE_SIZE)
        || flags & g::MS_ASYNC != 0 && flags & g::MS_SYNC != 0
    {
        return Err(EINVAL);
    }
    let len = len.wrapping_add(PAGE_SIZE - 1) & !(PAGE_SIZE - 1);
    let end = start.checked_add(len).ok_or(ENOMEM)?;
    if end == start {
        return Ok(0);
    }
    let aspace = current_process().aspace();
    let a = aspace.lock();
    let mut start = start;
    let mut unmapped = Ok(0);
    loop {
        let (s, e, locked) = a.area_from(start).ok_or(ENOMEM)?;
        if start < s {
            // A hole: MS_ASYNC alone stops at once; otherwise ENOMEM at the end.
            if flags == g::MS_ASYNC {
                return Err(ENOMEM);
            }
            start = s;
            if start >= end {
                return Err(ENOMEM);
            }
            unmapped = Err(ENOMEM);
        }
        if flags & g::MS_INVALIDATE != 0 && locked {
            return Err(EBUSY);
        }
        start = e;
        if start >= end {
            return unmapped;
        }
    }
}

/// The advice values Linux 6.1 accepts in the reference configuration (no KSM, no
/// transparent huge pages, no memory-failure injection).
fn advice_known(advice: u32) -> bool {
    matches!(
        advice,
        g::MADV_NORMAL
            | g::MADV_RANDOM
            | g::MADV_SEQUENTIAL
            | g::MADV_WILLNEED
            | g::MADV_DONTNEED
            | g::MADV_DONTNEED_LOCKED
            | g::MADV_FREE
            | g::MADV_REMOVE
            | g::MADV_DONTFORK
            | g::MADV_DOFORK
            | g::MADV_COLD
            | g::MADV_PAGEOUT
            | g::MADV_POPULATE_READ
            | g::MADV_POPULATE_WRITE
            | g::MADV_DONTDUMP
            | g::MADV_DODUMP
            | g::MADV_WIPEONFORK
            | g::MADV_KEEPONFORK
    )
}

/// MADV_REMOVE: punches a hole in the objects behind `[start, end)`, area by area as
/// Linux's madvise walks them (an area's error ends the walk; holes are ENOMEM at the
/// end). Only writable shared mappings have an object to punch.
fn remove(aspace: &Arc<Mutex<AddressSpace>>, mut start: usize, end: usize) -> SysResult {
    let mut unmapped = Ok(0);
    while start < end {
        let (object, offset, to) = {
            let a = aspace.lock();
            let (s, e, _) = a.area_from(start).ok_or(ENOMEM)?;
            if start < s {
                unmapped = Err(ENOMEM);
                start = s;
                if start >= end {
                    break;
                }
            }
            let (object, offset) = a.hole_target(start)?;
            (object, offset, e.min(end))
        };
        object.punch_hole(offset, (to - start) as u64)?;
        start = to;
    }
    unmapped
}

/// madvise: the discarding advice (DONTNEED, and FREE, whose pages may go at any time)
/// drops the pages from this address space; REMOVE frees a shared mapping's pages in
/// its object; other advice only checks the range. As on Linux, a range with unmapped
/// parts is ENOMEM after the mapped parts are done.
pub fn madvise(addr: usize, len: usize, advice: u32) -> SysResult {
    if !advice_known(advice) || !addr.is_multiple_of(PAGE_SIZE) {
        return Err(EINVAL);
    }
    let end = crate::mm::checked_page_round_up(len)
        .and_then(|l| addr.checked_add(l))
        .ok_or(EINVAL)?;
    if end == addr {
        return Ok(0);
    }
    let aspace = current_process().aspace();
    let mut a = aspace.lock();
    match advice {
        g::MADV_DONTNEED => a.discard(addr, end, Discard::DontNeed)?,
        g::MADV_DONTNEED_LOCKED => a.discard(addr, end, Discard::DontNeedLocked)?,
        g::MADV_FREE => a.discard(addr, end, Discard::Free)?,
        g::MADV_REMOVE => {
            // Punching the hole locks every address space mapping the object.
            drop(a);
            return remove(&aspace, addr, end);
        }
        _ => a.covered(addr, end)?,
    }
    Ok(0)
}

/// remap_file_pages(2), as Linux has done it since 4.0: the pages of a shared mapping's
/// object from `pgoff` on are mapped again over `[start, start + size)`, as an mmap with
/// MAP_FIXED would. The range may cross areas that map the same object one after the
/// other with the same protection (pages remapped before), as on Linux.
pub fn remap_file_pages(
    start: usize,
    size: usize,
    prot: usize,
    pgoff: usize,
    flags: u32,
) -> SysResult {
    // Flags other than MAP_NONBLOCK are ignored, as Linux does.
    if prot != 0 {
        return Err(EINVAL);
    }
    let start = start & !(PAGE_SIZE - 1);
    let size = size & !(PAGE_SIZE - 1);
    let end = start
        .checked_add(size)
        .filter(|&e| e > start)
        .ok_or(EINVAL)?;
    pgoff.checked_add(size >> PAGE_SHIFT).ok_or(EINVAL)?;
    let aspace = current_process().aspace();
    let (spec, object) = {
        let mut a = aspace.lock();
        let (area_end, spec) = a.shared_spec_over(start).ok_or(EINVAL)?;
        let Backing::Shared { object, .. } = &spec.backing else {
            return Err(EINVAL);
        };
        let object = object.clone();
        let mut covered = area_end;
        while covered < end {
            let (next_end, next) = a.shared_spec_over(covered).ok_or(EINVAL)?;
            let same_object = matches!(&next.backing,
                Backing::Shared { object: o, .. } if Arc::ptr_eq(o, &object));
            if !same_object || next.prot != spec.prot || next.locked != spec.locked {
                return Err(EINVAL);
            }
            covered = next_end;
        }
        a.unmap(start, end)?;
        (spec, object)
    };
    // The old pages went first: a removed System V segment whose last attachment they
    // were is gone, and cannot be mapped again (Linux's shm_mmap: EINVAL).
    if !crate::ipc::shm::may_map_again(&object)? {
        return Err(EINVAL);
    }
    let mut a = aspace.lock();
    let spec = MapSpec {
        backing: Backing::Shared { object, pgoff },
        ..spec
    };
    a.map(start, end, spec).map_err(|_| ENOMEM)?;
    // Linux maps with MAP_POPULATE unless MAP_NONBLOCK is given.
    if flags & g::MAP_NONBLOCK == 0 {
        a.populate_range(start, end);
    }
    Ok(0)
}
