//! ELF64 executables as Linux's binfmt_elf loads them. `Elf::parse` makes Linux's
//! checks before the point of no return, in Linux's order: the header fields it looks at
//! and the program header table, read whole from the file (so no later access can fall
//! outside it). `Elf::load` then maps the PT_LOAD segments in table order as Linux's mmap
//! calls do: file pages from the page-aligned offset, a later segment replacing the
//! pages it shares with an earlier one, the bss as anonymous memory.
//!
//! Every field is read through `field`, which bounds-checks against the buffer; the
//! layouts come from linux-raw-sys. A parsing crate would only cover the reading part:
//! what to refuse, and with which error, is Linux's loader logic and has to be here.

use super::{LoadError, Program};
use crate::errno::{SysResult, EIO, ENOENT, ENOEXEC, ENOMEM};
use crate::mm::aspace::{AddressSpace, Prot, MMAP_MIN, STACK_SIZE, STACK_TOP};
use crate::mm::{checked_page_round_up, page_round_down, PAGE_SIZE, USER_END};
use crate::signal::Signal;
use alloc::vec::Vec;
use core::mem::{offset_of, size_of};
use linux_raw_sys::elf_uapi::{self as elf, elf64_hdr as Ehdr, elf64_phdr as Phdr};

/// Size of one program header: the only e_phentsize Linux accepts.
pub const PHDR_SIZE: usize = size_of::<Phdr>();
/// Linux reads the program header table in one go and refuses one larger than a page
/// (ELF_MIN_ALIGN; its other limit, 64 KiB, is larger).
const MAX_PHDR_BYTES: usize = PAGE_SIZE;
/// Where position-independent static programs (Rust's static-pie) are loaded.
const PIE_BASE: usize = 0x2a_aaaa_0000;
/// Linux's TASK_SIZE for Sv39: addresses at or above it are BAD_ADDR.
const TASK_SIZE: usize = USER_END;
/// Segments must end below the stack, which is mapped first (as on Linux).
const SEGMENTS_END: usize = STACK_TOP - STACK_SIZE;
const PAGE: usize = PAGE_SIZE;

/// `N` bytes at `at` in `bytes`; ENOEXEC if they are not all there.
fn field<const N: usize>(bytes: &[u8], at: usize) -> SysResult<[u8; N]> {
    at.checked_add(N)
        .and_then(|end| bytes.get(at..end))
        .and_then(|b| b.try_into().ok())
        .ok_or(ENOEXEC)
}

fn u16_at(bytes: &[u8], at: usize) -> SysResult<u32> {
    field(bytes, at).map(|b| u16::from_le_bytes(b) as u32)
}

fn u32_at(bytes: &[u8], at: usize) -> SysResult<u32> {
    field(bytes, at).map(u32::from_le_bytes)
}

/// A 64-bit field (addresses, offsets, sizes: usize is 64 bits on riscv64).
fn u64_at(bytes: &[u8], at: usize) -> SysResult<usize> {
    field(bytes, at).map(|b| u64::from_le_bytes(b) as usize)
}

/// One program header.
struct Segment {
    kind: u32,
    flags: u32,
    offset: usize,
    vaddr: usize,
    filesz: usize,
    memsz: usize,
}

impl Segment {
    fn decode(b: &[u8]) -> SysResult<Segment> {
        Ok(Segment {
            kind: u32_at(b, offset_of!(Phdr, p_type))?,
            flags: u32_at(b, offset_of!(Phdr, p_flags))?,
            offset: u64_at(b, offset_of!(Phdr, p_offset))?,
            vaddr: u64_at(b, offset_of!(Phdr, p_vaddr))?,
            filesz: u64_at(b, offset_of!(Phdr, p_filesz))?,
            memsz: u64_at(b, offset_of!(Phdr, p_memsz))?,
        })
    }

    fn prot(&self) -> Prot {
        let mut p = Prot::empty();
        if self.flags & elf::PF_R != 0 {
            p |= Prot::READ;
        }
        if self.flags & elf::PF_W != 0 {
            p |= Prot::WRITE;
        }
        if self.flags & elf::PF_X != 0 {
            p |= Prot::EXEC;
        }
        p
    }
}

/// A checked ELF executable: its header fields and program headers.
pub struct Elf {
    dynamic: bool,
    entry: usize,
    phoff: usize,
    segments: Vec<Segment>,
}

/// Where a loaded program's pieces are.
pub struct Layout {
    pub entry: usize,
    pub phdr: usize,
    pub phnum: usize,
    pub brk: usize,
}

/// Pages `[start, end)` as one segment mapped them; `file` is the file offset of
/// `start` for a file mapping, None for anonymous (bss) pages.
struct Mapping {
    start: usize,
    end: usize,
    file: Option<usize>,
}

