//! Memory objects: pages by index that several address spaces map at once. An object is
//! what MAP_SHARED memory is made of (anonymous shared memory now; a tmpfs file's data
//! and System V segments use the same object), so every mapping and every read or
//! write of it sees the same bytes. Pages are made zero-filled on first touch and held
//! as counted `Page`s, so a page can also sit in page tables (and in private copies
//! before they are written) while the object holds it.
//!
//! An object has a size in bytes: a fault at or past it is SIGBUS. Shrinking it
//! (truncate) drops the pages past the end from the object and from every address space
//! mapping them, which the object finds through its list of mappers.
//!
//! Locking: an address space's lock may be held while taking an object's (faults);
//! never the other way round. No lock of an object is held while user memory is
//! copied, so a copy that faults on a mapping of the same object cannot deadlock.

use super::aspace::AddressSpace;
use super::page::Page;
use super::uaccess::{InBuf, OutBuf};
use super::{heap, PAGE_SHIFT, PAGE_SIZE};
use crate::arch::spinlock::Mutex;
use crate::errno::{Errno, ENOMEM, ENOSPC};
use alloc::collections::BTreeMap;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::ops::Range;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Kernel heap one page record of an object can take (its B-tree entry, nodes rounded
/// up by the allocator).
const PAGE_RECORD_COST: usize = 64;
/// Heap an object record takes (with its lists' first allocations).
const OBJECT_HEAP_COST: usize = 512;

/// Unique object numbers: futex keys and /proc/PID/maps's inode column use them.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);
/// Pages held by all objects (/proc/meminfo's Shmem and Cached).
static OBJECT_PAGES: AtomicUsize = AtomicUsize::new(0);

/// Pages all memory objects hold.
pub fn object_pages() -> usize {
    OBJECT_PAGES.load(Ordering::Relaxed)
}

/// What an object is, for /proc/PID/maps.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ObjectKind {
    /// MAP_SHARED|MAP_ANONYMOUS memory (Linux backs it with a deleted /dev/zero).
    SharedAnonymous,
    /// A System V shared memory segment, made with this key.
    SysvSegment(i32),
    /// A tmpfs file's data: /proc/PID/maps names the file (see `set_file`).
    File,
}

/// A limit on the pages a set of objects may hold together: a tmpfs instance's size.
/// Past it a new page is refused — ENOSPC for a write, SIGBUS for a fault, as Linux's
/// shmem does.
pub struct PageBudget {
    used: AtomicUsize,
    max: AtomicUsize,
}

impl PageBudget {
    pub const fn new(max: usize) -> PageBudget {
        PageBudget {
            used: AtomicUsize::new(0),
            max: AtomicUsize::new(max),
        }
    }

    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    pub fn max(&self) -> usize {
        self.max.load(Ordering::Relaxed)
    }

    pub fn set_max(&self, max: usize) {
        self.max.store(max, Ordering::Relaxed);
    }

    fn charge(&self) -> bool {
        let max = self.max();
        self.used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |u| {
                (u < max).then_some(u + 1)
            })
            .is_ok()
    }

    fn credit(&self, pages: usize) {
        self.used.fetch_sub(pages, Ordering::Relaxed);
    }
}

/// What /proc/PID/maps says of a file: its device and inode numbers and its path
/// (with " (deleted)" once unlinked). The file system provides it.
pub trait FileName: Send + Sync {
    fn dev_ino(&self) -> (u32, u32, u64);
    /// Appends the path to `out` (bounded by PATH_MAX).
    fn path(&self, out: &mut alloc::string::String) -> Result<(), Errno>;
}

/// Why an object has no page at an index.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Missing {
    /// At or past the object's size: SIGBUS for a fault.
    PastEnd,
    /// Out of memory (or kernel heap) for a new page.
    NoMemory,
    /// The object's budget (its tmpfs's size) is used up.
    NoSpace,
}

struct Pages {
    /// Populated pages by index; holes read as zeroes.
    pages: BTreeMap<usize, Page>,
    size: u64,
    /// The budget every page here is charged to, if any.
    budget: Option<Arc<PageBudget>>,
}

