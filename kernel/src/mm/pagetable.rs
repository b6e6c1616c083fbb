//! Sv39 page tables. A `PageTable` owns its root and intermediate table pages; the
//! kernel half of every root is a copy of the boot page table's kernel entries.

use super::{phys_to_virt, Frame, PAGE_SHIFT};
use crate::arch::paging::{satp_for, vpn_indices, Pte, PteFlags, KERNEL_ROOT_INDEX};
use alloc::vec::Vec;

extern "C" {
    static boot_page_table: [Pte; 512];
}

pub struct PageTable {
    root: Frame,
    tables: Vec<Frame>,
}

fn entries(ppn: usize) -> &'static mut [Pte; 512] {
    // SAFETY: `ppn` is a page-table page owned by a PageTable, reached via the direct map;
    // PageTable methods take `&mut self`, so no two references are live at once.
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
        Some(PageTable {
            root,
            tables: Vec::new(),
        })
    }

    /// Pages used by the table itself (root and intermediate levels).
    pub fn table_pages(&self) -> usize {
        1 + self.tables.len()
    }

    pub fn satp(&self) -> usize {
        satp_for(self.root.ppn())
    }

    /// The leaf entry for `vpn`, creating intermediate tables when `create` is set.
    fn leaf(&mut self, vpn: usize, create: bool) -> Option<&'static mut Pte> {
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
                self.tables.push(t);
            }
            ppn = pte.ppn();
        }
        Some(&mut entries(ppn)[idx[2]])
    }

    /// Maps user page `vpn` to `ppn`. Returns false when no memory is left for tables.
    pub fn map(&mut self, vpn: usize, ppn: usize, flags: PteFlags) -> bool {
        match self.leaf(vpn, true) {
            Some(pte) => {
                *pte = Pte::new(ppn, flags | PteFlags::V | PteFlags::A | PteFlags::D);
                true
            }
            None => false,
        }
    }

    pub fn unmap(&mut self, vpn: usize) {
        if let Some(pte) = self.leaf(vpn, false) {
            *pte = Pte::default();
        }
    }

    /// Changes the permission bits of an existing mapping.
    pub fn protect(&mut self, vpn: usize, flags: PteFlags) {
        if let Some(pte) = self.leaf(vpn, false) {
            if pte.is_valid() {
                *pte = Pte::new(pte.ppn(), flags | PteFlags::V | PteFlags::A | PteFlags::D);
            }
        }
    }
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
