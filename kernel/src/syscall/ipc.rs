//! IPC system calls: System V message queues (msg*), semaphores (sem*) and shared
//! memory (shm*), and POSIX message queues (mq_*). This is the user-memory side; the
//! objects are in ipc::msg, ipc::sem, ipc::shm and ipc::mqueue.

use crate::errno::*;
use crate::fs::path::PATH_MAX;
use crate::ipc::mqueue;
use crate::ipc::msg::{self, CtlReply};
use crate::ipc::sem;
use crate::ipc::shm;
use crate::mm::uaccess::{read_cstr, read_val, write_val, UserSlice, UserSliceMut};
use alloc::vec::Vec;
use linux_raw_sys::general as g;
use rill_ipc::abi::{
    Ipc64Perm, MsqidDs, SemidDs, GETALL, GETNCNT, GETPID, GETVAL, GETZCNT, IPC_INFO, IPC_RMID,
    IPC_SET, IPC_STAT, MSG_INFO, MSG_STAT, MSG_STAT_ANY, SEM_INFO, SEM_STAT, SEM_STAT_ANY, SETALL,
    SETVAL,
};
use rill_ipc::abi::{ShmidDs, SHM_INFO, SHM_LOCK, SHM_STAT, SHM_STAT_ANY, SHM_UNLOCK};
use rill_ipc::SemOp;

/// The text of a `struct msgbuf` starts after its `long mtype`.
const MTEXT_OFFSET: usize = 8;

pub fn msgget(key: i32, flags: u32) -> SysResult {
    msg::get(key, flags)
}

pub fn msgsnd(id: i32, msgp: usize, msgsz: usize, flags: u32) -> SysResult {
    // The usual case: type and text read in one pass. Any error (or a size past the
    // limit) takes the careful path below, which finds Linux's errno in Linux's order.
    if id >= 0 {
        if let Some(sent) = msg::send_from_user(id, msgp, msgsz, flags) {
            return sent;
        }
    }
    // Linux reads mtype before checking anything else.
    let mtype: i64 = read_val(msgp)?;
    if msgsz > crate::ipc::limits::msgmax() || id < 0 {
        return Err(EINVAL);
    }
    if mtype < 1 {
        return Err(EINVAL);
    }
    let mut buf = msg::message_buffer(mtype, msgsz)?;
    let src = msgp.checked_add(MTEXT_OFFSET).ok_or(EFAULT)?;
    UserSlice::new(src, msgsz)?.read(0, &mut buf[MTEXT_OFFSET..])?;
    msg::send(id, buf, flags)
}

pub fn msgrcv(id: i32, msgp: usize, msgsz: usize, msgtyp: i64, flags: u32) -> SysResult {
    if id < 0 || (msgsz as isize) < 0 {
        return Err(EINVAL);
    }
    msg::receive(id, msgp, msgsz, msgtyp, flags)
}

pub fn msgctl(id: i32, cmd: i32, buf: usize) -> SysResult {
    if id < 0 || cmd < 0 {
        return Err(EINVAL);
    }
    let reply = match cmd {
        IPC_INFO | MSG_INFO => msg::info(cmd == MSG_INFO),
        IPC_STAT => msg::stat(id, false, true)?,
        MSG_STAT => msg::stat(id, true, true)?,
        MSG_STAT_ANY => msg::stat(id, true, false)?,
        IPC_SET => {
            let mut raw = [0u8; MsqidDs::SIZE];
            UserSlice::new(buf, raw.len())?.read(0, &mut raw)?;
            msg::control(id, Some(MsqidDs::decode_settable(&raw)))?
        }
        IPC_RMID => msg::control(id, None)?,
        _ => return Err(EINVAL),
    };
    match reply {
        CtlReply::Value(v) => Ok(v),
        CtlReply::Stat(ds, ret) => {
            UserSliceMut::new(buf, MsqidDs::SIZE)?.write(0, &ds.encode())?;
            Ok(ret)
        }
        CtlReply::Info(info, ret) => {
            let bytes = info.encode();
            UserSliceMut::new(buf, bytes.len())?.write(0, &bytes)?;
            Ok(ret)
        }
    }
}

