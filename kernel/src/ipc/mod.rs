//! Inter-process communication: pipes (and FIFOs), and the futex used by C libraries.

pub mod futex;
pub mod pipe;
