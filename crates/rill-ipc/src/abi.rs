//! Numbers and structure layouts of the System V IPC ABI, as Linux defines them for 64-bit
//! architectures using the generic headers (riscv64 among them). Structures are encoded to and
//! decoded from the exact bytes user space sees, so the kernel needs no `unsafe` to copy them.

/// The key that always creates a new object.
pub const IPC_PRIVATE: i32 = 0;
/// `*get` flag: create the object if the key has none.
pub const IPC_CREAT: u32 = 0o1000;
/// With [`IPC_CREAT`]: fail with `EEXIST` if the key already has an object.
pub const IPC_EXCL: u32 = 0o2000;
/// Fail with `EAGAIN`/`ENOMSG` instead of waiting.
pub const IPC_NOWAIT: u32 = 0o4000;

/// `*ctl` command: remove the object.
pub const IPC_RMID: i32 = 0;
/// `*ctl` command: set owner, mode (and the queue size for messages).
pub const IPC_SET: i32 = 1;
/// `*ctl` command: read the object's `*id_ds`.
pub const IPC_STAT: i32 = 2;
/// `*ctl` command: read the system limits.
pub const IPC_INFO: i32 = 3;

/// `msgctl` command: `IPC_STAT` by table index rather than id.
pub const MSG_STAT: i32 = 11;
/// `msgctl` command: `IPC_INFO` with current usage instead of limits.
pub const MSG_INFO: i32 = 12;
/// `msgctl` command: `MSG_STAT` without the read-permission check.
pub const MSG_STAT_ANY: i32 = 13;

/// `msgrcv` flag: truncate a message longer than the buffer instead of failing with `E2BIG`.
pub const MSG_NOERROR: u32 = 0o10000;
/// `msgrcv` flag: with a positive type, take the first message *not* of that type.
pub const MSG_EXCEPT: u32 = 0o20000;
/// `msgrcv` flag: copy the message at position `msgtyp` without removing it.
pub const MSG_COPY: u32 = 0o40000;

/// Largest message text (`/proc/sys/kernel/msgmax`).
pub const MSGMAX: usize = 8192;
/// Default bytes a queue may hold (`/proc/sys/kernel/msgmnb`).
pub const MSGMNB: usize = 16384;
/// Most message queues (`/proc/sys/kernel/msgmni`).
pub const MSGMNI: usize = 32000;
/// Message segment size reported by `IPC_INFO` (a historical constant).
pub const MSGSSZ: i32 = 16;
/// `IPC_INFO`'s msgpool: kilobytes of the message pool.
pub const MSGPOOL: i32 = (MSGMNI * MSGMNB / 1024) as i32;
/// `IPC_INFO`'s msgtql and msgmap.
pub const MSGTQL: i32 = MSGMNB as i32;
/// `IPC_INFO`'s msgseg: the segment count, capped at 0xffff.
pub const MSGSEG: u16 = {
    let segs = MSGPOOL as usize * 1024 / MSGSSZ as usize;
    if segs <= 0xffff {
        segs as u16
    } else {
        0xffff
    }
};

/// `semop` flag: undo the operation when the process exits.
pub const SEM_UNDO: u32 = 0x1000;
/// Largest semaphore value.
pub const SEMVMX: i32 = 32767;
/// Largest undo adjustment.
pub const SEMAEM: i32 = SEMVMX;
/// Most semaphores in a set.
pub const SEMMSL: usize = 32000;
/// Most semaphore sets.
pub const SEMMNI: usize = 32000;
/// Most semaphores in all sets.
pub const SEMMNS: usize = SEMMNI * SEMMSL;
/// Most operations in one `semop` call.
pub const SEMOPM: usize = 500;
/// `IPC_INFO`'s semusz (size of an undo structure, historical).
pub const SEMUSZ: i32 = 20;

/// `semctl` command: the pid of the last operation on a semaphore.
pub const GETPID: i32 = 11;
/// `semctl` command: one value.
pub const GETVAL: i32 = 12;
/// `semctl` command: every value.
pub const GETALL: i32 = 13;
/// `semctl` command: waiters for a decrement.
pub const GETNCNT: i32 = 14;
/// `semctl` command: waiters for zero.
pub const GETZCNT: i32 = 15;
/// `semctl` command: set one value.
pub const SETVAL: i32 = 16;
/// `semctl` command: set every value.
pub const SETALL: i32 = 17;
/// `semctl` command: `IPC_STAT` by table index.
pub const SEM_STAT: i32 = 18;
/// `semctl` command: `IPC_INFO` with current usage.
pub const SEM_INFO: i32 = 19;
/// `semctl` command: `SEM_STAT` without the read-permission check.
pub const SEM_STAT_ANY: i32 = 20;

