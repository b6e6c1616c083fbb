//! Mounts: tmpfs instances mounted on directories by mount(2), the table the path walk
//! consults to cross into them, umount2(2), and /proc/mounts. A mount covers a directory
//! node: a walk that reaches the node continues at the mount's root, and the root's `..`
//! is the covered directory's parent, so getcwd and `..` see one tree. /dev/shm, /proc
//! and /dev/mqueue are entered into the root tmpfs at boot and are listed, not unmounted.

use super::tmpfs::{TmpNode, Tmpfs};
use super::vfs::{same_node, Inode};
use crate::arch::spinlock::Mutex;
use crate::errno::{SysResult, EBUSY, EINVAL, ENODEV, ENOMEM, ENOTDIR};
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use core::fmt::Write;
use core::sync::atomic::{AtomicUsize, Ordering};
use linux_raw_sys::general as g;

/// Flags of a mount (mount(2)'s MS_* bits that stay with it).
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct MountFlags {
    pub read_only: bool,
    pub nosuid: bool,
    pub nodev: bool,
    pub noexec: bool,
}

impl MountFlags {
    pub fn from_ms(flags: u32) -> MountFlags {
        MountFlags {
            read_only: flags & g::MS_RDONLY != 0,
            nosuid: flags & g::MS_NOSUID != 0,
            nodev: flags & g::MS_NODEV != 0,
            noexec: flags & g::MS_NOEXEC != 0,
        }
    }
}

/// tmpfs's mount options (Linux's shmem_parse_one): `size` in bytes (or with k, m, g or
/// `%` of RAM), `nr_inodes`, `mode` (octal), `uid`, `gid`. Unset ones take the defaults.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct TmpfsOptions {
    pub pages: Option<usize>,
    pub nodes: Option<usize>,
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
}

const PAGE: u64 = crate::mm::PAGE_SIZE as u64;

/// A number with an optional k/m/g suffix (Linux's memparse).
fn memparse(text: &str) -> Option<u64> {
    let (digits, shift) = match text.as_bytes().last()? {
        b'k' | b'K' => (&text[..text.len() - 1], 10),
        b'm' | b'M' => (&text[..text.len() - 1], 20),
        b'g' | b'G' => (&text[..text.len() - 1], 30),
        _ => (text, 0),
    };
    digits.parse::<u64>().ok()?.checked_mul(1 << shift)
}

impl TmpfsOptions {
    /// Parses the comma-separated options of `data`; EINVAL for an unknown option or a
    /// bad value, as tmpfs answers.
    pub fn parse(data: &str, ram_pages: usize) -> SysResult<TmpfsOptions> {
        let mut o = TmpfsOptions::default();
        for opt in data.split(',').filter(|s| !s.is_empty()) {
            let (key, value) = opt.split_once('=').ok_or(EINVAL)?;
            match key {
                "size" => {
                    let pages = match value.strip_suffix('%') {
                        Some(pct) => {
                            let pct: u64 = pct.parse().map_err(|_| EINVAL)?;
                            (ram_pages as u64).saturating_mul(pct) / 100
                        }
                        None => memparse(value).ok_or(EINVAL)?.div_ceil(PAGE),
                    };
                    o.pages = Some(usize::try_from(pages).map_err(|_| EINVAL)?);
                }
                "nr_inodes" => {
                    let n = memparse(value).ok_or(EINVAL)?;
                    o.nodes = Some(usize::try_from(n).map_err(|_| EINVAL)?);
                }
                "mode" => {
                    let mode = u32::from_str_radix(value, 8).map_err(|_| EINVAL)?;
                    o.mode = Some(mode & 0o7777);
                }
                "uid" => o.uid = Some(value.parse().map_err(|_| EINVAL)?),
                "gid" => o.gid = Some(value.parse().map_err(|_| EINVAL)?),
                _ => return Err(EINVAL),
            }
        }
        Ok(o)
    }
}