impl Pages {
    /// Takes the pages with indexes in `range` out of the map.
    fn extract(&mut self, range: Range<usize>) -> Result<Vec<(usize, Page)>, Errno> {
        let count = self.pages.range(range.clone()).count();
        heap::reserve(count * core::mem::size_of::<(usize, Page)>())?;
        let mut out = Vec::new();
        out.try_reserve_exact(count).map_err(|_| ENOMEM)?;
        while let Some((&index, _)) = self.pages.range(range.clone()).next() {
            if let Some(page) = self.pages.remove(&index) {
                out.push((index, page));
            }
        }
        OBJECT_PAGES.fetch_sub(out.len(), Ordering::Relaxed);
        if let Some(b) = &self.budget {
            b.credit(out.len());
        }
        Ok(out)
    }

    fn get_or_make(&mut self, index: usize) -> Result<Page, Missing> {
        if let Some(page) = self.pages.get(&index) {
            return Ok(page.clone());
        }
        heap::reserve(PAGE_RECORD_COST).map_err(|_| Missing::NoMemory)?;
        if let Some(b) = &self.budget {
            if !b.charge() {
                return Err(Missing::NoSpace);
            }
        }
        let Some(page) = Page::zeroed() else {
            if let Some(b) = &self.budget {
                b.credit(1);
            }
            return Err(Missing::NoMemory);
        };
        self.pages.insert(index, page.clone());
        OBJECT_PAGES.fetch_add(1, Ordering::Relaxed);
        Ok(page)
    }
}

static ZEROES: [u8; PAGE_SIZE] = [0; PAGE_SIZE];

pub struct MemObject {
    id: u64,
    kind: ObjectKind,
    pages: Mutex<Pages>,
    /// Address spaces that have mapped this object (some may have unmapped it since).
    mappers: Mutex<Vec<Weak<Mutex<AddressSpace>>>>,
    /// The file whose data this is (ObjectKind::File), for /proc/PID/maps. Its name
    /// outlives the file's node while a mapping holds the object, as on Linux.
    file: spin::Once<Arc<dyn FileName>>,
}

impl MemObject {
    /// A zero-filled object of `size` bytes.
    pub fn new(kind: ObjectKind, size: u64) -> Result<Arc<MemObject>, Errno> {
        Self::with_budget(kind, size, None)
    }

    /// An empty object whose pages are charged to `budget`.
    pub fn with_budget(
        kind: ObjectKind,
        size: u64,
        budget: Option<Arc<PageBudget>>,
    ) -> Result<Arc<MemObject>, Errno> {
        heap::reserve(OBJECT_HEAP_COST)?;
        Ok(Arc::new(MemObject {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            kind,
            pages: Mutex::new(Pages {
                pages: BTreeMap::new(),
                size,
                budget,
            }),
            mappers: Mutex::new(Vec::new()),
            file: spin::Once::new(),
        }))
    }

    /// Records the file this object holds the data of (once, when the file is made).
    pub fn set_file(&self, file: Arc<dyn FileName>) {
        self.file.call_once(|| file);
    }

