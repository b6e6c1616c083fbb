//! The one path between the kernel and user memory.
//!
//! A user range is a `UserSlice`/`UserSliceMut`, made only by constructors that reject
//! ranges that wrap or reach into the kernel half. Bytes move page by page straight
//! between the kernel and the user address, through the page table the hart runs on
//! (arch::usercopy). A page the program could not touch that way right now faults in
//! the copy loop; the fault is resolved as the program's own would be (populated,
//! copied on write) and the page tried again, and a page that stays inaccessible ends
//! the copy: a bad pointer is `EFAULT`, never a kernel fault. Nothing else in the
//! kernel dereferences a user address.

use super::aspace::Access;
use super::{PAGE_SIZE, USER_END};
use crate::arch::usercopy;
use crate::errno::{Errno, EFAULT, ENAMETOOLONG};
use crate::task::current;
use alloc::string::String;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};

fn check_range(addr: usize, len: usize) -> Result<(), Errno> {
    match addr.checked_add(len) {
        Some(end) if end <= USER_END => Ok(()),
        _ => Err(EFAULT),
    }
}

/// User memory the kernel reads from.
#[derive(Clone, Copy, Debug)]
pub struct UserSlice {
    addr: usize,
    len: usize,
}

/// User memory the kernel writes to.
#[derive(Clone, Copy, Debug)]
pub struct UserSliceMut {
    addr: usize,
    len: usize,
}

impl UserSlice {
    pub fn new(addr: usize, len: usize) -> Result<Self, Errno> {
        check_range(addr, len)?;
        Ok(UserSlice { addr, len })
    }
    pub fn len(&self) -> usize {
        self.len
    }
    /// Copies the first `dst.len()` bytes from `offset` into `dst`.
    pub fn read(&self, offset: usize, dst: &mut [u8]) -> Result<(), Errno> {
        match self.read_upto(offset, dst)? {
            n if n == dst.len() => Ok(()),
            _ => Err(EFAULT),
        }
    }

    /// Like `read`, but a fault after some bytes is not an error: returns how many
    /// bytes were copied before the first inaccessible page (`EFAULT` only for none).
    pub fn read_upto(&self, offset: usize, dst: &mut [u8]) -> Result<usize, Errno> {
        if offset.checked_add(dst.len()).is_none_or(|e| e > self.len) {
            return Err(EFAULT);
        }
        copy_in(self.addr + offset, dst)
    }
}

impl UserSliceMut {
    pub fn new(addr: usize, len: usize) -> Result<Self, Errno> {
        check_range(addr, len)?;
        Ok(UserSliceMut { addr, len })
    }
    pub fn len(&self) -> usize {
        self.len
    }
    /// Copies `src` to `offset` bytes into this range.
    pub fn write(&self, offset: usize, src: &[u8]) -> Result<(), Errno> {
        match self.write_upto(offset, src)? {
            n if n == src.len() => Ok(()),
            _ => Err(EFAULT),
        }
    }

    /// Like `write`, but returns how many bytes went in before the first
    /// inaccessible page (`EFAULT` only for none).
    pub fn write_upto(&self, offset: usize, src: &[u8]) -> Result<usize, Errno> {
        if offset.checked_add(src.len()).is_none_or(|e| e > self.len) {
            return Err(EFAULT);
        }
        copy_out(self.addr + offset, src)
    }
}

/// Copies user memory from `addr` into `dst`: the bytes copied before the first page
/// that cannot be read, `EFAULT` if that is the first. `addr + dst.len()` has been
/// checked against the user half's end.
fn copy_in(addr: usize, dst: &mut [u8]) -> Result<usize, Errno> {
    let base = dst.as_mut_ptr();
    // One page, mapped as needed: a single pass of the copy loop.
    // SAFETY: `dst` holds its bytes; `addr..addr+len` is user memory below USER_END.
    if within_page(addr, dst.len()) && unsafe { usercopy::copy(base, addr as *const u8, dst.len()) }
    {
        return Ok(dst.len());
    }
    transfer(addr, dst.len(), Access::Read, |va, done, n| {
        // SAFETY: `dst` holds `done + n` bytes; `va..va+n` is user memory below USER_END.
        unsafe { usercopy::copy(base.add(done), va as *const u8, n) }
    })
}

