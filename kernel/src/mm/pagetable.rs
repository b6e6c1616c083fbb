//! Sv39 page tables. A `PageTable` owns its root and intermediate table pages; the
//! kernel half of every root is a copy of the boot page table's kernel entries, so a
//! kernel mapping added below one of those entries (the kernel stack region) is seen by
//! every address space.

use super::{phys_to_virt, Frame, PAGE_SHIFT};
use crate::arch::paging::{satp_for, vpn_indices, Pte, PteFlags, KERNEL_ROOT_INDEX};

extern "C" {
    static boot_page_table: [Pte; 512];
}

/// A user page table. Its intermediate tables are reached only through the tree (no
/// list on the kernel heap) and freed with it.
pub struct PageTable {
    root: Frame,
    /// Intermediate table pages below the root.
    tables: usize,
}

fn entries(ppn: usize) -> &'static mut [Pte; 512] {
    // SAFETY: `ppn` is a page-table page owned by a PageTable (or one of the kernel
    // region's tables), reached via the direct map; PageTable methods take `&mut self`
    // and the kernel region's users hold its lock, so no two references are live at once.
    unsafe { &mut *(phys_to_virt(ppn << PAGE_SHIFT) as *mut [Pte; 512]) }
}

impl PageTable {
    /// A new table with only the kernel half mapped.
    pub fn new() -> Option<PageTable> {
        let root = Frame::alloc()?;
        let e = entries(root.ppn());
        // SAFETY: the boot table is static and only read after boot.
        let boot = unsafe { &*core::ptr::addr_of!(boot_page_table) };
        e[KERNEL_ROOT_INDEX..].copy_from_slice(&boot[KERNEL_ROOT_INDEX..]);
        Some(PageTable { root, tables: 0 })
    }

    /// Pages used by the table itself (root and intermediate levels).
    pub fn table_pages(&self) -> usize {
        1 + self.tables
    }

    pub fn satp(&self) -> usize {
        satp_for(self.root.ppn())
    }

