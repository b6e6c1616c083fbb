//! AF_NETLINK sockets, as far as Rill needs them: the kernel-to-user direction that
//! POSIX message queues use for mq_notify's SIGEV_THREAD (glibc waits for the kernel's
//! notification cookies on a netlink socket). A socket has a port id (bound by `bind`,
//! or chosen automatically), a receive queue bounded by its receive buffer, and accepts
//! messages charged ahead of delivery (`Pending`). Rill has only the NETLINK_ROUTE
//! protocol and no route requests or events: sending is EOPNOTSUPP.

use super::datagram::{Datagram, Received, RecvQueue};
use crate::arch::spinlock::Mutex;
use crate::errno::{
    SysResult, EADDRINUSE, EINVAL, EOPNOTSUPP, EPERM, EPROTONOSUPPORT, ESOCKTNOSUPPORT,
};
use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;
use linux_raw_sys::net as n;
use linux_raw_sys::netlink as nl;

/// sizeof(struct sockaddr_nl): family, pad, port id, groups.
pub const SOCKADDR_NL_SIZE: usize = 12;

/// What Linux 6.1 charges for a small message the kernel sends (an sk_buff with up to
/// 192 bytes of data): 277 fit in the default 212,992-byte buffer, measured on Linux.
pub const KERNEL_MESSAGE_TRUESIZE: usize = 768;

/// Port ids in use, by protocol (Linux's nl_table hashes): unique per protocol.
static PORTS: Mutex<BTreeMap<(u32, u32), ()>> = Mutex::new(BTreeMap::new());

struct Address {
    /// 0 until bound.
    port: u32,
    bound: bool,
    /// Multicast groups subscribed to by bind (Rill sends no multicast messages).
    groups: u32,
    /// Where connect(2) pointed the socket: a port id and a group number (0: none).
    peer_port: u32,
    peer_group: u32,
}

pub struct NetlinkSocket {
    /// SOCK_RAW or SOCK_DGRAM (the same thing for netlink).
    kind: u32,
    protocol: u32,
    pub queue: RecvQueue,
    address: Mutex<Address>,
}

impl NetlinkSocket {
    /// Linux's netlink_create: RAW or DGRAM; a protocol that exists.
    pub fn new(kind: u32, protocol: i32) -> SysResult<NetlinkSocket> {
        if kind != n::SOCK_RAW && kind != n::SOCK_DGRAM {
            return Err(ESOCKTNOSUPPORT);
        }
        if protocol != nl::NETLINK_ROUTE as i32 {
            return Err(EPROTONOSUPPORT);
        }
        Ok(NetlinkSocket {
            kind,
            protocol: protocol as u32,
            queue: RecvQueue::new(),
            address: Mutex::new(Address {
                port: 0,
                bound: false,
                groups: 0,
                peer_port: 0,
                peer_group: 0,
            }),
        })
    }

    pub fn kind(&self) -> u32 {
        self.kind
    }

    pub fn protocol(&self) -> u32 {
        self.protocol
    }

    /// bind(2) with a `struct sockaddr_nl`: port 0 picks one (the process id if free).
    pub fn bind(&self, addr: &[u8]) -> SysResult<()> {
        if addr.len() < SOCKADDR_NL_SIZE {
            return Err(EINVAL);
        }
        let family = u16::from_ne_bytes([addr[0], addr[1]]);
        let (port, groups) = (word_at(addr, 4), word_at(addr, 8));
        if u32::from(family) != n::AF_NETLINK {
            return Err(EINVAL);
        }
        let mut a = self.address.lock();
        if a.bound && port != a.port {
            return Err(EINVAL);
        }
        if !a.bound {
            a.port = self.insert_port(port)?;
            a.bound = true;
        }
        a.groups = groups;
        Ok(())
    }

    /// connect(2), Linux's netlink_connect: AF_UNSPEC forgets the peer; a peer other
    /// than the kernel, or a group, needs privilege (NETLINK_ROUTE lets nobody else
    /// send); an unbound socket is bound first. Only the first group named is kept.
    pub fn connect(&self, addr: &[u8], privileged: bool) -> SysResult<()> {
        if addr.len() < 2 {
            return Err(EINVAL);
        }
        let family = u32::from(u16::from_ne_bytes([addr[0], addr[1]]));
        let mut a = self.address.lock();
        if family == n::AF_UNSPEC {
            a.peer_port = 0;
            a.peer_group = 0;
            return Ok(());
        }
        if family != n::AF_NETLINK || addr.len() < SOCKADDR_NL_SIZE {
            return Err(EINVAL);
        }
        let (port, groups) = (word_at(addr, 4), word_at(addr, 8));
        if (port != 0 || groups != 0) && !privileged {
            return Err(EPERM);
        }
        if !a.bound {
            a.port = self.insert_port(0)?;
            a.bound = true;
        }
        a.peer_port = port;
        a.peer_group = if groups == 0 {
            0
        } else {
            groups.trailing_zeros() + 1
        };
        Ok(())
    }

