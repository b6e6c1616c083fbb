//! System V semaphores (semget, semop, semtimedop, semctl), with Linux's semantics.
//!
//! Sets live in their own id table (the same `rill_ipc::IpcIds` as message queues). A
//! set's values, undo adjustments and waiters are a `rill_ipc::SemSet`: operations apply
//! all or nothing, and whenever values change the waiters are served in arrival order,
//! their operations applied on their behalf before they are woken. A waiter interrupted
//! by a signal returns EINTR (semop is never restarted, not even after a stop signal);
//! one whose timeout passes returns EAGAIN; one whose set is removed, EIDRM. SEM_UNDO
//! adjustments are applied when the process exits.

use super::limits;
use super::sysv::{self, caller, get_error, now_secs};
use crate::arch::spinlock::Mutex;
use crate::errno::{
    Errno, SysResult, EACCES, EAGAIN, EFBIG, EIDRM, EINTR, EINVAL, ENOMEM, ENOSPC, EPERM, ERANGE,
    ERESTARTSYS, ETIMEDOUT,
};
use crate::task::{sched, Pid, Task};
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::sync::Arc;
use alloc::vec::Vec;
use rill_ipc::abi::{SemInfo, SemidDs, SEMAEM, SEMMNS, SEMOPM, SEMUSZ, SEMVMX};
use rill_ipc::{Access, Blocked, IpcIds, IpcPerm, SemError, SemOp, SemSet, Waiter};

/// A caller asleep on a set: the outcome of its operations is left here when they are
/// done, and its task woken directly (it waits on no queue).
struct Sleeper {
    outcome: Mutex<Option<Result<(), Errno>>>,
    task: Arc<Task>,
}

impl Sleeper {
    fn finish(&self, outcome: Result<(), Errno>) {
        *self.outcome.lock() = Some(outcome);
        sched::wake(&self.task);
    }
}

struct State {
    set: SemSet<Arc<Sleeper>>,
    otime: i64,
    ctime: i64,
    removed: bool,
}

/// One semaphore set.
pub struct SemArray {
    state: Mutex<State>,
}

static SETS: Mutex<IpcIds<Arc<SemArray>>> = Mutex::new(IpcIds::new());
/// Semaphores in all sets (against semmns).
static USED_SEMS: Mutex<usize> = Mutex::new(0);
/// Which sets each process holds SEM_UNDO adjustments in, to apply them at its exit.
static UNDO_OWNERS: Mutex<BTreeMap<Pid, BTreeSet<i32>>> = Mutex::new(BTreeMap::new());

fn lookup(id: i32) -> SysResult<(Arc<SemArray>, IpcPerm)> {
    sysv::lookup(&SETS, id)
}

fn errno_of(e: SemError) -> Errno {
    match e {
        SemError::Range => ERANGE,
        SemError::Again => EAGAIN,
        SemError::NoMemory => ENOMEM,
    }
}

/// Wakes the waiters whose operations the last change completed.
fn serve_waiters(st: &mut State) {
    st.set.update(|sleeper, outcome| {
        sleeper.finish(outcome.map_err(errno_of));
    });
}

/// semget(2).
pub fn get(key: i32, nsems: i32, flags: u32) -> SysResult {
    let nsems = usize::try_from(nsems).map_err(|_| EINVAL)?;
    if nsems > limits::semmsl() {
        return Err(EINVAL);
    }
    let (cred, _) = caller();
    let mut table = SETS.lock();
    let id = table
        .get_or_create(
            key,
            flags,
            cred,
            limits::semmni(),
            // An existing set must have at least the semaphores asked for.
            |arr: &Arc<SemArray>| {
                if nsems > arr.state.lock().set.len() {
                    Err(EINVAL)
                } else {
                    Ok(())
                }
            },
            || {
                if nsems == 0 {
                    return Err(EINVAL);
                }
                let mut used = USED_SEMS.lock();
                if *used + nsems > limits::semmns() {
                    return Err(ENOSPC);
                }
                crate::mm::heap::reserve(256 + nsems * 8)?;
                let set = SemSet::new(nsems).ok_or(ENOMEM)?;
                *used += nsems;
                Ok(Arc::new(SemArray {
                    state: Mutex::new(State {
                        set,
                        otime: 0,
                        ctime: now_secs(),
                        removed: false,
                    }),
                }))
            },
        )
        .map_err(get_error)?;
    Ok(id as usize)
}

