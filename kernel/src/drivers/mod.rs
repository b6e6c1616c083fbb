//! Device drivers: the 16550 UART behind the console, the PLIC that routes device
//! interrupts, the real-time clock, and the virtio console (a second terminal).

pub mod hvc;
pub mod plic;
pub mod rtc;
pub mod uart;
pub mod virtio;