struct Mount {
    /// The directory mounted on (itself perhaps the root of an earlier mount there).
    covered: Arc<dyn Inode>,
    root: Arc<dyn Inode>,
    fs: Arc<Tmpfs>,
    /// The source as given (`none` when there was none), for /proc/mounts.
    source: String,
    flags: MountFlags,
    options: TmpfsOptions,
}

/// The mounts, by the address of the node they cover.
static MOUNTS: Mutex<BTreeMap<usize, Arc<Mount>>> = Mutex::new(BTreeMap::new());
/// How many there are: a walk skips the table while there are none.
static COUNT: AtomicUsize = AtomicUsize::new(0);

/// Linux's fs.mount-max: mounts per namespace.
const MOUNT_MAX: usize = 100_000;

fn key(node: &Arc<dyn Inode>) -> usize {
    Arc::as_ptr(node) as *const () as usize
}

/// What the walk finds at `node`: the root of the mount on it (of the last of several
/// stacked there), else `node` itself.
pub fn cross(node: Arc<dyn Inode>) -> Arc<dyn Inode> {
    if COUNT.load(Ordering::Relaxed) == 0 {
        return node;
    }
    let mounts = MOUNTS.lock();
    let mut node = node;
    while let Some(m) = mounts.get(&key(&node)) {
        node = m.root.clone();
    }
    node
}

/// Whether a mount covers `node` (rmdir and rename of it are EBUSY, as on Linux).
pub fn is_mount_point(node: &Arc<dyn Inode>) -> bool {
    COUNT.load(Ordering::Relaxed) != 0 && MOUNTS.lock().contains_key(&key(node))
}

/// The mount whose root is `root`.
fn mount_of_root(mounts: &BTreeMap<usize, Arc<Mount>>, root: &Arc<dyn Inode>) -> Option<usize> {
    mounts
        .iter()
        .find(|(_, m)| same_node(&m.root, root))
        .map(|(k, _)| *k)
}

/// The tmpfs instance of a mount, by file system id (statfs).
pub fn instance(fs_id: u32) -> Option<Arc<Tmpfs>> {
    MOUNTS
        .lock()
        .values()
        .find(|m| m.fs.id() == fs_id)
        .map(|m| m.fs.clone())
}

/// The flags of the mount holding file system `fs_id` (default for the boot ones).
pub fn flags_of(fs_id: u32) -> MountFlags {
    if COUNT.load(Ordering::Relaxed) == 0 {
        return MountFlags::default();
    }
    MOUNTS
        .lock()
        .values()
        .find(|m| m.fs.id() == fs_id)
        .map_or(MountFlags::default(), |m| m.flags)
}

/// mount(2) of a new tmpfs on the directory `target` (already crossed into whatever is
/// mounted there). The caller has checked privilege and the file system type; its
/// effective ids `owner` own the root unless the options say otherwise.
pub fn mount_tmpfs(
    target: Arc<dyn Inode>,
    source: &str,
    flags: MountFlags,
    options: TmpfsOptions,
    owner: (u32, u32),
) -> SysResult<()> {
    if !target.metadata().is_dir() {
        return Err(ENOTDIR);
    }
    // The root directory's `..` is itself, and a walk starts at it without crossing.
    let parent = target.parent().ok_or(EBUSY)?;
    crate::mm::heap::reserve(4096 + source.len())?;
    let ram = crate::mm::frame::ram_pages();
    let fs = Tmpfs::new_mounted(
        options.pages.unwrap_or(ram / 2),
        options.nodes.unwrap_or(ram / 2),
    );
    fs.set_read_only(flags.read_only);
    let root = TmpNode::new_root_in(
        &fs,
        options.mode.unwrap_or(0o1777),
        options.uid.unwrap_or(owner.0),
        options.gid.unwrap_or(owner.1),
    )?;
    root.set_parent(parent);
    let mount = Arc::new(Mount {
        covered: target.clone(),
        root,
        fs,
        source: String::from(source),
        flags,
        options,
    });
    let _tree = super::vfs::TREE_LOCK.lock();
    if target.is_removed() {
        return Err(crate::errno::ENOENT);
    }
    let mut mounts = MOUNTS.lock();
    if mounts.len() >= MOUNT_MAX {
        return Err(ENOMEM);
    }
    mounts.insert(key(&target), mount);
    COUNT.store(mounts.len(), Ordering::Relaxed);
    Ok(())
}

