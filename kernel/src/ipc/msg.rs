//! System V message queues (msgget, msgsnd, msgrcv, msgctl), with Linux's semantics.
//!
//! The queues live in one id table (`rill_ipc::IpcIds`, the same design shared memory and
//! semaphores use). A queue holds its messages in arrival order (`rill_ipc::MessageList`)
//! plus the receivers asleep on it, each with what it is waiting for. A sender first offers
//! its message to those receivers in the order they went to sleep and hands it straight to
//! the first one it suits (Linux's pipelined send), so a receiver is woken only by a message
//! it takes. Senders blocked on a full queue sleep on one wait queue and re-check after each
//! receive. Both waits end with EIDRM when the queue is removed and, on a signal, with EINTR:
//! msgsnd and msgrcv are never restarted after a handler (signal(7)).

use super::sysv::{self, caller, get_error, now_secs};
use crate::arch::spinlock::Mutex;
use crate::errno::{
    Errno, SysResult, E2BIG, EACCES, EAGAIN, EIDRM, EINVAL, ENOMEM, ENOMSG, EPERM, ERESTARTNOHAND,
    ERESTARTSYS,
};
use crate::mm::uaccess::{UserSlice, UserSliceMut};
use crate::task::wait::block_on;
use crate::task::{current, sched, Pid, Task, WaitQueue};
use alloc::sync::Arc;
use alloc::vec::Vec;
use rill_ipc::abi::{
    MsgInfo, MsqidDs, IPC_NOWAIT, MSGPOOL, MSGSEG, MSGSSZ, MSGTQL, MSG_COPY, MSG_EXCEPT,
    MSG_NOERROR,
};
use rill_ipc::{Access, Cred, IpcIds, IpcPerm, Message, MessageList, Selector};

/// Kernel heap a message costs beyond its text (the list entry and the buffer's header).
const MESSAGE_OVERHEAD: usize = 64;
/// A System V message's buffer starts with its type, as `struct msgbuf` does, and the
/// text follows: a message then moves to and from user memory in one piece.
const HEADER: usize = 8;
/// Kernel heap a queue costs (its record, table entry and spare text buffer).
const QUEUE_COST: usize = 512 + SPARE_TEXT;
/// A queue keeps the buffer of the last message received, if no larger than this, for
/// the next one sent: a queue in steady use then allocates nothing per message.
const SPARE_TEXT: usize = 256;

/// The text of a message the kernel holds (System V and POSIX queues). A System V
/// message's holds its type first (`HEADER`).
pub type MsgText = Vec<u8>;

/// A message whose type and text the kernel holds; `size` counts the text only.
pub type Msg = Message<MsgText>;

/// A receiver asleep on a queue, in one of the queue's receiver slots: what it takes,
/// how much it can take, and where a sender leaves the outcome for it: the message itself
/// (which the receiver, woken, copies out as if it had found it queued), or an error. A
/// slot stays taken until its receiver, woken, takes its outcome; slots are reused and
/// never move, so a receiver finds its own by index, and a wait allocates nothing once
/// the queue has had as many receivers at once before.
struct Receiver {
    /// The task asleep; None marks a free slot.
    task: Option<Arc<Task>>,
    /// When it went to sleep (a count per queue): senders serve the earliest first.
    ticket: u64,
    sel: Selector,
    /// Largest message it accepts (usize::MAX with MSG_NOERROR).
    max_size: usize,
    pid: Pid,
    handoff: Option<SysResult<Msg>>,
}

impl Receiver {
    /// Whether the slot holds a receiver still waiting for something.
    fn waiting(&self) -> bool {
        self.task.is_some() && self.handoff.is_none()
    }

    #[inline(always)]
    fn deliver(&mut self, r: SysResult<Msg>) {
        self.handoff = Some(r);
        if let Some(task) = &self.task {
            sched::wake(task);
        }
    }
}

