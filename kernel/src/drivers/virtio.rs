//! Glue for the `virtio-drivers` crate: DMA memory from the kernel heap (which is
//! physically contiguous and direct-mapped) and device discovery on the MMIO bus.

use crate::mm::{phys_to_virt, virt_to_phys, PAGE_SIZE};
use core::alloc::Layout;
use core::ptr::NonNull;
use virtio_drivers::transport::mmio::{MmioTransport, VirtIOHeader};
use virtio_drivers::transport::{DeviceType, Transport};
use virtio_drivers::{BufferDirection, Hal, PhysAddr};

pub struct KernelHal;

fn dma_layout(pages: usize) -> Layout {
    match Layout::from_size_align(pages * PAGE_SIZE, PAGE_SIZE) {
        Ok(l) => l,
        Err(_) => panic!("virtio: DMA request of {pages} pages"),
    }
}

// SAFETY: allocations come from the global allocator (zeroed, page aligned, owned until
// dma_dealloc) and the kernel heap lies in the direct map, so virtual and physical
// addresses differ by the constant KERNEL_OFFSET; no IOMMU is involved.
unsafe impl Hal for KernelHal {
    fn dma_alloc(pages: usize, _direction: BufferDirection) -> (PhysAddr, NonNull<u8>) {
        // SAFETY: the layout has non-zero size.
        let ptr = unsafe { alloc::alloc::alloc_zeroed(dma_layout(pages)) };
        let Some(vaddr) = NonNull::new(ptr) else {
            panic!("virtio: out of DMA memory")
        };
        (virt_to_phys(vaddr.as_ptr() as usize) as PhysAddr, vaddr)
    }

    unsafe fn dma_dealloc(_paddr: PhysAddr, vaddr: NonNull<u8>, pages: usize) -> i32 {
        // SAFETY: the caller passes back what dma_alloc returned, with the same size.
        unsafe { alloc::alloc::dealloc(vaddr.as_ptr(), dma_layout(pages)) };
        0
    }

    unsafe fn mmio_phys_to_virt(paddr: PhysAddr, _size: usize) -> NonNull<u8> {
        NonNull::new(phys_to_virt(paddr as usize) as *mut u8).unwrap_or(NonNull::dangling())
    }

    unsafe fn share(buffer: NonNull<[u8]>, _direction: BufferDirection) -> PhysAddr {
        // Every kernel buffer (heap, stacks, image) is in the direct map.
        virt_to_phys(buffer.as_ptr() as *mut u8 as usize) as PhysAddr
    }

    unsafe fn unshare(_paddr: PhysAddr, _buffer: NonNull<[u8]>, _direction: BufferDirection) {}
}

/// The virtio-mmio transport at physical `base` (size `size`) if it holds a device
/// of type `want`.
pub fn probe(base: usize, size: usize, want: DeviceType) -> Option<MmioTransport<'static>> {
    let header = NonNull::new(phys_to_virt(base) as *mut VirtIOHeader)?;
    // SAFETY: the device tree names this range as a virtio-mmio device; it is mapped
    // through the direct map for the whole kernel lifetime and used only here.
    let transport = unsafe { MmioTransport::new(header, size) }.ok()?;
    (transport.device_type() == want).then_some(transport)
}
