//! The platform-level interrupt controller: enables device interrupts for supervisor
//! mode on hart 0 (the boot hart) and claims/completes them. Harts are the kernel's
//! indices; the PLIC's contexts follow the firmware's hart ids.

use crate::mm::phys_to_virt;
use core::sync::atomic::{AtomicUsize, Ordering};

static BASE: AtomicUsize = AtomicUsize::new(0);

/// S-mode context of the hart with id `h` is 2h+1 on the virt machine.
fn s_context(hart: usize) -> usize {
    2 * crate::arch::smp::hart_id(hart) + 1
}

fn reg(off: usize) -> *mut u32 {
    (BASE.load(Ordering::Relaxed) + off) as *mut u32
}

fn write(off: usize, v: u32) {
    // SAFETY: BASE points at the PLIC's registers in the direct map once `init` ran.
    unsafe { reg(off).write_volatile(v) }
}

fn read(off: usize) -> u32 {
    // SAFETY: as in `write`.
    unsafe { reg(off).read_volatile() }
}

pub fn init(base: usize) {
    BASE.store(phys_to_virt(base), Ordering::Relaxed);
}

/// Routes interrupt `irq` to supervisor mode of `hart`.
pub fn enable(irq: u32, hart: usize) {
    let ctx = s_context(hart);
    write(4 * irq as usize, 1);
    let en = 0x2000 + 0x80 * ctx + 4 * (irq as usize / 32);
    write(en, read(en) | 1 << (irq % 32));
    write(0x20_0000 + 0x1000 * ctx, 0);
}

/// The highest-priority pending interrupt of `hart`, if any.
pub fn claim(hart: usize) -> Option<u32> {
    let irq = read(0x20_0004 + 0x1000 * s_context(hart));
    (irq != 0).then_some(irq)
}

pub fn complete(irq: u32, hart: usize) {
    write(0x20_0004 + 0x1000 * s_context(hart), irq);
}
