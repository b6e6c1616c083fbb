//! Memory system calls: brk, mmap, munmap, mprotect, madvise (anonymous memory).
//! The area-count limit and its rules live in mm::aspace.

use crate::errno::*;
use crate::mm::aspace::Prot;
use crate::mm::{PAGE_SIZE, USER_END};
use crate::task::current_process;
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
    if end > USER_END {
        return Err(EINVAL);
    }
    Ok(end)
}

pub fn mmap(addr: usize, len: usize, prot: u32, flags: u32, fd: i32, _off: usize) -> SysResult {
    let kind = flags & g::MAP_TYPE;
    if kind != g::MAP_PRIVATE && kind != g::MAP_SHARED || len == 0 {
        return Err(EINVAL);
    }
    if flags & g::MAP_ANONYMOUS == 0 {
        // File mappings arrive with the memory-object work (shared memory).
        let _ = fd;
        return Err(ENODEV);
    }
    let prot = prot_from(prot)?;
    let len = crate::mm::checked_page_round_up(len)
        .filter(|&l| l <= USER_END)
        .ok_or(ENOMEM)?;
    let aspace = current_process().aspace();
    let mut a = aspace.lock();
    // Linux checks the area count first, before MAP_FIXED unmaps anything.
    a.check_map_count()?;
    let start = if flags & (g::MAP_FIXED | g::MAP_FIXED_NOREPLACE) != 0 {
        let end = check_range(addr, len)?;
        // Below the lowest mappable address Linux refuses (mmap_min_addr) before it
        // touches anything.
        if addr < crate::mm::aspace::MMAP_MIN {
            return Err(EPERM);
        }
        if flags & g::MAP_FIXED_NOREPLACE != 0 && a.overlaps(addr, end) {
            return Err(EEXIST);
        }
        a.unmap(addr, end)?;
        addr
    } else {
        a.find_free(len).ok_or(ENOMEM)?
    };
    a.add_area(start, start + len, prot).map_err(|_| ENOMEM)?;
    Ok(start)
}

pub fn munmap(addr: usize, len: usize) -> SysResult {
    let end = check_range(addr, len)?;
    current_process().aspace().lock().unmap(addr, end)?;
    Ok(0)
}

pub fn mprotect(addr: usize, len: usize, prot: u32) -> SysResult {
    if !addr.is_multiple_of(PAGE_SIZE) {
        return Err(EINVAL);
    }
    if len == 0 {
        return Ok(0);
    }
    let end = check_range(addr, len).map_err(|_| ENOMEM)?;
    let prot = prot_from(prot)?;
    current_process().aspace().lock().protect(addr, end, prot)?;
    Ok(0)
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

/// madvise: the discarding advice (DONTNEED, and FREE, whose pages may go at any time)
/// drops the pages, so the next touch sees zeroes; other advice only checks the range.
/// As on Linux, a range with unmapped parts is ENOMEM after the mapped parts are done.
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
        g::MADV_DONTNEED | g::MADV_DONTNEED_LOCKED | g::MADV_FREE => a.discard(addr, end)?,
        // REMOVE frees a file's backing store: anonymous memory has none.
        g::MADV_REMOVE => {
            a.covered(addr, end)?;
            return Err(EINVAL);
        }
        _ => a.covered(addr, end)?,
    }
    Ok(0)
}
