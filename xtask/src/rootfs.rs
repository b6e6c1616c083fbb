//! `xtask rootfs`: assembles build/rootfs/ from the built programs and archives it as
//! build/initramfs.cpio. Also the archiver itself, which `exec` and `ltp` use to add host
//! programs and directories.

use crate::{cpio, paths, Context, Res};
use flate2::write::GzEncoder;
use flate2::Compression;
use std::collections::BTreeMap;
use std::fs;
use std::io::{BufWriter, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Guest directories and their permission bits, parents before children.
const DIRS: &[(&str, u32)] = &[
    ("bin", 0o755),
    ("tests", 0o755),
    ("tmp", 0o1777),
    ("dev", 0o755),
    ("proc", 0o755),
    ("etc", 0o755),
    ("boot", 0o755),
    ("usr", 0o755),
    ("usr/share", 0o755),
    ("usr/share/demos", 0o755),
];

/// The user and group databases: root, and nobody/nogroup (65534) as Debian has them,
/// which programs such as LTP's test library look up to drop privileges.
const ETC_FILES: &[(&str, &str)] = &[
    (
        "passwd",
        "root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n",
    ),
    ("group", "root:x:0:\nnogroup:x:65534:\nnobody:x:65534:\n"),
];

/// Rill's uname release (kernel/src/syscall/process.rs); the kernel config is installed
/// as /boot/config-RELEASE, where Debian keeps it and LTP's tst_kconfig looks for it.
const KERNEL_RELEASE: &str = "6.1.0-rill";

/// The kernel config in Linux's format (what Rill implements, by Linux's option names).
const KERNEL_CONFIG: &str = "kernel/kconfig";

/// Where the user workspace puts its release binaries.
const RUST_BIN_DIR: &str = "user/target/riscv64gc-unknown-linux-gnu/release";

/// The uutils multicall binary and the manifest whose `uu_NAME` dependencies are the tools
/// it holds; each is installed as a hard link /bin/NAME to /bin/coreutils (docs/tools.md).
const COREUTILS_BIN: &str = "user/coreutils/target/riscv64gc-unknown-linux-gnu/release/coreutils";
const COREUTILS_MANIFEST: &str = "user/coreutils/Cargo.toml";

pub fn assemble() -> Res<()> {
    let root = paths::root();
    let rootfs = paths::rootfs();
    if rootfs.exists() {
        fs::remove_dir_all(&rootfs).ctx(|| format!("removing {}", rootfs.display()))?;
    }
    for (dir, perm) in DIRS {
        let path = rootfs.join(dir);
        fs::create_dir_all(&path).ctx(|| format!("creating {}", path.display()))?;
        set_perm(&path, *perm)?;
    }

    let mut copied = 0;
    for name in rust_programs(&root.join("user/src/bin"))? {
        let from = root.join(RUST_BIN_DIR).join(&name);
        // Rust test programs (test_*) go with the C tests; the rest are tools in /bin.
        let dir = if name.starts_with("test_") {
            "tests"
        } else {
            "bin"
        };
        if from.is_file() {
            install(&from, &rootfs.join(dir).join(&name))?;
            copied += 1;
        } else {
            eprintln!(
                "rootfs: warning: {} is not built; skipping /bin/{name}",
                from.display()
            );
        }
    }
    copied += install_coreutils(&root, &rootfs.join("bin"))?;
    copied += install_all(&root.join("build/c/bin"), &rootfs.join("bin"))?;
    copied += install_all(&root.join("build/c/tests"), &rootfs.join("tests"))?;
    copied += install_all(&root.join("user/tests"), &rootfs.join("tests"))?;
    describe_demos(&root.join("user/c/demos"), &rootfs.join("usr/share/demos"))?;
    for (name, text) in ETC_FILES {
        let path = rootfs.join("etc").join(name);
        fs::write(&path, text).ctx(|| path.display().to_string())?;
        set_perm(&path, 0o644)?;
    }
    let config = rootfs.join(format!("boot/config-{KERNEL_RELEASE}"));
    fs::copy(root.join(KERNEL_CONFIG), &config).ctx(|| config.display().to_string())?;
    set_perm(&config, 0o644)?;

    let cpio = paths::initramfs();
    write_archive(&rootfs, &Additions::default(), &cpio)?;
    let size = fs::metadata(&cpio)
        .ctx(|| cpio.display().to_string())?
        .len();
    eprintln!(
        "rootfs: {copied} files in {}; {} is {} KiB",
        rootfs.display(),
        cpio.display(),
        size.div_ceil(1024)
    );
    Ok(())
}

/// Installs /bin/coreutils and a hard link to it for each tool it holds; returns how many
/// names that made. A hand-written program of the same name would be replaced: an error.
fn install_coreutils(root: &Path, bin: &Path) -> Res<usize> {
    let from = root.join(COREUTILS_BIN);
    if !from.is_file() {
        eprintln!(
            "rootfs: warning: {} is not built; no uutils tools",
            from.display()
        );
        return Ok(0);
    }
    let manifest = root.join(COREUTILS_MANIFEST);
    let text = fs::read_to_string(&manifest).ctx(|| manifest.display().to_string())?;
    let multicall = bin.join("coreutils");
    install(&from, &multicall)?;
    let tools = coreutils_tools(&text);
    for tool in &tools {
        let link = bin.join(tool);
        if link.exists() {
            return Err(format!(
                "{}: both a hand-written program and a uutils tool",
                link.display()
            ));
        }
        fs::hard_link(&multicall, &link).ctx(|| link.display().to_string())?;
    }
    Ok(1 + tools.len())
}

/// The tools of the uutils multicall binary: its manifest's dependencies named `uu_NAME`.
fn coreutils_tools(manifest: &str) -> Vec<String> {
    manifest
        .lines()
        .filter_map(|line| line.strip_prefix("uu_"))
        .filter_map(|rest| rest.split([' ', '=']).next())
        .map(str::to_string)
        .collect()
}

/// Writes /usr/share/demos/NAME for each lecture demo, holding the summary from the
/// first line of its source comment ("/* NAME: summary"); init lists them at boot.
fn describe_demos(sources: &Path, to: &Path) -> Res<()> {
    let Ok(entries) = fs::read_dir(sources) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let (Some(stem), Some("c")) = (
            path.file_stem().and_then(|s| s.to_str()),
            path.extension().and_then(|s| s.to_str()),
        ) else {
            continue;
        };
        let text = fs::read_to_string(&path).ctx(|| path.display().to_string())?;
        let first = text.lines().next().unwrap_or("");
        let summary = first
            .trim_start_matches("/*")
            .trim()
            .trim_start_matches(stem)
            .trim_start_matches(':')
            .trim();
        let summary = summary.trim_end_matches("*/").trim();
        fs::write(to.join(stem), format!("{summary}\n")).ctx(|| to.display().to_string())?;
    }
    Ok(())
}

