//! The pure logic of System V IPC as Linux implements it, for Rill's kernel.
//!
//! Message queues, shared memory segments and semaphore sets share one design: a table that
//! maps keys and ids to objects, each object carrying an [`IpcPerm`]. This crate holds that
//! table ([`IpcIds`]), the permission rules, the ABI numbers and structure layouts, and the
//! way `msgrcv` picks a message ([`Selector`], [`MessageList`]), and semaphore sets whose
//! operations apply all or nothing ([`SemSet`]). Nothing here touches a task,
//! a lock or user memory: the kernel owns those and calls in.
//!
//! The numbers and layouts are those of Linux's `include/uapi/linux/{ipc,msg,sem}.h` and
//! `asm-generic/{ipcbuf,msgbuf,sembuf}.h` for 64-bit architectures (riscv64 uses the generic ones).
//! `linux-raw-sys` has no IPC module, so they are written here; a host test checks them
//! against the `libc` crate's definitions.
#![no_std]
#![warn(missing_docs)]

extern crate alloc;

pub mod abi;
mod ids;
mod msg;
mod perm;
mod sem;

pub use ids::{IpcIds, Lookup, IPCMNI};
pub use msg::{Message, MessageList, Selector};
pub use perm::{Access, Cred, IpcPerm};
pub use sem::{Blocked, SemError, SemOp, SemSet, Semaphore, Waiter};
