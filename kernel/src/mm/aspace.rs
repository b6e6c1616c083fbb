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

use super::area::{Area, PageKind};
use super::gaps::{Gaps, GAP_HEAP_COST};
use super::object::MemObject;
use super::page::Page;
use super::pagetable::{user_leaf, PageTable};
use super::{heap, page_round_up, PAGE_SHIFT, PAGE_SIZE, USER_END};
use crate::arch::paging::PteFlags;
use crate::arch::spinlock::Mutex;
use crate::errno::{Errno, EACCES, EINVAL, ENOMEM};
use alloc::collections::BTreeMap;
use alloc::sync::{Arc, Weak};
use core::ops::Range;
use core::sync::atomic::AtomicUsize;

/// How many frames `zap` holds back at most before it flushes the TLB and gives them
/// back (kept on the stack).
const ZAP_BATCH: usize = 128;

pub use super::area::{Access, Backing, Prot};

/// Top of the initial user stack and its maximum size.
pub const STACK_TOP: usize = USER_END - PAGE_SIZE;
pub const STACK_SIZE: usize = 8 * 1024 * 1024;
/// The page above the stack holds the signal return trampoline (read+execute only).
pub const SIGRETURN_TRAMPOLINE: usize = STACK_TOP;
/// mmap without an address hint places areas below here.
const MMAP_TOP: usize = STACK_TOP - STACK_SIZE - 16 * PAGE_SIZE;
/// Lowest address mmap hands out.
pub const MMAP_MIN: usize = 0x1_0000;
/// End of the range areas may cover: the trampoline page above it is no area's.
pub const MAP_END: usize = SIGRETURN_TRAMPOLINE;

/// Most areas one address space may have: Linux's default vm.max_map_count.
pub const MAX_MAP_COUNT: usize = 65530;

/// Kernel heap one area record can take (its B-tree entry, nodes rounded up by the
/// allocator, and the gap record it may create), charged before an area is added.
pub(super) const AREA_HEAP_COST: usize = 256 + GAP_HEAP_COST;
/// Heap a single change of the area map may allocate at once (a B-tree insert can
/// split a node on every level).
pub(super) const EDIT_HEAP_COST: usize = 4096;

/// What a new area maps, besides its range.
pub struct MapSpec {
    pub prot: Prot,
    /// The most mprotect may later grant.
    pub max_prot: Prot,
    /// MAP_LOCKED.
    pub locked: bool,
    pub backing: Backing,
}

impl MapSpec {
    /// Private anonymous memory with protection `prot`.
    pub fn anonymous(prot: Prot) -> MapSpec {
        MapSpec {
            prot,
            max_prot: Prot::all(),
            locked: false,
            backing: Backing::Anonymous,
        }
    }
}

/// Which discarding madvise advice is meant.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Discard {
    DontNeed,
    /// MADV_DONTNEED_LOCKED: locked areas too.
    DontNeedLocked,
    /// MADV_FREE: private memory only.
    Free,
}

/// Where a user page fault leads when it cannot be resolved.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FaultError {
    /// No area, or the area does not allow the access, or no memory: SIGSEGV.
    Segv,
    /// The object page behind the address lies past the object's end: SIGBUS.
    PastEnd,
}

/// The address space exited processes hold until they are reaped: empty, made once
/// and shared, so an exit costs no page table. None while memory for it is short.
pub fn exited() -> Option<Arc<Mutex<AddressSpace>>> {
    static EXITED: spin::Once<Arc<Mutex<AddressSpace>>> = spin::Once::new();
    EXITED
        .try_call_once(|| AddressSpace::new()?.into_shared())
        .ok()
        .cloned()
}

