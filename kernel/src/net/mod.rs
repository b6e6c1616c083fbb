//! Sockets: the socket file type and its socket-level options. Rill has one family,
//! AF_NETLINK (`netlink.rs`), for the kernel-to-user messages mq_notify's SIGEV_THREAD
//! needs; every other family is EAFNOSUPPORT, as on a Linux built without it. No TCP,
//! UDP or Unix sockets.

pub mod datagram;
pub mod netlink;

use crate::errno::{SysResult, EAFNOSUPPORT, EINVAL, ENOPROTOOPT, EOPNOTSUPP};
use crate::fs::file::{File, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
use crate::fs::vfs::{alloc_ino, Metadata};
use crate::mm::uaccess::{InBuf, OutBuf};
use crate::task::WaitQueue;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicUsize, Ordering};
use linux_raw_sys::general as g;
use linux_raw_sys::net as n;
use netlink::NetlinkSocket;

/// The type bits of socket()'s type argument and the flags beside them (Linux's
/// include/linux/net.h; not in linux-raw-sys): SOCK_CLOEXEC and SOCK_NONBLOCK are
/// O_CLOEXEC and O_NONBLOCK.
pub const SOCK_TYPE_MASK: u32 = 0xf;
pub const SOCK_FLAGS: u32 = g::O_CLOEXEC | g::O_NONBLOCK;
/// One past the highest socket type (SOCK_PACKET, 10).
const SOCK_MAX: u32 = 11;
/// POLLWRBAND, ready with POLLOUT on a datagram socket.
const POLLWRBAND: u16 = g::POLLWRBAND as u16;

/// An open socket: a node of the socket file system (S_IFSOCK, mode 0777, owned by its
/// creator) and its protocol.
pub struct Socket {
    meta: Metadata,
    /// SO_SNDBUF: kept and reported; Rill's netlink sends nothing it would bound.
    sndbuf: AtomicUsize,
    netlink: Arc<NetlinkSocket>,
}

/// socket(2)'s checks in Linux's order (__sock_create): flags, family range, type
/// range, then the family's own checks.
pub fn create(family: i32, type_and_flags: i32, protocol: i32) -> SysResult<Socket> {
    let raw = type_and_flags as u32;
    if raw & !(SOCK_TYPE_MASK | SOCK_FLAGS) != 0 {
        return Err(EINVAL);
    }
    if !(0..n::AF_MAX as i32).contains(&family) {
        return Err(EAFNOSUPPORT);
    }
    let kind = raw & SOCK_TYPE_MASK;
    if kind >= SOCK_MAX {
        return Err(EINVAL);
    }
    if family as u32 != n::AF_NETLINK {
        return Err(EAFNOSUPPORT);
    }
    crate::mm::heap::reserve(512)?;
    let netlink = Arc::new(NetlinkSocket::new(kind, protocol)?);
    let creds = *crate::task::current_process().creds.lock();
    let now = crate::time::realtime_ns();
    Ok(Socket {
        meta: Metadata {
            ino: alloc_ino(),
            mode: g::S_IFSOCK | 0o777,
            nlink: 1,
            uid: creds.euid,
            gid: creds.egid,
            atime_ns: now,
            mtime_ns: now,
            ctime_ns: now,
            ..Default::default()
        },
        sndbuf: AtomicUsize::new(datagram::WMEM_DEFAULT),
        netlink,
    })
}

impl Socket {
    /// The netlink socket (every socket is one today).
    pub fn netlink(&self) -> &Arc<NetlinkSocket> {
        &self.netlink
    }

    /// getsockopt(2) with an int-valued option: Linux's sock_getsockopt for
    /// SOL_SOCKET; netlink's own level has none of Rill's (ENOPROTOOPT).
    pub fn get_option(&self, level: i32, name: i32) -> SysResult<i32> {
        if level != n::SOL_SOCKET as i32 {
            return Err(ENOPROTOOPT);
        }
        let value = match name as u32 {
            n::SO_RCVBUF => self.netlink.queue.rcvbuf(),
            n::SO_SNDBUF => self.sndbuf.load(Ordering::Relaxed),
            n::SO_TYPE => self.netlink.kind() as usize,
            n::SO_PROTOCOL => self.netlink.protocol() as usize,
            n::SO_DOMAIN => n::AF_NETLINK as usize,
            n::SO_ERROR => 0,
            _ => return Err(ENOPROTOOPT),
        };
        Ok(value as i32)
    }

    /// setsockopt(2) with an int value (`optlen` checked by the caller).
    pub fn set_option(&self, level: i32, name: i32, value: i32) -> SysResult<()> {
        if level != n::SOL_SOCKET as i32 {
            return Err(ENOPROTOOPT);
        }
        match name as u32 {
            n::SO_RCVBUF => self.netlink.queue.set_rcvbuf(value as u32),
            n::SO_SNDBUF => self
                .sndbuf
                .store(datagram::sndbuf_for(value as u32), Ordering::Relaxed),
            _ => return Err(ENOPROTOOPT),
        }
        Ok(())
    }
}

impl Drop for Socket {
    /// The last descriptor is closed: the port id is free again. The socket itself
    /// lives on while a message queue holds a notification charged to it.
    fn drop(&mut self) {
        self.netlink.release();
    }
}

impl File for Socket {
    /// read(2) is recv(2) without flags, except that reading nothing takes nothing
    /// (Linux's sock_read_iter).
    fn read(&self, _pos: u64, buf: &mut dyn OutBuf, nonblock: bool) -> SysResult<usize> {
        if buf.len() == 0 {
            return Ok(0);
        }
        let got = self.netlink.receive(buf.len(), 0, nonblock)?;
        buf.write_at(0, &got.data)?;
        Ok(got.data.len())
    }

    /// Rill's netlink takes no requests.
    fn write(&self, _pos: u64, _buf: &dyn InBuf, _nonblock: bool) -> SysResult<usize> {
        Err(EOPNOTSUPP)
    }

    fn metadata(&self) -> Metadata {
        self.meta
    }

    /// Linux's datagram_poll: readable while a message waits; always writable.
    fn poll(&self) -> u16 {
        let mut ready = POLLOUT | POLLWRNORM | POLLWRBAND;
        if self.netlink.queue.has_data() {
            ready |= POLLIN | POLLRDNORM;
        }
        ready
    }

    fn poll_queue(&self) -> Option<&WaitQueue> {
        Some(&self.netlink.queue.arrived)
    }

    fn socket(&self) -> Option<&Socket> {
        Some(self)
    }
}
