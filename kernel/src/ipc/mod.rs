//! Inter-process communication: pipes, FIFOs, and the futex used by C libraries.

pub mod fifo;
pub mod futex;
pub mod pipe;