/// mount(2) with MS_REMOUNT: new flags for the mount whose root is `root`, and a new
/// size or inode count if given (shmem_reconfigure: EINVAL below what is in use; mode
/// and owner are only for a new mount). Read-only is EBUSY while a file there is open
/// for writing.
pub fn remount(root: &Arc<dyn Inode>, flags: MountFlags, options: TmpfsOptions) -> SysResult<()> {
    let old = {
        let mounts = MOUNTS.lock();
        let k = mount_of_root(&mounts, root).ok_or(EINVAL)?;
        mounts.get(&k).ok_or(EINVAL)?.clone()
    };
    let fs = &old.fs;
    let pages = options.pages.unwrap_or(fs.max_pages());
    let nodes = options.nodes.unwrap_or(fs.max_nodes());
    let (used_pages, used_nodes) = fs.used();
    if pages < used_pages || nodes < used_nodes {
        return Err(EINVAL);
    }
    if flags.read_only && !old.flags.read_only && open_for_writing(fs.id()) {
        return Err(EBUSY);
    }
    fs.set_limits(pages, nodes);
    fs.set_read_only(flags.read_only);
    let merged = TmpfsOptions {
        pages: options.pages.or(old.options.pages),
        nodes: options.nodes.or(old.options.nodes),
        ..old.options
    };
    let new = Arc::new(Mount {
        covered: old.covered.clone(),
        root: old.root.clone(),
        fs: old.fs.clone(),
        source: old.source.clone(),
        flags,
        options: merged,
    });
    let mut mounts = MOUNTS.lock();
    let k = mount_of_root(&mounts, root).ok_or(EINVAL)?;
    mounts.insert(k, new);
    Ok(())
}

/// Whether `root` is the root of a mount (remount and umount need one).
pub fn is_mount_root(root: &Arc<dyn Inode>) -> bool {
    mount_of_root(&MOUNTS.lock(), root).is_some()
}

/// umount2(2) of the mount whose root is `root`: EINVAL if none; EBUSY, unless
/// `detach`, while another mount sits inside it or a process works in it (its cwd or an
/// open file is there). A detached mount lives on for those still using it.
pub fn umount(root: &Arc<dyn Inode>, detach: bool) -> SysResult<()> {
    let fs_id = {
        let mounts = MOUNTS.lock();
        let k = mount_of_root(&mounts, root).ok_or(EINVAL)?;
        let m = mounts.get(&k).ok_or(EINVAL)?;
        if !detach
            && mounts
                .values()
                .any(|other| other.covered.fs_id() == m.fs.id())
        {
            return Err(EBUSY);
        }
        m.fs.id()
    };
    if !detach && in_use(fs_id) {
        return Err(EBUSY);
    }
    let _tree = super::vfs::TREE_LOCK.lock();
    let mut mounts = MOUNTS.lock();
    let k = mount_of_root(&mounts, root).ok_or(EINVAL)?;
    // Dropped after the lock: the last hold on a tree frees it.
    let mut gone = alloc::vec::Vec::new();
    gone.extend(mounts.remove(&k));
    // Mounts inside a detached one go with it (MNT_DETACH unmounts the subtree; without
    // it there are none, or the call was EBUSY).
    let mut gone_ids = alloc::vec![fs_id];
    loop {
        let inner: alloc::vec::Vec<(usize, u32)> = mounts
            .iter()
            .filter(|(_, m)| gone_ids.contains(&m.covered.fs_id()))
            .map(|(k, m)| (*k, m.fs.id()))
            .collect();
        if inner.is_empty() {
            break;
        }
        for (k, id) in inner {
            gone.extend(mounts.remove(&k));
            gone_ids.push(id);
        }
    }
    COUNT.store(mounts.len(), Ordering::Relaxed);
    drop(mounts);
    drop(gone);
    Ok(())
}

