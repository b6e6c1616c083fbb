//! Wait channels: what a sleeping task waits for, by name ("pipe_read", "msgrcv",
//! "semop", ...), as /proc/PID/wchan and `ps` show it. Linux prints the kernel function a
//! task sleeps in there; Rill prints the name the blocking call gave (docs/tools.md).
//!
//! A blocking call names its channel with `waiting_in` before it waits; the name stays
//! while the guard lives and is shown only while the task is actually asleep.

use super::thread::{Task, TaskState};
use alloc::sync::Arc;

/// Names what the current task waits for until the returned guard is dropped.
#[must_use = "the channel is named only while the guard lives"]
pub fn waiting_in(name: &'static str) -> Channel {
    let task = super::current();
    let outer = core::mem::replace(&mut *task.wchan.lock(), name);
    Channel { task, outer }
}

/// Puts back the channel of an enclosing wait (usually none) when dropped.
pub struct Channel {
    task: Arc<Task>,
    outer: &'static str,
}

impl Drop for Channel {
    fn drop(&mut self) {
        *self.task.wchan.lock() = self.outer;
    }
}

/// The channel `task` sleeps on; "0" (as Linux prints for a task that is not asleep)
/// while it runs, is runnable or stopped, or sleeps in a wait that gave no name.
pub fn of(task: &Task) -> &'static str {
    let name = *task.wchan.lock();
    if *task.state.lock() == TaskState::Sleeping && !name.is_empty() {
        name
    } else {
        "0"
    }
}