/// The open file description of descriptor `fd` (EBADF if none), for mq_timedsend and
/// mq_timedreceive: the task is borrowed, not counted, as every message pays for this.
#[inline(always)]
fn mq_open_file(fd: i32) -> SysResult<alloc::sync::Arc<crate::fs::file::OpenFile>> {
    crate::task::with_current(|task| task.files.lock().lock().get(fd))
}

/// The queue behind descriptor `fd`, with its open file description; EBADF if it is not one.
fn mq_file(fd: i32) -> SysResult<alloc::sync::Arc<crate::fs::file::OpenFile>> {
    let of = super::fs::file(fd)?;
    if of.file.mqueue().is_none() {
        return Err(EBADF);
    }
    Ok(of)
}

/// An absolute CLOCK_REALTIME timeout, read and checked before anything else (as Linux).
fn mq_deadline(addr: usize) -> SysResult<Option<u64>> {
    if addr == 0 {
        return Ok(None);
    }
    let ts: g::timespec = read_val(addr)?;
    let abs = super::time::timespec_ns(&ts)?;
    Ok(Some(mqueue::deadline_from_realtime(abs)))
}

pub fn mq_open(name_addr: usize, oflag: u32, mode: u32, attr_addr: usize) -> SysResult {
    let name = read_cstr(name_addr, PATH_MAX)?;
    let attr = if attr_addr == 0 {
        None
    } else {
        let mut raw = [0u8; mqueue::MQ_ATTR_SIZE];
        UserSlice::new(attr_addr, raw.len())?.read(0, &mut raw)?;
        Some(raw)
    };
    // Attributes matter only to a queue being created; bad ones are EINVAL then.
    let attr = match attr {
        Some(raw) if oflag & g::O_CREAT != 0 => Some(mqueue::decode_attr(&raw)?),
        _ => None,
    };
    // As Linux, a descriptor must be free before the queue is opened or created.
    crate::task::current_files().lock().lowest_free(0)?;
    let file = mqueue::open(&name, oflag, mode, attr)?;
    // Queue descriptors are always close-on-exec (Linux opens them with O_CLOEXEC).
    let fd = crate::task::current_files().lock().insert(file, true)?;
    Ok(fd as usize)
}

pub fn mq_unlink(name_addr: usize) -> SysResult {
    let name = read_cstr(name_addr, PATH_MAX)?;
    mqueue::unlink(&name)?;
    Ok(0)
}

pub fn mq_timedsend(fd: i32, msg: usize, len: usize, prio: u32, timeout: usize) -> SysResult {
    let deadline = mq_deadline(timeout)?;
    if prio >= mqueue::MQ_PRIO_MAX {
        return Err(EINVAL);
    }
    let of = mq_open_file(fd)?;
    let q = of.file.mqueue().ok_or(EBADF)?;
    if !of.writable() {
        return Err(EBADF);
    }
    if len > q.msgsize() {
        return Err(EMSGSIZE);
    }
    let mut text = q.text_buffer(len)?;
    UserSlice::new(msg, len)?.read(0, &mut text)?;
    let nonblock = of.flags() & g::O_NONBLOCK != 0;
    q.send(text, prio, nonblock, deadline)
}

pub fn mq_timedreceive(
    fd: i32,
    msg: usize,
    len: usize,
    prio_addr: usize,
    timeout: usize,
) -> SysResult {
    let deadline = mq_deadline(timeout)?;
    let of = mq_open_file(fd)?;
    let q = of.file.mqueue().ok_or(EBADF)?;
    if !of.readable() {
        return Err(EBADF);
    }
    let nonblock = of.flags() & g::O_NONBLOCK != 0;
    let (text, prio) = q.receive(len, nonblock, deadline)?;
    // As on Linux, the message is gone even if it cannot be stored.
    let len = text.len();
    let stored = UserSliceMut::new(msg, len).and_then(|buf| buf.write(0, &text));
    q.recycle(text);
    stored?;
    if prio_addr != 0 {
        write_val(prio_addr, &prio)?;
    }
    Ok(len)
}

/// `struct sigevent`: sigev_value at 0, sigev_signo at 8, sigev_notify at 12.
const SIGEVENT_SIZE: usize = 64;

