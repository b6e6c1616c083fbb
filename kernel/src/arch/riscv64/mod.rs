//! Everything specific to 64-bit RISC-V: boot, traps, context switch, SBI, Sv39.

pub mod boot;
pub mod context;
pub mod cpu;
pub mod kstack;
mod mem;
pub mod paging;
pub mod sbi;
pub mod smp;
pub mod spinlock;
pub mod trap;
pub mod usercopy;
