//! Device drivers: the 16550 UART behind the console and the PLIC that routes its
//! interrupt.

pub mod plic;
pub mod uart;