fn put(buf: &mut [u8], off: usize, bytes: &[u8]) {
    buf[off..off + bytes.len()].copy_from_slice(bytes);
}

fn get4(buf: &[u8], off: usize) -> [u8; 4] {
    let mut b = [0; 4];
    b.copy_from_slice(&buf[off..off + 4]);
    b
}

fn get8(buf: &[u8], off: usize) -> [u8; 8] {
    let mut b = [0; 8];
    b.copy_from_slice(&buf[off..off + 8]);
    b
}

/// `struct ipc64_perm`: who owns an object and who may use it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ipc64Perm {
    /// The key the object was created with (0 once removed, or for `IPC_PRIVATE`).
    pub key: i32,
    /// Owner user id.
    pub uid: u32,
    /// Owner group id.
    pub gid: u32,
    /// Creator user id.
    pub cuid: u32,
    /// Creator group id.
    pub cgid: u32,
    /// Permission bits (the low 9 bits of the `*get` flags), plus `SHM_DEST`-style flags.
    pub mode: u32,
    /// Sequence number of the table slot (the id's high part).
    pub seq: u16,
}

impl Ipc64Perm {
    /// Size of `struct ipc64_perm`.
    pub const SIZE: usize = 48;
    const OFF_MODE: usize = 20;

    /// Writes the structure's bytes at the start of `buf` (at least [`Self::SIZE`] bytes).
    pub fn encode(&self, buf: &mut [u8]) {
        put(buf, 0, &self.key.to_ne_bytes());
        put(buf, 4, &self.uid.to_ne_bytes());
        put(buf, 8, &self.gid.to_ne_bytes());
        put(buf, 12, &self.cuid.to_ne_bytes());
        put(buf, 16, &self.cgid.to_ne_bytes());
        put(buf, Self::OFF_MODE, &self.mode.to_ne_bytes());
        put(buf, 24, &self.seq.to_ne_bytes());
    }

    /// Reads the fields `IPC_SET` takes (uid, gid, mode) from the start of `buf`.
    pub fn decode_settable(buf: &[u8]) -> (u32, u32, u32) {
        (
            u32::from_ne_bytes(get4(buf, 4)),
            u32::from_ne_bytes(get4(buf, 8)),
            u32::from_ne_bytes(get4(buf, Self::OFF_MODE)),
        )
    }
}

/// `struct msqid64_ds`: a message queue as `msgctl(IPC_STAT)` reports it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MsqidDs {
    /// Ownership and permissions.
    pub perm: Ipc64Perm,
    /// Time of the last `msgsnd` (seconds since 1970; 0 if none).
    pub stime: i64,
    /// Time of the last `msgrcv`.
    pub rtime: i64,
    /// Time of creation or the last `IPC_SET`.
    pub ctime: i64,
    /// Bytes of message text in the queue.
    pub cbytes: u64,
    /// Messages in the queue.
    pub qnum: u64,
    /// Most bytes of text the queue may hold.
    pub qbytes: u64,
    /// Process of the last `msgsnd`.
    pub lspid: i32,
    /// Process of the last `msgrcv`.
    pub lrpid: i32,
}

impl MsqidDs {
    /// Size of `struct msqid64_ds`.
    pub const SIZE: usize = 120;
    const OFF_QBYTES: usize = 88;

    /// The structure's bytes.
    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut b = [0; Self::SIZE];
        self.perm.encode(&mut b);
        put(&mut b, 48, &self.stime.to_ne_bytes());
        put(&mut b, 56, &self.rtime.to_ne_bytes());
        put(&mut b, 64, &self.ctime.to_ne_bytes());
        put(&mut b, 72, &self.cbytes.to_ne_bytes());
        put(&mut b, 80, &self.qnum.to_ne_bytes());
        put(&mut b, Self::OFF_QBYTES, &self.qbytes.to_ne_bytes());
        put(&mut b, 96, &self.lspid.to_ne_bytes());
        put(&mut b, 100, &self.lrpid.to_ne_bytes());
        b
    }

    /// What `IPC_SET` reads: (uid, gid, mode, qbytes).
    pub fn decode_settable(buf: &[u8; Self::SIZE]) -> (u32, u32, u32, u64) {
        let (uid, gid, mode) = Ipc64Perm::decode_settable(buf);
        let qbytes = u64::from_ne_bytes(get8(buf, Self::OFF_QBYTES));
        (uid, gid, mode, qbytes)
    }
}