/// Whether `[addr, addr+len)` lies in one page.
fn within_page(addr: usize, len: usize) -> bool {
    addr % PAGE_SIZE + len <= PAGE_SIZE
}

/// Copies `src` to user memory at `addr`; like `copy_in` otherwise.
fn copy_out(addr: usize, src: &[u8]) -> Result<usize, Errno> {
    let base = src.as_ptr();
    // SAFETY: as in `copy_in`.
    if within_page(addr, src.len()) && unsafe { usercopy::copy(addr as *mut u8, base, src.len()) } {
        return Ok(src.len());
    }
    transfer(addr, src.len(), Access::Write, |va, done, n| {
        // SAFETY: `src` holds `done + n` bytes; `va..va+n` is user memory below USER_END.
        unsafe { usercopy::copy(va as *mut u8, base.add(done), n) }
    })
}

/// How often one page is resolved and tried again before the copy gives up on it: a
/// resolved page faults again only if another thread unmapped or protected it meanwhile.
const PAGE_TRIES: usize = 3;

/// Runs `copy(user_va, bytes_done, n)` over `[addr, addr+len)` one page at a time; a
/// page whose copy faults is resolved as a user fault with `access` and tried again.
/// Returns the bytes done before the first page that stays inaccessible, `EFAULT` if
/// that is the first one.
#[inline(never)]
fn transfer(
    addr: usize,
    len: usize,
    access: Access,
    mut copy: impl FnMut(usize, usize, usize) -> bool,
) -> Result<usize, Errno> {
    let mut done = 0;
    while done < len {
        let va = addr + done;
        let n = (PAGE_SIZE - va % PAGE_SIZE).min(len - done);
        let mut tries = 0;
        while !copy(va, done, n) {
            tries += 1;
            if tries > PAGE_TRIES || !resolve(va, access) {
                return if done == 0 { Err(EFAULT) } else { Ok(done) };
            }
        }
        done += n;
    }
    Ok(done)
}

/// Makes the page of `va` usable for `access` as a fault of the program's would; false
/// if the program may not access it so.
#[inline(never)]
fn resolve(va: usize, access: Access) -> bool {
    let aspace = current().process.aspace();
    let ok = aspace.lock().handle_fault(va, access).is_ok();
    ok
}

/// Plain-old-data types that may be copied to and from user memory byte for byte.
///
/// # Safety
/// Implementors must have no padding-sensitive invariants, no pointers the kernel
/// follows, and be valid for every bit pattern.
pub unsafe trait Plain: Copy + 'static {}

macro_rules! plain {
    ($($t:ty),* $(,)?) => { $(
        // SAFETY: integer types and C structs of integers are valid for any bytes.
        unsafe impl Plain for $t {}
    )* };
}
plain!(u8, u16, u32, u64, usize, i32, i64, isize);
// SAFETY: arrays of 64-bit integers are valid for any bytes.
unsafe impl<const N: usize> Plain for [u64; N] {}
plain!([u8; 16], [usize; 2], [i32; 2], [i64; 4]);
use linux_raw_sys::general as g;
plain!(
    g::stat,
    g::timespec,
    g::iovec,
    g::pollfd,
    g::rlimit64,
    g::termios,
    g::winsize
);
plain!(
    g::kernel_sigaction,
    g::kernel_sigset_t,
    linux_raw_sys::system::new_utsname
);
plain!(
    g::__kernel_old_timeval,
    g::itimerval,
    g::timeval,
    g::statx,
    g::statfs,
    g::rusage,
    g::futex_waitv
);

fn as_bytes<T: Plain>(v: &T) -> &[u8] {
    // SAFETY: T is Plain, so viewing its storage as bytes is sound.
    unsafe { core::slice::from_raw_parts(v as *const T as *const u8, core::mem::size_of::<T>()) }
}

