//! Processes, threads, the scheduler and wait queues.

pub mod cputime;
pub mod exec;
pub mod exit;
pub mod loadavg;
pub mod pidfd;
pub mod process;
pub mod sched;
pub mod shared;
pub mod thread;
pub mod wait;
pub mod wchan;

pub use process::{Pid, Process};
pub use sched::{current, schedule_yield, with_current};
pub use thread::Task;
pub use wait::WaitQueue;

use alloc::sync::Arc;

/// The descriptor table of the task running on this hart.
pub fn current_files() -> shared::Files {
    current().files()
}

/// The cwd and umask of the task running on this hart.
pub fn current_fs() -> Arc<shared::FsContext> {
    current().fs()
}

/// The process of the task running on this hart.
pub fn current_process() -> Arc<Process> {
    current().process.clone()
}
