//! `xtask exec` (run one program on Rill and relay its console) and `xtask run` (interactive
//! boot on the terminal).

use crate::console::Stream;
use crate::proc::Ended;
use crate::{paths, qemu, rootfs, Context, Res};
use std::ffi::OsString;
use std::fs;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

pub struct ExecArgs {
    pub timeout: Duration,
    /// `prog` names a program already in the guest, instead of a host file to add.
    pub guest: bool,
    /// A host directory merged into the image (`--rootfs`).
    pub rootfs: Option<PathBuf>,
    pub prog: OsString,
    pub args: Vec<OsString>,
}

/// Runs the program and returns the exit status to exit with.
pub fn exec(a: ExecArgs) -> Res<i32> {
    // A host program or directory is added to a temporary archive: build/rootfs plus them.
    let mut add = rootfs::Additions::default();
    add.trees.extend(a.rootfs.clone());
    let guest_path = if a.guest {
        a.prog.clone()
    } else {
        let host = Path::new(&a.prog);
        if !host.is_file() {
            return Err(format!("{}: no such file", host.display()));
        }
        let name = host
            .file_name()
            .expect("a file has a name")
            .to_string_lossy()
            .into_owned();
        add.files.push((format!("bin/{name}"), host.to_path_buf()));
        OsString::from(format!("/bin/{name}"))
    };
    let (initrd, _temp) = if add.trees.is_empty() && add.files.is_empty() {
        (paths::initramfs(), None)
    } else {
        let temp = TempFile(paths::build().join(format!("exec-{}.cpio", std::process::id())));
        write_image(&add, &temp.0)?;
        (temp.0.clone(), Some(temp))
    };

    let mut argv = vec![guest_path];
    argv.extend(a.args);
    let mut cmd = qemu::command(&initrd, &qemu::init_bootargs(&argv))?;
    cmd.stderr(Stdio::inherit());
    let input = if std::io::stdin().is_terminal() {
        qemu::Input::Inherit
    } else {
        qemu::Input::AfterBoot(Box::new(std::io::stdin()))
    };

    let mut last_byte = b'\n';
    let mut sink = |stream, bytes: &[u8]| {
        // Write errors (a closed pipe) must not stop the relay: QEMU still has to be waited for.
        let _ = match stream {
            Stream::Stdout => std::io::stdout()
                .write_all(bytes)
                .and_then(|_| std::io::stdout().flush()),
            Stream::Stderr => std::io::stderr().write_all(bytes),
        };
        last_byte = *bytes.last().unwrap_or(&last_byte);
    };
    let boot = qemu::boot(&mut cmd, input, a.timeout, &mut sink)?;

    let mut err = std::io::stderr().lock();
    if last_byte != b'\n' {
        let _ = writeln!(err);
    }
    let code = if boot.ended == Ended::TimedOut {
        let _ = writeln!(
            err,
            "rill: timed out after {} s; console log follows:",
            a.timeout.as_secs_f64()
        );
        write_log(&mut err, &boot.raw);
        124
    } else if boot.panicked {
        let _ = writeln!(err, "rill: kernel panic (see the [rill] lines above)");
        255
    } else {
        if !boot.kernel_seen {
            let _ = writeln!(
                err,
                "rill: the kernel printed no \"[rill] \" line; console log follows:"
            );
            write_log(&mut err, &boot.raw);
        }
        boot.ended.code()
    };
    let _ = writeln!(err, "exit status: {code}");
    Ok(code)
}

/// `xtask run`: boots build/initramfs.cpio with no boot arguments (init's interactive mode) on
/// this terminal. QEMU's escape is Ctrl-A X.
pub fn run() -> Res<i32> {
    let mut cmd = qemu::command(&paths::initramfs(), "".as_ref())?;
    // A second terminal: a virtio console whose host end is a unix socket (`make
    // console2` connects to it). Modern virtio-mmio, which the kernel's driver expects.
    let socket = paths::console2();
    let _ = fs::remove_file(&socket);
    cmd.args([
        "-global",
        "virtio-mmio.force-legacy=false",
        "-device",
        "virtio-serial-device",
    ]);
    cmd.arg("-chardev");
    cmd.arg(format!(
        "socket,id=console2,path={},server=on,wait=off",
        socket.display()
    ));
    cmd.args(["-device", "virtconsole,chardev=console2"]);
    eprintln!(
        "rill: second terminal: `make console2` in another window (socket {})",
        socket.display()
    );
    let status = cmd.status().ctx(|| "starting qemu-system-riscv64".into())?;
    Ok(status.code().unwrap_or(1))
}

fn write_log(out: &mut impl Write, raw: &[u8]) {
    if raw.is_empty() {
        let _ = writeln!(out, "(the console was empty)");
        return;
    }
    let _ = out.write_all(raw);
    if !raw.ends_with(b"\n") {
        let _ = writeln!(out);
    }
}

/// Writes build/rootfs plus `add` as an initramfs image at `out`.
pub fn write_image(add: &rootfs::Additions, out: &Path) -> Res<()> {
    let tree = paths::rootfs();
    if !tree.is_dir() {
        return Err(format!(
            "{} not found: run `xtask rootfs` first",
            tree.display()
        ));
    }
    rootfs::write_archive(&tree, add, out)
}

/// A file removed when dropped.
pub struct TempFile(pub PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}