struct State {
    messages: MessageList<MsgText>,
    qbytes: usize,
    stime: i64,
    rtime: i64,
    ctime: i64,
    lspid: Pid,
    lrpid: Pid,
    /// Slots of the receivers asleep and of those handed something that have not yet
    /// woken to take it (see `Receiver`).
    receivers: Vec<Receiver>,
    /// The ticket of the next receiver to go to sleep.
    next_ticket: u64,
    removed: bool,
    /// A text buffer a received message left (empty: none), reused by the next send.
    spare: MsgText,
}

/// One message queue.
pub struct MsgQueue {
    state: Mutex<State>,
    /// Senders waiting for room.
    senders: WaitQueue,
}

static QUEUES: Mutex<IpcIds<Arc<MsgQueue>>> = Mutex::new(IpcIds::new());

/// Re-checks `access` for a caller that may have slept: EIDRM if the queue went away.
fn check_again(id: i32, q: &Arc<MsgQueue>, cred: Cred, access: Access) -> SysResult<()> {
    let table = QUEUES.lock();
    match table.get(id) {
        Some(slot) if Arc::ptr_eq(&slot.obj, q) => {
            if slot.perm.permits(cred, access) {
                Ok(())
            } else {
                Err(EACCES)
            }
        }
        _ => Err(EIDRM),
    }
}

/// msgget(2).
pub fn get(key: i32, flags: u32) -> SysResult {
    let (cred, _) = caller();
    let mut table = QUEUES.lock();
    let table_growth = table.growth_bound();
    let id = table
        .get_or_create(
            key,
            flags,
            cred,
            super::limits::msgmni(),
            |_| Ok::<(), Errno>(()),
            || {
                crate::mm::heap::reserve(QUEUE_COST + table_growth)?;
                Ok(Arc::new(MsgQueue {
                    state: Mutex::new(State {
                        messages: MessageList::new(),
                        qbytes: super::limits::msgmnb(),
                        stime: 0,
                        rtime: 0,
                        ctime: now_secs(),
                        lspid: 0,
                        lrpid: 0,
                        receivers: Vec::new(),
                        next_ticket: 0,
                        removed: false,
                        spare: MsgText::new(),
                    }),
                    senders: WaitQueue::new(),
                }))
            },
        )
        .map_err(get_error)?;
    Ok(id as usize)
}

/// The kernel heap a message of `size` bytes needs, checked before its text is copied in.
pub fn reserve_message(size: usize) -> SysResult<MsgText> {
    crate::mm::heap::reserve(size + MESSAGE_OVERHEAD)?;
    let mut text = Vec::new();
    text.try_reserve_exact(size).map_err(|_| ENOMEM)?;
    text.resize(size, 0);
    Ok(text)
}

/// A message buffer of type `mtype` with room for `size` bytes of text (zeroed), charged
/// to the kernel heap.
pub fn message_buffer(mtype: i64, size: usize) -> SysResult<MsgText> {
    let mut buf = reserve_message(HEADER + size)?;
    buf[..HEADER].copy_from_slice(&mtype.to_ne_bytes());
    Ok(buf)
}

/// The type stored at the start of a message buffer.
fn type_of(buf: &[u8]) -> i64 {
    let mut mtype = [0u8; HEADER];
    if let Some(b) = buf.get(..HEADER) {
        mtype.copy_from_slice(b);
    }
    i64::from_ne_bytes(mtype)
}

/// msgsnd(2) of a message read in by the caller (`message_buffer`): queues it or hands it
/// to a waiting receiver, waiting for room unless IPC_NOWAIT.
pub fn send(id: i32, buf: MsgText, flags: u32) -> SysResult {
    let (cred, pid) = caller();
    let q = sysv::lookup_for(&QUEUES, id, cred, Access::WRITE)?;
    let size = buf.len().saturating_sub(HEADER);
    let msg = Message {
        mtype: type_of(&buf),
        size,
        text: buf,
    };
    send_to(&q, id, (cred, pid), msg, flags)
}

