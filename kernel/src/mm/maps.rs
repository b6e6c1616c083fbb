//! The text of /proc/PID/maps, in Linux's format: one line per area with its range,
//! rights, s (shared) or p (private), offset in the object, device, inode and name.

use super::area::{Backing, Prot};
use super::aspace::{AddressSpace, STACK_TOP};
use super::object::ObjectKind;
use super::{heap, page_round_up, PAGE_SHIFT, PAGE_SIZE};
use crate::errno::{Errno, ENOMEM};
use crate::fs::path::PATH_MAX;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

/// Longest line before the name: the fixed columns and the padding.
const LINE_MAX: usize = 128;
/// Linux pads the columns before a name to this width (seq_setwidth in task_mmu.c).
const NAME_COLUMN: usize = 72;

/// A line under construction, on the stack.
struct Line {
    buf: [u8; LINE_MAX],
    len: usize,
}

impl Write for Line {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len + s.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(core::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Appends the part of `text` (which starts at byte `*at` of the whole text) that lies
/// in `[pos, pos + max)` to `out`, and moves `*at` past it.
fn emit(out: &mut Vec<u8>, at: &mut usize, pos: usize, max: usize, text: &[u8]) {
    let end = *at + text.len();
    if end > pos && out.len() < max {
        let from = pos.saturating_sub(*at);
        let take = (text.len() - from).min(max - out.len());
        out.extend_from_slice(&text[from..from + take]);
    }
    *at = end;
}

impl AddressSpace {
    /// Bytes `[pos, pos + max)` of the maps text. Lines before `pos` are formatted and
    /// skipped, so the text is never held whole.
    pub fn maps_text(&self, pos: usize, max: usize) -> Result<Vec<u8>, Errno> {
        let cap = max.min(self.areas.len() * (LINE_MAX + PATH_MAX));
        heap::reserve(cap + 2 * PATH_MAX)?;
        let mut out = Vec::new();
        out.try_reserve_exact(cap).map_err(|_| ENOMEM)?;
        // A file's path, made again for each line that names one.
        let mut path = String::new();
        path.try_reserve_exact(PATH_MAX + 16).map_err(|_| ENOMEM)?;
        let mut at = 0;
        let heap = (self.brk_base, page_round_up(self.brk));
        for (&start, area) in &self.areas {
            if out.len() >= max {
                break;
            }
            let mut line = Line {
                buf: [0; LINE_MAX],
                len: 0,
            };
            let rights = |p: Prot, c: char| if area.prot.contains(p) { c } else { '-' };
            path.clear();
            let (offset, dev, ino, name) = match &area.backing {
                Backing::Shared { object, pgoff } | Backing::PrivateCopy { object, pgoff } => {
                    let (dev, ino) = match object.file() {
                        Some(file) => {
                            let (major, minor, ino) = file.dev_ino();
                            // A path past PATH_MAX is left out, as Linux's d_path fails.
                            if file.path(&mut path).is_err() || path.len() > PATH_MAX {
                                path.clear();
                            }
                            ((major, minor), ino)
                        }
                        None => {
                            match object.kind() {
                                ObjectKind::SharedAnonymous | ObjectKind::File => {
                                    path.push_str("/dev/zero (deleted)")
                                }
                                // Linux names a segment's file after its key.
                                ObjectKind::SysvSegment(key) => {
                                    let _ = write!(path, "/SYSV{:08x} (deleted)", key as u32);
                                }
                            }
                            ((0, 1), object.id())
                        }
                    };
                    (pgoff << PAGE_SHIFT, dev, ino, path.as_str())
                }
                Backing::Anonymous if start < heap.1 && area.end > heap.0 => {
                    (0, (0, 0), 0, "[heap]")
                }
                Backing::Anonymous if start < STACK_TOP && area.end >= STACK_TOP - PAGE_SIZE => {
                    (0, (0, 0), 0, "[stack]")
                }
                Backing::Anonymous => (0, (0, 0), 0, ""),
            };
            let _ = write!(
                line,
                "{start:08x}-{:08x} {}{}{}{} {offset:08x} {:02x}:{:02x} {ino} ",
                area.end,
                rights(Prot::READ, 'r'),
                rights(Prot::WRITE, 'w'),
                rights(Prot::EXEC, 'x'),
                if area.backing.is_shared() { 's' } else { 'p' },
                dev.0,
                dev.1,
            );
            if !name.is_empty() {
                while line.len < NAME_COLUMN {
                    let _ = line.write_str(" ");
                }
                let _ = line.write_str(" ");
            }
            emit(&mut out, &mut at, pos, max, &line.buf[..line.len]);
            emit(&mut out, &mut at, pos, max, name.as_bytes());
            emit(&mut out, &mut at, pos, max, b"\n");
        }
        Ok(out)
    }
}
