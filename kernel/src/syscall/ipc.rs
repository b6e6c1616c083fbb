//! System V IPC system calls: the user-memory side of msgget, msgsnd, msgrcv and msgctl
//! (the queues themselves are in ipc::msg).

use crate::errno::*;
use crate::ipc::msg::{self, CtlReply};
use crate::mm::uaccess::{read_val, write_val, UserSlice, UserSliceMut};
use rill_ipc::abi::{
    MsqidDs, IPC_INFO, IPC_RMID, IPC_SET, IPC_STAT, MSGMAX, MSG_INFO, MSG_STAT, MSG_STAT_ANY,
};

/// The text of a `struct msgbuf` starts after its `long mtype`.
const MTEXT_OFFSET: usize = 8;

pub fn msgget(key: i32, flags: u32) -> SysResult {
    msg::get(key, flags)
}

pub fn msgsnd(id: i32, msgp: usize, msgsz: usize, flags: u32) -> SysResult {
    // Linux reads mtype before checking anything else.
    let mtype: i64 = read_val(msgp)?;
    if msgsz > MSGMAX || id < 0 {
        return Err(EINVAL);
    }
    if mtype < 1 {
        return Err(EINVAL);
    }
    let mut text = msg::reserve_message(msgsz)?;
    let src = msgp.checked_add(MTEXT_OFFSET).ok_or(EFAULT)?;
    UserSlice::new(src, msgsz)?.read(0, &mut text)?;
    msg::send(id, mtype, text, flags)
}

pub fn msgrcv(id: i32, msgp: usize, msgsz: usize, msgtyp: i64, flags: u32) -> SysResult {
    if id < 0 || (msgsz as isize) < 0 {
        return Err(EINVAL);
    }
    let got = msg::receive(id, msgsz, msgtyp, flags)?;
    // As on Linux, a message taken but not stored (bad buffer) is lost: EFAULT.
    write_val(msgp, &got.mtype)?;
    let dst = msgp.checked_add(MTEXT_OFFSET).ok_or(EFAULT)?;
    UserSliceMut::new(dst, got.text.len())?.write(0, &got.text)?;
    Ok(got.text.len())
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