/// The program names of the user package: `src/bin/NAME.rs` and `src/bin/NAME/main.rs`.
fn rust_programs(bin_src: &Path) -> Res<Vec<String>> {
    if !bin_src.is_dir() {
        eprintln!(
            "rootfs: warning: {} does not exist; no Rust programs",
            bin_src.display()
        );
        return Ok(Vec::new());
    }
    let mut names = Vec::new();
    for entry in fs::read_dir(bin_src).ctx(|| bin_src.display().to_string())? {
        let path = entry.ctx(|| bin_src.display().to_string())?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if let Some(stem) = name.strip_suffix(".rs") {
            names.push(stem.to_string());
        } else if path.join("main.rs").is_file() {
            names.push(name.to_string());
        }
    }
    names.sort();
    Ok(names)
}

/// Copies every regular file of `from` (not recursively) into `to`; returns how many.
/// A missing `from` is only a warning: that part of the build may not exist yet.
fn install_all(from: &Path, to: &Path) -> Res<usize> {
    if !from.is_dir() {
        eprintln!(
            "rootfs: warning: {} does not exist; nothing copied from it",
            from.display()
        );
        return Ok(0);
    }
    let mut files: Vec<PathBuf> = fs::read_dir(from)
        .ctx(|| from.display().to_string())?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .ctx(|| from.display().to_string())?;
    files.sort();
    let mut count = 0;
    for file in files {
        if !file.is_file() {
            eprintln!(
                "rootfs: warning: skipping {}: not a regular file",
                file.display()
            );
            continue;
        }
        let dest = to.join(file.file_name().expect("read_dir entries have names"));
        if dest.exists() {
            eprintln!(
                "rootfs: warning: {} replaces an earlier {}",
                file.display(),
                dest.display()
            );
        }
        install(&file, &dest)?;
        count += 1;
    }
    Ok(count)
}

/// Copies one file, giving it 0755 if the source is executable by anyone and 0644 otherwise,
/// so the guest modes do not depend on the host's umask.
fn install(from: &Path, to: &Path) -> Res<()> {
    fs::copy(from, to).ctx(|| format!("copying {} to {}", from.display(), to.display()))?;
    let mode = fs::metadata(from)
        .ctx(|| from.display().to_string())?
        .permissions()
        .mode();
    set_perm(to, if mode & 0o111 != 0 { 0o755 } else { 0o644 })
}

