//! Device drivers: the 16550 UART behind the console, the PLIC that routes its
//! interrupt, and the real-time clock.

pub mod plic;
pub mod rtc;
pub mod uart;
