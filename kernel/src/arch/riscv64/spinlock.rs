//! The kernel's spin lock: a test-and-set on a whole 64-bit word, so taking it is one
//! `amoswap.d` and releasing it one store. spin's test-and-set lock works on a byte,
//! which riscv can only reach with a masked word atomic and shifts; a ticket lock is as
//! short but makes every waiter queue behind one whose virtual hart the host has
//! descheduled. A full word also keeps the value 8-byte aligned: after a smaller lock a
//! record of 4-byte fields sits off the word boundary, and copying it (as building a
//! process record does) takes memcpy's slow misaligned path. Like spin's, the lock is
//! not fair and does not mask interrupts.

use core::cell::UnsafeCell;
use core::fmt;
use core::marker::PhantomData;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicUsize, Ordering};

pub struct Mutex<T: ?Sized> {
    locked: AtomicUsize,
    data: UnsafeCell<T>,
}

// SAFETY: the lock hands out access to `data` to one holder at a time, so sharing the
// lock between harts only ever moves the value between them: `T: Send` is enough.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}
// SAFETY: as above; the lock owns its value.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}

/// Access to the value of a held lock; dropping it releases the lock.
pub struct MutexGuard<'a, T: ?Sized> {
    lock: &'a Mutex<T>,
    /// Shared between harts only if `T` may be (as `&mut T` would be).
    _access: PhantomData<&'a mut T>,
}

impl<T> Mutex<T> {
    pub const fn new(value: T) -> Self {
        Mutex {
            locked: AtomicUsize::new(0),
            data: UnsafeCell::new(value),
        }
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Takes the lock, spinning while another holder has it.
    #[inline(always)]
    pub fn lock(&self) -> MutexGuard<'_, T> {
        // Acquire: what the previous holder wrote before releasing is seen here.
        if self.locked.swap(1, Ordering::Acquire) != 0 {
            self.lock_contended();
        }
        MutexGuard {
            lock: self,
            _access: PhantomData,
        }
    }

    /// Waits with plain loads (no write traffic) until the lock looks free, then tries.
    #[cold]
    fn lock_contended(&self) {
        loop {
            while self.locked.load(Ordering::Relaxed) != 0 {
                core::hint::spin_loop();
            }
            if self.locked.swap(1, Ordering::Acquire) == 0 {
                return;
            }
        }
    }

    /// Takes the lock if it is free.
    #[inline]
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        (self.locked.swap(1, Ordering::Acquire) == 0).then_some(MutexGuard {
            lock: self,
            _access: PhantomData,
        })
    }

    /// The value, through exclusive access to the lock itself (no locking needed).
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.try_lock() {
            Some(guard) => f.debug_struct("Mutex").field("data", &&*guard).finish(),
            None => f.write_str("Mutex { <locked> }"),
        }
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard exists only while this holder has the lock.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard exists only while this holder has the lock.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    #[inline(always)]
    fn drop(&mut self) {
        // Release: everything written under the lock is seen by the next holder.
        self.lock.locked.store(0, Ordering::Release);
    }
}
