//! Wait channels: what a sleeping task waits for, by name ("pipe_read", "msgrcv",
//! "semop", ...), as /proc/PID/wchan and `ps` show it. Linux prints the kernel function a
//! task sleeps in there; Rill prints the name the blocking call gave its wait
//! (`wait::block_on`'s `wchan`; docs/tools.md).

use super::thread::{Task, TaskState};

/// The channel `task` sleeps on; "0" (as Linux prints for a task that is not asleep)
/// while it runs, is runnable or stopped.
pub fn of(task: &Task) -> &'static str {
    let name = *task.wchan.lock();
    if *task.state.lock() == TaskState::Sleeping && !name.is_empty() {
        name
    } else {
        "0"
    }
}
