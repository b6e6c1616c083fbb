//! The NS16550A UART of the virt machine. Input raises an interrupt per received byte.
//! Output goes two ways: the kernel's own short lines and echo are polled (`putc`), while
//! a process's writes fill the transmit FIFO only while it has room (`send_some`) and
//! then sleep until the transmitter-empty interrupt (`wait_transmitter`), so a long
//! write neither spins on the device nor keeps the hart from other tasks.

use crate::errno::SysResult;
use crate::mm::phys_to_virt;
use crate::task::WaitQueue;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

static BASE: AtomicUsize = AtomicUsize::new(0);

/// Transmitter-empty interrupts seen, and the writers waiting for the next one.
static TX_EVENTS: AtomicU64 = AtomicU64::new(0);
static TX_WAITERS: WaitQueue = WaitQueue::new();

const RBR_THR: usize = 0;
const IER: usize = 1;
const FCR: usize = 2;
const LCR: usize = 3;
const MCR: usize = 4;
const LSR: usize = 5;
const LSR_DATA_READY: u8 = 1;
const LSR_THR_EMPTY: u8 = 1 << 5;
const IER_RX: u8 = 1;
const IER_TX: u8 = 1 << 1;
/// FCR: FIFOs on, receive trigger at one byte; without the bits that empty them.
const FCR_FIFO_ENABLE: u8 = 1;
/// The 16550A's transmit FIFO: this many bytes fit once LSR says it is empty.
const TX_FIFO: usize = 16;

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
/// Input typed while the machine booted is kept: the bytes already received are taken
/// out first (turning the FIFO on, or resetting it, would drop them) and given to the
/// console, and the FIFO is enabled without its reset bits, so what it holds stays and
/// raises the receive interrupt once that is on.
pub fn init(base: usize) {
    BASE.store(phys_to_virt(base), Ordering::Relaxed);
    write(IER, 0);
    let mut early = [0u8; 64];
    let mut n = 0;
    while n < early.len() {
        let Some(c) = getc() else { break };
        early[n] = c;
        n += 1;
    }
    write(LCR, 0x03);
    write(FCR, FCR_FIFO_ENABLE);
    write(MCR, 0x08); // OUT2 gates the interrupt line on a PC-style 16550
    write(IER, IER_RX);
    if n > 0 {
        crate::fs::tty::CONSOLE.receive(&early[..n]);
    }
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

/// Puts into the transmit FIFO as much of `bytes` as it takes now, without waiting;
/// returns how many bytes went.
pub fn send_some(bytes: &[u8]) -> usize {
    let mut sent = 0;
    while sent < bytes.len() && read(LSR) & LSR_THR_EMPTY != 0 {
        for &b in bytes[sent..].iter().take(TX_FIFO) {
            write(RBR_THR, b);
            sent += 1;
        }
    }
    sent
}

/// Sleeps until the transmit FIFO has emptied, which the UART reports with an interrupt
/// (at once if it is empty already); ERESTARTSYS if a signal comes first. Meanwhile the
/// hart runs other tasks, or idles with interrupts on (so timers fire).
pub fn wait_transmitter() -> SysResult<()> {
    let seen = TX_EVENTS.load(Ordering::Acquire);
    write(IER, IER_RX | IER_TX);
    TX_WAITERS.wait_until("uart_tx", || {
        (TX_EVENTS.load(Ordering::Acquire) != seen).then_some(())
    })
}

/// The transmitter side of the UART interrupt: an armed transmitter-empty interrupt is
/// disarmed (it would fire as long as the FIFO is empty) and wakes the waiting writers.
pub fn transmit_interrupt() {
    if read(IER) & IER_TX != 0 && read(LSR) & LSR_THR_EMPTY != 0 {
        write(IER, IER_RX);
        TX_EVENTS.fetch_add(1, Ordering::Release);
        TX_WAITERS.wake_all();
    }
}

/// A received byte, if one is waiting.
pub fn getc() -> Option<u8> {
    (read(LSR) & LSR_DATA_READY != 0).then(|| read(RBR_THR))
}
