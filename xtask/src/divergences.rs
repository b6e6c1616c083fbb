//! Known places where Linux user-mode emulation (qemu-riscv64) cannot stand in for a real
//! Linux kernel, so a test's Linux run is not a fair reference. Each entry names the test (as
//! `xtask test` prints it), says why, and how the harness judges that test instead.
//!
//! Keep this short and specific: an entry is a statement about qemu-user, never a way to
//! hide a Rill bug.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Do not run the test under qemu-riscv64; it passes if it exits 0 on Rill.
    RillStatusOnly,
}

pub struct Divergence {
    pub test: &'static str,
    pub reason: &'static str,
    pub policy: Policy,
}

/// The reason is printed in place of the Linux timing when the test passes. Each entry
/// was checked on a real Linux 6.1 kernel (../shared/linux-ref), where the test passes.
pub const DIVERGENCES: &[Divergence] = &[
    Divergence {
        test: "klog_syslog",
        reason: "qemu-user forwards syslog to the host, whose log may be closed to the container; it also answers a NULL or negative-length read EFAULT, Linux EINVAL",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "signalfd",
        reason: "qemu-user 7.2 accepts a signalfd4 mask size other than 8, Linux EINVAL",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "mm_areas",
        reason: "under qemu-user the host kernel's vm.max_map_count also counts qemu's own mappings",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "orphan",
        reason: "qemu-user 7.2 rejects prctl(PR_SET_CHILD_SUBREAPER) with EINVAL",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "execve",
        reason:
            "qemu-user execs /proc/self/exe through the host (needs binfmt_misc) and reverses envp",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "efault",
        reason: "qemu-user answers nanosleep with a bad request pointer EINVAL, Linux EFAULT",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "pipe_exec",
        reason: "qemu-user execs /proc/self/exe through the host (needs binfmt_misc)",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "pipe_badarg",
        reason: "qemu-user accepts unknown pipe2 flags, leaks fds when pipe2 faults, and fails partial copies with EFAULT",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "sig_order",
        reason: "qemu-user 7.2 ignores sa_mask while a handler runs and nests the handlers of all pending signals",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "sig_flags",
        reason: "qemu-user 7.2 ignores sa_mask in handlers and does not pass SA_NOCLDSTOP/SA_NOCLDWAIT to the host",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "thread_exec",
        reason: "qemu-user execs /proc/self/exe through the host (needs binfmt_misc)",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "thread_clone3",
        reason: "qemu-user 7.2 has no clone3 (ENOSYS)",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "thread_waitv",
        reason: "qemu-user 7.2 has no futex_waitv (ENOSYS)",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "sig_exec",
        reason: "qemu-user execs /proc/self/exe through the host (needs binfmt_misc)",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "proc_status",
        reason: "under qemu-user /proc/self/status describes the emulator, which ignores host signal 32",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "msg_handoff",
        reason: "qemu-user 7.2 checks msgrcv's buffer before taking the message, so a bad buffer leaves it queued (Linux 6.1 loses it, as the test expects)",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "msg_corners",
        reason: "qemu-user 7.2 lays out msqid_ds's msg_lspid/msg_lrpid as 8-byte fields (msg_lrpid reads 0) and checks msgrcv's buffer before taking the message",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "mq_corners",
        reason: "qemu-user 7.2 has no mq_notify (ENOSYS) and drops O_WRONLY|O_RDWR to a valid mode in mq_open",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "mq_rlimit",
        reason: "qemu-user charges queues to the host user's RLIMIT_MSGQUEUE, shared with every queue other programs on the host hold, so the exact EMFILE boundaries move",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "mq_notify_close",
        reason: "qemu-user 7.2 has no mq_notify (ENOSYS)",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "mq_notify_thread",
        reason: "qemu-user 7.2 has no mq_notify (ENOSYS); the host's socket families and netlink buffer are not Linux 6.1's in QEMU",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "exec_elf",
        reason: "qemu-user hands execve to the host kernel, which refuses every riscv64 ELF with ENOEXEC",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "proc_args",
        reason: "qemu-user execs /proc/self/exe through the host (needs binfmt_misc)",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "proc_nproc",
        reason: "qemu-user's own threads (one per emulated process) count against RLIMIT_NPROC",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "mem_mremap_edges",
        reason: "qemu-user 7.2 answers mremap with a length of 0 ENOMEM, cannot duplicate a shared mapping and ignores flag bits above 32",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "mem_mmap_flags",
        reason: "qemu-user 7.2 knows neither MAP_FIXED_NOREPLACE (it maps elsewhere, no EEXIST) nor MAP_SHARED_VALIDATE for files (EINVAL)",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "mem_madvise",
        reason: "qemu-user 7.2 passes only MADV_DONTNEED to the host and answers every other advice, and holes in the range, with 0",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "mem_remap_pages",
        reason: "qemu-user 7.2 has no remap_file_pages (ENOSYS); checked on Linux 6.1 (linux-ref)",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "shm_corners",
        reason: "qemu-user 7.2 attaches a segment for shmat(id, NULL, SHM_REMAP), which Linux refuses with EINVAL",
        policy: Policy::RillStatusOnly,
    },
    Divergence {
        test: "thread_clone_share",
        reason: "qemu-user 7.2 refuses CLONE_FILES, CLONE_FS and CLONE_SIGHAND outside its thread flag set (EINVAL)",
        policy: Policy::RillStatusOnly,
    },
];

pub fn lookup(test: &str) -> Option<&'static Divergence> {
    DIVERGENCES.iter().find(|d| d.test == test)
}