impl Elf {
    /// Checks the header in `head` (the file's first bytes) and reads the program header
    /// table from `program`, with Linux's checks and errors.
    pub fn parse(head: &[u8], program: &Program) -> SysResult<Elf> {
        let magic = &elf::ELFMAG[..elf::SELFMAG as usize];
        if head.get(..magic.len()) != Some(magic) {
            return Err(ENOEXEC);
        }
        let kind = u16_at(head, offset_of!(Ehdr, e_type))?;
        if kind != elf::ET_EXEC && kind != elf::ET_DYN {
            return Err(ENOEXEC);
        }
        // elf_check_arch looks at the machine and the class only (not the byte order,
        // nor the version).
        let class = field::<1>(head, elf::EI_CLASS as usize)?[0];
        if u16_at(head, offset_of!(Ehdr, e_machine))? != elf::EM_RISCV
            || class != elf::ELFCLASS64 as u8
        {
            return Err(ENOEXEC);
        }
        let phentsize = u16_at(head, offset_of!(Ehdr, e_phentsize))? as usize;
        let table = u16_at(head, offset_of!(Ehdr, e_phnum))? as usize * PHDR_SIZE;
        if phentsize != PHDR_SIZE || table == 0 || table > MAX_PHDR_BYTES {
            return Err(ENOEXEC);
        }
        let phoff = u64_at(head, offset_of!(Ehdr, e_phoff))?;
        let mut raw = Vec::new();
        raw.try_reserve_exact(table).map_err(|_| ENOMEM)?;
        raw.resize(table, 0);
        // Any failure to read the whole table is ENOEXEC on Linux (load_elf_phdrs).
        if program.read_at(phoff, &mut raw).ok() != Some(table) {
            return Err(ENOEXEC);
        }
        let mut segments = Vec::new();
        segments
            .try_reserve_exact(table / PHDR_SIZE)
            .map_err(|_| ENOMEM)?;
        for b in raw.chunks_exact(PHDR_SIZE) {
            segments.push(Segment::decode(b)?);
        }
        let elf = Elf {
            dynamic: kind == elf::ET_DYN,
            entry: u64_at(head, offset_of!(Ehdr, e_entry))?,
            phoff,
            segments,
        };
        elf.check_interpreter(program)?;
        Ok(elf)
    }

    /// A dynamically linked program names its interpreter (PT_INTERP), which Linux reads
    /// and opens before going further; Rill runs static programs only, so a name that
    /// passes Linux's checks ends in ENOEXEC.
    fn check_interpreter(&self, program: &Program) -> SysResult<()> {
        let Some(interp) = self.segments.iter().find(|s| s.kind == elf::PT_INTERP) else {
            return Ok(());
        };
        if interp.filesz > crate::fs::path::PATH_MAX || interp.filesz < 2 {
            return Err(ENOEXEC);
        }
        let mut name = Vec::new();
        name.try_reserve_exact(interp.filesz).map_err(|_| ENOMEM)?;
        name.resize(interp.filesz, 0);
        if program.read_at(interp.offset, &mut name)? != name.len() {
            return Err(EIO);
        }
        if name.last() != Some(&0) {
            return Err(ENOEXEC);
        }
        let len = name.iter().position(|&c| c == 0).unwrap_or(name.len());
        let path = core::str::from_utf8(&name[..len]).map_err(|_| ENOENT)?;
        Program::open(path)?;
        log::info!("execve: {path} (PT_INTERP): dynamically linked programs are not supported");
        Err(ENOEXEC)
    }

    /// Maps the loadable segments into `aspace` and finds the entry point, the program
    /// headers and the start of the heap. Failures are those Linux meets after its
    /// point of no return, so they are fatal signals.
    pub fn load(&self, aspace: &mut AddressSpace, program: &Program) -> Result<Layout, LoadError> {
        let segv = LoadError::Fatal(Signal::SIGSEGV);
        let loads = || self.segments.iter().filter(|s| s.kind == elf::PT_LOAD);
        // A static-pie goes where Rill puts them; Linux refuses one without segments.
        let bias = match (self.dynamic, loads().next()) {
            (false, _) => 0,
            (true, Some(first)) => PIE_BASE.wrapping_sub(page_round_down(first.vaddr)),
            (true, None) => return Err(segv),
        };
        let mut page = Vec::new();
        page.try_reserve_exact(PAGE_SIZE)
            .map_err(|_| LoadError::NoMemory)?;
        page.resize(PAGE_SIZE, 0);
        let mut mappings = Vec::new();
        let mut brk = 0;
        let mut phdr = 0;
        for seg in loads() {
            self.map_segment(aspace, program, seg, bias, &mut page, &mut mappings)?;
            // Linux's checks once the segment is mapped (load_elf_binary).
            if seg.vaddr >= TASK_SIZE
                || seg.filesz > seg.memsz
                || seg.memsz > TASK_SIZE
                || TASK_SIZE - seg.memsz < seg.vaddr
            {
                return Err(segv);
            }
            if seg.offset <= self.phoff && self.phoff - seg.offset < seg.filesz {
                phdr = self.phoff - seg.offset + seg.vaddr;
            }
            brk = brk.max(seg.vaddr + seg.memsz);
        }
        let entry = self.entry.wrapping_add(bias);
        if entry >= TASK_SIZE {
            return Err(segv);
        }
        // Rill copies the file instead of mapping it, so a page past its end reads as
        // zeros where Linux raises SIGBUS on the touch. The one touch that is certain,
        // fetching the first instruction, is raised here.
        let entry_page = page_round_down(entry);
        let entry_mapping = mappings
            .iter()
            .rev()
            .find(|m: &&Mapping| m.start <= entry_page && entry_page < m.end);
        if let Some(Mapping {
            start,
            file: Some(off),
            ..
        }) = entry_mapping
        {
            if off + (entry_page - start) >= program.size {
                return Err(LoadError::Fatal(Signal::SIGBUS));
            }
        }
        let brk = checked_page_round_up(brk.wrapping_add(bias)).ok_or(segv)?;
        Ok(Layout {
            entry,
            phdr: phdr.wrapping_add(bias),
            phnum: self.segments.len(),
            brk,
        })
    }

