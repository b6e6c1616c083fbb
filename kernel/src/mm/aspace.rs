//! User address spaces: areas (start, end, protection), the pages populated in them,
//! and the page table that maps those pages. Anonymous pages are populated on first
//! touch, by the page-fault handler or by the user-memory copy routines, which look
//! pages up here instead of relying on hardware faults inside the kernel. A read of an
//! untouched page maps the shared zero page; the first write gives the page a frame of
//! its own.
//!
//! Everything a program can grow here is bounded: at most MAX_MAP_COUNT areas (Linux's
//! vm.max_map_count, with Linux's rules for when a split may pass it), and every record
//! is charged to the kernel heap's reserve check first, so running out is ENOMEM.

use super::gaps::{Gaps, GAP_HEAP_COST};
use super::pagetable::{user_leaf, PageTable};
use super::{frame, heap, page_round_up, phys_to_virt, Frame, PAGE_SHIFT, PAGE_SIZE, USER_END};
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
/// mmap without an address hint places areas below here.
const MMAP_TOP: usize = STACK_TOP - STACK_SIZE - 16 * PAGE_SIZE;
/// Lowest address mmap hands out.
pub const MMAP_MIN: usize = 0x1_0000;

/// Most areas one address space may have: Linux's default vm.max_map_count.
pub const MAX_MAP_COUNT: usize = 65530;

/// Kernel heap one area record can take (its B-tree entry, nodes rounded up by the
/// allocator, and the gap record it may create), charged before an area is added.
const AREA_HEAP_COST: usize = 256 + GAP_HEAP_COST;
/// Kernel heap one populated private page's record can take.
const PAGE_HEAP_COST: usize = 64;
/// Heap a single change of the area map may allocate at once (a B-tree insert can
/// split a node on every level).
const EDIT_HEAP_COST: usize = 4096;

/// A contiguous range of pages with one protection. Today every area is anonymous
/// private memory; with memory objects an area will also name what backs it, and only
/// areas with the same backing merge.
#[derive(Clone)]
struct Area {
    end: usize,
    prot: Prot,
}

impl Area {
    /// Whether an area ending where `next` starts can become one area with it.
    fn merges_with(&self, next: &Area) -> bool {
        self.prot == next.prot
    }
}

/// What a populated page of an area is. This is the one place that decides how each
/// kind is mapped and what a fault on it does; shared object pages and copy-on-write
/// pages join here with memory objects.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum PageKind {
    /// The shared zero frame, mapped read-only until the first write.
    Zero,
    /// A frame this address space owns (in `AddressSpace::pages`).
    Private,
}

impl PageKind {
    fn of(ppn: usize) -> PageKind {
        if ppn == frame::zero_ppn() {
            PageKind::Zero
        } else {
            PageKind::Private
        }
    }

    /// The page-table flags of a page of this kind in an area with `prot`: a write to
    /// the zero page must fault, so it is never writable.
    fn pte_flags(self, prot: Prot) -> PteFlags {
        match self {
            PageKind::Zero => prot.pte_flags() - PteFlags::W,
            PageKind::Private => prot.pte_flags(),
        }
    }

    /// Whether `access` can use a page of this kind as it is (else it needs a frame
    /// of its own first).
    fn serves(self, access: Access) -> bool {
        match self {
            PageKind::Zero => access != Access::Write,
            PageKind::Private => true,
        }
    }
}

