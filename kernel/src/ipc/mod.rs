//! Inter-process communication: pipes, FIFOs, System V message queues, semaphores and
//! shared memory, POSIX message queues, and the futex C libraries use.

pub mod fifo;
pub mod futex;
pub mod limits;
pub mod mq_limits;
pub mod mqueue;
pub mod msg;
pub mod pipe;
pub mod sem;
pub mod shm;
pub mod sysv;