pub struct AddressSpace {
    pub(super) pt: PageTable,
    /// Areas keyed by start address; they never overlap.
    pub(super) areas: BTreeMap<usize, Area>,
    /// Free ranges below MMAP_TOP, for placing mappings without a hint.
    pub(super) gaps: Gaps,
    /// Page-table entries that hold a frame (VmRSS; zero-page entries do not).
    pub(super) resident: usize,
    /// This address space as the objects it maps know it (set by `into_shared`).
    pub(super) this: Weak<Mutex<AddressSpace>>,
    pub brk_base: usize,
    pub brk: usize,
    /// The harts that have this address space loaded (see tlb.rs).
    pub(super) active_harts: AtomicUsize,
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
            gaps: Gaps::new(MMAP_MIN, MMAP_TOP),
            resident: 0,
            this: Weak::new(),
            brk_base: 0,
            brk: 0,
            active_harts: AtomicUsize::new(0),
        })
    }

    /// Makes this address space one that processes share, and tells the objects it
    /// maps where it is (so that truncating one can reach its pages here).
    pub fn into_shared(mut self) -> Result<Arc<Mutex<AddressSpace>>, Errno> {
        let shared = Arc::new_cyclic(|this| {
            self.this = this.clone();
            Mutex::new(self)
        });
        {
            let a = shared.lock();
            for area in a.areas.values() {
                if let Some((object, _)) = area.backing.object() {
                    object.add_mapper(&a.this)?;
                }
            }
        }
        Ok(shared)
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
    pub(super) fn area_at(&self, va: usize) -> Option<(usize, &Area)> {
        self.areas
            .range(..=va)
            .next_back()
            .filter(|(_, a)| va < a.end)
            .map(|(&s, a)| (s, a))
    }

    /// Areas mapping `object` shared.
    pub fn shared_mappings_of(&self, object: &MemObject) -> usize {
        self.areas
            .values()
            .filter(|a| {
                a.backing.is_shared()
                    && a.backing
                        .object()
                        .is_some_and(|(o, _)| core::ptr::eq(Arc::as_ptr(o), object))
            })
            .count()
    }

    /// The shared mapping that starts exactly at `va`: its end, object and first page
    /// (shmdt finds an attachment this way).
    pub fn shared_mapping_at(&self, va: usize) -> Option<(usize, Arc<MemObject>, usize)> {
        let a = self.areas.get(&va)?;
        match &a.backing {
            Backing::Shared { object, pgoff } => Some((a.end, object.clone(), *pgoff)),
            _ => None,
        }
    }

    /// The shared mapping over `va`: its end and how it maps (remap_file_pages).
    pub fn shared_spec_over(&self, va: usize) -> Option<(usize, MapSpec)> {
        let (_, a) = self.area_at(va)?;
        a.backing.is_shared().then(|| {
            (
                a.end,
                MapSpec {
                    prot: a.prot,
                    max_prot: a.max_prot,
                    locked: a.locked,
                    backing: a.backing.clone(),
                },
            )
        })
    }

    /// The first area that ends above `va` (Linux's find_vma): its start, end and
    /// whether it is locked.
    pub fn area_from(&self, va: usize) -> Option<(usize, usize, bool)> {
        self.area_at(va)
            .or_else(|| self.areas.range(va..).next().map(|(&s, a)| (s, a)))
            .map(|(s, a)| (s, a.end, a.locked))
    }

    /// Adds an area of private anonymous memory over `[start, end)` (page aligned,
    /// currently unmapped), merged with neighbours it can join.
    pub fn add_area(&mut self, start: usize, end: usize, prot: Prot) -> Result<(), Errno> {
        self.map(start, end, MapSpec::anonymous(prot))
    }

    /// Adds an area mapping `spec` over `[start, end)` (page aligned, currently
    /// unmapped), merged with neighbours it can join.
    pub fn map(&mut self, start: usize, end: usize, spec: MapSpec) -> Result<(), Errno> {
        if start >= end || end > MAP_END || start < MMAP_MIN || self.overlaps(start, end) {
            return Err(EINVAL);
        }
        self.check_map_count()?;
        heap::reserve(EDIT_HEAP_COST)?;
        if let Some((object, _)) = spec.backing.object() {
            if self.this.strong_count() > 0 {
                object.add_mapper(&self.this)?;
            }
        }
        let area = Area {
            end,
            prot: spec.prot,
            max_prot: spec.max_prot,
            locked: spec.locked,
            backing: spec.backing,
        };
        self.areas.insert(start, area);
        self.gaps.occupy(start, end);
        self.merge_around(start);
        Ok(())
    }

    /// Joins the area starting at `start` with its neighbours where they merge.
    pub(super) fn merge_around(&mut self, start: usize) {
        let Some(area) = self.areas.get(&start).cloned() else {
            return;
        };
        let mut start = start;
        if let Some((&ps, prev)) = self.areas.range_mut(..start).next_back() {
            if prev.end == start && prev.merges_with(ps, &area) {
                prev.end = area.end;
                self.areas.remove(&start);
                start = ps;
            }
        }
        let end = self.areas.get(&start).map_or(area.end, |a| a.end);
        if let Some(next) = self.areas.get(&end).cloned() {
            if let Some(cur) = self.areas.get_mut(&start) {
                if cur.merges_with(start, &next) {
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

    /// Where a mapping of `len` bytes goes given address hint `hint` (not MAP_FIXED):
    /// as on Linux, at the hint (rounded down to a page, and up to MMAP_MIN) when that
    /// range is free, else where `find_free` says.
    pub fn place(&self, hint: usize, len: usize) -> Option<usize> {
        let at = match hint & !(PAGE_SIZE - 1) {
            0 => 0,
            h => h.max(MMAP_MIN),
        };
        if at != 0
            && at.checked_add(len).is_some_and(|e| e <= MAP_END)
            && !self.overlaps(at, at + len)
        {
            return Some(at);
        }
        self.find_free(len)
    }

    /// Whether `at` lies strictly inside an area (making it a boundary needs a record).
    pub(super) fn splits(&self, at: usize) -> bool {
        matches!(self.area_at(at), Some((s, _)) if s < at)
    }

    /// Splits areas so that `at` is an area boundary (the caller has checked the heap).
    pub(super) fn split_at(&mut self, at: usize) {
        let Some((&s, a)) = self.areas.range_mut(..at).next_back() else {
            return;
        };
        if a.end > at {
            let tail = a.tail(s, at);
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
        while let Some((&s, a)) = self.areas.range(start..end).next() {
            let e = a.end;
            self.zap(s, e);
            self.areas.remove(&s);
            self.gaps.release(s, e);
        }
        self.flush_tlb();
        Ok(())
    }

    /// Drops the populated pages of `[start, end)`, which lies in the area starting at
    /// or before `start`: their entries leave the page table and give up their frame
    /// references (the shared zero frame holds none). An object keeps its own pages.
    /// Only area ranges are zapped: the trampoline page lies outside them. The caller
    /// flushes the TLB for the cleared entries; a frame is given back only after a
    /// flush, since a thread on another hart may use its stale translation until then
    /// and the frame must not be someone else's page by that time.
    pub(super) fn zap(&mut self, start: usize, end: usize) {
        self.zap_where(start, end, |_, _| true);
    }

    /// `zap` of the entries for which `pick(vpn, frame)` holds.
    fn zap_where(&mut self, start: usize, end: usize, mut pick: impl FnMut(usize, usize) -> bool) {
        let Some((_, area)) = self.areas.range(..=start).next_back() else {
            return;
        };
        let backing = &area.backing;
        let active_harts = &self.active_harts;
        let mut released = 0;
        // Frames whose entries are cleared but whose references are not yet given back.
        let mut held = [0usize; ZAP_BATCH];
        let mut n_held = 0;
        let give_back = |held: &[usize]| {
            super::tlb::flush_harts(active_harts);
            for &ppn in held {
                // SAFETY: an entry of a frame-holding kind owned this reference, and the
                // entry is gone from the table and every TLB.
                drop(unsafe { Page::from_pte(ppn) });
            }
        };
        self.pt
            .for_each_mapped(start >> PAGE_SHIFT, end >> PAGE_SHIFT, |vpn, pte| {
                let ppn = pte.ppn();
                if !pick(vpn, ppn) {
                    return;
                }
                *pte = Default::default();
                if PageKind::holds_frame_of(backing, ppn) {
                    if n_held == ZAP_BATCH {
                        give_back(&held);
                        n_held = 0;
                    }
                    held[n_held] = ppn;
                    n_held += 1;
                    released += 1;
                }
            });
        if n_held > 0 {
            give_back(&held[..n_held]);
        }
        self.resident -= released;
    }

    /// madvise's discarding advice: the pages of `[start, end)` leave this address
    /// space; the next touch finds zeroes in private memory and the object's page in a
    /// shared mapping. As on Linux, areas are done in order and the first refused one
    /// (locked, or a mapping of an object for MADV_FREE) is EINVAL; an unmapped part of
    /// the range is ENOMEM after the mapped parts are done.
    pub fn discard(&mut self, start: usize, end: usize, how: Discard) -> Result<(), Errno> {
        let mut cursor = start;
        let mut result = Ok(());
        while cursor < end {
            // The area holding `cursor`, or else the next one starting before `end`.
            let Some((s, a)) = self
                .area_at(cursor)
                .or_else(|| self.areas.range(cursor..end).next().map(|(&s, a)| (s, a)))
            else {
                result = Err(ENOMEM);
                break;
            };
            let refused = match how {
                Discard::DontNeed => a.locked,
                Discard::DontNeedLocked => false,
                Discard::Free => a.locked || a.backing.object().is_some(),
            };
            if refused {
                result = Err(EINVAL);
                break;
            }
            if s > cursor {
                result = Err(ENOMEM);
            }
            let to = a.end.min(end);
            self.zap(s.max(cursor), to);
            cursor = to;
        }
        self.flush_tlb();
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
    /// holding `start`. As on Linux, a hole is ENOMEM and a right the area may not
    /// have (a read-only file's shared mapping made writable) EACCES, after the areas
    /// before have changed; a split that would pass the area limit is ENOMEM (one that
    /// a merge with a neighbour makes up for is not).
    pub fn protect(&mut self, start: usize, end: usize, prot: Prot) -> Result<(), Errno> {
        let mut cursor = start;
        while cursor < end {
            let (s, a) = self.area_at(cursor).ok_or(ENOMEM)?;
            if !a.max_prot.contains(prot) {
                return Err(EACCES);
            }
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
        let Some(old) = self.areas.get(&s) else {
            return Ok(());
        };
        let mut new = old.tail(s, from);
        new.end = to;
        new.prot = prot;
        let joins_prev = from == s
            && matches!(self.areas.range(..s).next_back(),
                        Some((&ps, p)) if p.end == s && p.merges_with(ps, &new));
        let joins_next = to == e && self.areas.get(&e).is_some_and(|n| new.merges_with(from, n));
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
        let Some(a) = self.areas.get_mut(&from) else {
            return Ok(());
        };
        a.prot = prot;
        let backing = &a.backing;
        self.pt
            .for_each_mapped(from >> PAGE_SHIFT, to >> PAGE_SHIFT, |_, pte| {
                let kind = PageKind::of(backing, pte.ppn());
                *pte = user_leaf(pte.ppn(), kind.pte_flags(prot));
            });
        self.flush_tlb();
        self.merge_around(from);
        Ok(())
    }

    /// Page-table pages (VmPTE).
    pub fn table_pages(&self) -> usize {
        self.pt.table_pages()
    }

    /// Populated user pages with a frame (VmRSS: like Linux, mappings of the zero page
    /// do not count; shared and copy-on-write frames count in every mapper).
    pub fn resident_pages(&self) -> usize {
        self.resident
    }

    /// Whether `va` lies in some area (tells SEGV_ACCERR from SEGV_MAPERR).
    pub fn is_mapped(&self, va: usize) -> bool {
        self.area_at(va).is_some()
    }

    /// The futex key of the word at `va` when it lies in a shared mapping: the object
    /// and the byte offset in it, the same in every process that maps it.
    pub fn shared_key(&self, va: usize) -> Option<(u64, u64)> {
        let (s, a) = self.area_at(va)?;
        if !a.backing.is_shared() {
            return None;
        }
        let (object, index) = a.object_index(s, va >> PAGE_SHIFT)?;
        Some((
            object.id(),
            ((index as u64) << PAGE_SHIFT) + (va % PAGE_SIZE) as u64,
        ))
    }

    /// Drops the entries for pages `indexes` of `object` wherever this address space
    /// maps them (the object freed those pages): every entry in shared mappings; in
    /// private copies the entries still mapping one of the `dropped` pages, or all of
    /// them with `even_copies` (truncation). Walks the areas: this is rare, and an
    /// object's mappers are few.
    pub(super) fn zap_object(
        &mut self,
        object: &MemObject,
        indexes: Range<usize>,
        dropped: &[(usize, Page)],
        even_copies: bool,
    ) {
        let mut cursor = 0;
        loop {
            // The next area mapping part of `indexes`, as its range there and the
            // object page at its start.
            let next = self.areas.range(cursor..).find_map(|(&s, a)| {
                let (o, pgoff) = a.backing.object()?;
                let pages = (a.end - s) >> PAGE_SHIFT;
                let (from, to) = (indexes.start.max(pgoff), indexes.end.min(pgoff + pages));
                let hit = core::ptr::eq(Arc::as_ptr(o), object) && from < to;
                let range = (
                    s + ((from - pgoff) << PAGE_SHIFT),
                    s + ((to - pgoff) << PAGE_SHIFT),
                );
                hit.then_some((range, pgoff, s, a.backing.is_shared(), a.end))
            });
            let Some(((from, to), pgoff, start, shared, end)) = next else {
                break;
            };
            if shared || even_copies {
                self.zap(from, to);
            } else {
                let first_vpn = start >> PAGE_SHIFT;
                self.zap_where(from, to, |vpn, ppn| {
                    let index = pgoff + vpn - first_vpn;
                    dropped
                        .binary_search_by_key(&index, |(i, _)| *i)
                        .is_ok_and(|at| dropped[at].1.ppn() == ppn)
                });
            }
            cursor = end;
        }
        self.flush_tlb();
    }

    /// The object and byte offset MADV_REMOVE punches a hole in for `[va, ...)`, part
    /// of the area at `va`, with Linux's checks: EINVAL for a locked area or one without
    /// an object, EACCES unless it is a shared mapping that may be made writable (its
    /// protection now does not matter).
    pub fn hole_target(&self, va: usize) -> Result<(Arc<MemObject>, u64), Errno> {
        let (s, a) = self.area_at(va).ok_or(ENOMEM)?;
        if a.locked {
            return Err(EINVAL);
        }
        let (object, index) = a.object_index(s, va >> PAGE_SHIFT).ok_or(EINVAL)?;
        if !a.backing.is_shared() || !a.max_prot.contains(Prot::WRITE) {
            return Err(EACCES);
        }
        Ok((object.clone(), (index as u64) << PAGE_SHIFT))
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
}

impl Drop for AddressSpace {
    /// Gives up every frame reference the page table holds, and leaves the objects'
    /// lists of mappers.
    fn drop(&mut self) {
        let mut cursor = 0;
        while let Some((s, e, _)) = self.area_from(cursor) {
            self.zap(s, e);
            if let Some((object, _)) = self.areas.get(&s).and_then(|a| a.backing.object()) {
                object.remove_mapper(&self.this);
            }
            cursor = e;
        }
    }
}
