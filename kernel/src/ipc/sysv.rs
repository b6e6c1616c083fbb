//! What the three System V IPC kinds (message queues, semaphores, shared memory) share
//! around their id tables: the caller's credentials as IPC checks see them, the clock
//! their times use, id lookup, and the errors of msgget/semget/shmget.

use crate::arch::spinlock::Mutex;
use crate::errno::{Errno, SysResult, EACCES, EEXIST, EINVAL, ENOENT, ENOSPC};
use crate::task::{current_process, Pid};
use rill_ipc::{Cred, IpcIds, IpcPerm, Lookup};

/// Seconds since 1970, as the `*_time` fields count.
pub fn now_secs() -> i64 {
    (crate::time::realtime_ns() / 1_000_000_000) as i64
}

/// The calling process's credentials for IPC permission checks, and its pid.
pub fn caller() -> (Cred, Pid) {
    let proc = current_process();
    let c = *proc.creds.lock();
    let cred = Cred {
        in_supplementary: in_current_groups,
        ..Cred::new(c.euid, c.egid)
    };
    (cred, proc.pid)
}

/// Whether the calling process has supplementary group `gid` (the list is sorted).
fn in_current_groups(gid: u32) -> bool {
    current_process().groups.lock().binary_search(&gid).is_ok()
}

/// The object named by `id` and its current permissions; EINVAL if there is none.
pub fn lookup<T: Clone>(table: &Mutex<IpcIds<T>>, id: i32) -> SysResult<(T, IpcPerm)> {
    let table = table.lock();
    let slot = table.get(id).ok_or(EINVAL)?;
    Ok((slot.obj.clone(), slot.perm))
}

/// The errno of a failed `*get` call.
pub fn get_error(e: Lookup<Errno>) -> Errno {
    match e {
        Lookup::NotFound => ENOENT,
        Lookup::Exists => EEXIST,
        Lookup::Denied => EACCES,
        Lookup::Full => ENOSPC,
        Lookup::Other(e) => e,
    }
}
