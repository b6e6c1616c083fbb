//! The socket calls, as Linux's net/socket.c does them: the descriptor is looked up
//! first (EBADF, then ENOTSOCK for other files), addresses and option values are copied
//! in and out with its length rules, then the socket does the work. Rill's one family,
//! netlink, cannot send, listen, accept or shut down: those are EOPNOTSUPP, as Linux's
//! netlink answers for the last three.

use super::fs::file;
use crate::errno::*;
use crate::fs::file::OpenFile;
use crate::mm::uaccess::{read_array, read_val, write_val, UserIoVec, UserSlice, UserSliceMut};
use crate::net::{netlink::sockaddr_nl, Socket, SOCK_FLAGS};
use crate::task::current_process;
use alloc::sync::Arc;
use alloc::vec::Vec;
use linux_raw_sys::general as g;
use linux_raw_sys::net as n;

/// sizeof(struct sockaddr_storage): the longest address a call takes.
const SOCKADDR_STORAGE_SIZE: usize = 128;
/// Linux's MAX_RW_COUNT: one call moves at most this much.
const MAX_RW_COUNT: usize = 0x7fff_f000;
/// sizeof(struct msghdr) and the offsets of its fields on riscv64.
const MSGHDR_SIZE: usize = 56;
const MSG_NAMELEN_AT: usize = 8;
const MSG_CONTROLLEN_AT: usize = 40;
const MSG_FLAGS_AT: usize = 48;

/// The open socket behind `fd`.
fn socket_file(fd: i32) -> SysResult<Arc<OpenFile>> {
    let of = file(fd)?;
    if of.file.socket().is_none() {
        return Err(ENOTSOCK);
    }
    Ok(of)
}

fn socket_of(of: &OpenFile) -> SysResult<&Socket> {
    of.file.socket().ok_or(ENOTSOCK)
}

fn nonblock(of: &OpenFile) -> bool {
    of.flags() & g::O_NONBLOCK != 0
}

pub fn socket(family: i32, type_and_flags: i32, protocol: i32) -> SysResult {
    let socket = crate::net::create(family, type_and_flags, protocol)?;
    let flags = type_and_flags as u32 & SOCK_FLAGS;
    let of = OpenFile::new(Arc::new(socket), None, g::O_RDWR | (flags & g::O_NONBLOCK));
    let fd = crate::task::current_files()
        .lock()
        .insert(of, flags & g::O_CLOEXEC != 0)?;
    Ok(fd as usize)
}

/// Netlink sockets do not come in pairs (EOPNOTSUPP once both would exist).
pub fn socketpair(family: i32, type_and_flags: i32, protocol: i32, _fds: usize) -> SysResult {
    crate::net::create(family, type_and_flags, protocol)?;
    Err(EOPNOTSUPP)
}

/// Linux's move_addr_to_kernel: a length past sockaddr_storage is EINVAL.
fn address_in(addr: usize, len: i32) -> SysResult<Vec<u8>> {
    let len = usize::try_from(len)
        .ok()
        .filter(|&l| l <= SOCKADDR_STORAGE_SIZE)
        .ok_or(EINVAL)?;
    let mut bytes = alloc::vec![0u8; len];
    if len > 0 {
        UserSlice::new(addr, len)?.read(0, &mut bytes)?;
    }
    Ok(bytes)
}

/// Linux's move_addr_to_user: copies as much of `addr` as the caller's length allows
/// and stores the full length.
fn address_out(addr: &[u8], uaddr: usize, ulen: usize) -> SysResult<()> {
    let len: i32 = read_val(ulen)?;
    let len = len.min(addr.len() as i32);
    if len < 0 {
        return Err(EINVAL);
    }
    if len > 0 {
        UserSliceMut::new(uaddr, len as usize)?.write(0, &addr[..len as usize])?;
    }
    write_val(ulen, &(addr.len() as i32))
}

pub fn bind(fd: i32, addr: usize, len: i32) -> SysResult {
    let of = socket_file(fd)?;
    let bytes = address_in(addr, len)?;
    socket_of(&of)?.netlink().bind(&bytes)?;
    Ok(0)
}

/// connect(2): as Linux, the address is copied in before the descriptor is checked
/// for being a socket.
pub fn connect(fd: i32, addr: usize, len: i32) -> SysResult {
    let of = file(fd)?;
    let bytes = address_in(addr, len)?;
    let socket = socket_of(&of)?;
    let privileged = current_process().creds.lock().euid == 0;
    socket.netlink().connect(&bytes, privileged)?;
    Ok(0)
}

pub fn getpeername(fd: i32, addr: usize, len: usize) -> SysResult {
    let of = socket_file(fd)?;
    let name = socket_of(&of)?.netlink().peer_address();
    address_out(&name, addr, len)?;
    Ok(0)
}

