//! The System V IPC limits root may change at run time through /proc/sys/kernel
//! (msgmax, msgmnb, msgmni, sem, shmmax, shmall, shmmni), with Linux's defaults and Linux's bounds on what may be
//! written.

use crate::errno::{SysResult, EINVAL};
use alloc::format;
use alloc::string::String;
use core::sync::atomic::AtomicU64;
use core::sync::atomic::{AtomicUsize, Ordering};
use rill_ipc::abi::{
    MSGMAX, MSGMNB, MSGMNI, SEMMNI, SEMMNS, SEMMSL, SEMOPM, SHMALL, SHMMAX, SHMMNI,
};
use rill_ipc::IPCMNI;

static MSG_MAX: AtomicUsize = AtomicUsize::new(MSGMAX);
static MSG_MNB: AtomicUsize = AtomicUsize::new(MSGMNB);
static MSG_MNI: AtomicUsize = AtomicUsize::new(MSGMNI);
static SHM_MAX: AtomicU64 = AtomicU64::new(SHMMAX);
static SHM_ALL: AtomicU64 = AtomicU64::new(SHMALL);
static SHM_MNI: AtomicUsize = AtomicUsize::new(SHMMNI);
/// semmsl, semmns, semopm, semmni: the four numbers of /proc/sys/kernel/sem.
static SEM: [AtomicUsize; 4] = [
    AtomicUsize::new(SEMMSL),
    AtomicUsize::new(SEMMNS),
    AtomicUsize::new(SEMOPM),
    AtomicUsize::new(SEMMNI),
];

/// Largest message text.
pub fn msgmax() -> usize {
    MSG_MAX.load(Ordering::Relaxed)
}

/// A new queue's byte limit, and the most an unprivileged IPC_SET may give one.
pub fn msgmnb() -> usize {
    MSG_MNB.load(Ordering::Relaxed)
}

/// Most message queues.
pub fn msgmni() -> usize {
    MSG_MNI.load(Ordering::Relaxed)
}

/// Largest shared memory segment.
pub fn shmmax() -> u64 {
    SHM_MAX.load(Ordering::Relaxed)
}

/// Most pages in all segments.
pub fn shmall() -> u64 {
    SHM_ALL.load(Ordering::Relaxed)
}

/// Most segments.
pub fn shmmni() -> usize {
    SHM_MNI.load(Ordering::Relaxed)
}

/// Most semaphores in a set.
pub fn semmsl() -> usize {
    SEM[0].load(Ordering::Relaxed)
}

/// Most semaphores in all sets.
pub fn semmns() -> usize {
    SEM[1].load(Ordering::Relaxed)
}

/// Most operations in one semop call.
pub fn semopm() -> usize {
    SEM[2].load(Ordering::Relaxed)
}

/// Most semaphore sets.
pub fn semmni() -> usize {
    SEM[3].load(Ordering::Relaxed)
}

/// A tunable file of /proc/sys/kernel.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tunable {
    MsgMax,
    MsgMnb,
    MsgMni,
    Sem,
    ShmMax,
    ShmAll,
    ShmMni,
}

impl Tunable {
    /// The tunables by file name.
    pub const ALL: [(&'static str, Tunable); 7] = [
        ("msgmax", Tunable::MsgMax),
        ("msgmnb", Tunable::MsgMnb),
        ("msgmni", Tunable::MsgMni),
        ("sem", Tunable::Sem),
        ("shmall", Tunable::ShmAll),
        ("shmmax", Tunable::ShmMax),
        ("shmmni", Tunable::ShmMni),
    ];

    /// The file's text.
    pub fn read(self) -> String {
        match self {
            Tunable::MsgMax => format!("{}\n", msgmax()),
            Tunable::MsgMnb => format!("{}\n", msgmnb()),
            Tunable::MsgMni => format!("{}\n", msgmni()),
            Tunable::Sem => format!("{}\t{}\t{}\t{}\n", semmsl(), semmns(), semopm(), semmni()),
            Tunable::ShmMax => format!("{}\n", shmmax()),
            Tunable::ShmAll => format!("{}\n", shmall()),
            Tunable::ShmMni => format!("{}\n", shmmni()),
        }
    }

    /// A write of `text`: whitespace-separated decimal integers, each in Linux's range
    /// (0..=INT_MAX; the table sizes at most IPCMNI), else EINVAL and nothing changes.
    pub fn write(self, text: &[u8]) -> SysResult<()> {
        let text = core::str::from_utf8(text).map_err(|_| EINVAL)?;
        // shmmax and shmall are unsigned longs (proc_doulongvec_minmax).
        if let Tunable::ShmMax | Tunable::ShmAll = self {
            let mut words = text.split_ascii_whitespace();
            let v: u64 = words.next().and_then(|w| w.parse().ok()).ok_or(EINVAL)?;
            let slot = if self == Tunable::ShmMax {
                &SHM_MAX
            } else {
                &SHM_ALL
            };
            slot.store(v, Ordering::Relaxed);
            return Ok(());
        }
        let mut numbers = text.split_ascii_whitespace().map(|w| {
            w.parse::<i64>()
                .ok()
                .filter(|&n| (0..=i32::MAX as i64).contains(&n))
                .map(|n| n as usize)
                .ok_or(EINVAL)
        });
        match self {
            Tunable::Sem => {
                let mut values = [0usize; 4];
                for v in values.iter_mut() {
                    *v = numbers.next().ok_or(EINVAL)??;
                }
                if values[3] > IPCMNI {
                    return Err(EINVAL);
                }
                for (slot, v) in SEM.iter().zip(values) {
                    slot.store(v, Ordering::Relaxed);
                }
            }
            one => {
                let v = numbers.next().ok_or(EINVAL)??;
                let (slot, max) = match one {
                    Tunable::MsgMax => (&MSG_MAX, usize::MAX),
                    Tunable::MsgMnb => (&MSG_MNB, usize::MAX),
                    Tunable::ShmMni => (&SHM_MNI, IPCMNI),
                    _ => (&MSG_MNI, IPCMNI),
                };
                if v > max {
                    return Err(EINVAL);
                }
                slot.store(v, Ordering::Relaxed);
            }
        }
        Ok(())
    }
}
