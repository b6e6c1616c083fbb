//! User address spaces: a list of areas (start, end, protection) plus the page table
//! that caches their populated pages. Anonymous pages are allocated on first touch,
//! either by the page-fault handler or by the user-memory copy routines, which look
//! pages up here instead of relying on hardware faults inside the kernel.

use super::pagetable::PageTable;
use super::{page_round_up, Frame, PAGE_SHIFT, PAGE_SIZE, USER_END};
use crate::arch::paging::PteFlags;
use crate::errno::{Errno, EFAULT, EINVAL, ENOMEM};
use alloc::collections::BTreeMap;
use bitflags::bitflags;

bitflags! {
    /// Access rights of an area, as mmap's PROT_* bits.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Prot: u32 {
        const READ = 1;
        const WRITE = 2;
        const EXEC = 4;
    }
}

/// The kind of access a fault or a copy makes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Access {
    Read,
    Write,
    Exec,
}

impl Prot {
    fn allows(self, a: Access) -> bool {
        match a {
            Access::Read => self.contains(Prot::READ),
            Access::Write => self.contains(Prot::WRITE),
            Access::Exec => self.contains(Prot::EXEC),
        }
    }
    fn pte_flags(self) -> PteFlags {
        let mut f = PteFlags::U;
        // Sv39 has no write-only pages: PROT_WRITE implies read, as on Linux.
        if self.intersects(Prot::READ | Prot::WRITE) {
            f |= PteFlags::R;
        }
        if self.contains(Prot::WRITE) {
            f |= PteFlags::W;
        }
        if self.contains(Prot::EXEC) {
            f |= PteFlags::X;
        }
        f
    }
}

/// Top of the initial user stack and its maximum size.
pub const STACK_TOP: usize = USER_END - PAGE_SIZE;
pub const STACK_SIZE: usize = 8 * 1024 * 1024;
/// The page above the stack holds the signal return trampoline (read+execute only).
pub const SIGRETURN_TRAMPOLINE: usize = STACK_TOP;
/// mmap without an address hint places areas downward from here.
const MMAP_TOP: usize = STACK_TOP - STACK_SIZE - 16 * PAGE_SIZE;
/// Lowest address mmap hands out.
pub const MMAP_MIN: usize = 0x1_0000;

/// A contiguous range of pages with one protection, privately owned by this address
/// space. Pages are populated lazily and freed when the area shrinks or goes away.
struct Area {
    end: usize,
    prot: Prot,
    pages: BTreeMap<usize, Frame>,
}

impl Area {
    /// Splits off the part of this area from `at` on (at is page aligned, inside).
    fn split_off(&mut self, at: usize) -> Area {
        let pages = self.pages.split_off(&(at >> PAGE_SHIFT));
        let tail = Area {
            end: self.end,
            prot: self.prot,
            pages,
        };
        self.end = at;
        tail
    }
}

pub struct AddressSpace {
    pt: PageTable,
    /// Areas keyed by start address; they never overlap.
    areas: BTreeMap<usize, Area>,
    pub brk_base: usize,
    pub brk: usize,
}

impl AddressSpace {
    pub fn new() -> Result<AddressSpace, Errno> {
        let mut pt = PageTable::new().ok_or(ENOMEM)?;
        let tramp = crate::arch::trap::trampoline_phys() >> PAGE_SHIFT;
        if !pt.map(
            SIGRETURN_TRAMPOLINE >> PAGE_SHIFT,
            tramp,
            PteFlags::U | PteFlags::R | PteFlags::X,
        ) {
            return Err(ENOMEM);
        }
        Ok(AddressSpace {
            pt,
            areas: BTreeMap::new(),
            brk_base: 0,
            brk: 0,
        })
    }

    pub fn satp(&self) -> usize {
        self.pt.satp()
    }

    /// Whether any area overlaps `[start, end)`.
    pub fn overlaps(&self, start: usize, end: usize) -> bool {
        if let Some((_, a)) = self.areas.range(..end).next_back() {
            if a.end > start {
                return true;
            }
        }
        false
    }

    /// Adds an area over `[start, end)` (page aligned, currently unmapped).
    pub fn add_area(&mut self, start: usize, end: usize, prot: Prot) -> Result<(), Errno> {
        if start >= end || end > USER_END || start < MMAP_MIN || self.overlaps(start, end) {
            return Err(EINVAL);
        }
        self.areas.insert(
            start,
            Area {
                end,
                prot,
                pages: BTreeMap::new(),
            },
        );
        Ok(())
    }

    /// Finds a free range of `len` bytes, highest first below the stack.
    pub fn find_free(&self, len: usize) -> Option<usize> {
        let mut top = MMAP_TOP;
        for (&start, a) in self.areas.range(..MMAP_TOP).rev() {
            if a.end <= top && top - a.end >= len {
                return Some(top - len);
            }
            top = top.min(start);
        }
        (top >= MMAP_MIN + len).then(|| top - len)
    }

    /// Splits areas so that `at` is an area boundary.
    fn split_at(&mut self, at: usize) {
        let Some((&start, a)) = self.areas.range_mut(..at).next_back() else {
            return;
        };
        if a.end > at {
            let tail = a.split_off(at);
            debug_assert!(start < at);
            self.areas.insert(at, tail);
        }
    }

    /// Removes every page of `[start, end)` (page aligned); holes are fine, as munmap.
    pub fn unmap(&mut self, start: usize, end: usize) {
        self.split_at(start);
        self.split_at(end);
        let starts: alloc::vec::Vec<usize> =
            self.areas.range(start..end).map(|(&s, _)| s).collect();
        for s in starts {
            if let Some(area) = self.areas.remove(&s) {
                for &vpn in area.pages.keys() {
                    self.pt.unmap(vpn);
                }
            }
        }
        crate::arch::cpu::flush_tlb();
    }