/// Reads a `T` from user address `addr`.
pub fn read_val<T: Plain>(addr: usize) -> Result<T, Errno> {
    let mut v = core::mem::MaybeUninit::<T>::zeroed();
    // SAFETY: zeroed memory is a valid T because T is Plain; we overwrite it fully.
    let bytes = unsafe {
        core::slice::from_raw_parts_mut(v.as_mut_ptr() as *mut u8, core::mem::size_of::<T>())
    };
    UserSlice::new(addr, bytes.len())?.read(0, bytes)?;
    // SAFETY: every byte was initialised above and any bit pattern is a valid T.
    Ok(unsafe { v.assume_init() })
}

/// Reads a `T` from user address `addr` into `v` (for large values: no copy of the
/// value on the way back).
pub fn read_into<T: Plain>(addr: usize, v: &mut T) -> Result<(), Errno> {
    // SAFETY: T is Plain: any bytes written into it leave a valid T.
    let bytes = unsafe {
        core::slice::from_raw_parts_mut(v as *mut T as *mut u8, core::mem::size_of::<T>())
    };
    UserSlice::new(addr, bytes.len())?.read(0, bytes)
}

/// Reads `dst.len()` consecutive `T`s from user address `addr` into `dst`.
pub fn read_slice<T: Plain>(addr: usize, dst: &mut [T]) -> Result<(), Errno> {
    let size = core::mem::size_of_val(dst);
    // SAFETY: T is Plain: any bytes written into the slice leave valid Ts.
    let bytes = unsafe { core::slice::from_raw_parts_mut(dst.as_mut_ptr() as *mut u8, size) };
    UserSlice::new(addr, size)?.read(0, bytes)
}

/// Reads `count` consecutive `T`s from user address `addr` in one copy (callers bound
/// `count`: iovecs, pollfds).
pub fn read_array<T: Plain>(addr: usize, count: usize) -> Result<Vec<T>, Errno> {
    let size = count.checked_mul(core::mem::size_of::<T>()).ok_or(EFAULT)?;
    let src = UserSlice::new(addr, size)?;
    let mut v: Vec<T> = Vec::new();
    v.try_reserve_exact(count)
        .map_err(|_| crate::errno::ENOMEM)?;
    // SAFETY: the spare capacity holds `size` bytes; every byte is written by the copy
    // before `set_len`, and any bit pattern is a valid `T` because `T` is Plain.
    unsafe {
        let bytes = core::slice::from_raw_parts_mut(v.as_mut_ptr() as *mut u8, size);
        src.read(0, bytes)?;
        v.set_len(count);
    }
    Ok(v)
}

/// Writes `items` to user address `addr` in one copy.
pub fn write_array<T: Plain>(addr: usize, items: &[T]) -> Result<(), Errno> {
    let size = core::mem::size_of_val(items);
    // SAFETY: T is Plain, so its storage may be viewed as bytes.
    let bytes = unsafe { core::slice::from_raw_parts(items.as_ptr() as *const u8, size) };
    UserSliceMut::new(addr, size)?.write(0, bytes)
}

/// Writes `v` to user address `addr`.
pub fn write_val<T: Plain>(addr: usize, v: &T) -> Result<(), Errno> {
    UserSliceMut::new(addr, core::mem::size_of::<T>())?.write(0, as_bytes(v))
}

/// Replaces the aligned `u32` at user address `addr` with `f(old)` in one atomic step
/// and returns `old`: user threads on other harts may change the word meanwhile
/// (FUTEX_WAKE_OP). EFAULT unless the word is writable.
pub fn update_u32_atomic(addr: usize, mut f: impl FnMut(u32) -> u32) -> Result<u32, Errno> {
    if !addr.is_multiple_of(4) {
        return Err(EFAULT);
    }
    check_range(addr, 4)?;
    let aspace = current().process.aspace();
    let mut aspace = aspace.lock();
    let page = aspace.page(addr, Access::Write).map_err(|_| EFAULT)?;
    // SAFETY: a `Write` lookup in this address space, whose lock is held (so no munmap
    // can free the frame meanwhile), returned the kernel alias of a page the program may
    // write; the word is aligned, so wholly inside it. User threads may access the word
    // at the same time, but only atomically here.
    let word = unsafe { AtomicU32::from_ptr((page + addr % PAGE_SIZE) as *mut u32) };
    Ok(
        match word.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| Some(f(v))) {
            Ok(v) | Err(v) => v,
        },
    )
}

