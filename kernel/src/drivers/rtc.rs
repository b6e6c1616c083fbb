//! The goldfish real-time clock of the virt machine: read once at boot for the
//! wall-clock time.

use crate::mm::phys_to_virt;

/// Nanoseconds since 1970 from the RTC at physical address `base`.
pub fn read_ns(base: usize) -> u64 {
    let reg = phys_to_virt(base) as *const u32;
    // SAFETY: the goldfish RTC's TIME_LOW (offset 0) latches TIME_HIGH (offset 4);
    // both are MMIO registers reached through the direct map.
    unsafe {
        let lo = reg.read_volatile() as u64;
        let hi = reg.add(1).read_volatile() as u64;
        (hi << 32) | lo
    }
}
