//! execve: loading a static ELF64 RISC-V program into a fresh address space and building
//! the initial stack (argc, argv, envp, auxv) that the C runtime expects.

use crate::arch::trap::TrapFrame;
use crate::fs::path::PathAt;
use crate::fs::vfs::{check_access, Want};
use crate::mm::aspace::{AddressSpace, Prot, STACK_SIZE, STACK_TOP};
use crate::mm::uaccess::OutBuf;
use crate::mm::{page_round_down, page_round_up, PAGE_SIZE};
use crate::errno::{SysResult, E2BIG, EACCES, ENOEXEC, ENOMEM};
use alloc::string::String;
use alloc::vec::Vec;
use linux_raw_sys::auxvec as aux;
use xmas_elf::header::{Machine, Type};
use xmas_elf::program::{ProgramHeader, Type as PType};
use xmas_elf::ElfFile;

/// Where position-independent static programs (Rust's static-pie) are loaded.
const PIE_BASE: usize = 0x2a_aaaa_0000;
/// Rill's limit on argv + envp, strings and pointers together (Linux allows a quarter
/// of the stack limit, 2 MiB by default; 256 KiB keeps the copy small).
pub const MAX_ARGS_BYTES: usize = 256 * 1024;
/// Linux's limit on one argument or environment string.
pub const MAX_ARG_STRLEN: usize = 32 * 4096;
/// RISC-V ISA bits for AT_HWCAP: I, M, A, F, D, C.
const HWCAP_IMAFDC: usize = (1 << 8) | (1 << 12) | (1 << 0) | (1 << 5) | (1 << 3) | (1 << 2);

/// A loaded image ready to run.
pub struct Image {
    pub aspace: AddressSpace,
    pub entry: usize,
    pub sp: usize,
}

/// Reads the whole file at `path` after checking it is a regular, executable file.
pub fn read_program(path: &PathAt) -> SysResult<Vec<u8>> {
    let node = crate::fs::path::lookup(path)?;
    let meta = node.metadata();
    if meta.file_type() != crate::fs::vfs::S_IFREG {
        return Err(EACCES);
    }
    let creds = *super::current_process().creds.lock();
    check_access(&meta, creds.euid, creds.egid, Want::EXEC)?;
    let mut data = Vec::new();
    data.try_reserve_exact(meta.size as usize)
        .map_err(|_| ENOMEM)?;
    data.resize(meta.size as usize, 0);
    let file = node.open(0)?;
    let mut done = 0;
    while done < data.len() {
        let mut rest: &mut [u8] = &mut data[done..];
        let n = file.read(done as u64, &mut rest as &mut dyn OutBuf, false)?;
        if n == 0 {
            break;
        }
        done += n;
    }
    data.truncate(done);
    Ok(data)
}

fn prot_of(ph: &ProgramHeader) -> Prot {
    let f = ph.flags();
    let mut p = Prot::empty();
    if f.is_read() {
        p |= Prot::READ;
    }
    if f.is_write() {
        p |= Prot::WRITE;
    }
    if f.is_execute() {
        p |= Prot::EXEC;
    }
    p
}