/// Reads a NUL-terminated string of at most `max` bytes (ENAMETOOLONG beyond).
pub fn read_cstr(addr: usize, max: usize) -> Result<String, Errno> {
    let mut out = Vec::new();
    let mut va = addr;
    loop {
        let chunk = PAGE_SIZE - va % PAGE_SIZE;
        let mut buf = [0u8; 256];
        let n = chunk.min(buf.len());
        UserSlice::new(va, n)?.read(0, &mut buf[..n])?;
        if let Some(pos) = buf[..n].iter().position(|&b| b == 0) {
            if out.len() + pos > max {
                return Err(ENAMETOOLONG);
            }
            out.extend_from_slice(&buf[..pos]);
            return String::from_utf8(out).map_err(|_| crate::errno::EINVAL);
        }
        out.extend_from_slice(&buf[..n]);
        if out.len() > max {
            return Err(ENAMETOOLONG);
        }
        va += n;
    }
}

/// Reads a NULL-terminated array of user pointers (argv, envp).
pub fn read_ptr_array(addr: usize, max: usize) -> Result<Vec<usize>, Errno> {
    let mut out = Vec::new();
    loop {
        let p: usize = read_val(addr + out.len() * 8)?;
        if p == 0 {
            return Ok(out);
        }
        if out.len() >= max {
            return Err(crate::errno::E2BIG);
        }
        out.push(p);
    }
}

/// Where `read`-like operations put their bytes: user memory or a kernel buffer.
pub trait OutBuf {
    fn len(&self) -> usize;
    fn write_at(&mut self, offset: usize, src: &[u8]) -> Result<(), Errno>;
    /// Copies a prefix of `src`, stopping at a fault: the bytes copied, `EFAULT` if none.
    fn write_upto(&mut self, offset: usize, src: &[u8]) -> Result<usize, Errno> {
        self.write_at(offset, src).map(|()| src.len())
    }
}

/// Where `write`-like operations take their bytes from.
pub trait InBuf {
    fn len(&self) -> usize;
    fn read_at(&self, offset: usize, dst: &mut [u8]) -> Result<(), Errno>;
    /// Fills a prefix of `dst`, stopping at a fault: the bytes copied, `EFAULT` if none.
    fn read_upto(&self, offset: usize, dst: &mut [u8]) -> Result<usize, Errno> {
        self.read_at(offset, dst).map(|()| dst.len())
    }
}

impl OutBuf for UserSliceMut {
    fn len(&self) -> usize {
        self.len
    }
    fn write_at(&mut self, offset: usize, src: &[u8]) -> Result<(), Errno> {
        self.write(offset, src)
    }
    fn write_upto(&mut self, offset: usize, src: &[u8]) -> Result<usize, Errno> {
        UserSliceMut::write_upto(self, offset, src)
    }
}

impl InBuf for UserSlice {
    fn len(&self) -> usize {
        self.len
    }
    fn read_at(&self, offset: usize, dst: &mut [u8]) -> Result<(), Errno> {
        self.read(offset, dst)
    }
    fn read_upto(&self, offset: usize, dst: &mut [u8]) -> Result<usize, Errno> {
        UserSlice::read_upto(self, offset, dst)
    }
}

/// The buffers of a `readv`/`writev` call as one buffer: offset 0 is the start of
/// the first, and each buffer continues where the previous one ended. One `read` or
/// `write` over it is one call for the file (a pipe's `PIPE_BUF` atomicity, one wait).
pub struct UserIoVec<S> {
    segs: Vec<S>,
    len: usize,
}