fn set_perm(path: &Path, perm: u32) -> Res<()> {
    fs::set_permissions(path, fs::Permissions::from_mode(perm)).ctx(|| path.display().to_string())
}

/// What an archive adds to the tree it is made from: host directories merged in, in
/// order (a file replaces the one of the same name; a new directory is created), then
/// single host files as 0755 programs under guest names such as "bin/prog" (their
/// missing parent directories are made 0755).
#[derive(Default)]
pub struct Additions {
    pub trees: Vec<PathBuf>,
    pub files: Vec<(String, PathBuf)>,
}

/// One file to put in the archive, read from `source`.
struct Entry {
    perm: u32,
    source: PathBuf,
    /// The host file's (device, inode) when it has several names: they stay one file.
    linked: Option<(u64, u64)>,
}

/// The archive's contents by guest name (no leading "/" or "./": "bin", "bin/sh").
#[derive(Default)]
struct Tree {
    dirs: BTreeMap<String, u32>,
    files: BTreeMap<String, Entry>,
}

impl Tree {
    /// Adds the parents of `name` that are not there yet, as 0755 directories.
    fn add_parents(&mut self, name: &str) {
        let mut end = 0;
        while let Some(slash) = name[end..].find('/') {
            end += slash;
            self.dirs.entry(name[..end].to_string()).or_insert(0o755);
            end += 1;
        }
    }
}

/// Archives the tree under `rootfs` plus `add` into `out` (a cpio). All directories come
/// first, then the files, each group sorted by name.
pub fn write_archive(rootfs: &Path, add: &Additions, out: &Path) -> Res<()> {
    let mut tree = Tree::default();
    walk(rootfs, "", &mut tree)?;
    for dir in &add.trees {
        if !dir.is_dir() {
            return Err(format!("{}: not a directory", dir.display()));
        }
        walk(dir, "", &mut tree)?;
    }
    for (name, source) in &add.files {
        tree.add_parents(name);
        tree.files.insert(
            name.clone(),
            Entry {
                perm: 0o755,
                source: source.clone(),
                linked: None,
            },
        );
    }

    let file = fs::File::create(out).ctx(|| format!("creating {}", out.display()))?;
    // Not compressed: inflating it took most of a boot's instructions (about 2 of 2.2
    // billion), once per test. A boot with little RAM gets a compressed copy (`gzipped`).
    let mut writer = cpio::Writer::new(BufWriter::new(file));
    let fail = |e| format!("writing {}: {e}", out.display());
    for (name, perm) in &tree.dirs {
        writer.dir(name, *perm).map_err(fail)?;
    }
    // Names of one host file (hard links) are archived together, where the first comes.
    let mut links: BTreeMap<(u64, u64), Vec<&str>> = BTreeMap::new();
    for (name, entry) in &tree.files {
        if let Some(id) = entry.linked {
            links.entry(id).or_default().push(name);
        }
    }
    for (name, entry) in &tree.files {
        let names = entry.linked.and_then(|id| links.get(&id));
        if names.is_some_and(|names| names[0] != name) {
            continue;
        }
        let data = fs::read(&entry.source).ctx(|| format!("reading {}", entry.source.display()))?;
        match names {
            Some(names) => writer.linked_file(names, entry.perm, &data),
            None => writer.file(name, entry.perm, &data),
        }
        .map_err(fail)?;
    }
    writer.finish().and_then(|mut w| w.flush()).map_err(fail)?;
    Ok(())
}

/// A gzip-compressed copy of the archive `cpio`, made beside it unless one newer than it
/// is there already. QEMU loads the image into RAM beside the kernel, and with less than
/// 256 MiB a raw one no longer fits below the device tree; Rill inflates it as it reads.
pub fn gzipped(cpio: &Path) -> Res<PathBuf> {
    let gz = cpio.with_extension("cpio.gz");
    let modified = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    if modified(&gz).is_some_and(|g| modified(cpio).is_some_and(|c| g >= c)) {
        return Ok(gz);
    }
    let fail = |e: std::io::Error| format!("writing {}: {e}", gz.display());
    let mut input = fs::File::open(cpio).ctx(|| format!("reading {}", cpio.display()))?;
    let file = fs::File::create(&gz).map_err(fail)?;
    let mut encoder = GzEncoder::new(BufWriter::new(file), Compression::fast());
    std::io::copy(&mut input, &mut encoder).map_err(fail)?;
    encoder.finish().and_then(|mut w| w.flush()).map_err(fail)?;
    Ok(gz)
}

