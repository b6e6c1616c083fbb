//! The NS16550A UART of the virt machine. Output is polled (the transmitter of an
//! emulated UART is never busy for long); input raises an interrupt per received byte.

use crate::mm::phys_to_virt;
use core::sync::atomic::{AtomicUsize, Ordering};

static BASE: AtomicUsize = AtomicUsize::new(0);

const RBR_THR: usize = 0;
const IER: usize = 1;
const FCR: usize = 2;
const LCR: usize = 3;
const MCR: usize = 4;
const LSR: usize = 5;
const LSR_DATA_READY: u8 = 1;
const LSR_THR_EMPTY: u8 = 1 << 5;

fn reg(off: usize) -> *mut u8 {
    (BASE.load(Ordering::Relaxed) + off) as *mut u8
}

fn read(off: usize) -> u8 {
    // SAFETY: BASE points at the UART's MMIO registers in the direct map once `init` ran.
    unsafe { reg(off).read_volatile() }
}

fn write(off: usize, v: u8) {
    // SAFETY: as in `read`.
    unsafe { reg(off).write_volatile(v) }
}

/// Sets the UART up at physical address `base`: 8N1, FIFOs on, receive interrupt on.
pub fn init(base: usize) {
    BASE.store(phys_to_virt(base), Ordering::Relaxed);
    write(IER, 0);
    write(LCR, 0x03);
    write(FCR, 0x07);
    write(MCR, 0x08); // OUT2 gates the interrupt line on a PC-style 16550
    write(IER, 0x01);
}

pub fn is_ready() -> bool {
    BASE.load(Ordering::Relaxed) != 0
}

pub fn putc(c: u8) {
    while read(LSR) & LSR_THR_EMPTY == 0 {
        core::hint::spin_loop();
    }
    write(RBR_THR, c);
}

/// A received byte, if one is waiting.
pub fn getc() -> Option<u8> {
    (read(LSR) & LSR_DATA_READY != 0).then(|| read(RBR_THR))
}