/// semop(2)/semtimedop(2) after the operations were copied in; `deadline` in timer ticks.
pub fn operate(id: i32, ops: &[SemOp], deadline: Option<u64>) -> SysResult {
    let (cred, pid) = caller();
    let max_num = ops.iter().map(|o| o.num).max().unwrap_or(0);
    let alter = ops.iter().any(|o| o.op != 0);
    let undo = ops
        .iter()
        .any(|o| o.flags as u32 & rill_ipc::abi::SEM_UNDO != 0);
    let (arr, perm) = lookup(id)?;
    let mut st = arr.state.lock();
    if max_num as usize >= st.set.len() {
        return Err(EFBIG);
    }
    let want = if alter { Access::WRITE } else { Access::READ };
    if !perm.permits(cred, want) {
        return Err(EACCES);
    }
    if st.removed {
        return Err(EIDRM);
    }
    if undo {
        crate::mm::heap::reserve(64 + st.set.len() * 4)?;
        let mut owners = UNDO_OWNERS.lock();
        owners.entry(pid).or_default().insert(id);
    }
    let blocking = match st.set.apply(ops, pid) {
        Ok(()) => {
            st.otime = now_secs();
            if alter {
                serve_waiters(&mut st);
            }
            return Ok(0);
        }
        Err(Blocked::Failed(e)) => return Err(errno_of(e)),
        Err(Blocked::Wait(op)) => op,
    };
    crate::mm::heap::reserve(256 + ops.len() * SemOp::SIZE)?;
    let mut kept = Vec::new();
    kept.try_reserve_exact(ops.len()).map_err(|_| ENOMEM)?;
    kept.extend_from_slice(ops);
    let me = Arc::new(Sleeper {
        outcome: Mutex::new(None),
        task: crate::task::current(),
    });
    st.set
        .wait(Waiter {
            ops: kept,
            pid,
            blocking,
            handle: me.clone(),
        })
        .map_err(|_| ENOMEM)?;
    drop(st);
    let waited = crate::task::wait::block_on("semop", &[], deadline, || me.outcome.lock().take());
    let outcome = match waited {
        Ok(outcome) => outcome,
        Err(e) => {
            let mut st = arr.state.lock();
            if st.set.cancel(|h| Arc::ptr_eq(h, &me)).is_some() {
                return Err(match e {
                    ETIMEDOUT => EAGAIN,
                    ERESTARTSYS => EINTR,
                    other => other,
                });
            }
            drop(st);
            // Completed (or removed) just as the wait ended: that outcome stands.
            me.outcome.lock().take().unwrap_or(Err(EINTR))
        }
    };
    if outcome.is_ok() {
        arr.state.lock().otime = now_secs();
    }
    outcome.map(|_| 0)
}

/// Applies the SEM_UNDO adjustments of an exiting process.
pub fn exit_process(pid: Pid) {
    let ids = {
        let mut owners = UNDO_OWNERS.lock();
        let ids = owners.remove(&pid);
        crate::mm::heap::release_if_empty(&mut owners);
        ids
    };
    let Some(ids) = ids else {
        return;
    };
    for id in ids {
        let Ok((arr, _)) = lookup(id) else {
            continue;
        };
        let mut st = arr.state.lock();
        if st.set.has_undo(pid) {
            st.set.exit(pid);
            serve_waiters(&mut st);
        }
    }
}

/// What semctl(2) answers, for the syscall layer to copy out.
pub enum CtlReply {
    Value(usize),
    Stat(SemidDs, usize),
    Info(SemInfo, usize),
    Values(Vec<u16>),
}

/// A set by id (or by table index for SEM_STAT) with a permission check.
fn checked(
    id: i32,
    by_index: bool,
    want: Option<Access>,
) -> SysResult<(Arc<SemArray>, IpcPerm, usize)> {
    let (cred, _) = caller();
    let (arr, perm, ret) = {
        let table = SETS.lock();
        if by_index {
            let (full, slot) = table.get_by_index(id as usize).ok_or(EINVAL)?;
            (slot.obj.clone(), slot.perm, full as usize)
        } else {
            let slot = table.get(id).ok_or(EINVAL)?;
            (slot.obj.clone(), slot.perm, 0)
        }
    };
    if let Some(want) = want {
        if !perm.permits(cred, want) {
            return Err(EACCES);
        }
    }
    Ok((arr, perm, ret))
}

/// IPC_STAT, SEM_STAT (by index) and SEM_STAT_ANY (no permission needed).
pub fn stat(id: i32, by_index: bool, check_read: bool) -> SysResult<CtlReply> {
    let want = check_read.then_some(Access::READ);
    let (arr, perm, ret) = checked(id, by_index, want)?;
    let st = arr.state.lock();
    Ok(CtlReply::Stat(
        SemidDs {
            perm,
            otime: st.otime,
            ctime: st.ctime,
            nsems: st.set.len() as u64,
        },
        ret,
    ))
}

