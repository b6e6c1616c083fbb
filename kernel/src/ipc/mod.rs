//! Inter-process communication: pipes, FIFOs, System V message queues, and the futex
//! used by C libraries.

pub mod fifo;
pub mod futex;
pub mod mqueue;
pub mod msg;
pub mod pipe;