    /// The peer's address for getpeername: the port id and the group as a mask.
    pub fn peer_address(&self) -> [u8; SOCKADDR_NL_SIZE] {
        let a = self.address.lock();
        let mask = a.peer_group.checked_sub(1).map_or(0, |g| 1u32 << g);
        sockaddr_nl(a.peer_port, mask)
    }

    /// Enters `port` (or, for 0, the caller's process id if free, else a negative id
    /// below -4096 as Linux's netlink_autobind) into the table.
    fn insert_port(&self, port: u32) -> SysResult<u32> {
        crate::mm::heap::reserve(128)?;
        let mut ports = PORTS.lock();
        if port != 0 {
            if ports.insert((self.protocol, port), ()).is_some() {
                return Err(EADDRINUSE);
            }
            return Ok(port);
        }
        let mut candidate = crate::task::current_process().pid;
        let mut rover = -4097i32;
        while ports.contains_key(&(self.protocol, candidate)) {
            candidate = rover as u32;
            rover = rover.checked_sub(1).unwrap_or(-4097);
        }
        ports.insert((self.protocol, candidate), ());
        Ok(candidate)
    }

    /// The socket's address for getsockname: its port id (0 while unbound) and groups.
    pub fn local_address(&self) -> [u8; SOCKADDR_NL_SIZE] {
        let a = self.address.lock();
        sockaddr_nl(a.port, a.groups)
    }

    /// Linux's netlink_recvmsg: MSG_OOB is EOPNOTSUPP; MSG_PEEK leaves the message.
    pub fn receive(&self, len: usize, flags: u32, nonblock: bool) -> SysResult<Received> {
        if flags & n::MSG_OOB != 0 {
            return Err(EOPNOTSUPP);
        }
        let nonblock = nonblock || flags & n::MSG_DONTWAIT != 0;
        self.queue.receive(len, flags & n::MSG_PEEK != 0, nonblock)
    }

    /// Leaves the port table (at the last close, as Linux's netlink_release).
    pub fn release(&self) {
        let a = self.address.lock();
        if a.bound {
            let mut ports = PORTS.lock();
            ports.remove(&(self.protocol, a.port));
            crate::mm::heap::release_if_empty(&mut *ports);
        }
    }
}

/// The u32 at `at` of an address at least `at + 4` bytes long.
fn word_at(addr: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&addr[at..at + 4]);
    u32::from_ne_bytes(b)
}

/// A `struct sockaddr_nl`.
pub fn sockaddr_nl(port: u32, groups: u32) -> [u8; SOCKADDR_NL_SIZE] {
    let mut b = [0u8; SOCKADDR_NL_SIZE];
    b[..2].copy_from_slice(&(n::AF_NETLINK as u16).to_ne_bytes());
    b[4..8].copy_from_slice(&port.to_ne_bytes());
    b[8..].copy_from_slice(&groups.to_ne_bytes());
    b
}

/// A kernel message charged to a socket's receive buffer now and delivered (or dropped,
/// giving the charge back) later: what mq_notify registers.
pub struct Pending {
    socket: Option<Arc<NetlinkSocket>>,
    data: Vec<u8>,
}

impl Pending {
    /// Charges `data` to `socket`, waiting while its buffer is full.
    pub fn charge(socket: Arc<NetlinkSocket>, data: Vec<u8>) -> SysResult<Pending> {
        socket.queue.charge(KERNEL_MESSAGE_TRUESIZE)?;
        Ok(Pending {
            socket: Some(socket),
            data,
        })
    }

    /// Delivers the message with its last byte set to `last` (it cannot fail: its room
    /// was taken when it was charged).
    pub fn deliver(mut self, last: u8) {
        let Some(socket) = self.socket.take() else {
            return;
        };
        let mut data = core::mem::take(&mut self.data);
        if let Some(b) = data.last_mut() {
            *b = last;
        }
        socket.queue.deliver(Datagram {
            data,
            truesize: KERNEL_MESSAGE_TRUESIZE,
            sender: 0,
        });
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(socket) = self.socket.take() {
            socket.queue.uncharge(KERNEL_MESSAGE_TRUESIZE);
        }
    }
}