pub fn mq_notify(fd: i32, sevp: usize) -> SysResult {
    let wanted = if sevp == 0 {
        None
    } else {
        let mut raw = [0u8; SIGEVENT_SIZE];
        UserSlice::new(sevp, raw.len())?.read(0, &mut raw)?;
        let word =
            |off: usize| i32::from_ne_bytes([raw[off], raw[off + 1], raw[off + 2], raw[off + 3]]);
        let mut value = [0u8; 8];
        value.copy_from_slice(&raw[..8]);
        let value = u64::from_ne_bytes(value) as usize;
        Some(mqueue::notification_of(word(12), word(8), value)?)
    };
    let of = mq_file(fd)?;
    of.file.mqueue().ok_or(EBADF)?.set_notification(wanted)?;
    Ok(0)
}

pub fn mq_getsetattr(fd: i32, new_addr: usize, old_addr: usize) -> SysResult {
    let new_flags = if new_addr == 0 {
        None
    } else {
        let mut raw = [0u8; mqueue::MQ_ATTR_SIZE];
        UserSlice::new(new_addr, raw.len())?.read(0, &mut raw)?;
        Some(mqueue::decode_flags(&raw)?)
    };
    let of = mq_file(fd)?;
    let q = of.file.mqueue().ok_or(EBADF)?;
    let (attr, count) = q.attr();
    let old = mqueue::encode_attr(attr, of.flags(), count);
    if let Some(flags) = new_flags {
        of.set_status_flags((of.flags() & !g::O_NONBLOCK) | flags);
    }
    if old_addr != 0 {
        UserSliceMut::new(old_addr, old.len())?.write(0, &old)?;
    }
    Ok(0)
}

pub fn semget(key: i32, nsems: i32, flags: u32) -> SysResult {
    sem::get(key, nsems, flags)
}

pub fn semtimedop(id: i32, sops: usize, nsops: usize, timeout: usize) -> SysResult {
    if nsops < 1 || id < 0 {
        return Err(EINVAL);
    }
    if nsops > crate::ipc::limits::semopm() {
        return Err(E2BIG);
    }
    // Most calls pass a few operations, which are read onto the stack; only more, or a
    // call that sleeps (its operations are kept), take heap.
    let len = nsops * SemOp::SIZE;
    let blank = SemOp::decode(&[0; SemOp::SIZE]);
    let mut stack_raw = [0u8; SEMOPS_ON_STACK * SemOp::SIZE];
    let mut stack_ops = [blank; SEMOPS_ON_STACK];
    let (mut heap_raw, mut heap_ops) = (Vec::new(), Vec::new());
    let (raw, ops): (&mut [u8], &mut [SemOp]) = if nsops <= SEMOPS_ON_STACK {
        (&mut stack_raw[..len], &mut stack_ops[..nsops])
    } else {
        crate::mm::heap::reserve(2 * len)?;
        heap_raw.try_reserve_exact(len).map_err(|_| ENOMEM)?;
        heap_raw.resize(len, 0u8);
        heap_ops.try_reserve_exact(nsops).map_err(|_| ENOMEM)?;
        heap_ops.resize(nsops, blank);
        (&mut heap_raw, &mut heap_ops)
    };
    UserSlice::new(sops, len)?.read(0, raw)?;
    for (op, chunk) in ops.iter_mut().zip(raw.chunks_exact(SemOp::SIZE)) {
        if let Ok(b) = <&[u8; SemOp::SIZE]>::try_from(chunk) {
            *op = SemOp::decode(b);
        }
    }
    // semtimedop's timeout is relative; it ends a wait with EAGAIN.
    let deadline = if timeout == 0 {
        None
    } else {
        let ts: g::timespec = read_val(timeout)?;
        let ns = super::time::timespec_ns(&ts)?;
        Some(crate::time::now_ticks() + crate::time::ns_to_ticks(ns))
    };
    sem::operate(id, ops, deadline)
}

/// How many semop operations are read without taking heap.
const SEMOPS_ON_STACK: usize = 8;

