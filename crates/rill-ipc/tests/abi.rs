//! The hand-written ABI numbers and layouts against the `libc` crate's (the host is a 64-bit
//! Linux with the same generic IPC ABI as riscv64).
#![cfg(all(target_os = "linux", target_pointer_width = "64"))]

use core::mem::{offset_of, size_of};
use rill_ipc::abi::*;

#[test]
fn flags_and_commands_match_libc() {
    assert_eq!(IPC_PRIVATE, libc::IPC_PRIVATE);
    assert_eq!(IPC_CREAT as i32, libc::IPC_CREAT);
    assert_eq!(IPC_EXCL as i32, libc::IPC_EXCL);
    assert_eq!(IPC_NOWAIT as i32, libc::IPC_NOWAIT);
    assert_eq!(IPC_RMID, libc::IPC_RMID);
    assert_eq!(IPC_SET, libc::IPC_SET);
    assert_eq!(IPC_STAT, libc::IPC_STAT);
    assert_eq!(IPC_INFO, libc::IPC_INFO);
    assert_eq!(MSG_STAT, libc::MSG_STAT);
    assert_eq!(MSG_INFO, libc::MSG_INFO);
    assert_eq!(MSG_NOERROR as i32, libc::MSG_NOERROR);
    assert_eq!(MSG_EXCEPT as i32, libc::MSG_EXCEPT);
    assert_eq!(SEM_UNDO as i32, libc::SEM_UNDO);
    assert_eq!(GETPID, libc::GETPID);
    assert_eq!(GETVAL, libc::GETVAL);
    assert_eq!(GETALL, libc::GETALL);
    assert_eq!(GETNCNT, libc::GETNCNT);
    assert_eq!(GETZCNT, libc::GETZCNT);
    assert_eq!(SETVAL, libc::SETVAL);
    assert_eq!(SETALL, libc::SETALL);
    assert_eq!(SEM_STAT, libc::SEM_STAT);
    assert_eq!(SEM_INFO, libc::SEM_INFO);
    assert_eq!(SHM_RDONLY as i32, libc::SHM_RDONLY);
    assert_eq!(SHM_RND as i32, libc::SHM_RND);
    assert_eq!(SHM_HUGETLB as i32, libc::SHM_HUGETLB);
    assert_eq!(SHM_LOCK, libc::SHM_LOCK);
    assert_eq!(SHM_UNLOCK, libc::SHM_UNLOCK);
}

#[test]
fn layouts_match_libc() {
    assert_eq!(Ipc64Perm::SIZE, size_of::<libc::ipc_perm>());
    assert_eq!(20, offset_of!(libc::ipc_perm, mode));
    assert_eq!(24, offset_of!(libc::ipc_perm, __seq));
    assert_eq!(MsqidDs::SIZE, size_of::<libc::msqid_ds>());
    assert_eq!(48, offset_of!(libc::msqid_ds, msg_stime));
    assert_eq!(72, offset_of!(libc::msqid_ds, __msg_cbytes));
    assert_eq!(88, offset_of!(libc::msqid_ds, msg_qbytes));
    assert_eq!(100, offset_of!(libc::msqid_ds, msg_lrpid));
    assert_eq!(MsgInfo::SIZE, size_of::<libc::msginfo>());
    assert_eq!(28, offset_of!(libc::msginfo, msgseg));
    assert_eq!(SemInfo::SIZE, size_of::<libc::seminfo>());
    assert_eq!(ShmidDs::SIZE, size_of::<libc::shmid_ds>());
    assert_eq!(48, offset_of!(libc::shmid_ds, shm_segsz));
    assert_eq!(56, offset_of!(libc::shmid_ds, shm_atime));
    assert_eq!(80, offset_of!(libc::shmid_ds, shm_cpid));
    assert_eq!(88, offset_of!(libc::shmid_ds, shm_nattch));
    assert_eq!(36, offset_of!(libc::seminfo, semaem));
}

#[test]
fn encoded_fields_land_where_libc_reads_them() {
    let ds = MsqidDs {
        perm: Ipc64Perm {
            key: 0x1234,
            uid: 5,
            gid: 6,
            cuid: 7,
            cgid: 8,
            mode: 0o640,
            seq: 9,
        },
        stime: 100,
        rtime: 200,
        ctime: 300,
        cbytes: 400,
        qnum: 3,
        qbytes: 16384,
        lspid: 42,
        lrpid: 43,
    };
    let bytes = ds.encode();
    let at = |off: usize, len: usize| {
        let mut v = [0u8; 8];
        v[..len].copy_from_slice(&bytes[off..off + len]);
        u64::from_ne_bytes(v)
    };
    type Perm = libc::ipc_perm;
    type Ds = libc::msqid_ds;
    assert_eq!(at(offset_of!(Perm, __key), 4), 0x1234);
    assert_eq!(at(offset_of!(Perm, uid), 4), 5);
    assert_eq!(at(offset_of!(Perm, gid), 4), 6);
    assert_eq!(at(offset_of!(Perm, cuid), 4), 7);
    assert_eq!(at(offset_of!(Perm, cgid), 4), 8);
    assert_eq!(at(offset_of!(Perm, mode), 2), 0o640);
    assert_eq!(at(offset_of!(Perm, __seq), 2), 9);
    assert_eq!(at(offset_of!(Ds, msg_stime), 8), 100);
    assert_eq!(at(offset_of!(Ds, msg_rtime), 8), 200);
    assert_eq!(at(offset_of!(Ds, msg_ctime), 8), 300);
    assert_eq!(at(offset_of!(Ds, __msg_cbytes), 8), 400);
    assert_eq!(at(offset_of!(Ds, msg_qnum), 8), 3);
    assert_eq!(at(offset_of!(Ds, msg_qbytes), 8), 16384);
    assert_eq!(at(offset_of!(Ds, msg_lspid), 4), 42);
    assert_eq!(at(offset_of!(Ds, msg_lrpid), 4), 43);
    assert_eq!(MsqidDs::decode_settable(&bytes), (5, 6, 0o640, 16384));
}
