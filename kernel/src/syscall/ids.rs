//! Credentials and process groups: the user and group id calls (get/set of the real,
//! effective and saved ids, supplementary groups) with Linux's permission rules, and
//! setpgid/getpgid/getsid/setsid.

use crate::errno::*;
use crate::mm::uaccess::{read_array, write_array, write_val};
use crate::task::process;
use crate::task::{current_process, Pid};
use alloc::vec::Vec;
use linux_raw_sys::general as g;

pub fn getid(nr: u32) -> SysResult {
    let c = *current_process().creds.lock();
    Ok(match nr {
        g::__NR_getuid => c.uid,
        g::__NR_geteuid => c.euid,
        g::__NR_getgid => c.gid,
        _ => c.egid,
    } as usize)
}

pub fn getresid(nr: u32, r: usize, e: usize, s: usize) -> SysResult {
    let c = *current_process().creds.lock();
    let v = if nr == g::__NR_getresuid {
        [c.uid, c.euid, c.suid]
    } else {
        [c.gid, c.egid, c.sgid]
    };
    write_val(r, &v[0])?;
    write_val(e, &v[1])?;
    write_val(s, &v[2])?;
    Ok(0)
}

/// getgroups(size, list): the supplementary groups; size 0 asks only how many.
pub fn getgroups(size: i32, list: usize) -> SysResult {
    let size = usize::try_from(size).map_err(|_| EINVAL)?;
    let groups = current_process().groups.lock().clone();
    if size != 0 {
        if groups.len() > size {
            return Err(EINVAL);
        }
        write_array(list, &groups)?;
    }
    Ok(groups.len())
}

/// setgroups(size, list): root only (CAP_SETGID); at most NGROUPS_MAX groups, kept
/// sorted as Linux's groups_sort leaves them.
pub fn setgroups(size: i32, list: usize) -> SysResult {
    let proc = current_process();
    if proc.creds.lock().euid != 0 {
        return Err(EPERM);
    }
    // Linux compares the int as unsigned: a negative size is too big.
    let size = size as u32;
    if size > g::NGROUPS_MAX {
        return Err(EINVAL);
    }
    let size = size as usize;
    crate::mm::heap::reserve(64 + size * 4)?;
    let mut groups: Vec<u32> = read_array(list, size)?;
    groups.sort_unstable();
    *proc.groups.lock() = alloc::sync::Arc::from(groups);
    Ok(0)
}

/// setuid/setgid: root sets all three ids; others may only switch among their own.
pub fn setid(nr: u32, id: u32) -> SysResult {
    if id == u32::MAX {
        return Err(EINVAL); // (uid_t)-1 names no user
    }
    let proc = current_process();
    let old = *proc.creds.lock();
    if nr == g::__NR_setuid && old.euid == 0 && old.uid != id {
        // The real uid changes: the process now counts against the new user's limit.
        process::change_real_uid(&proc, old.uid, id)?;
    }
    let mut c = proc.creds.lock();
    let root = c.euid == 0;
    if nr == g::__NR_setuid {
        if root {
            (c.uid, c.euid, c.suid) = (id, id, id);
        } else if id == c.uid || id == c.suid {
            c.euid = id;
        } else {
            return Err(EPERM);
        }
    } else if root {
        (c.gid, c.egid, c.sgid) = (id, id, id);
    } else if id == c.gid || id == c.sgid {
        c.egid = id;
    } else {
        return Err(EPERM);
    }
    Ok(0)
}

/// The (real, effective, saved) ids setresuid/setreuid (`user`) or setresgid/setregid
/// change, as mutable references into `c`.
fn id_triple(c: &mut process::Creds, user: bool) -> (&mut u32, &mut u32, &mut u32) {
    if user {
        (&mut c.uid, &mut c.euid, &mut c.suid)
    } else {
        (&mut c.gid, &mut c.egid, &mut c.sgid)
    }
}