pub struct AddressSpace {
    pt: PageTable,
    /// Areas keyed by start address; they never overlap.
    areas: BTreeMap<usize, Area>,
    /// The frames this address space owns, by page number. Zero pages are not here:
    /// their page-table entry is all they cost.
    pages: BTreeMap<usize, Frame>,
    /// Free ranges below MMAP_TOP, for placing mappings without a hint.
    gaps: Gaps,
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
            pages: BTreeMap::new(),
            gaps: Gaps::new(MMAP_MIN, MMAP_TOP),
            brk_base: 0,
            brk: 0,
        })
    }

    pub fn satp(&self) -> usize {
        self.pt.satp()
    }

    /// Linux refuses a new mapping (mmap, brk) only once the count is already past the
    /// limit, so it may end one above it.
    pub fn check_map_count(&self) -> Result<(), Errno> {
        if self.areas.len() > MAX_MAP_COUNT {
            return Err(ENOMEM);
        }
        Ok(())
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

    /// The area holding `va`: its start and record.
    fn area_at(&self, va: usize) -> Option<(usize, &Area)> {
        self.areas
            .range(..=va)
            .next_back()
            .filter(|(_, a)| va < a.end)
            .map(|(&s, a)| (s, a))
    }

    /// Adds an area over `[start, end)` (page aligned, currently unmapped), merged with
    /// neighbours it can join.
    pub fn add_area(&mut self, start: usize, end: usize, prot: Prot) -> Result<(), Errno> {
        if start >= end || end > USER_END || start < MMAP_MIN || self.overlaps(start, end) {
            return Err(EINVAL);
        }
        self.check_map_count()?;
        heap::reserve(EDIT_HEAP_COST)?;
        self.areas.insert(start, Area { end, prot });
        self.gaps.occupy(start, end);
        self.merge_around(start);
        Ok(())
    }

    /// Joins the area starting at `start` with its neighbours where they merge.
    fn merge_around(&mut self, start: usize) {
        let Some(area) = self.areas.get(&start).cloned() else {
            return;
        };
        let mut start = start;
        if let Some((&ps, prev)) = self.areas.range_mut(..start).next_back() {
            if prev.end == start && prev.merges_with(&area) {
                prev.end = area.end;
                self.areas.remove(&start);
                start = ps;
            }
        }
        let end = self.areas.get(&start).map_or(area.end, |a| a.end);
        if let Some(next) = self.areas.get(&end).cloned() {
            if let Some(cur) = self.areas.get_mut(&start) {
                if cur.merges_with(&next) {
                    cur.end = next.end;
                    self.areas.remove(&end);
                }
            }
        }
    }

    /// Finds a free range of `len` bytes below the stack for a mapping without a hint.
    pub fn find_free(&self, len: usize) -> Option<usize> {
        self.gaps.find(len)
    }

    /// Whether `at` lies strictly inside an area (making it a boundary needs a record).
    fn splits(&self, at: usize) -> bool {
        matches!(self.area_at(at), Some((s, _)) if s < at)
    }

    /// Splits areas so that `at` is an area boundary (the caller has checked the heap).
    fn split_at(&mut self, at: usize) {
        let Some((_, a)) = self.areas.range_mut(..at).next_back() else {
            return;
        };
        if a.end > at {
            let tail = Area {
                end: a.end,
                prot: a.prot,
            };
            a.end = at;
            self.areas.insert(at, tail);
        }
    }

    /// Removes every page of `[start, end)` (page aligned); holes are fine, as munmap.
    /// As on Linux, punching a hole inside one area when the count is at the limit is
    /// ENOMEM, and nothing changes.
    pub fn unmap(&mut self, start: usize, end: usize) -> Result<(), Errno> {
        if let Some((s, a)) = self.area_at(start) {
            if s < start && end < a.end && self.areas.len() >= MAX_MAP_COUNT {
                return Err(ENOMEM);
            }
        }
        if self.splits(start) || self.splits(end) {
            heap::reserve(2 * EDIT_HEAP_COST)?;
        }
        self.split_at(start);
        self.split_at(end);
        while let Some((&s, _)) = self.areas.range(start..end).next() {
            if let Some(a) = self.areas.remove(&s) {
                self.gaps.release(s, a.end);
                self.zap(s, a.end);
            }
        }
        crate::arch::cpu::flush_tlb();
        Ok(())
    }

    /// Drops the populated pages of `[start, end)`, which lies in one area: their
    /// entries leave the page table and private frames are freed (the shared zero frame
    /// never is). Only area ranges are zapped: the trampoline page lies outside them.
    /// The caller flushes the TLB.
    fn zap(&mut self, start: usize, end: usize) {
        let (first, last) = (start >> PAGE_SHIFT, end >> PAGE_SHIFT);
        self.pt
            .for_each_mapped(first, last, |_, pte| *pte = Default::default());
        while let Some((&vpn, _)) = self.pages.range(first..last).next() {
            self.pages.remove(&vpn);
        }
    }

    /// madvise(MADV_DONTNEED): the pages of `[start, end)` go; the next touch finds
    /// zeroes. ENOMEM if part of the range is unmapped (after doing the mapped parts).
    pub fn discard(&mut self, start: usize, end: usize) -> Result<(), Errno> {
        let mut cursor = start;
        let mut result = Ok(());
        while cursor < end {
            // The area holding `cursor`, or else the next one starting before `end`.
            let next = self
                .area_at(cursor)
                .or_else(|| self.areas.range(cursor..end).next().map(|(&s, a)| (s, a)))
                .map(|(s, a)| (s, a.end));
            let Some((s, a_end)) = next else {
                result = Err(ENOMEM);
                break;
            };
            if s > cursor {
                result = Err(ENOMEM);
            }
            let to = a_end.min(end);
            self.zap(s.max(cursor), to);
            cursor = to;
        }
        crate::arch::cpu::flush_tlb();
        result
    }

    /// Ok when `[start, end)` lies wholly in areas, else ENOMEM (madvise's rule).
    pub fn covered(&self, start: usize, end: usize) -> Result<(), Errno> {
        let mut cursor = start;
        while cursor < end {
            let (_, a) = self.area_at(cursor).ok_or(ENOMEM)?;
            cursor = a.end;
        }
        Ok(())
    }

    /// Changes the protection of `[start, end)` area by area, starting at the area
    /// holding `start`. As on Linux, a hole is ENOMEM after the areas before it have
    /// changed, and a split that would pass the area limit is ENOMEM (one that a merge
    /// with a neighbour makes up for is not).
    pub fn protect(&mut self, start: usize, end: usize, prot: Prot) -> Result<(), Errno> {
        let mut cursor = start;
        while cursor < end {
            let (s, a) = self.area_at(cursor).ok_or(ENOMEM)?;
            let (a_end, old) = (a.end, a.prot);
            let piece_end = a_end.min(end);
            if old != prot {
                self.protect_piece(s, a_end, cursor, piece_end, prot)?;
            }
            cursor = piece_end;
        }
        Ok(())
    }

    /// Gives `[from, to)`, part of the area `[s, e)`, protection `prot`.
    fn protect_piece(
        &mut self,
        s: usize,
        e: usize,
        from: usize,
        to: usize,
        prot: Prot,
    ) -> Result<(), Errno> {
        let new = Area { end: to, prot };
        let joins_prev = from == s
            && matches!(self.areas.range(..s).next_back(),
                        Some((_, p)) if p.end == s && p.merges_with(&new));
        let joins_next = to == e && self.areas.get(&e).is_some_and(|n| new.merges_with(n));
        if from > s || to < e {
            heap::reserve(2 * EDIT_HEAP_COST)?;
        }
        if !joins_prev && !joins_next {
            for at in [from, to] {
                if s < at && at < e {
                    if self.areas.len() >= MAX_MAP_COUNT {
                        return Err(ENOMEM);
                    }
                    self.split_at(at);
                }
            }
        } else {
            self.split_at(from);
            self.split_at(to);
        }
        if let Some(a) = self.areas.get_mut(&from) {
            a.prot = prot;
        }
        self.pt
            .for_each_mapped(from >> PAGE_SHIFT, to >> PAGE_SHIFT, |_, pte| {
                *pte = user_leaf(pte.ppn(), PageKind::of(pte.ppn()).pte_flags(prot));
            });
        crate::arch::cpu::flush_tlb();
        self.merge_around(from);
        Ok(())
    }

    /// The kernel address of the page holding `va`, if its area allows `access`,
    /// populating it as the kind of page and the access require. For a read the page
    /// may be the shared zero frame: callers only write through a `Write` lookup.
    pub fn page(&mut self, va: usize, access: Access) -> Result<usize, Errno> {
        let (_, area) = self.area_at(va).ok_or(EFAULT)?;
        let prot = area.prot;
        if !prot.allows(access) {
            return Err(EFAULT);
        }
        self.populate(va >> PAGE_SHIFT, prot, access)
    }

    /// Makes page `vpn` (in an area with `prot`) usable for `access` and returns its
    /// kernel address: an untouched page is mapped to the zero page for reads and
    /// gets a frame of its own for writes, which also replaces a zero page.
    fn populate(&mut self, vpn: usize, prot: Prot, access: Access) -> Result<usize, Errno> {
        let current = self.pt.lookup(vpn).map(|pte| PageKind::of(pte.ppn()));
        match current {
            Some(kind) if kind.serves(access) => {
                let pte = self.pt.lookup(vpn).ok_or(EFAULT)?;
                return Ok(phys_to_virt(pte.ppn() << PAGE_SHIFT));
            }
            None if access != Access::Write => {
                let zero = frame::zero_ppn();
                if !self.pt.map(vpn, zero, PageKind::Zero.pte_flags(prot)) {
                    return Err(ENOMEM);
                }
                return Ok(phys_to_virt(zero << PAGE_SHIFT));
            }
            _ => {}
        }
        heap::reserve(PAGE_HEAP_COST + EDIT_HEAP_COST)?;
        let frame = Frame::alloc().ok_or(ENOMEM)?;
        if !self
            .pt
            .map(vpn, frame.ppn(), PageKind::Private.pte_flags(prot))
        {
            return Err(ENOMEM);
        }
        if current.is_some() {
            // The zero page's read-only entry may be cached.
            crate::arch::cpu::flush_tlb();
        }
        let addr = phys_to_virt(frame.phys());
        self.pages.insert(vpn, frame);
        Ok(addr)
    }

    /// Resolves a user page fault; false means the access is not allowed (SIGSEGV).
    pub fn handle_fault(&mut self, va: usize, access: Access) -> bool {
        self.page(va, access).is_ok()
    }

    /// Page-table pages (VmPTE).
    pub fn table_pages(&self) -> usize {
        self.pt.table_pages()
    }

    /// Populated user pages with a frame of their own (VmRSS: like Linux, mappings of
    /// the zero page do not count).
    pub fn resident_pages(&self) -> usize {
        self.pages.len()
    }

    /// Whether `va` lies in some area (tells SEGV_ACCERR from SEGV_MAPERR).
    pub fn is_mapped(&self, va: usize) -> bool {
        self.area_at(va).is_some()
    }

    /// Copies this address space for fork: private pages are duplicated, zero pages
    /// stay zero pages. ENOMEM when the heap cannot take the copy's records or memory
    /// runs out; nothing is left behind then.
    pub fn fork(&mut self) -> Result<AddressSpace, Errno> {
        let records = self.areas.len() * AREA_HEAP_COST
            + self.gaps.count() * GAP_HEAP_COST
            + self.pages.len() * PAGE_HEAP_COST;
        heap::reserve(records + EDIT_HEAP_COST)?;
        let mut child = AddressSpace::new()?;
        child.brk_base = self.brk_base;
        child.brk = self.brk;
        child.areas = self.areas.clone();
        child.gaps = self.gaps.duplicate();
        for (&start, a) in &self.areas {
            let mut failed = false;
            self.pt
                .for_each_mapped(start >> PAGE_SHIFT, a.end >> PAGE_SHIFT, |vpn, pte| {
                    if failed {
                        return;
                    }
                    let flags =
                        pte.flags() & (PteFlags::R | PteFlags::W | PteFlags::X | PteFlags::U);
                    let ppn = match PageKind::of(pte.ppn()) {
                        PageKind::Zero => pte.ppn(),
                        PageKind::Private => {
                            let (Some(src), Some(mut copy)) =
                                (self.pages.get(&vpn), Frame::alloc())
                            else {
                                failed = true;
                                return;
                            };
                            copy.bytes_mut().copy_from_slice(src.bytes());
                            let ppn = copy.ppn();
                            child.pages.insert(vpn, copy);
                            ppn
                        }
                    };
                    failed = !child.pt.map(vpn, ppn, flags);
                });
            if failed {
                return Err(ENOMEM);
            }
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
            if self.check_map_count().is_err() {
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
                Some((_, a)) => {
                    if heap::reserve(EDIT_HEAP_COST).is_err() {
                        return self.brk;
                    }
                    a.end = new_end;
                    self.gaps.occupy(old_end, new_end);
                    self.merge_around(old_end);
                }
                None => {
                    if self
                        .add_area(old_end, new_end, Prot::READ | Prot::WRITE)
                        .is_err()
                    {
                        return self.brk;
                    }
                }
            }
        } else if new_end < old_end && self.unmap(new_end, old_end).is_err() {
            return self.brk;
        }
        self.brk = new;
        new
    }

    /// Writes `data` at user address `va` regardless of protection (the ELF loader).
    pub fn write_initial(&mut self, mut va: usize, mut data: &[u8]) -> Result<(), Errno> {
        while !data.is_empty() {
            let off = va % PAGE_SIZE;
            let n = data.len().min(PAGE_SIZE - off);
            let (_, area) = self.area_at(va).ok_or(EFAULT)?;
            let page = self.populate(va >> PAGE_SHIFT, area.prot, Access::Write)?;
            // SAFETY: `populate` for a write returned a private frame of this address
            // space, reached through the direct map; `&mut self` keeps it ours.
            let bytes = unsafe { core::slice::from_raw_parts_mut(page as *mut u8, PAGE_SIZE) };
            bytes[off..off + n].copy_from_slice(&data[..n]);
            va += n;
            data = &data[n..];
        }
        Ok(())
    }

    /// Copies this address space's memory at `va` into `out` up to the first page that
    /// cannot be read (another process's memory, as Linux's access_remote_vm); returns
    /// the bytes copied.
    pub fn read_into(&mut self, va: usize, out: &mut [u8]) -> usize {
        let mut done = 0;
        while done < out.len() {
            let Some(at) = va.checked_add(done) else {
                break;
            };
            let Ok(page) = self.page(at, Access::Read) else {
                break;
            };
            let off = at % PAGE_SIZE;
            let n = (PAGE_SIZE - off).min(out.len() - done);
            // SAFETY: `page` is the kernel address of a mapped page of this address space
            // (possibly the shared zero page), reached through the direct map and only
            // read here, while `&mut self` keeps the mapping in place.
            let bytes = unsafe { core::slice::from_raw_parts(page as *const u8, PAGE_SIZE) };
            out[done..done + n].copy_from_slice(&bytes[off..off + n]);
            done += n;
        }
        done
    }
}