/// Adds the directories and regular files below `dir`, whose archive name is `prefix`, to
/// `tree`, replacing entries of the same name.
fn walk(dir: &Path, prefix: &str, tree: &mut Tree) -> Res<()> {
    for entry in fs::read_dir(dir).ctx(|| dir.display().to_string())? {
        let entry = entry.ctx(|| dir.display().to_string())?;
        let path = entry.path();
        let Some(file_name) = entry.file_name().to_str().map(str::to_string) else {
            eprintln!(
                "rootfs: warning: skipping {}: name is not UTF-8",
                path.display()
            );
            continue;
        };
        let name = if prefix.is_empty() {
            file_name
        } else {
            format!("{prefix}/{file_name}")
        };
        // A link to a file is archived as the file (Rill's tmpfs has no links in its
        // image); links to directories are not followed, so a loop cannot recurse.
        let mut meta = fs::symlink_metadata(&path).ctx(|| path.display().to_string())?;
        if meta.is_symlink() {
            if let Some(target) = fs::metadata(&path).ok().filter(|m| m.is_file()) {
                meta = target;
            }
        }
        let perm = meta.permissions().mode() & 0o7777;
        if meta.is_dir() {
            tree.files.remove(&name);
            tree.dirs.insert(name.clone(), perm);
            walk(&path, &name, tree)?;
        } else if meta.is_file() {
            tree.dirs.remove(&name);
            let linked = (meta.nlink() > 1).then(|| (meta.dev(), meta.ino()));
            tree.files.insert(
                name,
                Entry {
                    perm,
                    source: path,
                    linked,
                },
            );
        } else {
            eprintln!(
                "rootfs: warning: skipping {}: not a directory or regular file",
                path.display()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// /boot/config-RELEASE is found only if RELEASE is what uname tells programs.
    #[test]
    fn config_name_matches_uname_release() {
        let uname = paths::root().join("kernel/src/syscall/process.rs");
        let text = fs::read_to_string(&uname).unwrap();
        assert!(text.contains(&format!("release: field(\"{KERNEL_RELEASE}\")")));
        let config = fs::read_to_string(paths::root().join(KERNEL_CONFIG)).unwrap();
        let local = KERNEL_RELEASE.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
        assert!(config.contains(&format!("CONFIG_LOCALVERSION=\"{local}\"\n")));
    }

    /// The tools installed as links are the multicall binary's, which its main.rs dispatches.
    #[test]
    fn coreutils_tools_are_its_dependencies() {
        let root = paths::root();
        let manifest = fs::read_to_string(root.join(COREUTILS_MANIFEST)).unwrap();
        let tools = coreutils_tools(&manifest);
        assert!(tools.iter().any(|t| t == "ls") && tools.iter().any(|t| t == "true"));
        let main = fs::read_to_string(root.join("user/coreutils/src/main.rs")).unwrap();
        for tool in &tools {
            assert!(
                main.contains(&format!("(\"{tool}\", uu_{tool}::uumain)")),
                "{tool}"
            );
        }
        assert_eq!(main.matches("::uumain)").count(), tools.len());
    }

    /// `exec --rootfs`: a host directory's files replace the image's, its new directories
    /// and files are added, and added programs get their parent directories.
    #[test]
    fn trees_merge_into_the_image() {
        let base = std::env::temp_dir().join(format!("rill-merge-{}", std::process::id()));
        let (image, extra) = (base.join("image"), base.join("extra"));
        for dir in [image.join("etc"), extra.join("etc"), extra.join("data/sub")] {
            fs::create_dir_all(dir).unwrap();
        }
        fs::write(image.join("etc/passwd"), "old").unwrap();
        fs::write(image.join("etc/group"), "kept").unwrap();
        fs::write(extra.join("etc/passwd"), "new").unwrap();
        fs::write(extra.join("data/sub/f"), "x").unwrap();

        let mut tree = Tree::default();
        walk(&image, "", &mut tree).unwrap();
        walk(&extra, "", &mut tree).unwrap();
        tree.add_parents("opt/ltp/bin/t");
        let dirs: Vec<&str> = tree.dirs.keys().map(String::as_str).collect();
        assert_eq!(
            dirs,
            ["data", "data/sub", "etc", "opt", "opt/ltp", "opt/ltp/bin"]
        );
        let files: Vec<&str> = tree.files.keys().map(String::as_str).collect();
        assert_eq!(files, ["data/sub/f", "etc/group", "etc/passwd"]);
        assert_eq!(tree.files["etc/passwd"].source, extra.join("etc/passwd"));
        fs::remove_dir_all(&base).unwrap();
    }
}