/// (uid_t)-1: leave this id as it is.
const UNCHANGED: u32 = u32::MAX;

/// setresuid/setresgid: each id that is not -1 is set; without root each must be one
/// of the current real, effective or saved ids (EPERM), as Linux's __sys_setresuid.
pub fn setresid(nr: u32, r: u32, e: u32, s: u32) -> SysResult {
    let user = nr == g::__NR_setresuid;
    let proc = current_process();
    let old = *proc.creds.lock();
    let mut new = old;
    {
        let (cr, ce, cs) = id_triple(&mut new, user);
        let allowed = |id: u32| id == UNCHANGED || id == *cr || id == *ce || id == *cs;
        if old.euid != 0 && !(allowed(r) && allowed(e) && allowed(s)) {
            return Err(EPERM);
        }
        for (slot, id) in [(cr, r), (ce, e), (cs, s)] {
            if id != UNCHANGED {
                *slot = id;
            }
        }
    }
    commit_ids(&proc, old, new)
}

/// setreuid/setregid: the real id may become the effective one (or anything, for
/// root), the effective id any of the three; the saved id follows the effective one
/// when the real id is set or the effective id becomes other than the old real id.
pub fn setreid(nr: u32, r: u32, e: u32) -> SysResult {
    let user = nr == g::__NR_setreuid;
    let proc = current_process();
    let old = *proc.creds.lock();
    let mut new = old;
    {
        let (cr, ce, cs) = id_triple(&mut new, user);
        let (old_r, old_e, old_s) = (*cr, *ce, *cs);
        let root = old.euid == 0;
        if r != UNCHANGED && !root && r != old_r && r != old_e {
            return Err(EPERM);
        }
        if e != UNCHANGED && !root && e != old_r && e != old_e && e != old_s {
            return Err(EPERM);
        }
        if r != UNCHANGED {
            *cr = r;
        }
        if e != UNCHANGED {
            *ce = e;
        }
        if r != UNCHANGED || (e != UNCHANGED && e != old_r) {
            *cs = *ce;
        }
    }
    commit_ids(&proc, old, new)
}

/// Installs new ids; a new real uid moves the process to that user's RLIMIT_NPROC count.
fn commit_ids(proc: &process::Process, old: process::Creds, new: process::Creds) -> SysResult {
    if new.uid != old.uid {
        process::change_real_uid(proc, old.uid, new.uid)?;
    }
    *proc.creds.lock() = new;
    Ok(0)
}

pub fn setpgid(pid: i32, pgid: i32) -> SysResult {
    if pgid < 0 {
        return Err(EINVAL);
    }
    let me = current_process();
    let target = if pid == 0 {
        me.clone()
    } else {
        process::find(pid as Pid).ok_or(ESRCH)?
    };
    let is_child = target.parent_pid() == me.pid;
    if target.pid != me.pid && !is_child {
        return Err(ESRCH);
    }
    if is_child && target.sid() != me.sid() {
        return Err(EPERM);
    }
    if is_child && target.exe_changed_since_fork() {
        return Err(EACCES);
    }
    if target.sid() == target.pid {
        return Err(EPERM);
    }
    let pgid = if pgid == 0 { target.pid } else { pgid as Pid };
    process::set_pgid(&target, pgid)?;
    Ok(0)
}

pub fn getpgid(pid: i32) -> SysResult {
    let p = if pid == 0 {
        current_process()
    } else {
        process::find(pid as Pid).ok_or(ESRCH)?
    };
    Ok(p.pgid() as usize)
}

pub fn getsid(pid: i32) -> SysResult {
    let p = if pid == 0 {
        current_process()
    } else {
        process::find(pid as Pid).ok_or(ESRCH)?
    };
    Ok(p.sid() as usize)
}

pub fn setsid() -> SysResult {
    process::new_session(&current_process()).map(|sid| sid as usize)
}