/// msgsnd(2)'s usual case, from the message at user address `msgp`: the queue is looked
/// up once and type and text read in one piece into the queue's spare buffer. None when
/// anything is amiss (no such queue, no permission, a fault, a size past the limit): the
/// caller then takes the careful path, which finds Linux's errno in Linux's order.
pub fn send_from_user(id: i32, msgp: usize, msgsz: usize, flags: u32) -> Option<SysResult> {
    if msgsz > super::limits::msgmax() {
        return None;
    }
    let (cred, pid) = caller();
    let q = sysv::lookup_for(&QUEUES, id, cred, Access::WRITE).ok()?;
    let len = HEADER + msgsz;
    let spare = core::mem::take(&mut q.state.lock().spare);
    let mut buf = if spare.capacity() >= len {
        spare
    } else {
        reserve_message(len).ok()?
    };
    // Every byte is read over below (or the buffer is dropped): only new room is zeroed.
    if buf.len() != len {
        buf.resize(len, 0);
    }
    UserSlice::new(msgp, len).ok()?.read(0, &mut buf).ok()?;
    let mtype = type_of(&buf);
    if mtype < 1 {
        return Some(Err(EINVAL));
    }
    let msg = Message {
        mtype,
        size: msgsz,
        text: buf,
    };
    Some(send_to(&q, id, (cred, pid), msg, flags))
}

/// Queues `text` on `q` (queue `id`) or hands it to a waiting receiver, for the caller
/// `who`, waiting for room unless IPC_NOWAIT.
#[inline(always)]
fn send_to(q: &Arc<MsgQueue>, id: i32, who: (Cred, Pid), msg: Msg, flags: u32) -> SysResult {
    let (cred, pid) = who;
    let size = msg.size;
    loop {
        {
            let mut st = q.state.lock();
            if st.removed {
                return Err(EIDRM);
            }
            if st.messages.fits(size, st.qbytes) {
                // One clock read serves msg_stime and, if handed over, msg_rtime.
                let now = now_secs();
                st.lspid = pid;
                st.stime = now;
                return match pipelined_send(&mut st, msg, now) {
                    None => Ok(0),
                    Some(m) => st.messages.push(m).map(|_| 0).map_err(|_| ENOMEM),
                };
            }
        }
        if flags & IPC_NOWAIT != 0 {
            return Err(EAGAIN);
        }
        let waited = q.senders.wait_until("msgsnd", || {
            let st = q.state.lock();
            (st.removed || st.messages.fits(size, st.qbytes)).then_some(())
        });
        if waited == Err(ERESTARTSYS) {
            return Err(ERESTARTNOHAND);
        }
        check_again(id, q, cred, Access::WRITE)?;
    }
}

/// Offers `msg` to the sleeping receivers in the order they went to sleep; gives it back
/// if none takes it. A receiver it suits whose buffer is too small is woken with E2BIG,
/// as on Linux. `now` is the time for msg_rtime.
#[inline(always)]
fn pipelined_send(st: &mut State, msg: Msg, now: i64) -> Option<Msg> {
    loop {
        let Some(r) = first_taker(&mut st.receivers, msg.mtype) else {
            return Some(msg);
        };
        if r.max_size < msg.size {
            r.deliver(Err(E2BIG));
            continue;
        }
        let pid = r.pid;
        r.deliver(Ok(msg));
        st.lrpid = pid;
        st.rtime = now;
        return None;
    }
}

/// The receiver asleep longest whose selector accepts a message of type `mtype`.
fn first_taker(receivers: &mut [Receiver], mtype: i64) -> Option<&mut Receiver> {
    let mut first: Option<&mut Receiver> = None;
    for r in receivers.iter_mut() {
        if r.waiting() && r.sel.accepts(mtype) && first.as_ref().is_none_or(|f| r.ticket < f.ticket)
        {
            first = Some(r);
        }
    }
    first
}