/// `struct msginfo`: the limits (`IPC_INFO`) or the usage (`MSG_INFO`) of message queues.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MsgInfo {
    /// Pool size in KiB (`IPC_INFO`), or queues in use (`MSG_INFO`).
    pub msgpool: i32,
    /// Message map entries (`IPC_INFO`), or messages queued in all queues (`MSG_INFO`).
    pub msgmap: i32,
    /// Largest message.
    pub msgmax: i32,
    /// Default queue size in bytes.
    pub msgmnb: i32,
    /// Most queues.
    pub msgmni: i32,
    /// Segment size.
    pub msgssz: i32,
    /// Most messages (`IPC_INFO`), or bytes queued in all queues (`MSG_INFO`).
    pub msgtql: i32,
    /// Segment count.
    pub msgseg: u16,
}

impl MsgInfo {
    /// Size of `struct msginfo` (with its trailing padding).
    pub const SIZE: usize = 32;

    /// The structure's bytes.
    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut b = [0; Self::SIZE];
        let ints = [
            self.msgpool,
            self.msgmap,
            self.msgmax,
            self.msgmnb,
            self.msgmni,
            self.msgssz,
            self.msgtql,
        ];
        for (i, v) in ints.iter().enumerate() {
            put(&mut b, 4 * i, &v.to_ne_bytes());
        }
        put(&mut b, 28, &self.msgseg.to_ne_bytes());
        b
    }
}

/// `struct semid64_ds`: a semaphore set as `semctl(IPC_STAT)` reports it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SemidDs {
    /// Ownership and permissions.
    pub perm: Ipc64Perm,
    /// Time of the last `semop` (0 if none).
    pub otime: i64,
    /// Time of creation or the last change by `semctl`.
    pub ctime: i64,
    /// Semaphores in the set.
    pub nsems: u64,
}

impl SemidDs {
    /// Size of `struct semid64_ds`.
    pub const SIZE: usize = 88;

    /// The structure's bytes.
    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut b = [0; Self::SIZE];
        self.perm.encode(&mut b);
        put(&mut b, 48, &self.otime.to_ne_bytes());
        put(&mut b, 56, &self.ctime.to_ne_bytes());
        put(&mut b, 64, &self.nsems.to_ne_bytes());
        b
    }
}

/// `struct seminfo`: the limits (`IPC_INFO`) or the usage (`SEM_INFO`) of semaphores.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SemInfo {
    /// Entries in the semaphore map.
    pub semmap: i32,
    /// Most sets.
    pub semmni: i32,
    /// Most semaphores in all sets.
    pub semmns: i32,
    /// Most undo structures.
    pub semmnu: i32,
    /// Most semaphores in a set.
    pub semmsl: i32,
    /// Most operations per call.
    pub semopm: i32,
    /// Most undo entries per process.
    pub semume: i32,
    /// Undo structure size (`IPC_INFO`), or sets in use (`SEM_INFO`).
    pub semusz: i32,
    /// Largest value.
    pub semvmx: i32,
    /// Largest adjustment (`IPC_INFO`), or semaphores in use (`SEM_INFO`).
    pub semaem: i32,
}

impl SemInfo {
    /// Size of `struct seminfo`.
    pub const SIZE: usize = 40;

    /// The structure's bytes.
    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut b = [0; Self::SIZE];
        let ints = [
            self.semmap,
            self.semmni,
            self.semmns,
            self.semmnu,
            self.semmsl,
            self.semopm,
            self.semume,
            self.semusz,
            self.semvmx,
            self.semaem,
        ];
        for (i, v) in ints.iter().enumerate() {
            put(&mut b, 4 * i, &v.to_ne_bytes());
        }
        b
    }
}

