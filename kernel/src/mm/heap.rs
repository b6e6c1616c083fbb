//! The kernel heap: a buddy allocator over a region of RAM chosen at boot (after the
//! kernel image and the initramfs that QEMU loaded behind it).

use crate::errno::{Errno, ENOMEM};
use buddy_system_allocator::LockedHeap;

/// Largest heap: it holds kernel objects, pipe buffers and tmpfs file contents (the
/// whole initramfs); each of those has a budget well below this.
const MAX_HEAP_SIZE: usize = 192 * 1024 * 1024;

#[global_allocator]
static HEAP: LockedHeap<32> = LockedHeap::empty();

/// Gives the allocator RAM from `start` on: up to half of what lies between `start`
/// and `mem_end`, at most MAX_HEAP_SIZE. Returns the end of the heap.
pub fn init(start: usize, mem_end: usize) -> usize {
    let size = (mem_end.saturating_sub(start) / 2).min(MAX_HEAP_SIZE) & !(super::PAGE_SIZE - 1);
    // SAFETY: called once at boot before any allocation; the caller guarantees the
    // range is RAM used by nothing else, reached through the direct map.
    unsafe {
        HEAP.lock().init(super::phys_to_virt(start), size);
    }
    start + size
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