    /// The file this object holds the data of.
    pub fn file(&self) -> Option<&Arc<dyn FileName>> {
        self.file.get()
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    pub fn kind(&self) -> ObjectKind {
        self.kind
    }

    /// The page at `index`, made zero-filled if it was never touched.
    pub fn page(&self, index: usize) -> Result<Page, Missing> {
        let mut p = self.pages.lock();
        if (index as u64) >= p.size.div_ceil(PAGE_SIZE as u64) {
            return Err(Missing::PastEnd);
        }
        p.get_or_make(index)
    }

    /// Punches a hole (MADV_REMOVE, fallocate's FALLOC_FL_PUNCH_HOLE): the bytes of
    /// `[offset, offset + len)` read as zeroes from now on and the size stays. Whole
    /// pages of the range are freed and leave every mapping of the object; private
    /// copies already made from them stay, as on Linux. ENOMEM, with nothing changed,
    /// when the kernel heap is short.
    pub fn punch_hole(&self, offset: u64, len: u64) -> Result<(), Errno> {
        let mappers = self.mappers_snapshot()?;
        let end = offset.saturating_add(len);
        let page = PAGE_SIZE as u64;
        let (first, last) = (offset.div_ceil(page) as usize, (end / page) as usize);
        let dropped = {
            let mut p = self.pages.lock();
            let dropped = p.extract(first..last.max(first))?;
            // The partial pages at the ends keep their other bytes.
            for at in [offset, end] {
                let index = (at / page) as usize;
                if at % page != 0 && !(first..last).contains(&index) {
                    if let Some(part) = p.pages.get(&index) {
                        let from = offset.max(at - at % page) - index as u64 * page;
                        let to = end.min((index as u64 + 1) * page) - index as u64 * page;
                        part.zero_range(from as usize, to as usize);
                    }
                }
            }
            dropped
        };
        self.unmap(&mappers, first..last.max(first), &dropped, false);
        Ok(())
    }

    /// The address spaces mapping this object, copied so that no object lock is held
    /// while they are locked (the fault path takes the locks in the other order).
    fn mappers_snapshot(&self) -> Result<Vec<Arc<Mutex<AddressSpace>>>, Errno> {
        let m = self.mappers.lock();
        heap::reserve(m.len() * core::mem::size_of::<usize>())?;
        let mut v = Vec::new();
        v.try_reserve_exact(m.len()).map_err(|_| ENOMEM)?;
        v.extend(m.iter().filter_map(Weak::upgrade));
        Ok(v)
    }

    /// Removes the pages `indexes` from every mapping in `mappers`: all entries of
    /// shared mappings, and in private copies those still mapping a `dropped` page
    /// (or every entry with `even_copies`).
    fn unmap(
        &self,
        mappers: &[Arc<Mutex<AddressSpace>>],
        indexes: Range<usize>,
        dropped: &[(usize, Page)],
        even_copies: bool,
    ) {
        for aspace in mappers {
            aspace
                .lock()
                .zap_object(self, indexes.clone(), dropped, even_copies);
        }
    }

    /// How many areas map this object shared, in every address space (System V's
    /// shm_nattch counts them). Locks each mapper: the caller holds no address space.
    pub fn shared_mappings(&self) -> Result<usize, Errno> {
        let mappers = self.mappers_snapshot()?;
        Ok(mappers
            .iter()
            .map(|a| a.lock().shared_mappings_of(self))
            .sum())
    }

    /// Records that `aspace` maps this object (once per address space).
    pub(super) fn add_mapper(&self, aspace: &Weak<Mutex<AddressSpace>>) -> Result<(), Errno> {
        let mut m = self.mappers.lock();
        if m.iter().any(|w| w.ptr_eq(aspace)) {
            return Ok(());
        }
        heap::reserve(core::mem::size_of::<usize>() * (m.len() + 1))?;
        m.try_reserve(1).map_err(|_| ENOMEM)?;
        m.push(aspace.clone());
        Ok(())
    }

    /// Forgets `aspace` (it is going away).
    pub(super) fn remove_mapper(&self, aspace: &Weak<Mutex<AddressSpace>>) {
        self.mappers.lock().retain(|w| !w.ptr_eq(aspace));
    }
}

/// The file-data side: a tmpfs file keeps its bytes here, so read(2), write(2) and
/// every mapping of the file see the same pages.
impl MemObject {
    pub fn size(&self) -> u64 {
        self.pages.lock().size
    }

    /// Pages the object holds (st_blocks of a tmpfs file, a segment's resident pages).
    pub fn resident_pages(&self) -> usize {
        self.pages.lock().pages.len()
    }

    /// Reads up to `buf.len()` bytes from byte `pos`, stopping at the end of the
    /// object; holes read as zeroes. Returns the bytes read (the error if none could
    /// be copied out).
    pub fn read(&self, pos: u64, buf: &mut dyn OutBuf) -> Result<usize, Errno> {
        let want = (buf.len() as u64).min(self.size().saturating_sub(pos)) as usize;
        page_by_page(pos, want, |at, done, n| {
            let (index, off) = ((at >> PAGE_SHIFT) as usize, (at as usize) % PAGE_SIZE);
            match self.pages.lock().pages.get(&index).cloned() {
                Some(page) => buf.write_upto(done, &page.bytes()[off..off + n]),
                None => buf.write_upto(done, &ZEROES[..n]),
            }
        })
    }