    /// The leaf entry for `vpn`, creating intermediate tables when `create` is set.
    fn leaf(&mut self, vpn: usize, create: bool) -> Option<&'static mut Pte> {
        let table = self.leaf_table(vpn, create)?;
        Some(&mut table[vpn_indices(vpn)[2]])
    }

    /// The last-level table holding `vpn`'s entry, creating tables when `create` is set.
    fn leaf_table(&mut self, vpn: usize, create: bool) -> Option<&'static mut [Pte; 512]> {
        let idx = vpn_indices(vpn);
        let mut ppn = self.root.ppn();
        for &i in &idx[..2] {
            let pte = &mut entries(ppn)[i];
            if !pte.is_valid() {
                if !create {
                    return None;
                }
                let t = Frame::alloc()?;
                *pte = Pte::new(t.ppn(), PteFlags::V);
                // Owned through the tree from now on; freed by `drop`.
                core::mem::forget(t);
                self.tables += 1;
            }
            // A leaf up here maps kernel memory (a gigapage), not a user table.
            if pte
                .flags()
                .intersects(PteFlags::R | PteFlags::W | PteFlags::X)
            {
                return None;
            }
            ppn = pte.ppn();
        }
        Some(entries(ppn))
    }

    /// Maps user page `vpn` to `ppn`. Returns false when no memory is left for tables.
    pub fn map(&mut self, vpn: usize, ppn: usize, flags: PteFlags) -> bool {
        match self.leaf(vpn, true) {
            Some(pte) => {
                *pte = user_leaf(ppn, flags);
                true
            }
            None => false,
        }
    }

    /// The valid leaf entry of user page `vpn`, if it is mapped.
    pub fn lookup(&mut self, vpn: usize) -> Option<Pte> {
        self.leaf(vpn, false).map(|p| *p).filter(|p| p.is_valid())
    }

    /// Calls `f(vpn, entry)` for every mapped user page in `[start, end)` (page
    /// numbers), skipping the ranges whose intermediate tables do not exist, so a huge
    /// sparse range costs one step per table rather than per page.
    pub fn for_each_mapped(
        &mut self,
        start: usize,
        end: usize,
        mut f: impl FnMut(usize, &mut Pte),
    ) {
        self.walk(start, end, |vpn, pte| {
            f(vpn, pte);
            true
        });
    }

    /// `for_each_mapped` that stops when `f` returns false.
    fn walk(&mut self, start: usize, end: usize, mut f: impl FnMut(usize, &mut Pte) -> bool) {
        const L1_SPAN: usize = 1 << 18;
        const L0_SPAN: usize = 1 << 9;
        let end = end.min(super::USER_END >> PAGE_SHIFT);
        let mut vpn = start;
        while vpn < end {
            let idx = vpn_indices(vpn);
            let top = entries(self.root.ppn())[idx[0]];
            if !top.is_valid() {
                vpn = (vpn | (L1_SPAN - 1)) + 1;
                continue;
            }
            let mid = entries(top.ppn())[idx[1]];
            if !mid.is_valid() {
                vpn = (vpn | (L0_SPAN - 1)) + 1;
                continue;
            }
            let last = end.min((vpn | (L0_SPAN - 1)) + 1);
            let base = vpn & !(L0_SPAN - 1);
            let leaves = &mut entries(mid.ppn())[..last - base];
            let mut i = vpn - base;
            while let Some(at) = next_valid(leaves, i) {
                if !f(base + at, &mut leaves[at]) {
                    return;
                }
                i = at + 1;
            }
            vpn = last;
        }
    }

    /// Fork's copy of the entries of pages `[start, end)` into `child`: for each mapped
    /// entry, `f` says what the child's entry is (None: none) and may change the
    /// parent's. Each of the child's tables is looked up once, not once per page.
    /// False when memory for a child table runs out (what was copied stays).
    pub fn fork_range(
        &mut self,
        child: &mut PageTable,
        start: usize,
        end: usize,
        mut f: impl FnMut(&mut Pte) -> Option<Pte>,
    ) -> bool {
        const L0_SPAN: usize = 1 << 9;
        let mut vpn = start;
        while vpn < end {
            let last = end.min((vpn | (L0_SPAN - 1)) + 1);
            let base = vpn & !(L0_SPAN - 1);
            if let Some(leaves) = self.leaf_table(vpn, false) {
                let leaves = &mut leaves[..last - base];
                let mut copy: Option<&mut [Pte; 512]> = None;
                let mut i = vpn - base;
                while let Some(at) = next_valid(leaves, i) {
                    i = at + 1;
                    // The child's table first, so that `f` runs only for an entry
                    // that can be copied.
                    let table = match copy.take() {
                        Some(t) => t,
                        None => match child.leaf_table(base + at, true) {
                            Some(t) => t,
                            None => return false,
                        },
                    };
                    if let Some(new) = f(&mut leaves[at]) {
                        table[at] = new;
                    }
                    copy = Some(table);
                }
            }
            vpn = last;
        }
        true
    }

    /// The first mapped user page in `[start, end)`, skipping absent tables.
    fn next_mapped(&mut self, start: usize, end: usize) -> Option<usize> {
        let mut found = None;
        self.walk(start, end, |vpn, _| {
            found = Some(vpn);
            false
        });
        found
    }

    /// Moves the entries of pages `[from, from + count)` to `[to, to + count)` (ranges
    /// that do not overlap; the destination is unmapped), with the references they
    /// hold (mremap). First makes every table the destination needs, so the move
    /// cannot stop halfway: false, with nothing moved, when memory for one runs out.
    pub fn move_range(&mut self, from: usize, to: usize, count: usize) -> bool {
        let end = from + count;
        let mut vpn = from;
        while let Some(v) = self.next_mapped(vpn, end) {
            if self.leaf(to + (v - from), true).is_none() {
                return false;
            }
            vpn = v + 1;
        }
        let mut vpn = from;
        while let Some(v) = self.next_mapped(vpn, end) {
            let (Some(src), Some(dst)) = (self.leaf(v, false), self.leaf(to + (v - from), false))
            else {
                break;
            };
            *dst = *src;
            *src = Pte::default();
            vpn = v + 1;
        }
        true
    }
}

impl Drop for PageTable {
    /// Frees the intermediate tables of the user half (the kernel half is shared).
    fn drop(&mut self) {
        let tops = &entries(self.root.ppn())[..KERNEL_ROOT_INDEX];
        let mut t = 0;
        while let Some(top) = next_valid(tops, t) {
            t = top + 1;
            let mids = entries(tops[top].ppn());
            let mut m = 0;
            while let Some(mid) = next_valid(mids, m) {
                m = mid + 1;
                // SAFETY: user intermediate entries point at table pages this table
                // allocated and forgot; each is reached once, here, and then freed.
                drop(unsafe { Frame::from_ppn(mids[mid].ppn()) });
            }
            // SAFETY: as above, for the middle-level table.
            drop(unsafe { Frame::from_ppn(tops[top].ppn()) });
        }
    }
}