/// Builds the address space for `data` with the given arguments.
pub fn load(data: &[u8], execfn: &str, argv: &[String], envp: &[String]) -> SysResult<Image> {
    let elf = ElfFile::new(data).map_err(|_| ENOEXEC)?;
    let hdr = &elf.header;
    if hdr.pt2.machine().as_machine() != Machine::RISC_V
        || hdr.pt1.class() != xmas_elf::header::Class::SixtyFour
    {
        return Err(ENOEXEC);
    }
    let base = match hdr.pt2.type_().as_type() {
        Type::Executable => 0,
        Type::SharedObject => PIE_BASE,
        _ => return Err(ENOEXEC),
    };
    let mut aspace = AddressSpace::new()?;
    let mut phdr_addr = 0;
    let mut data_end = 0;
    let mut first_load: Option<(usize, usize)> = None;
    for ph in elf.program_iter() {
        match ph.get_type() {
            Ok(PType::Load) => {
                let vaddr = base + ph.virtual_addr() as usize;
                let memsz = ph.mem_size() as usize;
                let filesz = ph.file_size() as usize;
                let offset = ph.offset() as usize;
                if filesz > memsz || offset.checked_add(filesz).is_none_or(|e| e > data.len()) {
                    return Err(ENOEXEC);
                }
                let start = page_round_down(vaddr);
                let end = page_round_up(vaddr.checked_add(memsz).ok_or(ENOEXEC)?);
                aspace
                    .add_area(start, end, prot_of(&ph))
                    .map_err(|_| ENOEXEC)?;
                aspace.write_initial(vaddr, &data[offset..offset + filesz])?;
                data_end = data_end.max(end);
                if first_load.is_none() {
                    first_load = Some((vaddr, offset));
                }
            }
            Ok(PType::Phdr) => phdr_addr = base + ph.virtual_addr() as usize,
            Ok(PType::Interp) => return Err(ENOEXEC), // dynamically linked: not supported
            _ => {}
        }
    }
    let (load_vaddr, load_off) = first_load.ok_or(ENOEXEC)?;
    if phdr_addr == 0 {
        phdr_addr = load_vaddr - load_off + hdr.pt2.ph_offset() as usize;
    }
    aspace.brk_base = data_end;
    aspace.brk = data_end;
    aspace.add_area(STACK_TOP - STACK_SIZE, STACK_TOP, Prot::READ | Prot::WRITE)?;

    let entry = base + hdr.pt2.entry_point() as usize;
    let auxv = [
        (aux::AT_PHDR as usize, phdr_addr),
        (aux::AT_PHENT as usize, hdr.pt2.ph_entry_size() as usize),
        (aux::AT_PHNUM as usize, hdr.pt2.ph_count() as usize),
        (aux::AT_PAGESZ as usize, PAGE_SIZE),
        (aux::AT_BASE as usize, 0),
        (aux::AT_FLAGS as usize, 0),
        (aux::AT_ENTRY as usize, entry),
        (aux::AT_HWCAP as usize, HWCAP_IMAFDC),
        (aux::AT_CLKTCK as usize, 100),
        (aux::AT_UID as usize, 0),
        (aux::AT_EUID as usize, 0),
        (aux::AT_GID as usize, 0),
        (aux::AT_EGID as usize, 0),
        (aux::AT_SECURE as usize, 0),
    ];
    let sp = build_stack(&mut aspace, execfn, argv, envp, &auxv)?;
    Ok(Image { aspace, entry, sp })
}

/// Lays out the initial stack, from the top down: strings, 16 random bytes, then
/// (16-byte aligned) argc, argv[], NULL, envp[], NULL, auxv pairs, AT_NULL.
fn build_stack(
    aspace: &mut AddressSpace,
    execfn: &str,
    argv: &[String],
    envp: &[String],
    auxv: &[(usize, usize)],
) -> SysResult<usize> {
    let strings: usize =
        argv.iter().chain(envp).map(|s| s.len() + 1).sum::<usize>() + execfn.len() + 1;
    if strings > MAX_ARGS_BYTES {
        return Err(E2BIG);
    }
    let mut sp = STACK_TOP;
    let mut push_str = |aspace: &mut AddressSpace, s: &str| -> SysResult<usize> {
        sp -= s.len() + 1;
        aspace.write_initial(sp, s.as_bytes())?;
        aspace.write_initial(sp + s.len(), &[0])?;
        Ok(sp)
    };
    let execfn_addr = push_str(aspace, execfn)?;
    let mut env_ptrs = Vec::with_capacity(envp.len());
    for e in envp.iter().rev() {
        env_ptrs.push(push_str(aspace, e)?);
    }
    env_ptrs.reverse();
    let mut arg_ptrs = Vec::with_capacity(argv.len());
    for a in argv.iter().rev() {
        arg_ptrs.push(push_str(aspace, a)?);
    }
    arg_ptrs.reverse();
    sp &= !15;
    sp -= 16;
    let random_addr = sp;
    let mut random = [0u8; 16];
    crate::random::fill(&mut random);
    aspace.write_initial(random_addr, &random)?;

    let mut words: Vec<usize> = Vec::new();
    words.push(argv.len());
    words.extend(&arg_ptrs);
    words.push(0);
    words.extend(&env_ptrs);
    words.push(0);
    for &(k, v) in auxv {
        words.push(k);
        words.push(v);
    }
    words.extend([aux::AT_RANDOM as usize, random_addr]);
    words.extend([aux::AT_EXECFN as usize, execfn_addr]);
    words.extend([aux::AT_NULL as usize, 0]);
    sp -= words.len() * 8;
    sp &= !15;
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
    aspace.write_initial(sp, &bytes)?;
    Ok(sp)
}

/// The registers a freshly exec'd program starts with.
pub fn initial_frame(image: &Image) -> TrapFrame {
    TrapFrame::new_user(image.entry, image.sp)
}