    /// Maps one PT_LOAD as Linux's elf_load: the file pages holding [vaddr, vaddr +
    /// filesz) with the segment's protection, the rest of the last of them zeroed when
    /// the segment has a bss (only if writable: Linux's clear_user fails silently
    /// otherwise), then anonymous read-write pages up to vaddr + memsz.
    fn map_segment(
        &self,
        aspace: &mut AddressSpace,
        program: &Program,
        seg: &Segment,
        bias: usize,
        page: &mut [u8],
        mappings: &mut Vec<Mapping>,
    ) -> Result<(), LoadError> {
        let segv = LoadError::Fatal(Signal::SIGSEGV);
        let addr = bias.wrapping_add(seg.vaddr);
        let in_page = addr % PAGE;
        let start = page_round_down(addr);
        let prot = seg.prot();
        // Where the bss (memsz past filesz) starts.
        let mut zero_start = start;
        if seg.filesz != 0 {
            // mmap(start, filesz + in_page, prot, MAP_FIXED, file, offset - in_page):
            // the offset must be page-aligned and the range must fit.
            let off = seg.offset.wrapping_sub(in_page);
            let len = seg
                .filesz
                .checked_add(in_page)
                .and_then(checked_page_round_up)
                .ok_or(segv)?;
            let end = start.checked_add(len).ok_or(segv)?;
            if !off.is_multiple_of(PAGE) || off.checked_add(len).is_none() {
                return Err(segv);
            }
            replace(aspace, start, end, prot, mappings, Some(off))?;
            copy_file_pages(aspace, program, start, end, off, page)?;
            zero_start = addr + seg.filesz;
            // padzero: the rest of the last file page, if Linux's clear_user can write it.
            let tail = zero_start % PAGE;
            let file_pos = off + (page_round_down(zero_start) - start);
            if seg.memsz > seg.filesz
                && tail != 0
                && prot.contains(Prot::WRITE)
                && file_pos < program.size
            {
                page.fill(0);
                write(aspace, zero_start, &page[..PAGE - tail])?;
            }
        }
        if seg.memsz > seg.filesz {
            // vm_brk_flags: anonymous, read-write, executable if the segment is.
            let zero_end = start
                .checked_add(in_page)
                .and_then(|e| e.checked_add(seg.memsz))
                .ok_or(segv)?;
            let from = checked_page_round_up(zero_start).ok_or(segv)?;
            let to = checked_page_round_up(zero_end).ok_or(segv)?;
            if to > from {
                let bss = Prot::READ | Prot::WRITE | (prot & Prot::EXEC);
                replace(aspace, from, to, bss, mappings, None)?;
            }
        }
        Ok(())
    }
}

/// Puts a fresh area over `[start, end)` (replacing what was there, as MAP_FIXED).
fn replace(
    aspace: &mut AddressSpace,
    start: usize,
    end: usize,
    prot: Prot,
    mappings: &mut Vec<Mapping>,
    file: Option<usize>,
) -> Result<(), LoadError> {
    if start < MMAP_MIN || end > SEGMENTS_END {
        return Err(LoadError::Fatal(Signal::SIGSEGV));
    }
    mappings.try_reserve(1).map_err(|_| LoadError::NoMemory)?;
    aspace.unmap(start, end).map_err(|_| LoadError::NoMemory)?;
    aspace
        .add_area(start, end, prot)
        .map_err(|_| LoadError::NoMemory)?;
    mappings.push(Mapping { start, end, file });
    Ok(())
}

/// Copies the file's pages from `off` into `[start, end)`; pages past the end of the
/// file stay unpopulated (they read as zeros).
fn copy_file_pages(
    aspace: &mut AddressSpace,
    program: &Program,
    start: usize,
    end: usize,
    off: usize,
    page: &mut [u8],
) -> Result<(), LoadError> {
    let mut va = start;
    while va < end {
        let pos = off + (va - start);
        if pos >= program.size {
            break;
        }
        let n = program
            .read_at(pos, page)
            .map_err(|_| LoadError::Fatal(Signal::SIGBUS))?;
        if n == 0 {
            break;
        }
        write(aspace, va, &page[..n])?;
        va += PAGE;
    }
    Ok(())
}

fn write(aspace: &mut AddressSpace, va: usize, data: &[u8]) -> Result<(), LoadError> {
    aspace
        .write_initial(va, data)
        .map_err(|_| LoadError::NoMemory)
}