    /// Changes the protection of `[start, end)`; ENOMEM if any page in it is unmapped.
    pub fn protect(&mut self, start: usize, end: usize, prot: Prot) -> Result<(), Errno> {
        let mut cursor = start;
        for (&s, a) in self.areas.range(..end) {
            if a.end <= cursor {
                continue;
            }
            if s > cursor {
                return Err(ENOMEM);
            }
            cursor = a.end;
        }
        if cursor < end {
            return Err(ENOMEM);
        }
        self.split_at(start);
        self.split_at(end);
        for (_, a) in self.areas.range_mut(start..end) {
            a.prot = prot;
            for &vpn in a.pages.keys() {
                self.pt.protect(vpn, prot.pte_flags());
            }
        }
        crate::arch::cpu::flush_tlb();
        Ok(())
    }

    /// The populated page holding `va`, if the area allows `access`, allocating and
    /// mapping it on first touch.
    pub fn page(&mut self, va: usize, access: Access) -> Result<&mut Frame, Errno> {
        let (_, area) = self.areas.range_mut(..=va).next_back().ok_or(EFAULT)?;
        if va >= area.end || !area.prot.allows(access) {
            return Err(EFAULT);
        }
        let vpn = va >> PAGE_SHIFT;
        if !area.pages.contains_key(&vpn) {
            let frame = Frame::alloc().ok_or(ENOMEM)?;
            if !self.pt.map(vpn, frame.ppn(), area.prot.pte_flags()) {
                return Err(ENOMEM);
            }
            area.pages.insert(vpn, frame);
        }
        area.pages.get_mut(&vpn).ok_or(EFAULT)
    }

    /// Resolves a user page fault; false means the access is not allowed (SIGSEGV).
    pub fn handle_fault(&mut self, va: usize, access: Access) -> bool {
        self.page(va, access).is_ok()
    }

    /// Page-table pages (VmPTE).
    pub fn table_pages(&self) -> usize {
        self.pt.table_pages()
    }

    /// Populated user pages (VmRSS).
    pub fn resident_pages(&self) -> usize {
        self.areas.values().map(|a| a.pages.len()).sum()
    }

    /// Whether `va` lies in some area (tells SEGV_ACCERR from SEGV_MAPERR).
    pub fn is_mapped(&self, va: usize) -> bool {
        matches!(self.areas.range(..=va).next_back(), Some((_, a)) if va < a.end)
    }

    /// Copies this address space for fork: every populated page is duplicated.
    pub fn fork(&self) -> Result<AddressSpace, Errno> {
        let mut child = AddressSpace::new()?;
        child.brk_base = self.brk_base;
        child.brk = self.brk;
        for (&start, a) in &self.areas {
            let mut pages = BTreeMap::new();
            for (&vpn, f) in &a.pages {
                let mut copy = Frame::alloc().ok_or(ENOMEM)?;
                copy.bytes_mut().copy_from_slice(f.bytes());
                if !child.pt.map(vpn, copy.ppn(), a.prot.pte_flags()) {
                    return Err(ENOMEM);
                }
                pages.insert(vpn, copy);
            }
            child.areas.insert(
                start,
                Area {
                    end: a.end,
                    prot: a.prot,
                    pages,
                },
            );
        }
        Ok(child)
    }

    /// Moves the program break (brk(2)): grows or shrinks the heap area behind the
    /// data segment. Returns the new break, or the old one when the request fails.
    pub fn set_brk(&mut self, new: usize) -> usize {
        if new < self.brk_base {
            return self.brk;
        }
        let old_end = page_round_up(self.brk);
        let Some(new_end) = super::checked_page_round_up(new) else {
            return self.brk;
        };
        if new_end > old_end {
            if self.overlaps(old_end, new_end) || new_end > MMAP_TOP {
                return self.brk;
            }
            // Extend the existing heap area when there is one, else start it.
            let base = self.brk_base;
            let heap = self
                .areas
                .range_mut(..old_end)
                .next_back()
                .filter(|(&s, a)| a.end == old_end && s >= base);
            match heap {
                Some((_, a)) => a.end = new_end,
                None => {
                    if self
                        .add_area(old_end, new_end, Prot::READ | Prot::WRITE)
                        .is_err()
                    {
                        return self.brk;
                    }
                }
            }
        } else if new_end < old_end {
            self.unmap(new_end, old_end);
        }
        self.brk = new;
        new
    }

    /// Writes `data` at user address `va` regardless of protection (the ELF loader).
    pub fn write_initial(&mut self, mut va: usize, mut data: &[u8]) -> Result<(), Errno> {
        while !data.is_empty() {
            let off = va % PAGE_SIZE;
            let n = data.len().min(PAGE_SIZE - off);
            let frame = self.page_any(va)?;
            frame.bytes_mut()[off..off + n].copy_from_slice(&data[..n]);
            va += n;
            data = &data[n..];
        }
        Ok(())
    }

    /// Like `page` but ignoring protection: used only while building a new image.
    fn page_any(&mut self, va: usize) -> Result<&mut Frame, Errno> {
        let prot = self
            .areas
            .range(..=va)
            .next_back()
            .map(|(_, a)| a.prot)
            .ok_or(EFAULT)?;
        let want = if prot.contains(Prot::READ) {
            Access::Read
        } else {
            Access::Exec
        };
        self.page(va, want)
    }
}
