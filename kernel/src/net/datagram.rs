//! A datagram socket's receive queue, bounded as Linux bounds it: every datagram is
//! charged its `truesize` (what the kernel spends on it, not just its bytes) against the
//! socket's receive buffer (`sk_rcvbuf`, SO_RCVBUF), and a datagram can be charged before
//! it is delivered (netlink's "attached" messages, which mq_notify registers ahead).

use crate::arch::spinlock::Mutex;
use crate::errno::{SysResult, EAGAIN, ENOMEM};
use crate::task::WaitQueue;
use alloc::collections::VecDeque;
use alloc::vec::Vec;

/// net.core.rmem_default and rmem_max: a new socket's buffer and the most SO_RCVBUF
/// grants (the value asked for is doubled, as Linux does, for its bookkeeping).
pub const RMEM_DEFAULT: usize = 212_992;
const RMEM_MAX: usize = 212_992;
/// Linux's SOCK_MIN_RCVBUF: the least SO_RCVBUF sets (2048 plus an aligned sk_buff).
const MIN_RCVBUF: usize = 2304;
/// net.core.wmem_default and wmem_max, and SOCK_MIN_SNDBUF, for SO_SNDBUF.
pub const WMEM_DEFAULT: usize = 212_992;
const WMEM_MAX: usize = 212_992;
const MIN_SNDBUF: usize = 2 * MIN_RCVBUF;

/// What setsockopt(SO_SNDBUF) makes of a value (read as an unsigned int), as for
/// SO_RCVBUF: capped at wmem_max, doubled, at least the minimum.
pub fn sndbuf_for(asked: u32) -> usize {
    ((asked as usize).min(WMEM_MAX) * 2).max(MIN_SNDBUF)
}

/// One received datagram: its bytes, what it is charged, and the sender's address
/// (a netlink port id; 0 is the kernel).
pub struct Datagram {
    pub data: Vec<u8>,
    pub truesize: usize,
    pub sender: u32,
}

struct State {
    queue: VecDeque<Datagram>,
    /// Bytes charged: queued datagrams and charged ones not yet delivered (sk_rmem_alloc).
    rmem: usize,
    rcvbuf: usize,
    /// Datagrams charged but not delivered; the queue always has room for them, so a
    /// delivery never allocates.
    charged_pending: usize,
}

/// What a receive took: the bytes copied out, the datagram's full length, its sender.
pub struct Received {
    pub data: Vec<u8>,
    pub full_len: usize,
    pub sender: u32,
}

pub struct RecvQueue {
    state: Mutex<State>,
    /// Woken when a datagram arrives (readers and poll).
    pub arrived: WaitQueue,
    /// Woken when charged bytes are given back (senders waiting for room).
    room: WaitQueue,
}

impl RecvQueue {
    pub fn new() -> Self {
        RecvQueue {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                rmem: 0,
                rcvbuf: RMEM_DEFAULT,
                charged_pending: 0,
            }),
            arrived: WaitQueue::new(),
            room: WaitQueue::new(),
        }
    }

    /// Charges a datagram to be delivered later, waiting (interruptibly) while the
    /// buffer is full. As Linux's netlink_attachskb: it fits if the buffer is empty or
    /// the new total stays within the buffer.
    pub fn charge(&self, truesize: usize) -> SysResult<()> {
        let fits = |st: &State| st.rmem == 0 || st.rmem + truesize <= st.rcvbuf;
        loop {
            let mut st = self.state.lock();
            if fits(&st) {
                let more = st.charged_pending + 1;
                if st.queue.capacity() < st.queue.len() + more {
                    crate::mm::heap::reserve(2 * more * core::mem::size_of::<Datagram>())?;
                    st.queue.try_reserve(more).map_err(|_| ENOMEM)?;
                }
                st.rmem += truesize;
                st.charged_pending += 1;
                return Ok(());
            }
            drop(st);
            crate::task::wait::block_on("netlink_send", &[&self.room], None, || {
                fits(&self.state.lock()).then_some(())
            })?;
        }
    }

    /// Gives back a charge whose datagram will never be delivered.
    pub fn uncharge(&self, truesize: usize) {
        let mut st = self.state.lock();
        st.rmem = st.rmem.saturating_sub(truesize);
        st.charged_pending = st.charged_pending.saturating_sub(1);
        drop(st);
        self.room.wake_all();
    }

    /// Queues a datagram charged earlier by `charge` (room for it was reserved then).
    pub fn deliver(&self, datagram: Datagram) {
        let mut st = self.state.lock();
        st.charged_pending = st.charged_pending.saturating_sub(1);
        st.queue.push_back(datagram);
        drop(st);
        self.arrived.wake_all();
    }

    pub fn has_data(&self) -> bool {
        !self.state.lock().queue.is_empty()
    }

    /// Takes the first datagram (or copies it, with `peek`), at most `len` of its bytes,
    /// waiting for one unless `nonblock` (EAGAIN).
    pub fn receive(&self, len: usize, peek: bool, nonblock: bool) -> SysResult<Received> {
        loop {
            let mut st = self.state.lock();
            if let Some(first) = st.queue.front() {
                let n = len.min(first.data.len());
                let mut data = Vec::new();
                data.try_reserve_exact(n).map_err(|_| ENOMEM)?;
                data.extend_from_slice(&first.data[..n]);
                let (full_len, sender) = (first.data.len(), first.sender);
                if !peek {
                    if let Some(taken) = st.queue.pop_front() {
                        st.rmem = st.rmem.saturating_sub(taken.truesize);
                    }
                    drop(st);
                    self.room.wake_all();
                }
                return Ok(Received {
                    data,
                    full_len,
                    sender,
                });
            }
            drop(st);
            if nonblock {
                return Err(EAGAIN);
            }
            crate::task::wait::block_on("netlink_recv", &[&self.arrived], None, || {
                self.has_data().then_some(())
            })?;
        }
    }

    /// SO_RCVBUF as getsockopt reports it.
    pub fn rcvbuf(&self) -> usize {
        self.state.lock().rcvbuf
    }

    /// setsockopt(SO_RCVBUF): the value (as an unsigned int) capped at rmem_max, doubled,
    /// at least the minimum.
    pub fn set_rcvbuf(&self, asked: u32) {
        let size = (asked as usize).min(RMEM_MAX) * 2;
        self.state.lock().rcvbuf = size.max(MIN_RCVBUF);
        self.room.wake_all();
    }
}
