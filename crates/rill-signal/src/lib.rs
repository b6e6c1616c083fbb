//! The pure logic of POSIX signals as Linux implements them, for Rill's kernel.
//!
//! Nothing here touches a task, a lock or user memory: the kernel owns those and calls in.
//!
//! - [`Signal`]: a validated signal number, 1..=64, with its name and properties.
//! - [`SigSet`]: a set of signals laid out exactly like the kernel ABI's `sigset_t`.
//! - [`DefaultAction`]: what happens to a task when a signal's disposition is `SIG_DFL`.
//! - [`MaskHow`]: the `how` argument of `rt_sigprocmask(2)`.
//! - [`PendingQueue`]: the signals generated but not yet delivered, with Linux's coalescing,
//!   queueing, queue-limit and delivery-order rules ([`Origin`] says who sent a signal, which
//!   decides what happens when it cannot be queued).
//!
//! # Numbering
//!
//! Signal numbers and the `SIG_BLOCK` family come from `linux-raw-sys`, which picks its
//! architecture module by `target_arch`. The kernel builds for riscv64; the tests run on the
//! host. Every number this crate takes from it is the same on x86_64, aarch64 and riscv64 (all
//! three use the generic numbering), with one exception: x86_64's module has no `SIGRTMAX`, so
//! [`Signal::SIGRTMAX`] is built from `_NSIG` (64 everywhere), and a compile-time assertion in
//! riscv64 builds checks it against riscv64's `SIGRTMAX`. A host test checks the whole table
//! against the generic numbers, so a host with another numbering (MIPS, SPARC, Alpha) fails
//! loudly instead of testing the wrong thing.
#![no_std]
#![warn(missing_docs)]

extern crate alloc;

mod action;
mod entries;
mod how;
mod names;
mod pending;
mod set;
mod signal;

pub use action::DefaultAction;
pub use how::MaskHow;
pub use pending::{Admission, Enqueued, Origin, PendingQueue, QueueFull};
pub use set::{SigSet, SigSetIter};
pub use signal::{InvalidSignal, Signal, NSIG};