/// Takes the outcome handed to the receiver in `slot`, if any, freeing the slot.
fn take_handed(st: &mut State, slot: usize) -> Option<SysResult<Msg>> {
    let r = st.receivers.get_mut(slot)?;
    // Looked at before it is taken: most tests find nothing, and that costs no move.
    r.handoff.as_ref()?;
    r.task = None;
    r.handoff.take()
}

/// Frees the receiver slot `slot` (its receiver was interrupted), with the outcome it
/// was handed meanwhile, if any.
fn leave(st: &mut State, slot: usize) -> Option<SysResult<Msg>> {
    let r = st.receivers.get_mut(slot)?;
    r.task = None;
    r.handoff.take()
}

/// A free receiver slot for a receiver about to sleep (a new one if all are taken).
fn free_slot(st: &mut State) -> SysResult<usize> {
    if let Some(i) = st.receivers.iter().position(|r| r.task.is_none()) {
        return Ok(i);
    }
    if st.receivers.len() == st.receivers.capacity() {
        // The slots grow as Rust's collections do: double, at least four.
        let grown = (st.receivers.capacity() * 2).max(4) * core::mem::size_of::<Receiver>();
        crate::mm::heap::reserve(grown)?;
        st.receivers.try_reserve(1).map_err(|_| ENOMEM)?;
    }
    st.receivers.push(Receiver {
        task: None,
        ticket: 0,
        sel: Selector::Any,
        max_size: 0,
        pid: 0,
        handoff: None,
    });
    Ok(st.receivers.len() - 1)
}

/// Stores a received message's type and text (cut to the caller's buffer) at user address
/// `msgp`, in one piece as `struct msgbuf` lays them out. As on Linux, a message taken
/// but not stored (bad buffer) is lost: EFAULT.
fn store(msgp: usize, msgbuf: &[u8]) -> SysResult<()> {
    UserSliceMut::new(msgp, msgbuf.len())?.write(0, msgbuf)
}

/// Stores message `m` at `msgp`, cut to `bufsz` bytes; its buffer then becomes `q`'s
/// spare if the queue has none and it is small. Returns the bytes stored.
#[inline(always)]
fn hand_out(q: &MsgQueue, m: Msg, msgp: usize, bufsz: usize) -> SysResult<usize> {
    let len = m.size.min(bufsz);
    let stored = store(msgp, m.text.get(..HEADER + len).unwrap_or(&m.text));
    if m.text.capacity() <= SPARE_TEXT {
        let mut st = q.state.lock();
        if st.spare.capacity() == 0 && !st.removed {
            st.spare = m.text;
        }
    }
    stored.map(|()| len)
}

