//! Areas and the pages in them. An area is a range of an address space with one
//! protection and one backing: private memory (anonymous, or a private copy of a memory
//! object) or a shared mapping of an object at an offset. `PageKind` is the one place
//! that says what a mapped page of an area is — the shared zero page, a private frame,
//! a copy-on-write frame or an object's shared frame — and so how it is mapped and
//! whether an access needs a new frame first.

use super::object::MemObject;
use super::page;
use super::{frame, PAGE_SHIFT};
use crate::arch::paging::PteFlags;
use alloc::sync::Arc;
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
    pub(super) fn allows(self, a: Access) -> bool {
        match a {
            // As in the page-table flags below: a writable page is readable too.
            Access::Read => self.intersects(Prot::READ | Prot::WRITE),
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

/// What an area maps.
#[derive(Clone)]
pub enum Backing {
    /// Private memory of its own: zeroes until written.
    Anonymous,
    /// A private copy of `object` from page `pgoff` on (MAP_PRIVATE of a file): reads
    /// see the object until the first write gives the page a copy.
    PrivateCopy {
        object: Arc<MemObject>,
        pgoff: usize,
    },
    /// The pages of `object` from page `pgoff` on, shared with every other mapping.
    Shared {
        object: Arc<MemObject>,
        pgoff: usize,
    },
}

impl Backing {
    /// The object behind the area and the object page at its start.
    pub fn object(&self) -> Option<(&Arc<MemObject>, usize)> {
        match self {
            Backing::Anonymous => None,
            Backing::PrivateCopy { object, pgoff } | Backing::Shared { object, pgoff } => {
                Some((object, *pgoff))
            }
        }
    }

    pub fn is_shared(&self) -> bool {
        matches!(self, Backing::Shared { .. })
    }

    /// The same backing `pages` pages further on (the tail of a split area).
    fn advanced(&self, pages: usize) -> Backing {
        match self {
            Backing::Anonymous => Backing::Anonymous,
            Backing::PrivateCopy { object, pgoff } => Backing::PrivateCopy {
                object: object.clone(),
                pgoff: pgoff + pages,
            },
            Backing::Shared { object, pgoff } => Backing::Shared {
                object: object.clone(),
                pgoff: pgoff + pages,
            },
        }
    }
}

/// A contiguous range of pages with one protection and backing.
#[derive(Clone)]
pub(super) struct Area {
    pub end: usize,
    pub prot: Prot,
    /// The most mprotect may grant (a file opened read-only is never writable through
    /// a shared mapping of it).
    pub max_prot: Prot,
    /// MAP_LOCKED (msync with MS_INVALIDATE is EBUSY on it).
    pub locked: bool,
    pub backing: Backing,
}

impl Area {
    /// Whether this area, starting at `start`, can become one area with `next`, which
    /// starts where it ends: same rights and backing, and for objects the next page of
    /// the same object.
    pub fn merges_with(&self, start: usize, next: &Area) -> bool {
        if self.prot != next.prot || self.max_prot != next.max_prot || self.locked != next.locked {
            return false;
        }
        let pages = (self.end - start) >> PAGE_SHIFT;
        match (&self.backing, &next.backing) {
            (Backing::Anonymous, Backing::Anonymous) => true,
            (
                Backing::PrivateCopy {
                    object: a,
                    pgoff: pa,
                },
                Backing::PrivateCopy {
                    object: b,
                    pgoff: pb,
                },
            )
            | (
                Backing::Shared {
                    object: a,
                    pgoff: pa,
                },
                Backing::Shared {
                    object: b,
                    pgoff: pb,
                },
            ) => Arc::ptr_eq(a, b) && pa + pages == *pb,
            _ => false,
        }
    }

    /// The part of this area (which starts at `start`) from `at` on, for a split.
    pub fn tail(&self, start: usize, at: usize) -> Area {
        Area {
            backing: self.backing.advanced((at - start) >> PAGE_SHIFT),
            ..self.clone()
        }
    }

    /// The object page behind page `vpn` of this area (which starts at `start`).
    pub fn object_index(&self, start: usize, vpn: usize) -> Option<(&Arc<MemObject>, usize)> {
        let (object, pgoff) = self.backing.object()?;
        Some((object, pgoff + vpn - (start >> PAGE_SHIFT)))
    }
}

/// What a mapped page of an area is. This decides how each kind is mapped and what an
/// access to it needs; nothing else looks at frames to tell.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum PageKind {
    /// The shared zero frame, mapped read-only until the first write.
    Zero,
    /// A frame only this page-table entry holds: written in place.
    Private,
    /// A frame of a private area that others hold too (another address space since
    /// fork, or the object a private copy is made from): read-only until a write
    /// copies it — or takes it over, once every other holder has let go.
    CopyOnWrite,
    /// A frame of an object mapped shared: every holder writes the same frame.
    Shared,
}

impl PageKind {
    /// The kind of frame `ppn` mapped in an area with `backing`.
    pub fn of(backing: &Backing, ppn: usize) -> PageKind {
        if backing.is_shared() {
            PageKind::Shared
        } else if ppn == frame::zero_ppn() {
            PageKind::Zero
        } else if page::refs(ppn) == 1 {
            PageKind::Private
        } else {
            PageKind::CopyOnWrite
        }
    }

    /// The page-table flags of a page of this kind in an area with `prot`: a write to
    /// the zero page or to a copy-on-write page must fault, so they are never writable.
    pub fn pte_flags(self, prot: Prot) -> PteFlags {
        match self {
            PageKind::Zero | PageKind::CopyOnWrite => prot.pte_flags() - PteFlags::W,
            PageKind::Private | PageKind::Shared => prot.pte_flags(),
        }
    }

    /// Whether `access` can use a page of this kind as it is (else it needs a frame
    /// of its own first).
    pub fn serves(self, access: Access) -> bool {
        match self {
            PageKind::Zero | PageKind::CopyOnWrite => access != Access::Write,
            PageKind::Private | PageKind::Shared => true,
        }
    }

    /// Whether the page-table entry holds a reference to its frame (all but the zero
    /// page) and counts toward VmRSS.
    pub fn holds_frame(self) -> bool {
        self != PageKind::Zero
    }

    /// `PageKind::of(backing, ppn).holds_frame()` without reading the frame's count
    /// (fork and unmapping ask this of every page).
    pub fn holds_frame_of(backing: &Backing, ppn: usize) -> bool {
        backing.is_shared() || ppn != frame::zero_ppn()
    }
}