/// Whether a task has a file in file system `fs_id` open for writing.
fn open_for_writing(fs_id: u32) -> bool {
    crate::task::process::all_tasks().iter().any(|t| {
        let files = t.files();
        let fds = files.lock();
        let found = fds.open_fds().any(|(_, e)| {
            e.file.writable() && e.file.inode.as_ref().is_some_and(|n| n.fs_id() == fs_id)
        });
        found
    })
}

/// Whether a task has its cwd or an open file in file system `fs_id`.
fn in_use(fs_id: u32) -> bool {
    crate::task::process::all_tasks().iter().any(|t| {
        if t.fs().cwd.lock().fs_id() == fs_id {
            return true;
        }
        let files = t.files();
        let fds = files.lock();
        let found = fds
            .open_fds()
            .any(|(_, e)| e.file.inode.as_ref().is_some_and(|n| n.fs_id() == fs_id));
        found
    })
}

/// /proc/mounts: the boot file systems, then each mount, in Linux's format
/// (`source target type options 0 0`).
pub fn proc_text() -> SysResult<String> {
    let mounts: alloc::vec::Vec<Arc<Mount>> = {
        let m = MOUNTS.lock();
        crate::mm::heap::reserve(m.len() * 64)?;
        m.values().cloned().collect()
    };
    let mut out = String::from(
        "rootfs / rootfs rw 0 0\nproc /proc proc rw,relatime 0 0\n\
         tmpfs /dev/shm tmpfs rw,nosuid,nodev 0 0\nmqueue /dev/mqueue mqueue rw,relatime 0 0\n",
    );
    let ram = crate::mm::frame::ram_pages();
    for m in mounts {
        let Ok(path) = super::path::dir_path(&m.covered) else {
            continue;
        };
        crate::mm::heap::reserve(path.len() + m.source.len() + 128)?;
        let f = m.flags;
        let _ = write!(
            out,
            "{} {} tmpfs {}",
            escape(&m.source),
            escape(&path),
            if f.read_only { "ro" } else { "rw" }
        );
        for (set, word) in [
            (f.nosuid, ",nosuid"),
            (f.nodev, ",nodev"),
            (f.noexec, ",noexec"),
        ] {
            if set {
                out.push_str(word);
            }
        }
        out.push_str(",relatime");
        // shmem_show_options: what differs from the defaults.
        let o = m.options;
        if let Some(pages) = o.pages.filter(|&p| p != ram / 2) {
            let _ = write!(out, ",size={}k", pages as u64 * PAGE / 1024);
        }
        if let Some(nodes) = o.nodes.filter(|&n| n != ram / 2) {
            let _ = write!(out, ",nr_inodes={nodes}");
        }
        if let Some(mode) = o.mode.filter(|&m| m != 0o1777) {
            let _ = write!(out, ",mode={mode:03o}");
        }
        if let Some(uid) = o.uid.filter(|&u| u != 0) {
            let _ = write!(out, ",uid={uid}");
        }
        if let Some(gid) = o.gid.filter(|&g| g != 0) {
            let _ = write!(out, ",gid={gid}");
        }
        out.push_str(" 0 0\n");
    }
    Ok(out)
}

/// Spaces, tabs, newlines and backslashes as octal escapes, as /proc/mounts writes them.
fn escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            ' ' | '\t' | '\n' | '\\' => out.push_str(&format!("\\{:03o}", c as u32)),
            _ => out.push(c),
        }
    }
    out
}

/// mount(2)'s check of the type: ENODEV for a file system type Rill cannot mount (tmpfs
/// is the one it can).
pub fn check_type(fstype: &str) -> SysResult<()> {
    if fstype != "tmpfs" {
        return Err(ENODEV);
    }
    Ok(())
}