/// msgrcv(2): takes (or with MSG_COPY copies) the message `msgtyp` and `flags` select and
/// stores it at user address `msgp`; returns the bytes of text stored.
pub fn receive(id: i32, msgp: usize, bufsz: usize, msgtyp: i64, flags: u32) -> SysResult<usize> {
    if flags & MSG_COPY != 0 && (flags & MSG_EXCEPT != 0 || flags & IPC_NOWAIT == 0) {
        return Err(EINVAL);
    }
    let (cred, pid) = caller();
    let sel = Selector::new(msgtyp, flags);
    let max_size = if flags & MSG_NOERROR != 0 {
        usize::MAX
    } else {
        bufsz
    };
    let q = sysv::lookup_for(&QUEUES, id, cred, Access::READ)?;
    loop {
        let slot = {
            let mut st = q.state.lock();
            if st.removed {
                return Err(EIDRM);
            }
            if let Some(i) = st.messages.find(sel) {
                let size = st.messages.get(i).map_or(0, |m| m.size);
                if size > max_size {
                    return Err(E2BIG);
                }
                if flags & MSG_COPY != 0 {
                    // Linux copies into a buffer of min(bufsz, MSGMAX) bytes.
                    if size > bufsz.min(super::limits::msgmax()) {
                        return Err(EINVAL);
                    }
                    let m = st.messages.get(i).ok_or(EINVAL)?;
                    crate::mm::heap::reserve(HEADER + size + MESSAGE_OVERHEAD)?;
                    let mut copy = MsgText::new();
                    copy.try_reserve_exact(HEADER + size).map_err(|_| ENOMEM)?;
                    copy.extend_from_slice(&m.text);
                    drop(st);
                    store(msgp, &copy)?;
                    return Ok(size);
                }
                let m = st.messages.take(i).ok_or(EINVAL)?;
                st.lrpid = pid;
                st.rtime = now_secs();
                drop(st);
                q.senders.wake_all();
                return hand_out(&q, m, msgp, bufsz);
            }
            if flags & IPC_NOWAIT != 0 {
                return Err(ENOMSG);
            }
            let slot = free_slot(&mut st)?;
            let ticket = st.next_ticket;
            st.next_ticket += 1;
            let r = st.receivers.get_mut(slot).ok_or(EINVAL)?;
            *r = Receiver {
                task: Some(current()),
                ticket,
                sel,
                max_size,
                pid,
                handoff: None,
            };
            slot
        };
        // The sender (or msgctl) that hands us something wakes this task directly, and
        // the test that sees it frees the slot and takes what it was handed.
        // Interrupted: leave the list all the same, and take what a sender may have
        // handed over before the signal came.
        // The first test, before the task is marked asleep, is skipped: a hand-off made
        // before then is seen by the second, and its wake-up finds the task not yet asleep.
        let mut first = true;
        let waited = block_on("msgrcv", &[], None, || {
            if core::mem::take(&mut first) {
                return None;
            }
            take_handed(&mut q.state.lock(), slot)
        });
        let outcome = match waited {
            Ok(outcome) => outcome,
            Err(_) => match leave(&mut q.state.lock(), slot) {
                Some(outcome) => outcome,
                None => return Err(ERESTARTNOHAND),
            },
        };
        match outcome {
            // As on Linux, a message handed over and then not stored (bad buffer) is lost.
            Ok(m) => return hand_out(&q, m, msgp, bufsz),
            // IPC_SET changed the rules: look again.
            Err(EAGAIN) => check_again(id, &q, cred, Access::READ)?,
            Err(e) => return Err(e),
        }
    }
}

/// Removes the queue (IPC_RMID): waiters wake with EIDRM, messages are freed.
fn remove(q: &MsgQueue) {
    let mut st = q.state.lock();
    st.removed = true;
    st.messages.clear();
    st.spare = MsgText::new();
    for r in st.receivers.iter_mut().filter(|r| r.waiting()) {
        r.deliver(Err(EIDRM));
    }
    drop(st);
    q.senders.wake_all();
}

/// The `msqid64_ds` of a queue.
fn describe(q: &MsgQueue, perm: IpcPerm) -> MsqidDs {
    let st = q.state.lock();
    MsqidDs {
        perm,
        stime: st.stime,
        rtime: st.rtime,
        ctime: st.ctime,
        cbytes: st.messages.bytes() as u64,
        qnum: st.messages.len() as u64,
        qbytes: st.qbytes as u64,
        lspid: st.lspid as i32,
        lrpid: st.lrpid as i32,
    }
}

/// What msgctl(2) answers, for the syscall layer to copy out.
pub enum CtlReply {
    /// A bare return value.
    Value(usize),
    /// IPC_STAT / MSG_STAT: the structure, and the return value.
    Stat(MsqidDs, usize),
    /// IPC_INFO / MSG_INFO: the structure, and the highest index in use.
    Info(MsgInfo, usize),
}

