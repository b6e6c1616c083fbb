//! The text of /proc/PID/maps, in Linux's format: one line per area with its range,
//! rights, s (shared) or p (private), offset in the object, device, inode and name.

use super::area::{Backing, Prot};
use super::aspace::{AddressSpace, STACK_TOP};
use super::object::ObjectKind;
use super::{heap, page_round_up, PAGE_SHIFT, PAGE_SIZE};
use crate::errno::{Errno, ENOMEM};
use alloc::vec::Vec;
use core::fmt::Write;

/// Longest line: the fixed columns and the longest name.
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

impl AddressSpace {
    /// Bytes `[pos, pos + max)` of the maps text. Lines before `pos` are formatted and
    /// skipped, so the text is never held whole.
    pub fn maps_text(&self, pos: usize, max: usize) -> Result<Vec<u8>, Errno> {
        let cap = max.min(self.areas.len() * LINE_MAX);
        heap::reserve(cap)?;
        let mut out = Vec::new();
        out.try_reserve_exact(cap).map_err(|_| ENOMEM)?;
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
            let (offset, dev, ino, name) = match &area.backing {
                Backing::Shared { object, pgoff } | Backing::PrivateCopy { object, pgoff } => {
                    let name = match object.kind() {
                        ObjectKind::SharedAnonymous => Name::Text("/dev/zero (deleted)"),
                        ObjectKind::SysvSegment(key) => Name::Sysv(key),
                    };
                    (pgoff << PAGE_SHIFT, "00:01", object.id(), name)
                }
                Backing::Anonymous if start < heap.1 && area.end > heap.0 => {
                    (0, "00:00", 0, Name::Text("[heap]"))
                }
                Backing::Anonymous if start < STACK_TOP && area.end >= STACK_TOP - PAGE_SIZE => {
                    (0, "00:00", 0, Name::Text("[stack]"))
                }
                Backing::Anonymous => (0, "00:00", 0, Name::Text("")),
            };
            let _ = write!(
                line,
                "{start:08x}-{:08x} {}{}{}{} {offset:08x} {dev} {ino} ",
                area.end,
                rights(Prot::READ, 'r'),
                rights(Prot::WRITE, 'w'),
                rights(Prot::EXEC, 'x'),
                if area.backing.is_shared() { 's' } else { 'p' },
            );
            if name != Name::Text("") {
                while line.len < NAME_COLUMN {
                    let _ = line.write_str(" ");
                }
                let _ = match name {
                    Name::Text(t) => write!(line, " {t}"),
                    // Linux names a segment's file after its key.
                    Name::Sysv(key) => write!(line, " /SYSV{:08x} (deleted)", key as u32),
                };
            }
            let _ = line.write_str("\n");
            let text = &line.buf[..line.len];
            let end = at + text.len();
            if end > pos {
                let from = pos.saturating_sub(at);
                let take = (text.len() - from).min(max - out.len());
                out.extend_from_slice(&text[from..from + take]);
            }
            at = end;
        }
        Ok(out)
    }
}

/// The last column of a line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Name {
    Text(&'static str),
    Sysv(i32),
}