impl<S> UserIoVec<S> {
    /// `segs` with their lengths; `len` is their sum.
    pub fn new(segs: Vec<S>, mut lens: impl Iterator<Item = usize>) -> Result<Self, Errno> {
        let len = lens
            .try_fold(0usize, |a, l| a.checked_add(l))
            .filter(|&l| l <= isize::MAX as usize);
        Ok(UserIoVec {
            segs,
            len: len.ok_or(crate::errno::EINVAL)?,
        })
    }
}

/// Runs `f(segment, offset_in_segment, range_of_bytes)` over the parts of
/// `[offset, offset+n)` that fall in each segment; stops at the first short copy.
fn each_seg<S>(
    segs: &[S],
    seg_len: impl Fn(&S) -> usize,
    offset: usize,
    n: usize,
    mut f: impl FnMut(&S, usize, core::ops::Range<usize>) -> Result<usize, Errno>,
) -> Result<usize, Errno> {
    let (mut start, mut done) = (0, 0);
    for seg in segs {
        let l = seg_len(seg);
        let pos = offset + done;
        if done < n && pos < start + l {
            let take = (start + l - pos).min(n - done);
            let got = match f(seg, pos - start, done..done + take) {
                Ok(got) => got,
                Err(e) if done == 0 => return Err(e),
                Err(_) => return Ok(done),
            };
            done += got;
            if got < take {
                return Ok(done);
            }
        }
        start += l;
    }
    Ok(done)
}

impl OutBuf for UserIoVec<UserSliceMut> {
    fn len(&self) -> usize {
        self.len
    }
    fn write_at(&mut self, offset: usize, src: &[u8]) -> Result<(), Errno> {
        match self.write_upto(offset, src)? {
            n if n == src.len() => Ok(()),
            _ => Err(EFAULT),
        }
    }
    fn write_upto(&mut self, offset: usize, src: &[u8]) -> Result<usize, Errno> {
        each_seg(
            &self.segs,
            |s| s.len(),
            offset,
            src.len(),
            |s, at, r| s.write_upto(at, &src[r]),
        )
    }
}

impl InBuf for UserIoVec<UserSlice> {
    fn len(&self) -> usize {
        self.len
    }
    fn read_at(&self, offset: usize, dst: &mut [u8]) -> Result<(), Errno> {
        match self.read_upto(offset, dst)? {
            n if n == dst.len() => Ok(()),
            _ => Err(EFAULT),
        }
    }
    fn read_upto(&self, offset: usize, dst: &mut [u8]) -> Result<usize, Errno> {
        each_seg(
            &self.segs,
            |s| s.len(),
            offset,
            dst.len(),
            |s, at, r| s.read_upto(at, &mut dst[r]),
        )
    }
}

impl OutBuf for &mut [u8] {
    fn len(&self) -> usize {
        <[u8]>::len(self)
    }
    fn write_at(&mut self, offset: usize, src: &[u8]) -> Result<(), Errno> {
        self.get_mut(offset..offset + src.len())
            .ok_or(EFAULT)?
            .copy_from_slice(src);
        Ok(())
    }
}

impl InBuf for &[u8] {
    fn len(&self) -> usize {
        <[u8]>::len(self)
    }
    fn read_at(&self, offset: usize, dst: &mut [u8]) -> Result<(), Errno> {
        dst.copy_from_slice(self.get(offset..offset + dst.len()).ok_or(EFAULT)?);
        Ok(())
    }
}

/// Turns a user handler address into the `Option<fn>` field of linux-raw-sys's
/// `kernel_sigaction`, which is only copied back to user space.
pub fn handler_from_addr(addr: usize) -> linux_raw_sys::general::__kernel_sighandler_t {
    // SAFETY: Option<fn> has the layout of a nullable pointer; the value is never called
    // by the kernel, only copied to user memory.
    unsafe { core::mem::transmute::<usize, linux_raw_sys::general::__kernel_sighandler_t>(addr) }
}

/// A zero-filled value of a plain-data type (for building ABI structs field by field).
pub fn zeroed<T: Plain>() -> T {
    // SAFETY: every bit pattern, including all zeros, is a valid `Plain` value.
    unsafe { core::mem::zeroed() }
}
