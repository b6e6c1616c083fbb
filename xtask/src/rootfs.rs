//! `xtask rootfs`: assembles build/rootfs/ from the built programs and archives it as
//! build/initramfs.cpio. Also the archiver itself, which `exec` uses to add one host program.

use crate::{cpio, paths, Context, Res};
use flate2::write::GzEncoder;
use flate2::Compression;
use std::fs;
use std::io::BufWriter;
use std::os::unix::fs::PermissionsExt;
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
    write_archive(&rootfs, None, &cpio)?;
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

/// One thing to put in the archive: a directory, or a regular file read from `source`.
struct Entry {
    name: String,
    perm: u32,
    source: Option<PathBuf>,
}

/// Archives the tree under `rootfs` into `out` (a gzip-compressed cpio), with `extra` = (guest name, host file) added
/// as a 0755 file (replacing any file of that name). Names carry no leading "/" or "./"
/// ("bin", "bin/sh"); all directories come first, then the files, each group sorted by name.
pub fn write_archive(rootfs: &Path, extra: Option<(&str, &Path)>, out: &Path) -> Res<()> {
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    walk(rootfs, "", &mut dirs, &mut files)?;
    if let Some((name, source)) = extra {
        files.retain(|f: &Entry| f.name != name);
        files.push(Entry {
            name: name.to_string(),
            perm: 0o755,
            source: Some(source.to_path_buf()),
        });
    }
    dirs.sort_by(|a, b| a.name.cmp(&b.name));
    files.sort_by(|a, b| a.name.cmp(&b.name));

    let file = fs::File::create(out).ctx(|| format!("creating {}", out.display()))?;
    // Compressed, as Linux initramfs images are: QEMU loads the image into RAM beside the
    // kernel, and with 128 MiB of RAM a raw one no longer fits below the device tree.
    // The fast level keeps `exec`, which writes an archive per run, quick.
    let gz = GzEncoder::new(BufWriter::new(file), Compression::fast());
    let mut writer = cpio::Writer::new(gz);
    let fail = |e| format!("writing {}: {e}", out.display());
    for dir in &dirs {
        writer.dir(&dir.name, dir.perm).map_err(fail)?;
    }
    for entry in &files {
        let source = entry.source.as_ref().expect("files have a source");
        let data = fs::read(source).ctx(|| format!("reading {}", source.display()))?;
        writer.file(&entry.name, entry.perm, &data).map_err(fail)?;
    }
    writer.finish().and_then(GzEncoder::finish).map_err(fail)?;
    Ok(())
}

/// Collects the directories and regular files below `dir`, whose archive name is `prefix`.
fn walk(dir: &Path, prefix: &str, dirs: &mut Vec<Entry>, files: &mut Vec<Entry>) -> Res<()> {
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
        let meta = fs::symlink_metadata(&path).ctx(|| path.display().to_string())?;
        let perm = meta.permissions().mode() & 0o7777;
        if meta.is_dir() {
            walk(&path, &name, dirs, files)?;
            dirs.push(Entry {
                name,
                perm,
                source: None,
            });
        } else if meta.is_file() {
            files.push(Entry {
                name,
                perm,
                source: Some(path),
            });
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
}