pub fn getsockname(fd: i32, addr: usize, len: usize) -> SysResult {
    let of = socket_file(fd)?;
    let name = socket_of(&of)?.netlink().local_address();
    address_out(&name, addr, len)?;
    Ok(0)
}

pub fn getsockopt(fd: i32, level: i32, name: i32, optval: usize, optlen: usize) -> SysResult {
    let of = socket_file(fd)?;
    if level != n::SOL_SOCKET as i32 && level != n::SOL_NETLINK as i32 {
        return Err(ENOPROTOOPT);
    }
    let len: i32 = read_val(optlen)?;
    if len < 0 {
        return Err(EINVAL);
    }
    let value = socket_of(&of)?.get_option(level, name)?.to_ne_bytes();
    let len = (len as usize).min(value.len());
    UserSliceMut::new(optval, len)?.write(0, &value[..len])?;
    write_val(optlen, &(len as i32))?;
    Ok(0)
}

pub fn setsockopt(fd: i32, level: i32, name: i32, optval: usize, optlen: i32) -> SysResult {
    let of = socket_file(fd)?;
    let socket = socket_of(&of)?;
    if optlen < 0 || (level == n::SOL_SOCKET as i32 && optlen < 4) {
        return Err(EINVAL);
    }
    if level != n::SOL_SOCKET as i32 && level != n::SOL_NETLINK as i32 {
        return Err(ENOPROTOOPT);
    }
    if optlen < 4 {
        // Netlink's own options read their value only when one is given.
        return Err(ENOPROTOOPT);
    }
    let value: i32 = read_val(optval)?;
    socket.set_option(level, name, value)?;
    Ok(0)
}

pub fn recvfrom(
    fd: i32,
    buf: usize,
    len: usize,
    flags: u32,
    addr: usize,
    addrlen: usize,
) -> SysResult {
    let of = socket_file(fd)?;
    let out = UserSliceMut::new(buf, len.min(MAX_RW_COUNT))?;
    let got = socket_of(&of)?
        .netlink()
        .receive(out.len(), flags, nonblock(&of))?;
    out.write(0, &got.data)?;
    if addr != 0 {
        address_out(&sockaddr_nl(got.sender, 0), addr, addrlen)?;
    }
    Ok(if flags & n::MSG_TRUNC != 0 {
        got.full_len
    } else {
        got.data.len()
    })
}

pub fn recvmsg(fd: i32, msg: usize, flags: u32) -> SysResult {
    let of = socket_file(fd)?;
    let mut hdr = [0u8; MSGHDR_SIZE];
    UserSlice::new(msg, MSGHDR_SIZE)?.read(0, &mut hdr)?;
    let word = |at: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&hdr[at..at + 8]);
        u64::from_ne_bytes(b) as usize
    };
    let (name, iov, iovlen) = (word(0), word(16), word(24));
    let namelen = word(MSG_NAMELEN_AT) as u32 as i32;
    if namelen < 0 {
        return Err(EINVAL);
    }
    if iovlen > g::UIO_MAXIOV as usize {
        return Err(EMSGSIZE);
    }
    let vecs: Vec<g::iovec> = read_array(iov, iovlen)?;
    let mut total = 0usize;
    let mut segs = Vec::new();
    segs.try_reserve_exact(vecs.len()).map_err(|_| ENOMEM)?;
    for v in &vecs {
        if (v.iov_len as isize) < 0 {
            return Err(EINVAL);
        }
        let len = (v.iov_len as usize).min(MAX_RW_COUNT - total);
        segs.push(UserSliceMut::new(v.iov_base as usize, len)?);
        total += len;
    }
    let lens: Vec<usize> = segs.iter().map(|s| s.len()).collect();
    let mut out = UserIoVec::new(segs, lens.into_iter())?;
    let got = socket_of(&of)?
        .netlink()
        .receive(total, flags, nonblock(&of))?;
    crate::mm::uaccess::OutBuf::write_at(&mut out, 0, &got.data)?;
    if name != 0 {
        address_out(&sockaddr_nl(got.sender, 0), name, msg + MSG_NAMELEN_AT)?;
    }
    let mut msg_flags = flags & n::MSG_CMSG_CLOEXEC;
    if got.data.len() < got.full_len {
        msg_flags |= n::MSG_TRUNC;
    }
    write_val(msg + MSG_FLAGS_AT, &msg_flags)?;
    write_val(msg + MSG_CONTROLLEN_AT, &0usize)?;
    Ok(if flags & n::MSG_TRUNC != 0 {
        got.full_len
    } else {
        got.data.len()
    })
}

/// sendto, sendmsg, listen, shutdown: the socket is checked, then none of them is
/// something a Rill netlink socket does.
pub fn unsupported(fd: i32) -> SysResult {
    socket_file(fd)?;
    Err(EOPNOTSUPP)
}

pub fn accept4(fd: i32, flags: u32) -> SysResult {
    if flags & !SOCK_FLAGS != 0 {
        return Err(EINVAL);
    }
    unsupported(fd)
}