    /// Writes `buf` at byte `pos`, making pages as needed and growing the size to
    /// cover what was written. Returns the bytes written: short when memory runs out
    /// or the source faults after some bytes (the error when nothing was written).
    pub fn write(&self, pos: u64, buf: &dyn InBuf) -> Result<usize, Errno> {
        page_by_page(pos, buf.len(), |at, done, n| {
            let (index, off) = ((at >> PAGE_SHIFT) as usize, (at as usize) % PAGE_SIZE);
            let page = self.pages.lock().get_or_make(index).map_err(|m| match m {
                Missing::NoSpace => ENOSPC,
                _ => ENOMEM,
            })?;
            let got = buf.read_upto(done, &mut page.bytes_mut()[off..off + n])?;
            let mut p = self.pages.lock();
            p.size = p.size.max(at + got as u64);
            Ok(got)
        })
    }

    /// fallocate: makes the missing pages of `[offset, offset + len)` (zeroes) and,
    /// unless `keep_size`, grows the size to cover the range. ENOSPC, with nothing
    /// made, if the object's budget cannot take the missing pages; should memory run out
    /// part-way, the pages made so far stay with the file.
    pub fn allocate(&self, offset: u64, len: u64, keep_size: bool) -> Result<(), Errno> {
        let end = offset.saturating_add(len);
        let first = (offset >> PAGE_SHIFT) as usize;
        let last = usize::try_from(end.div_ceil(PAGE_SIZE as u64)).map_err(|_| ENOSPC)?;
        {
            let p = self.pages.lock();
            if let Some(b) = &p.budget {
                let have = p.pages.range(first..last).count();
                let free = b.max().saturating_sub(b.used());
                if last - first - have > free {
                    return Err(ENOSPC);
                }
            }
        }
        for index in first..last {
            self.pages.lock().get_or_make(index).map_err(|m| match m {
                Missing::NoSpace => ENOSPC,
                _ => ENOMEM,
            })?;
        }
        if !keep_size {
            let mut p = self.pages.lock();
            p.size = p.size.max(end);
        }
        Ok(())
    }

    /// Sets the size (truncate). Shrinking drops the pages past the new end from the
    /// object and from every mapping of it — private copies made from them too, as on
    /// Linux, since the range is past the end now — and zeroes the rest of a partial
    /// last page, so those bytes read as zeroes if the object grows again. Growing
    /// adds holes. ENOMEM, with nothing changed, when the kernel heap is short.
    pub fn truncate(&self, size: u64) -> Result<(), Errno> {
        let mappers = self.mappers_snapshot()?;
        let first_gone = size.div_ceil(PAGE_SIZE as u64) as usize;
        let dropped = {
            let mut p = self.pages.lock();
            let old = p.size;
            if size >= old {
                p.size = size;
                return Ok(());
            }
            let dropped = p.extract(first_gone..usize::MAX)?;
            p.size = size;
            if let Some(last) = first_gone.checked_sub(1).and_then(|i| p.pages.get(&i)) {
                last.zero_range(size as usize % PAGE_SIZE, PAGE_SIZE);
            }
            dropped
        };
        self.unmap(&mappers, first_gone..usize::MAX, &dropped, true);
        Ok(())
    }
}

impl Drop for MemObject {
    fn drop(&mut self) {
        let p = self.pages.get_mut();
        OBJECT_PAGES.fetch_sub(p.pages.len(), Ordering::Relaxed);
        if let Some(b) = &p.budget {
            b.credit(p.pages.len());
        }
    }
}

/// Walks `len` bytes from byte `pos` one page at a time: `copy(at, done, n)` moves `n`
/// bytes at object offset `at`, `done` bytes into the caller's buffer, and says how many
/// it moved. Stops at a short copy; an error counts only if nothing was moved yet.
fn page_by_page(
    pos: u64,
    len: usize,
    mut copy: impl FnMut(u64, usize, usize) -> Result<usize, Errno>,
) -> Result<usize, Errno> {
    let mut done = 0;
    while done < len {
        let at = pos + done as u64;
        let n = (PAGE_SIZE - (at as usize) % PAGE_SIZE).min(len - done);
        match copy(at, done, n) {
            Ok(got) => {
                done += got;
                if got < n {
                    break;
                }
            }
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        }
    }
    Ok(done)
}
