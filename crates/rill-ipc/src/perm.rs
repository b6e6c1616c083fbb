//! Who may use a System V IPC object: Linux's `ipcperms` and the owner-or-creator rule of
//! `IPC_SET` and `IPC_RMID`.

pub use crate::abi::Ipc64Perm as IpcPerm;

/// The credentials of the calling process that IPC permission checks look at.
#[derive(Clone, Copy, Debug)]
pub struct Cred {
    /// Effective user id.
    pub euid: u32,
    /// Effective group id.
    pub egid: u32,
    /// Holds the capabilities that override IPC permissions (`CAP_IPC_OWNER` for access,
    /// `CAP_SYS_ADMIN` for control): root, in Rill.
    pub privileged: bool,
    /// Whether the caller has this supplementary group (setgroups): with the effective
    /// gid, what Linux's `in_group_p` asks. Checks run for the calling process, so the
    /// kernel answers from its current group list.
    pub in_supplementary: fn(u32) -> bool,
}

impl Cred {
    /// The credentials of `euid`/`egid` without supplementary groups; root (uid 0) is
    /// privileged.
    pub fn new(euid: u32, egid: u32) -> Cred {
        Cred {
            euid,
            egid,
            privileged: euid == 0,
            in_supplementary: |_| false,
        }
    }

    /// Linux's `in_group_p`: the effective gid or a supplementary group.
    pub fn in_group(&self, gid: u32) -> bool {
        self.egid == gid || (self.in_supplementary)(gid)
    }
}

/// The access a call asks for, as permission bits (any of the owner, group or other
/// positions; only the `rwx` pattern matters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access(pub u32);

impl Access {
    /// Reading: `msgrcv`, `IPC_STAT`, attaching read-only.
    pub const READ: Access = Access(0o444);
    /// Writing: `msgsnd`, altering semaphores.
    pub const WRITE: Access = Access(0o222);
    /// Reading and writing: attaching shared memory for both.
    pub const READ_WRITE: Access = Access(0o666);
}

impl IpcPerm {
    /// A new object's permissions: owned and created by `cred`, with the permission bits of
    /// `flags` (the `*get` call's flag word).
    pub fn new(key: i32, cred: Cred, flags: u32) -> IpcPerm {
        IpcPerm {
            key,
            uid: cred.euid,
            gid: cred.egid,
            cuid: cred.euid,
            cgid: cred.egid,
            mode: flags & 0o777,
            seq: 0,
        }
    }

    /// Linux's `ipcperms`: the owner (or creator) is judged by the owner bits, a member of the
    /// owner's or creator's group by the group bits, everyone else by the other bits; the
    /// privileged pass regardless.
    pub fn permits(&self, cred: Cred, want: Access) -> bool {
        let requested = (want.0 >> 6) | (want.0 >> 3) | want.0;
        let mut granted = self.mode;
        if cred.euid == self.cuid || cred.euid == self.uid {
            granted >>= 6;
        } else if cred.in_group(self.cgid) || cred.in_group(self.gid) {
            granted >>= 3;
        }
        requested & !granted & 0o7 == 0 || cred.privileged
    }

    /// Whether `cred` may change or remove the object: its owner, its creator, or the
    /// privileged (`EPERM` otherwise).
    pub fn may_control(&self, cred: Cred) -> bool {
        cred.euid == self.cuid || cred.euid == self.uid || cred.privileged
    }

    /// `IPC_SET`: new owner and permission bits; the other mode bits stay.
    pub fn set(&mut self, uid: u32, gid: u32, mode: u32) {
        self.uid = uid;
        self.gid = gid;
        self.mode = (self.mode & !0o777) | (mode & 0o777);
    }
}
