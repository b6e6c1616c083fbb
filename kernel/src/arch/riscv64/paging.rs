//! Sv39 page-table entries.

use bitflags::bitflags;

bitflags! {
    /// Sv39 PTE flag bits.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct PteFlags: usize {
        const V = 1 << 0;
        const R = 1 << 1;
        const W = 1 << 2;
        const X = 1 << 3;
        const U = 1 << 4;
        const G = 1 << 5;
        const A = 1 << 6;
        const D = 1 << 7;
    }
}

/// One Sv39 page-table entry.
#[repr(transparent)]
#[derive(Clone, Copy, Default)]
pub struct Pte(pub usize);

impl Pte {
    pub fn new(ppn: usize, flags: PteFlags) -> Self {
        Pte((ppn << 10) | flags.bits())
    }
    pub fn ppn(self) -> usize {
        (self.0 >> 10) & ((1 << 44) - 1)
    }
    pub fn flags(self) -> PteFlags {
        PteFlags::from_bits_truncate(self.0 & 0xff)
    }
    pub fn is_valid(self) -> bool {
        self.flags().contains(PteFlags::V)
    }
}

/// The three 9-bit indices of a virtual page number, root level first.
pub fn vpn_indices(vpn: usize) -> [usize; 3] {
    [(vpn >> 18) & 0x1ff, (vpn >> 9) & 0x1ff, vpn & 0x1ff]
}

/// `satp` value selecting Sv39 with the given root page.
pub fn satp_for(root_ppn: usize) -> usize {
    (8 << 60) | root_ppn
}

/// Root entries from this index on map the kernel half; every address space shares them.
pub const KERNEL_ROOT_INDEX: usize = 256;
