//! Architecture support. Rill runs on 64-bit RISC-V only.

pub mod riscv64;
pub use riscv64::*;
