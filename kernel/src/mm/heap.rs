//! The kernel heap: a buddy allocator over a region of RAM chosen at boot (after the
//! kernel image and the initramfs that QEMU loaded behind it).

use buddy_system_allocator::LockedHeap;

/// Heap size: it holds kernel objects and tmpfs file contents (the whole initramfs).
pub const HEAP_SIZE: usize = 128 * 1024 * 1024;

#[global_allocator]
static HEAP: LockedHeap<32> = LockedHeap::empty();

/// Gives the allocator the physical range starting at `start` (HEAP_SIZE bytes).
pub fn init(start: usize) {
    // SAFETY: called once at boot before any allocation; the caller guarantees the
    // range is RAM used by nothing else, reached through the direct map.
    unsafe {
        HEAP.lock().init(super::phys_to_virt(start), HEAP_SIZE);
    }
}
