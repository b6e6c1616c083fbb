//! Memory management: physical frames (and counted references to them), the kernel
//! heap, page tables, memory objects, user address spaces and the checked path for
//! touching user memory. docs/memory.md explains how objects, areas and pages relate.

pub mod area;
pub mod aspace;
mod fault;
mod fork;
pub mod frame;
pub mod gaps;
pub mod heap;
mod maps;
pub mod object;
pub mod page;
pub mod pagetable;
pub mod remap;
pub mod tlb;
pub mod uaccess;
pub mod xcopy;

pub use frame::Frame;

pub const PAGE_SIZE: usize = 4096;
pub const PAGE_SHIFT: usize = 12;

/// Physical memory (and every device) appears at this offset in the kernel half.
pub const KERNEL_OFFSET: usize = 0xffff_ffc0_0000_0000;

/// The kernel-virtual address of physical address `pa` in the direct map.
pub const fn phys_to_virt(pa: usize) -> usize {
    pa + KERNEL_OFFSET
}

pub const fn virt_to_phys(va: usize) -> usize {
    va - KERNEL_OFFSET
}

pub const fn page_round_up(x: usize) -> usize {
    (x + PAGE_SIZE - 1) & !(PAGE_SIZE - 1)
}

/// `page_round_up` for user-supplied values: None where rounding would overflow.
pub const fn checked_page_round_up(x: usize) -> Option<usize> {
    match x.checked_add(PAGE_SIZE - 1) {
        Some(v) => Some(v & !(PAGE_SIZE - 1)),
        None => None,
    }
}

pub const fn page_round_down(x: usize) -> usize {
    x & !(PAGE_SIZE - 1)
}

/// Physical memory the boot code reads before the frame allocator owns it (the
/// device tree, the initramfs), as a byte slice in the direct map.
pub fn boot_memory(pa: usize, len: usize) -> &'static [u8] {
    // SAFETY: only called at boot for ranges firmware or QEMU placed in RAM (covered by
    // the direct map); nothing writes them until the frame allocator is given them,
    // after their last use.
    unsafe { core::slice::from_raw_parts(phys_to_virt(pa) as *const u8, len) }
}

/// Exclusive end of user space: the lower half of Sv39.
pub const USER_END: usize = 1 << 38;