/// semctl(2); `arg` is the `union semun`: a value (SETVAL) or a pointer.
pub fn semctl(id: i32, num: i32, cmd: i32, arg: usize) -> SysResult {
    if id < 0 || cmd < 0 {
        return Err(EINVAL);
    }
    let reply = match cmd {
        IPC_INFO | SEM_INFO => sem::info(cmd == SEM_INFO),
        IPC_STAT => sem::stat(id, false, true)?,
        SEM_STAT => sem::stat(id, true, true)?,
        SEM_STAT_ANY => sem::stat(id, true, false)?,
        GETVAL | GETPID | GETNCNT | GETZCNT | GETALL => sem::read(id, num, cmd)?,
        SETVAL => sem::write(id, Some(num), &[arg as i32])?,
        SETALL => {
            let n = sem::size_for_write(id)?;
            let mut raw = alloc::vec::Vec::new();
            raw.try_reserve_exact(n * 2).map_err(|_| ENOMEM)?;
            raw.resize(n * 2, 0u8);
            UserSlice::new(arg, raw.len())?.read(0, &mut raw)?;
            let mut values = alloc::vec::Vec::new();
            values.try_reserve_exact(n).map_err(|_| ENOMEM)?;
            values.extend(
                raw.chunks_exact(2)
                    .map(|c| u16::from_ne_bytes([c[0], c[1]]) as i32),
            );
            sem::write(id, None, &values)?
        }
        IPC_SET => {
            let mut raw = [0u8; SemidDs::SIZE];
            UserSlice::new(arg, raw.len())?.read(0, &mut raw)?;
            sem::control(id, Some(Ipc64Perm::decode_settable(&raw)))?
        }
        IPC_RMID => sem::control(id, None)?,
        _ => return Err(EINVAL),
    };
    match reply {
        sem::CtlReply::Value(v) => Ok(v),
        sem::CtlReply::Stat(ds, ret) => {
            UserSliceMut::new(arg, SemidDs::SIZE)?.write(0, &ds.encode())?;
            Ok(ret)
        }
        sem::CtlReply::Info(info, ret) => {
            let bytes = info.encode();
            UserSliceMut::new(arg, bytes.len())?.write(0, &bytes)?;
            Ok(ret)
        }
        sem::CtlReply::Values(values) => {
            let bytes: alloc::vec::Vec<u8> = values.iter().flat_map(|v| v.to_ne_bytes()).collect();
            UserSliceMut::new(arg, bytes.len())?.write(0, &bytes)?;
            Ok(0)
        }
    }
}

pub fn shmget(key: i32, size: usize, flags: u32) -> SysResult {
    shm::get(key, size, flags)
}

pub fn shmat(id: i32, addr: usize, flags: u32) -> SysResult {
    shm::attach(id, addr, flags)
}

pub fn shmdt(addr: usize) -> SysResult {
    shm::detach(addr)
}

pub fn shmctl(id: i32, cmd: i32, buf: usize) -> SysResult {
    if id < 0 || cmd < 0 {
        return Err(EINVAL);
    }
    let reply = match cmd {
        IPC_INFO => shm::limits_info(),
        SHM_INFO => shm::usage_info(),
        IPC_STAT => shm::stat(id, false, true)?,
        SHM_STAT => shm::stat(id, true, true)?,
        SHM_STAT_ANY => shm::stat(id, true, false)?,
        IPC_SET => {
            let mut raw = [0u8; ShmidDs::SIZE];
            UserSlice::new(buf, raw.len())?.read(0, &mut raw)?;
            let (uid, gid, mode) = Ipc64Perm::decode_settable(&raw);
            shm::control(id, shm::Control::Set { uid, gid, mode })?
        }
        IPC_RMID => shm::control(id, shm::Control::Remove)?,
        SHM_LOCK | SHM_UNLOCK => shm::control(id, shm::Control::Lock(cmd == SHM_LOCK))?,
        _ => return Err(EINVAL),
    };
    match reply {
        shm::CtlReply::Value(v) => Ok(v),
        shm::CtlReply::Stat(ds, ret) => {
            UserSliceMut::new(buf, ShmidDs::SIZE)?.write(0, &ds.encode())?;
            Ok(ret)
        }
        shm::CtlReply::Limits(info, ret) => {
            let bytes = info.encode();
            UserSliceMut::new(buf, bytes.len())?.write(0, &bytes)?;
            Ok(ret)
        }
        shm::CtlReply::Usage(usage, ret) => {
            let bytes = usage.encode();
            UserSliceMut::new(buf, bytes.len())?.write(0, &bytes)?;
            Ok(ret)
        }
    }
}
