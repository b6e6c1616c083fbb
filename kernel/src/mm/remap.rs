//! mremap: shrinking, growing in place, moving (MREMAP_MAYMOVE, MREMAP_FIXED,
//! MREMAP_DONTUNMAP) and duplicating a shared mapping (an old length of 0), with the
//! order of checks and the errors of Linux's mm/mremap.c. A move carries the
//! page-table entries, and the frame references they hold, to the new place.

use super::aspace::{AddressSpace, EDIT_HEAP_COST, MAP_END, MAX_MAP_COUNT, MMAP_MIN};
use super::{heap, PAGE_SHIFT, PAGE_SIZE};
use crate::errno::{Errno, EFAULT, EINVAL, ENOMEM, EPERM};

/// mremap's flags.
#[derive(Clone, Copy)]
pub struct RemapFlags {
    /// MREMAP_MAYMOVE: the mapping may move where there is room.
    pub may_move: bool,
    /// MREMAP_FIXED: it moves to the new address, replacing what is there.
    pub fixed: bool,
    /// MREMAP_DONTUNMAP: the old range stays mapped, emptied.
    pub dont_unmap: bool,
}

/// The end of `[addr, addr + len)` when it lies below MAP_END (munmap's EINVAL rule).
fn range_end(addr: usize, len: usize) -> Result<usize, Errno> {
    addr.checked_add(len)
        .filter(|&e| e <= MAP_END)
        .ok_or(EINVAL)
}

impl AddressSpace {
    /// mremap of `[addr, addr + old_len)` (page aligned, lengths rounded up, new_len
    /// not 0) to `new_len` bytes. `new_addr` is where MREMAP_FIXED puts it, and a hint
    /// for MREMAP_DONTUNMAP alone.
    pub fn remap(
        &mut self,
        addr: usize,
        old_len: usize,
        new_len: usize,
        flags: RemapFlags,
        new_addr: usize,
    ) -> Result<usize, Errno> {
        self.area_at(addr).ok_or(EFAULT)?;
        if flags.fixed || flags.dont_unmap {
            return self.remap_to(addr, old_len, new_len, flags, new_addr);
        }
        // Shrinking (or keeping the size) only unmaps the tail.
        if old_len >= new_len {
            if old_len != new_len {
                let end = range_end(addr, old_len)?;
                self.unmap(addr + new_len, end)?;
            }
            return Ok(addr);
        }
        let area_end = self.resize_check(addr, old_len)?;
        if old_len == area_end - addr && self.expandable(area_end, new_len - old_len) {
            heap::reserve(EDIT_HEAP_COST)?;
            let new_end = addr + new_len;
            if let Some((start, _)) = self.area_at(addr) {
                if let Some(area) = self.areas.get_mut(&start) {
                    area.end = new_end;
                }
                self.gaps.occupy(area_end, new_end);
                self.merge_around(start);
            }
            return Ok(addr);
        }
        if !flags.may_move {
            return Err(ENOMEM);
        }
        let new = self.find_free(new_len).ok_or(ENOMEM)?;
        self.move_area(addr, old_len, new, new_len, false)
    }

    /// Linux's mremap_to: a move to a fixed place or with MREMAP_DONTUNMAP.
    fn remap_to(
        &mut self,
        addr: usize,
        mut old_len: usize,
        new_len: usize,
        flags: RemapFlags,
        new_addr: usize,
    ) -> Result<usize, Errno> {
        if !new_addr.is_multiple_of(PAGE_SIZE) || new_len > MAP_END || new_addr > MAP_END - new_len
        {
            return Err(EINVAL);
        }
        if addr.saturating_add(old_len) > new_addr && new_addr + new_len > addr {
            return Err(EINVAL);
        }
        // As Linux: make sure the unmapping below cannot be the step that fails on
        // the area limit.
        if self.areas.len() + 2 >= MAX_MAP_COUNT - 3 {
            return Err(ENOMEM);
        }
        if flags.fixed {
            self.unmap(new_addr, new_addr + new_len)?;
        }
        if old_len > new_len {
            self.unmap(addr + new_len, range_end(addr, old_len)?)?;
            old_len = new_len;
        }
        self.resize_check(addr, old_len)?;
        let to = if flags.fixed {
            if new_addr < MMAP_MIN {
                return Err(EPERM);
            }
            new_addr
        } else {
            self.place(new_addr, new_len).ok_or(ENOMEM)?
        };
        self.move_area(addr, old_len, to, new_len, flags.dont_unmap)
    }

    /// Linux's vma_to_resize: the area at `addr` must hold the whole old range, and
    /// only a shared mapping can be duplicated (old length 0). Returns the area's end.
    fn resize_check(&self, addr: usize, old_len: usize) -> Result<usize, Errno> {
        let (_, area) = self.area_at(addr).ok_or(EFAULT)?;
        if old_len == 0 && !area.backing.is_shared() {
            return Err(EINVAL);
        }
        if old_len > area.end - addr {
            return Err(EFAULT);
        }
        Ok(area.end)
    }

    /// Whether the area ending at `end` can grow by `delta` bytes where it is.
    fn expandable(&self, end: usize, delta: usize) -> bool {
        end.checked_add(delta)
            .is_some_and(|e| e <= MAP_END && !self.overlaps(end, e))
    }

    /// Maps `[new, new + new_len)` as the area holding `old` maps `old` on, moves the
    /// entries of `[old, old + old_len)` there and unmaps the old range (unless
    /// `dont_unmap`). Returns `new`.
    fn move_area(
        &mut self,
        old: usize,
        old_len: usize,
        new: usize,
        new_len: usize,
        dont_unmap: bool,
    ) -> Result<usize, Errno> {
        if self.areas.len() >= MAX_MAP_COUNT - 3 {
            return Err(ENOMEM);
        }
        heap::reserve(3 * EDIT_HEAP_COST)?;
        let (start, area) = self.area_at(old).ok_or(EFAULT)?;
        let mut moved = area.tail(start, old);
        moved.end = new + new_len;
        if let Some((object, _)) = moved.backing.object() {
            if self.this.strong_count() > 0 {
                object.add_mapper(&self.this)?;
            }
        }
        self.areas.insert(new, moved);
        self.gaps.occupy(new, new + new_len);
        if !self
            .pt
            .move_range(old >> PAGE_SHIFT, new >> PAGE_SHIFT, old_len >> PAGE_SHIFT)
        {
            self.areas.remove(&new);
            self.gaps.release(new, new + new_len);
            return Err(ENOMEM);
        }
        if !dont_unmap && old_len > 0 {
            // Linux goes on when this split fails: the old range then stays, empty.
            let _ = self.unmap(old, old + old_len);
        }
        self.flush_tlb();
        self.merge_around(new);
        Ok(new)
    }
}
