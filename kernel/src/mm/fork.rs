//! Copy-on-write fork. The child gets the parent's areas; every frame a private area
//! maps becomes shared by both, read-only in both, until one of them writes it (see
//! `PageKind::CopyOnWrite`). Nothing is copied at fork: a page costs an entry and a
//! reference. Zero-page entries and shared mappings are not copied at all — the
//! child's first touch maps them again from the zero page or the object.

use super::area::PageKind;
use super::aspace::{AddressSpace, AREA_HEAP_COST, EDIT_HEAP_COST};
use super::gaps::GAP_HEAP_COST;
use super::heap;
use super::page::Page;
use super::pagetable::user_leaf;
use super::PAGE_SHIFT;
use crate::errno::{Errno, ENOMEM};

impl AddressSpace {
    /// The child's copy of this address space. ENOMEM when the heap cannot take the
    /// copy's records or memory for its page tables runs out; the child is then
    /// dropped whole (the parent's entries that became read-only just fault once).
    pub fn fork(&mut self) -> Result<AddressSpace, Errno> {
        let records = self.areas.len() * AREA_HEAP_COST + self.gaps.count() * GAP_HEAP_COST;
        heap::reserve(records + EDIT_HEAP_COST)?;
        let mut child = AddressSpace::new()?;
        child.brk_base = self.brk_base;
        child.brk = self.brk;
        child.areas = self.areas.clone();
        child.gaps = self.gaps.duplicate();
        let mut failed = false;
        for (&start, area) in &self.areas {
            if area.backing.is_shared() {
                continue;
            }
            let (backing, flags) = (&area.backing, PageKind::CopyOnWrite.pte_flags(area.prot));
            let resident = &mut child.resident;
            let copied = self.pt.fork_range(
                &mut child.pt,
                start >> PAGE_SHIFT,
                area.end >> PAGE_SHIFT,
                |pte| {
                    let ppn = pte.ppn();
                    if !PageKind::holds_frame_of(backing, ppn) {
                        return None;
                    }
                    // SAFETY: the parent's entry holds a reference; the child's new
                    // entry takes one of its own.
                    unsafe { Page::share_pte(ppn) };
                    *resident += 1;
                    *pte = user_leaf(ppn, flags);
                    Some(*pte)
                },
            );
            if !copied {
                failed = true;
                break;
            }
        }
        // The parent's entries lost their write right.
        self.flush_tlb();
        if failed {
            return Err(ENOMEM);
        }
        Ok(child)
    }
}
