//! Copies from the current address space's user memory straight into another address
//! space's (a pipe writer filling the buffer of a reader asleep in another process): the
//! bytes move once instead of twice through a kernel buffer. Both pages are looked up as
//! `uaccess` does, so a bad address on either side is reported, never a kernel fault.

use super::aspace::{Access, AddressSpace};
use super::{PAGE_SIZE, USER_END};
use crate::arch::spinlock::Mutex;
use alloc::sync::Arc;

/// The side a copy between address spaces could not reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unreachable {
    Source,
    Destination,
}

/// Copies `len` bytes from user address `src` of the current address space to user
/// address `dst` of `to` (which may be the current one). Returns the bytes copied and,
/// when that is fewer than `len`, the side whose next page could not be reached.
pub fn copy_to(
    to: &Arc<Mutex<AddressSpace>>,
    dst: usize,
    src: usize,
    len: usize,
) -> (usize, Option<Unreachable>) {
    let in_user = |addr: usize| addr.checked_add(len).is_some_and(|end| end <= USER_END);
    if !in_user(src) {
        return (0, Some(Unreachable::Source));
    }
    if !in_user(dst) {
        return (0, Some(Unreachable::Destination));
    }
    let from = crate::task::current().process.aspace();
    if Arc::ptr_eq(&from, to) {
        return copy_pages(&mut from.lock(), None, dst, src, len);
    }
    // Both locks, taken in address order: two copies in opposite directions at once on
    // two harts cannot deadlock.
    if Arc::as_ptr(&from) < Arc::as_ptr(to) {
        let mut source = from.lock();
        let mut target = to.lock();
        copy_pages(&mut source, Some(&mut target), dst, src, len)
    } else {
        let mut target = to.lock();
        let mut source = from.lock();
        copy_pages(&mut source, Some(&mut target), dst, src, len)
    }
}

/// The copy, page by page, from `source` into `target` (None: `source` itself).
#[inline(always)]
fn copy_pages(
    source: &mut AddressSpace,
    mut target: Option<&mut AddressSpace>,
    dst: usize,
    src: usize,
    len: usize,
) -> (usize, Option<Unreachable>) {
    let mut done = 0;
    while done < len {
        let (s, d) = (src + done, dst + done);
        // The destination first: in one address space, making its page writable may
        // replace a copy-on-write frame the source address also maps, and a source
        // lookup made afterwards sees the new frame.
        let dst_page = match target.as_deref_mut() {
            Some(t) => t.page(d, Access::Write),
            None => source.page(d, Access::Write),
        };
        let Ok(dst_page) = dst_page else {
            return (done, Some(Unreachable::Destination));
        };
        let Ok(src_page) = source.page(s, Access::Read) else {
            return (done, Some(Unreachable::Source));
        };
        let (s_off, d_off) = (s % PAGE_SIZE, d % PAGE_SIZE);
        let n = (PAGE_SIZE - s_off).min(PAGE_SIZE - d_off).min(len - done);
        let (from, to) = (src_page + s_off, dst_page + d_off);
        // SAFETY: both are kernel aliases of user pages looked up just now in address
        // spaces whose locks are held, so the frames stay mapped: the source readable, the
        // destination writable by its address space (its own frame or a shared object's).
        // `n` stays inside both pages. The two may overlap only within one address space,
        // and then `copy` handles it.
        unsafe {
            if from + n <= to || to + n <= from {
                crate::arch::usercopy::copy_frames(to as *mut u8, from as *const u8, n);
            } else {
                core::ptr::copy(from as *const u8, to as *mut u8, n);
            }
        }
        done += n;
    }
    (done, None)
}