/// msgctl's IPC_STAT, MSG_STAT (`id` is then a table index) and MSG_STAT_ANY (no read
/// permission needed).
pub fn stat(id: i32, by_index: bool, check_read: bool) -> SysResult<CtlReply> {
    let (cred, _) = caller();
    let (q, perm, ret) = {
        let table = QUEUES.lock();
        if by_index {
            let (full_id, slot) = table.get_by_index(id as usize).ok_or(EINVAL)?;
            (slot.obj.clone(), slot.perm, full_id as usize)
        } else {
            let slot = table.get(id).ok_or(EINVAL)?;
            (slot.obj.clone(), slot.perm, 0)
        }
    };
    if check_read && !perm.permits(cred, Access::READ) {
        return Err(EACCES);
    }
    Ok(CtlReply::Stat(describe(&q, perm), ret))
}

/// msgctl's IPC_INFO (limits) and MSG_INFO (usage).
pub fn info(usage: bool) -> CtlReply {
    let table = QUEUES.lock();
    let mut info = MsgInfo {
        msgmax: super::limits::msgmax() as i32,
        msgmnb: super::limits::msgmnb() as i32,
        msgmni: super::limits::msgmni() as i32,
        msgssz: MSGSSZ,
        msgseg: MSGSEG,
        msgpool: MSGPOOL,
        msgmap: MSGTQL,
        msgtql: MSGTQL,
    };
    if usage {
        let (mut msgs, mut bytes) = (0usize, 0usize);
        for (_, slot) in table.iter() {
            let st = slot.obj.state.lock();
            msgs += st.messages.len();
            bytes += st.messages.bytes();
        }
        info.msgpool = table.in_use() as i32;
        info.msgmap = msgs.min(i32::MAX as usize) as i32;
        info.msgtql = bytes.min(i32::MAX as usize) as i32;
    }
    CtlReply::Info(info, table.max_index().unwrap_or(0))
}

/// msgctl's IPC_RMID and IPC_SET (with the new uid, gid, mode and qbytes): only the owner,
/// the creator or root (EPERM); raising qbytes past msgmnb needs root.
pub fn control(id: i32, set: Option<(u32, u32, u32, u64)>) -> SysResult<CtlReply> {
    let (cred, _) = caller();
    let mut table = QUEUES.lock();
    let slot = table.get_mut(id).ok_or(EINVAL)?;
    if !slot.perm.may_control(cred) {
        return Err(EPERM);
    }
    match set {
        None => {
            let q = table.remove(id).ok_or(EINVAL)?;
            drop(table);
            remove(&q);
        }
        Some((uid, gid, mode, qbytes)) => {
            if qbytes > super::limits::msgmnb() as u64 && !cred.privileged {
                return Err(EPERM);
            }
            slot.perm.set(uid, gid, mode);
            let q = slot.obj.clone();
            drop(table);
            let mut st = q.state.lock();
            st.qbytes = usize::try_from(qbytes).unwrap_or(usize::MAX);
            st.ctime = now_secs();
            // Receivers look again under the new permissions; senders may now fit.
            for r in st.receivers.iter_mut().filter(|r| r.waiting()) {
                r.deliver(Err(EAGAIN));
            }
            drop(st);
            q.senders.wake_all();
        }
    }
    Ok(CtlReply::Value(0))
}

/// /proc/sysvipc/msg, in Linux's format.
pub fn proc_text() -> alloc::string::String {
    use core::fmt::Write;
    let mut out = alloc::string::String::from(
        "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n",
    );
    let table = QUEUES.lock();
    for (id, slot) in table.iter() {
        let d = describe(&slot.obj, slot.perm);
        let p = d.perm;
        let _ = writeln!(
            out,
            "{:10} {:10}  {:4o}  {:10} {:10} {:5} {:5} {:5} {:5} {:5} {:5} {:10} {:10} {:10}",
            p.key,
            id,
            p.mode,
            d.cbytes,
            d.qnum,
            d.lspid,
            d.lrpid,
            p.uid,
            p.gid,
            p.cuid,
            p.cgid,
            d.stime,
            d.rtime,
            d.ctime
        );
    }
    out
}
