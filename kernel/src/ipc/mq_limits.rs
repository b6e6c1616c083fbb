//! The limits of POSIX message queues: the /proc/sys/fs/mqueue tunables (Linux's
//! defaults and bounds, mq_overview(7)) and each user's RLIMIT_MSGQUEUE byte budget.

use crate::arch::spinlock::Mutex;
use crate::errno::{SysResult, EINVAL, EMFILE};
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use core::sync::atomic::{AtomicUsize, Ordering};

/// The bounds even root cannot pass (HARD_MSGMAX, HARD_MSGSIZEMAX).
pub const HARD_MSGMAX: usize = 65536;
pub const HARD_MSGSIZEMAX: usize = 16 * 1024 * 1024;
/// The smallest msgsize_max and msgsize_default root may set (MIN_MSGSIZEMAX).
const MIN_MSGSIZEMAX: usize = 128;

/// What a queue costs its creator's RLIMIT_MSGQUEUE besides the message texts, per
/// message (getrlimit(2)): Linux's `struct msg_msg` header, and a priority-tree node
/// (`struct posix_msg_tree_node`) for each of at most MQ_PRIO_MAX priorities.
const MSG_HEADER_BYTES: usize = 48;
const TREE_NODE_BYTES: usize = 48;
/// RLIMIT_MSGQUEUE's default, soft and hard (Linux's MQ_BYTES_MAX).
pub const MQ_BYTES_MAX: u64 = 819_200;

/// Bytes each user's queues are charged (Linux's per-user mq_bytes), by real uid.
static USER_BYTES: Mutex<BTreeMap<u32, usize>> = Mutex::new(BTreeMap::new());

/// msg_max, msgsize_max, msg_default, msgsize_default, queues_max, in MqTunable order.
static VALUES: [AtomicUsize; 5] = [
    AtomicUsize::new(10),
    AtomicUsize::new(8192),
    AtomicUsize::new(10),
    AtomicUsize::new(8192),
    AtomicUsize::new(256),
];

/// A file of /proc/sys/fs/mqueue.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MqTunable {
    /// The most messages an unprivileged process may ask a queue for.
    MsgMax,
    /// The largest message size an unprivileged process may ask for.
    MsgsizeMax,
    /// A queue's messages and message size when mq_open gets no attributes.
    MsgDefault,
    MsgsizeDefault,
    /// How many queues may exist (root may create more).
    QueuesMax,
}

impl MqTunable {
    /// The tunables by file name.
    pub const ALL: [(&'static str, MqTunable); 5] = [
        ("msg_default", MqTunable::MsgDefault),
        ("msg_max", MqTunable::MsgMax),
        ("msgsize_default", MqTunable::MsgsizeDefault),
        ("msgsize_max", MqTunable::MsgsizeMax),
        ("queues_max", MqTunable::QueuesMax),
    ];

    pub fn get(self) -> usize {
        VALUES[self as usize].load(Ordering::Relaxed)
    }

    /// The file's text.
    pub fn read(self) -> String {
        format!("{}\n", self.get())
    }

    /// A write of one decimal number within Linux's bounds for the file, else EINVAL
    /// and nothing changes.
    pub fn write(self, text: &[u8]) -> SysResult<()> {
        let text = core::str::from_utf8(text).map_err(|_| EINVAL)?;
        let value: usize = text
            .split_ascii_whitespace()
            .next()
            .and_then(|w| w.parse().ok())
            .ok_or(EINVAL)?;
        let (min, max) = match self {
            MqTunable::MsgMax | MqTunable::MsgDefault => (1, HARD_MSGMAX),
            MqTunable::MsgsizeMax | MqTunable::MsgsizeDefault => (MIN_MSGSIZEMAX, HARD_MSGSIZEMAX),
            MqTunable::QueuesMax => (0, i32::MAX as usize),
        };
        if !(min..=max).contains(&value) {
            return Err(EINVAL);
        }
        VALUES[self as usize].store(value, Ordering::Relaxed);
        Ok(())
    }
}

/// Charges a new queue's bytes to user `uid` (Linux's mqueue_get_inode): EMFILE if
/// that takes the user's queues past `limit`, the creator's RLIMIT_MSGQUEUE.
pub fn charge(uid: u32, attr: super::mqueue::Attr, limit: u64) -> SysResult<usize> {
    let bytes = attr
        .maxmsg
        .checked_mul(MSG_HEADER_BYTES)
        .zip(
            attr.maxmsg
                .min(super::mqueue::MQ_PRIO_MAX as usize)
                .checked_mul(TREE_NODE_BYTES),
        )
        .and_then(|(headers, nodes)| headers.checked_add(nodes))
        .and_then(|meta| attr.maxmsg.checked_mul(attr.msgsize)?.checked_add(meta))
        .ok_or(EMFILE)?;
    let mut users = USER_BYTES.lock();
    let used = users.get(&uid).copied().unwrap_or(0);
    let total = used
        .checked_add(bytes)
        .filter(|&t| t as u64 <= limit)
        .ok_or(EMFILE)?;
    users.insert(uid, total);
    Ok(bytes)
}

/// Gives back the bytes of a queue that is gone.
pub fn uncharge(uid: u32, bytes: usize) {
    let mut users = USER_BYTES.lock();
    if let Some(used) = users.get_mut(&uid) {
        *used = used.saturating_sub(bytes);
        if *used == 0 {
            users.remove(&uid);
            crate::mm::heap::release_if_empty(&mut users);
        }
    }
}