/// The index of the first valid entry of `table` at or after `from`. Mapped pages
/// come in runs, so the entry at `from` is tested first; past a run most entries are
/// empty, so they are tested four at a time.
fn next_valid(table: &[Pte], from: usize) -> Option<usize> {
    if table.get(from)?.is_valid() {
        return Some(from);
    }
    let mut i = from + 1;
    while let Some(&[a, b, c, d]) = table
        .get(i..i + 4)
        .and_then(|s| <&[Pte; 4]>::try_from(s).ok())
    {
        if (a.0 | b.0 | c.0 | d.0) & PteFlags::V.bits() != 0 {
            break;
        }
        i += 4;
    }
    let rest = table.get(i..)?;
    rest.iter().position(|p| p.is_valid()).map(|k| i + k)
}

/// Flags of a user leaf entry: `flags` plus valid, accessed and dirty (Rill keeps no
/// access statistics, and setting A/D spares the hardware a fault to set them).
pub fn user_leaf(ppn: usize, flags: PteFlags) -> Pte {
    Pte::new(ppn, flags | PteFlags::V | PteFlags::A | PteFlags::D)
}

/// `satp` for the kernel-only page table (used while no user space is active).
pub fn kernel_satp() -> usize {
    let pa = super::virt_to_phys(core::ptr::addr_of!(boot_page_table) as usize);
    satp_for(pa >> PAGE_SHIFT)
}

/// Removes the boot identity mapping once the kernel runs in the high half.
pub fn drop_boot_identity_map() {
    // SAFETY: at this point only the boot hart runs and it executes from the high half;
    // the identity entry (index 2) is no longer used.
    unsafe {
        let table = core::ptr::addr_of!(boot_page_table) as *mut Pte;
        table.add(2).write_volatile(Pte::default());
    }
    crate::arch::cpu::flush_tlb();
}

/// Sets up a kernel region of one root entry (1 GiB at `base`, which must be aligned to
/// it): its middle-level table is made now, before any user page table copies the
/// root's kernel entries, so every address space sees the pages mapped there later.
pub fn init_kernel_region(base: usize) {
    let Some(table) = Frame::alloc() else {
        panic!("no memory for the kernel region's page table");
    };
    let index = vpn_indices(base >> PAGE_SHIFT)[0];
    // SAFETY: at boot, before any user page table exists and before other harts run;
    // the entry is unused (the direct map is below it).
    unsafe {
        let root = core::ptr::addr_of!(boot_page_table) as *mut Pte;
        debug_assert!(index >= KERNEL_ROOT_INDEX && !(*root.add(index)).is_valid());
        root.add(index)
            .write_volatile(Pte::new(table.ppn(), PteFlags::V));
    }
    // The region's tables live as long as the kernel.
    core::mem::forget(table);
}

/// The leaf entry for kernel address `va` in a region made by `init_kernel_region`,
/// creating its last-level table when `create` is set. Callers serialise (the kernel
/// stack allocator's lock).
fn kernel_leaf(va: usize, create: bool) -> Option<&'static mut Pte> {
    let idx = vpn_indices(va >> PAGE_SHIFT);
    // SAFETY: the boot table is static; its kernel entries change only at boot.
    let top = unsafe { (*core::ptr::addr_of!(boot_page_table))[idx[0]] };
    if !top.is_valid() {
        return None;
    }
    let mid = &mut entries(top.ppn())[idx[1]];
    if !mid.is_valid() {
        if !create {
            return None;
        }
        let t = Frame::alloc()?;
        *mid = Pte::new(t.ppn(), PteFlags::V);
        // Shared by every address space from now on: never freed.
        core::mem::forget(t);
    }
    Some(&mut entries(mid.ppn())[idx[2]])
}

/// Maps the kernel page at `va` to frame `ppn` (read/write, global). False when no
/// memory is left for a table.
pub fn map_kernel_page(va: usize, ppn: usize) -> bool {
    match kernel_leaf(va, true) {
        Some(pte) => {
            let f = PteFlags::R | PteFlags::W | PteFlags::G | PteFlags::A | PteFlags::D;
            *pte = Pte::new(ppn, f | PteFlags::V);
            true
        }
        None => false,
    }
}

/// Creates the last-level tables of `[start, end)` in a region made by
/// `init_kernel_region`, so that mapping pages there later allocates nothing (at boot).
pub fn prepare_kernel_range(start: usize, end: usize) -> bool {
    let mut va = start;
    while va < end {
        if kernel_leaf(va, true).is_none() {
            return false;
        }
        va += 512 << PAGE_SHIFT;
    }
    true
}

/// Removes the mapping of the kernel page at `va` (the caller flushes the TLB).
pub fn unmap_kernel_page(va: usize) {
    if let Some(pte) = kernel_leaf(va, false) {
        *pte = Pte::default();
    }
}