/// `shmget` flag: huge pages (Rill has none, so it refuses them).
pub const SHM_HUGETLB: u32 = 0o4000;
/// `shmget` flag: do not reserve swap (accepted; Rill has no swap).
pub const SHM_NORESERVE: u32 = 0o10000;
/// `shmat` flag: attach read-only.
pub const SHM_RDONLY: u32 = 0o10000;
/// `shmat` flag: round the address down to SHMLBA.
pub const SHM_RND: u32 = 0o20000;
/// `shmat` flag: replace what is mapped at the address.
pub const SHM_REMAP: u32 = 0o40000;
/// `shmat` flag: executable attachment.
pub const SHM_EXEC: u32 = 0o100000;
/// Mode bit: the segment was removed and goes with its last detach.
pub const SHM_DEST: u32 = 0o1000;
/// Mode bit: the segment is locked in memory.
pub const SHM_LOCKED: u32 = 0o2000;
/// `shmctl` command: lock the segment in memory.
pub const SHM_LOCK: i32 = 11;
/// `shmctl` command: unlock it.
pub const SHM_UNLOCK: i32 = 12;
/// `shmctl` command: `IPC_STAT` by table index.
pub const SHM_STAT: i32 = 13;
/// `shmctl` command: usage (`struct shm_info`).
pub const SHM_INFO: i32 = 14;
/// `shmctl` command: `SHM_STAT` without the read-permission check.
pub const SHM_STAT_ANY: i32 = 15;
/// Smallest segment.
pub const SHMMIN: usize = 1;
/// Most segments.
pub const SHMMNI: usize = 4096;
/// Largest segment, and the most pages in all segments (Linux's "unlimited").
pub const SHMMAX: u64 = u64::MAX - (1 << 24);
/// Most pages in all segments.
pub const SHMALL: u64 = u64::MAX - (1 << 24);

/// `struct shmid64_ds`: a segment as `shmctl(IPC_STAT)` reports it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShmidDs {
    /// Ownership and permissions (with `SHM_DEST` and `SHM_LOCKED` in the mode).
    pub perm: Ipc64Perm,
    /// Size in bytes, as asked for.
    pub segsz: u64,
    /// Time of the last attach.
    pub atime: i64,
    /// Time of the last detach.
    pub dtime: i64,
    /// Time of creation or the last change by `shmctl`.
    pub ctime: i64,
    /// Creator's pid.
    pub cpid: i32,
    /// Pid of the last attach or detach.
    pub lpid: i32,
    /// Attachments.
    pub nattch: u64,
}

impl ShmidDs {
    /// Size of `struct shmid64_ds`.
    pub const SIZE: usize = 112;

    /// The structure's bytes.
    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut b = [0; Self::SIZE];
        self.perm.encode(&mut b);
        put(&mut b, 48, &self.segsz.to_ne_bytes());
        put(&mut b, 56, &self.atime.to_ne_bytes());
        put(&mut b, 64, &self.dtime.to_ne_bytes());
        put(&mut b, 72, &self.ctime.to_ne_bytes());
        put(&mut b, 80, &self.cpid.to_ne_bytes());
        put(&mut b, 84, &self.lpid.to_ne_bytes());
        put(&mut b, 88, &self.nattch.to_ne_bytes());
        b
    }
}

/// `struct shminfo64`: the limits `shmctl(IPC_INFO)` reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShmInfo64 {
    /// Largest segment.
    pub shmmax: u64,
    /// Smallest segment.
    pub shmmin: u64,
    /// Most segments.
    pub shmmni: u64,
    /// Most attachments per process.
    pub shmseg: u64,
    /// Most pages in all segments.
    pub shmall: u64,
}

impl ShmInfo64 {
    /// Size of `struct shminfo64`.
    pub const SIZE: usize = 72;

    /// The structure's bytes.
    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut b = [0; Self::SIZE];
        for (i, v) in [
            self.shmmax,
            self.shmmin,
            self.shmmni,
            self.shmseg,
            self.shmall,
        ]
        .iter()
        .enumerate()
        {
            put(&mut b, 8 * i, &v.to_ne_bytes());
        }
        b
    }
}

/// `struct shm_info`: what `shmctl(SHM_INFO)` reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShmUsage {
    /// Segments in use.
    pub used_ids: i32,
    /// Pages in all segments.
    pub shm_tot: u64,
    /// Pages resident.
    pub shm_rss: u64,
}

impl ShmUsage {
    /// Size of `struct shm_info`.
    pub const SIZE: usize = 48;

    /// The structure's bytes (swap counters are zero).
    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut b = [0; Self::SIZE];
        put(&mut b, 0, &self.used_ids.to_ne_bytes());
        put(&mut b, 8, &self.shm_tot.to_ne_bytes());
        put(&mut b, 16, &self.shm_rss.to_ne_bytes());
        b
    }
}
