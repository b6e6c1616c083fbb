//! Redirections: `[n]<`, `>`, `>>`, `<>`, `>|`, `<&n`, `>&n`, `<&-`, and
//! here-documents. A builtin or compound command run inside the shell gets its
//! redirections undone afterwards, so the descriptors it changes are saved first.

use crate::ast::{RedirOp, Redirect};
use crate::expand;
use crate::{cstring, Shell};
use std::io::{self, Write};

/// The descriptors a set of redirections replaced, to put back with [`restore`].
#[derive(Default)]
pub struct Saved {
    /// (descriptor, its saved copy or -1 if it was closed).
    fds: Vec<(i32, i32)>,
}

/// Applies `redirects` in order. With `save`, what they replace is kept so
/// [`restore`] can undo them. Errors are reported here; returns Err(()) then
/// (what was already done is left for the caller to restore).
pub fn apply(
    shell: &mut Shell,
    redirects: &[Redirect],
    save: bool,
    saved: &mut Saved,
) -> Result<(), ()> {
    for r in redirects {
        let fd = r.target_fd();
        if save && !saved.fds.iter().any(|&(f, _)| f == fd) {
            let _ = io::stdout().flush();
            // SAFETY: fcntl duplicates (or fails on) a descriptor number.
            let copy = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 10) };
            saved.fds.push((fd, copy));
        }
        if let Err(msg) = one(shell, r, fd) {
            shell.error(&msg);
            return Err(());
        }
    }
    Ok(())
}

/// Undoes the redirections recorded in `saved`.
pub fn restore(saved: Saved) {
    let _ = io::stdout().flush();
    for (fd, copy) in saved.fds.into_iter().rev() {
        // SAFETY: dup2 and close on descriptors this process owns.
        unsafe {
            if copy >= 0 {
                libc::dup2(copy, fd);
                libc::close(copy);
            } else {
                libc::close(fd);
            }
        }
    }
}

fn one(shell: &mut Shell, r: &Redirect, fd: i32) -> Result<(), String> {
    if let Some((body, quoted)) = &r.here {
        let text = if *quoted {
            body.borrow().clone()
        } else {
            let body = body.borrow().clone();
            expand::expand_here_doc(shell, &body).map_err(|e| e.0)?
        };
        return here_doc(fd, &text);
    }
    let target = expand::expand_single(shell, &r.target).map_err(|e| e.0)?;
    let flags = match r.op {
        RedirOp::In => libc::O_RDONLY,
        RedirOp::Out => libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC,
        RedirOp::Append => libc::O_WRONLY | libc::O_CREAT | libc::O_APPEND,
        RedirOp::ReadWrite => libc::O_RDWR | libc::O_CREAT,
        RedirOp::DupIn | RedirOp::DupOut | RedirOp::HereDoc => {
            if target == "-" {
                // SAFETY: closing a descriptor number.
                unsafe { libc::close(fd) };
                return Ok(());
            }
            let from: i32 = target
                .parse()
                .map_err(|_| format!("{target}: ambiguous redirect"))?;
            // SAFETY: dup2 has no memory-safety requirements.
            if from != fd && unsafe { libc::dup2(from, fd) } < 0 {
                return Err(format!("{from}: {}", last_error()));
            }
            // SAFETY: as above; checks that `from` is open when it equals fd.
            if from == fd && unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
                return Err(format!("{from}: {}", last_error()));
            }
            return Ok(());
        }
    };
    let path = cstring(&target);
    // Opened without O_CLOEXEC: the descriptor is meant to survive exec.
    // SAFETY: path is a valid C string.
    let opened = unsafe { libc::open(path.as_ptr(), flags, 0o666) };
    if opened < 0 {
        return Err(format!("{target}: {}", last_error()));
    }
    move_fd(opened, fd);
    Ok(())
}

/// Puts `opened` at descriptor `fd`.
fn move_fd(opened: i32, fd: i32) {
    if opened != fd {
        // SAFETY: dup2 and close on descriptors this process owns.
        unsafe {
            libc::dup2(opened, fd);
            libc::close(opened);
        }
    }
}

/// A here-document's text as descriptor `fd`: through a pipe when it fits in
/// the pipe's buffer, otherwise through an unlinked temporary file.
fn here_doc(fd: i32, text: &str) -> Result<(), String> {
    let bytes = text.as_bytes();
    if bytes.len() < 16384 {
        let mut fds = [0; 2];
        // SAFETY: fds has room for two descriptors.
        if unsafe { libc::pipe(fds.as_mut_ptr()) } < 0 {
            return Err(format!("here-document: {}", last_error()));
        }
        // SAFETY: writing from a valid buffer; closing our write end.
        unsafe {
            libc::write(fds[1], bytes.as_ptr().cast(), bytes.len());
            libc::close(fds[1]);
        }
        move_fd(fds[0], fd);
        return Ok(());
    }
    // SAFETY: getpid cannot fail.
    let path = format!("/tmp/.sh-here-{}", unsafe { libc::getpid() });
    let c = cstring(&path);
    // SAFETY: c is a valid C string; the buffer is valid for its length.
    unsafe {
        let opened = libc::open(
            c.as_ptr(),
            libc::O_RDWR | libc::O_CREAT | libc::O_TRUNC,
            0o600,
        );
        if opened < 0 {
            return Err(format!("here-document: {}", last_error()));
        }
        libc::unlink(c.as_ptr());
        libc::write(opened, bytes.as_ptr().cast(), bytes.len());
        libc::lseek(opened, 0, libc::SEEK_SET);
        move_fd(opened, fd);
    }
    Ok(())
}

pub fn last_error() -> String {
    rill_user::strerror(&io::Error::last_os_error())
}
