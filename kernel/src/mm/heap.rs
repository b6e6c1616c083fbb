//! The kernel heap: a buddy allocator over a region of RAM chosen at boot (after the
//! kernel image, clear of the initramfs that QEMU loaded).

use crate::arch::spinlock::Mutex;
use crate::errno::{Errno, ENOMEM};
use alloc::collections::BTreeMap;
use buddy_system_allocator::Heap;
use core::alloc::{GlobalAlloc, Layout};
use core::ptr::NonNull;

/// Smallest and largest heap. The heap holds kernel records (processes, areas, nodes,
/// page records of objects, pipes' slot tables) and IPC messages; file data, pipe
/// buffers and user memory are page frames. A quarter of RAM keeps the page frames —
/// tmpfs files (the unpacked initramfs among them), programs and pipe pages — the other
/// three quarters. Below 64 MiB of RAM the floor wins.
const MIN_HEAP_SIZE: usize = 16 * 1024 * 1024;
const MAX_HEAP_SIZE: usize = 128 * 1024 * 1024;

/// The buddy allocator behind the kernel's own lock (every allocation takes it, so it
/// is the cheap word-sized one, not the byte lock of the crate's `LockedHeap`).
struct KernelHeap(Mutex<Heap<32>>);

impl KernelHeap {
    fn lock(&self) -> crate::arch::spinlock::MutexGuard<'_, Heap<32>> {
        self.0.lock()
    }
}

#[global_allocator]
static HEAP: KernelHeap = KernelHeap(Mutex::new(Heap::empty()));

// SAFETY: the buddy allocator hands out disjoint blocks of at least the layout's size
// and alignment, or fails; the lock serialises every use of its lists.
unsafe impl GlobalAlloc for KernelHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.lock()
            .alloc(layout)
            .map_or(core::ptr::null_mut(), NonNull::as_ptr)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller passes a pointer this allocator returned (never null).
        let ptr = unsafe { NonNull::new_unchecked(ptr) };
        self.lock().dealloc(ptr, layout);
    }
}

/// The heap size for a machine with `ram` bytes.
pub fn size_for(ram: usize) -> usize {
    (ram / 4).clamp(MIN_HEAP_SIZE, MAX_HEAP_SIZE) & !(super::PAGE_SIZE - 1)
}

/// Gives the allocator the RAM `[start, start + size)`.
pub fn init(start: usize, size: usize) {
    // SAFETY: called once at boot before any allocation; the caller guarantees the
    // range is RAM used by nothing else, reached through the direct map.
    unsafe {
        HEAP.lock().init(super::phys_to_virt(start), size);
    }
}

/// Bytes the heap manages.
pub fn total_bytes() -> usize {
    HEAP.lock().stats_total_bytes()
}

/// Heap kept back from what programs can make the kernel allocate, so that the
/// kernel's own small allocations (wait queue entries, timers, log lines) never fail.
const KERNEL_RESERVE: usize = 4 * 1024 * 1024;

/// Checks, before the kernel allocates for a program's request, that `bytes` more would
/// still leave the kernel's reserve free: ENOMEM otherwise. Every allocation whose size
/// or count a program drives (areas, queued signals, descriptors, processes, pipes,
/// tmpfs nodes) goes through here first, so filling the heap through any of them ends
/// in ENOMEM for that program instead of a failed allocation inside the kernel.
pub fn reserve(bytes: usize) -> Result<(), Errno> {
    let heap = HEAP.lock();
    let total = heap.stats_total_bytes();
    let used = heap.stats_alloc_actual();
    match used
        .checked_add(bytes)
        .and_then(|n| n.checked_add(KERNEL_RESERVE))
    {
        Some(need) if need <= total => Ok(()),
        _ => Err(ENOMEM),
    }
}

/// Bytes of kernel heap handed out (as the allocator rounds them), for /proc/meminfo's
/// Slab line: leak checks watch it along with free pages.
pub fn used_bytes() -> usize {
    HEAP.lock().stats_alloc_actual()
}

/// Gives back an emptied map's last node. A `BTreeMap` keeps its root node after its last
/// entry goes, so a map that empties and fills again (timers, futexes, per-user counts,
/// directory entries) would hold heap from its first use on, which leak checks that
/// compare the heap before and after see as a change.
pub fn release_if_empty<K, V>(map: &mut BTreeMap<K, V>) {
    if map.is_empty() {
        *map = BTreeMap::new();
    }
}