/// IPC_INFO (limits) and SEM_INFO (usage).
pub fn info(usage: bool) -> CtlReply {
    let table = SETS.lock();
    let mut info = SemInfo {
        semmap: SEMMNS as i32,
        semmni: limits::semmni() as i32,
        semmns: limits::semmns() as i32,
        semmnu: SEMMNS as i32,
        semmsl: limits::semmsl() as i32,
        semopm: limits::semopm() as i32,
        semume: SEMOPM as i32,
        semusz: SEMUSZ,
        semvmx: SEMVMX,
        semaem: SEMAEM,
    };
    if usage {
        info.semusz = table.in_use() as i32;
        info.semaem = *USED_SEMS.lock() as i32;
    }
    CtlReply::Info(info, table.max_index().unwrap_or(0))
}

/// GETVAL, GETPID, GETNCNT, GETZCNT and GETALL.
pub fn read(id: i32, num: i32, cmd: i32) -> SysResult<CtlReply> {
    use rill_ipc::abi::{GETALL, GETNCNT, GETPID, GETVAL, GETZCNT};
    let (arr, _, _) = checked(id, false, Some(Access::READ))?;
    let st = arr.state.lock();
    if cmd == GETALL {
        let mut values = Vec::new();
        values.try_reserve_exact(st.set.len()).map_err(|_| ENOMEM)?;
        values.extend(st.set.values().map(|v| v as u16));
        return Ok(CtlReply::Values(values));
    }
    let n = u16::try_from(num).map_err(|_| EINVAL)?;
    let sem = st.set.get(n as usize).ok_or(EINVAL)?;
    Ok(CtlReply::Value(match cmd {
        GETVAL => sem.value as usize,
        GETPID => sem.pid as usize,
        GETNCNT => st.set.ncnt(n),
        GETZCNT => st.set.zcnt(n),
        _ => return Err(EINVAL),
    }))
}

/// The number of semaphores in set `id` after a write-permission check (SETALL sizes
/// its copy with it).
pub fn size_for_write(id: i32) -> SysResult<usize> {
    let (arr, _, _) = checked(id, false, Some(Access::WRITE))?;
    let n = arr.state.lock().set.len();
    Ok(n)
}

/// SETVAL (`num` = Some) or SETALL: new values, each 0..=SEMVMX (ERANGE).
pub fn write(id: i32, num: Option<i32>, values: &[i32]) -> SysResult<CtlReply> {
    if values.iter().any(|&v| !(0..=SEMVMX).contains(&v)) {
        return Err(ERANGE);
    }
    let (arr, _, _) = checked(id, false, Some(Access::WRITE))?;
    let (_, pid) = caller();
    let mut st = arr.state.lock();
    if st.removed {
        return Err(EIDRM);
    }
    match num {
        Some(n) => {
            let n = usize::try_from(n)
                .ok()
                .filter(|&n| n < st.set.len())
                .ok_or(EINVAL)?;
            st.set
                .set_value(n, values.first().copied().unwrap_or(0), pid);
        }
        None => st.set.set_all(values, pid),
    }
    st.ctime = now_secs();
    serve_waiters(&mut st);
    Ok(CtlReply::Value(0))
}

/// IPC_RMID and IPC_SET (uid, gid, mode): the owner, the creator or root only.
pub fn control(id: i32, set: Option<(u32, u32, u32)>) -> SysResult<CtlReply> {
    let (cred, _) = caller();
    let mut table = SETS.lock();
    let slot = table.get_mut(id).ok_or(EINVAL)?;
    if !slot.perm.may_control(cred) {
        return Err(EPERM);
    }
    match set {
        Some((uid, gid, mode)) => {
            slot.perm.set(uid, gid, mode);
            let arr = slot.obj.clone();
            drop(table);
            arr.state.lock().ctime = now_secs();
        }
        None => {
            let arr = table.remove(id).ok_or(EINVAL)?;
            drop(table);
            let mut st = arr.state.lock();
            st.removed = true;
            *USED_SEMS.lock() -= st.set.len();
            for sleeper in st.set.drain_waiters() {
                sleeper.finish(Err(EIDRM));
            }
        }
    }
    Ok(CtlReply::Value(0))
}

/// /proc/sysvipc/sem, in Linux's format.
pub fn proc_text() -> alloc::string::String {
    use core::fmt::Write;
    let mut out = alloc::string::String::from(
        "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n",
    );
    let table = SETS.lock();
    for (id, slot) in table.iter() {
        let p = slot.perm;
        let st = slot.obj.state.lock();
        let _ = writeln!(
            out,
            "{:10} {:10}  {:4o} {:10} {:5} {:5} {:5} {:5} {:10} {:10}",
            p.key,
            id,
            p.mode,
            st.set.len(),
            p.uid,
            p.gid,
            p.cuid,
            p.cgid,
            st.otime,
            st.ctime
        );
    }
    out
}
