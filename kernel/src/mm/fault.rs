//! Populating pages: what a user page fault, a kernel copy to or from user memory, the
//! ELF loader and MAP_POPULATE do to make a page usable. All of them go through
//! `populate`, which acts on the page's `PageKind`: a kernel write to a copy-on-write
//! page breaks the sharing exactly as a user write does.

use super::area::{Access, PageKind, Prot};
use super::aspace::{AddressSpace, FaultError, MAP_END};
use super::object::Missing;
use super::page::Page;
use super::{frame, phys_to_virt, PAGE_SHIFT, PAGE_SIZE, USER_END};
use crate::arch::paging::PteFlags;
use crate::errno::{Errno, EFAULT, ENOMEM};

/// A new private frame holding a copy of frame `ppn`.
fn copy(ppn: usize) -> Result<Page, FaultError> {
    Page::copy_of(ppn).ok_or(FaultError::Segv)
}

impl AddressSpace {
    /// The kernel address of the page holding `va`, if its area allows `access`,
    /// populating it as the kind of page and the access require. For a read the page
    /// may be shared (the zero page, a copy-on-write frame): callers only write through
    /// a `Write` lookup.
    pub fn page(&mut self, va: usize, access: Access) -> Result<usize, FaultError> {
        // A page the program could use this way right now needs nothing done: the
        // common case of a copy to or from user memory skips the area lookup.
        if let Some(pte) = (va < USER_END)
            .then(|| self.pt.lookup(va >> PAGE_SHIFT))
            .flatten()
        {
            let need = match access {
                Access::Read => PteFlags::R,
                Access::Write => PteFlags::W,
                Access::Exec => PteFlags::X,
            };
            if pte.flags().contains(need | PteFlags::U) {
                return Ok(phys_to_virt(pte.ppn() << PAGE_SHIFT));
            }
        }
        let (start, area) = self.area_at(va).ok_or(FaultError::Segv)?;
        if !area.prot.allows(access) {
            return Err(FaultError::Segv);
        }
        self.populate(start, va >> PAGE_SHIFT, access)
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

    /// Resolves a user page fault; the error says which signal the access gets.
    pub fn handle_fault(&mut self, va: usize, access: Access) -> Result<(), FaultError> {
        self.page(va, access).map(|_| ())
    }

    /// Makes page `vpn` of the area starting at `start` usable for `access` and
    /// returns its kernel address. What it takes, by the page's kind now:
    /// - usable as it is: nothing, or only its entry's rights brought up to date (a
    ///   copy-on-write page whose other holders are gone becomes writable);
    /// - not mapped: a shared mapping maps its object's page; a private read maps the
    ///   zero page or the object's page (copy-on-write); a private write gets a new
    ///   frame, zeroed or a copy of the object's page;
    /// - the zero page or a copy-on-write page written: a new frame, zeroed or copied.
    fn populate(&mut self, start: usize, vpn: usize, access: Access) -> Result<usize, FaultError> {
        let Some(area) = self.areas.get(&start) else {
            return Err(FaultError::Segv);
        };
        let prot = area.prot;
        let current = self.pt.lookup(vpn);
        let kind = current.map(|pte| PageKind::of(&area.backing, pte.ppn()));
        if let (Some(pte), Some(kind)) = (current, kind) {
            if kind.serves(access) {
                let want = kind.pte_flags(prot);
                if pte.flags() & want != want {
                    self.pt.map(vpn, pte.ppn(), want);
                    self.flush_tlb();
                }
                return Ok(phys_to_virt(pte.ppn() << PAGE_SHIFT));
            }
        }
        let cow_source = current.map_or(0, |pte| pte.ppn());
        let (page, new_kind) = match (kind, area.object_index(start, vpn)) {
            (Some(PageKind::CopyOnWrite), _) => (Some(copy(cow_source)?), PageKind::Private),
            (Some(PageKind::Zero), _) | (None, None) if access == Access::Write => (
                Some(Page::zeroed().ok_or(FaultError::Segv)?),
                PageKind::Private,
            ),
            (None, None) => (None, PageKind::Zero),
            (_, Some((object, index))) => {
                let page = object.page(index).map_err(|m| match m {
                    // A full tmpfs is SIGBUS too, as Linux's shmem_fault says.
                    Missing::PastEnd | Missing::NoSpace => FaultError::PastEnd,
                    Missing::NoMemory => FaultError::Segv,
                })?;
                if area.backing.is_shared() {
                    (Some(page), PageKind::Shared)
                } else if access == Access::Write {
                    (Some(copy(page.ppn())?), PageKind::Private)
                } else {
                    (Some(page), PageKind::CopyOnWrite)
                }
            }
            // Private and shared pages serve every access, and were handled above.
            (Some(_), None) => return Err(FaultError::Segv),
        };
        let ppn = page.map_or_else(frame::zero_ppn, Page::into_pte);
        if !self.pt.map(vpn, ppn, new_kind.pte_flags(prot)) {
            if new_kind.holds_frame() {
                // SAFETY: the reference `into_pte` just gave up, never stored.
                drop(unsafe { Page::from_pte(ppn) });
            }
            return Err(FaultError::Segv);
        }
        if new_kind.holds_frame() {
            self.resident += 1;
        }
        if current.is_some() {
            // The replaced entry may be cached, here or on another hart running a thread
            // of this process: flushed before its frame may be given back below.
            self.flush_tlb();
        }
        if kind.is_some_and(PageKind::holds_frame) {
            // SAFETY: the replaced entry owned this reference, and no TLB holds it now.
            drop(unsafe { Page::from_pte(cow_source) });
            self.resident -= 1;
        }
        Ok(phys_to_virt(ppn << PAGE_SHIFT))
    }

    /// MAP_POPULATE: populates `[start, end)` (inside one new area) as Linux does —
    /// writable private memory as if written (so it gets frames of its own), the rest
    /// as if read. Stops quietly when memory runs out, as mmap's populate does.
    pub fn populate_range(&mut self, start: usize, end: usize) {
        let Some((s, area)) = self.area_at(start) else {
            return;
        };
        let access = if area.prot.contains(Prot::WRITE) && !area.backing.is_shared() {
            Access::Write
        } else if area.prot.intersects(Prot::READ | Prot::EXEC) {
            Access::Read
        } else {
            return;
        };
        let end = end.min(area.end).min(MAP_END);
        for vpn in start >> PAGE_SHIFT..end >> PAGE_SHIFT {
            if self.populate(s, vpn, access).is_err() {
                return;
            }
        }
    }

    /// Writes `data` at user address `va` regardless of protection (the ELF loader,
    /// and fork writing the child's tid into its copy).
    pub fn write_initial(&mut self, mut va: usize, mut data: &[u8]) -> Result<(), Errno> {
        while !data.is_empty() {
            let off = va % PAGE_SIZE;
            let n = data.len().min(PAGE_SIZE - off);
            let (start, _) = self.area_at(va).ok_or(EFAULT)?;
            let page = self
                .populate(start, va >> PAGE_SHIFT, Access::Write)
                .map_err(|_| ENOMEM)?;
            // SAFETY: `populate` for a write returned a frame this address space may
            // write (its own, or a shared object's), reached through the direct map.
            let bytes = unsafe { core::slice::from_raw_parts_mut(page as *mut u8, PAGE_SIZE) };
            bytes[off..off + n].copy_from_slice(&data[..n]);
            va += n;
            data = &data[n..];
        }
        Ok(())
    }
}
