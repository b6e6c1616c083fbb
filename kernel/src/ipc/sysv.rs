//! What the three System V IPC kinds (message queues, semaphores, shared memory) share
//! around their id tables: the caller's credentials as IPC checks see them, the clock
//! their times use, id lookup, and the errors of msgget/semget/shmget.

use crate::arch::spinlock::Mutex;
use crate::errno::{Errno, SysResult, EACCES, EEXIST, EINVAL, ENOENT, ENOMEM, ENOSPC};
use crate::task::{current_process, with_current, Pid};
use rill_ipc::{Access, Cred, IpcIds, IpcPerm, Lookup};

/// Seconds since 1970, as the `*_time` fields count.
pub fn now_secs() -> i64 {
    (crate::time::realtime_ns() / 1_000_000_000) as i64
}

/// The calling process's credentials for IPC permission checks, and its pid. Every
/// msgsnd and msgrcv asks, so the task is borrowed, not counted.
#[inline(always)]
pub fn caller() -> (Cred, Pid) {
    with_current(|task| {
        let proc = &task.process;
        let (euid, egid) = {
            let c = proc.creds.lock();
            (c.euid, c.egid)
        };
        let cred = Cred {
            in_supplementary: in_current_groups,
            ..Cred::new(euid, egid)
        };
        (cred, proc.pid)
    })
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

/// The object named by `id` if the caller may use it for `access`: EINVAL if there is
/// none, EACCES if its permissions do not allow it (one table lock for both).
pub fn lookup_for<T: Clone>(
    table: &Mutex<IpcIds<T>>,
    id: i32,
    cred: Cred,
    access: Access,
) -> SysResult<T> {
    let table = table.lock();
    let slot = table.get(id).ok_or(EINVAL)?;
    if !slot.perm.permits(cred, access) {
        return Err(EACCES);
    }
    Ok(slot.obj.clone())
}

/// The errno of a failed `*get` call.
pub fn get_error(e: Lookup<Errno>) -> Errno {
    match e {
        Lookup::NotFound => ENOENT,
        Lookup::Exists => EEXIST,
        Lookup::Denied => EACCES,
        Lookup::Full => ENOSPC,
        Lookup::NoMemory => ENOMEM,
        Lookup::Other(e) => e,
    }
}
