//! execve: finding the program behind a path (`#!` scripts name their interpreter, up to
//! Linux's depth), checking it as Linux does before its point of no return, then building
//! the new address space and the initial stack (argc, argv, envp, auxv).
//!
//! Linux makes some checks only after the old image is gone (segment mappings, bounds of
//! the segments, the entry point); a program that fails them dies by SIGSEGV instead of
//! getting an error from execve. Rill builds the new image before touching the old one,
//! but keeps that outcome: `LoadError::Fatal` says which signal Linux would kill with.

mod elf;
mod script;

use crate::arch::trap::TrapFrame;
use crate::errno::{SysResult, E2BIG, EACCES, ELOOP, ENOENT, ENOMEM};
use crate::fs::file::File;
use crate::fs::path::{resolve_at, AT_FDCWD};
use crate::fs::vfs::{check_access, Want};
use crate::mm::aspace::{AddressSpace, Prot, STACK_SIZE, STACK_TOP};
use crate::mm::uaccess::OutBuf;
use crate::mm::PAGE_SIZE;
use crate::signal::Signal;
use crate::task::process::Creds;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use linux_raw_sys::auxvec as aux;

pub use script::BINPRM_BUF_SIZE;

/// Rill's limit on argv + envp, strings and pointers together (Linux allows a quarter
/// of the stack limit, 2 MiB by default; 256 KiB keeps the copy small).
pub const MAX_ARGS_BYTES: usize = 256 * 1024;
/// Linux's limit on one argument or environment string.
pub const MAX_ARG_STRLEN: usize = 32 * 4096;
/// Kernel heap one execve may use on the program's behalf: its argument strings (each
/// rounded up by the allocator), the program header table and a page buffer.
pub const EXEC_HEAP_COST: usize = 2 * MAX_ARGS_BYTES + 64 * 1024;
/// Linux's exec_binprm gives up with ELOOP past this many interpreter rewrites.
const MAX_INTERPRETER_DEPTH: usize = 5;
/// RISC-V ISA bits for AT_HWCAP: I, M, A, F, D, C.
const HWCAP_IMAFDC: usize = (1 << 8) | (1 << 12) | (1 << 0) | (1 << 5) | (1 << 3) | (1 << 2);

/// An executable file opened by execve.
pub struct Program {
    file: Arc<dyn File>,
    size: usize,
    /// Absolute path, for /proc/PID/exe.
    pub path: String,
}

impl Program {
    /// Opens `path` (relative to the cwd) as Linux's open_exec: a regular file the
    /// caller may execute.
    pub fn open(path: &str) -> SysResult<Program> {
        let abs = resolve_at(AT_FDCWD, path)?;
        let node = crate::fs::path::lookup(&abs)?;
        let meta = node.metadata();
        if meta.file_type() != crate::fs::vfs::S_IFREG {
            return Err(EACCES);
        }
        let creds = *super::current_process().creds.lock();
        check_access(&meta, creds.euid, creds.egid, Want::EXEC)?;
        // Linux's path_noexec: nothing runs from a file system mounted MS_NOEXEC.
        if crate::fs::mount::flags_of(node.fs_id()).noexec {
            return Err(EACCES);
        }
        Ok(Program {
            file: node.open(0)?,
            size: meta.size as usize,
            path: abs.absolute_name()?,
        })
    }

    /// Reads from `pos` until `buf` is full or the file ends; returns the bytes read.
    fn read_at(&self, pos: usize, buf: &mut [u8]) -> SysResult<usize> {
        let mut done = 0;
        while done < buf.len() {
            let Some(at) = pos.checked_add(done).filter(|&at| at < self.size) else {
                break;
            };
            let mut rest: &mut [u8] = &mut buf[done..];
            let n = self
                .file
                .read(at as u64, &mut rest as &mut dyn OutBuf, false)?;
            if n == 0 {
                break;
            }
            done += n;
        }
        Ok(done)
    }

    /// The first bytes of the file, zero-padded (Linux's bprm->buf).
    fn head(&self) -> SysResult<[u8; BINPRM_BUF_SIZE]> {
        let mut head = [0; BINPRM_BUF_SIZE];
        self.read_at(0, &mut head)?;
        Ok(head)
    }
}

/// The command line as it stands after `#!` rewriting, and the environment.
pub struct Args {
    pub argv: Vec<Vec<u8>>,
    pub envp: Vec<Vec<u8>>,
    /// The path as passed to execve (AT_EXECFN).
    pub execfn: Vec<u8>,
}

impl Args {
    /// E2BIG unless strings and pointers fit MAX_ARGS_BYTES (execfn counts too, as on Linux).
    fn check_size(&self) -> SysResult<()> {
        let ptr = core::mem::size_of::<usize>();
        let total = self
            .argv
            .iter()
            .chain(&self.envp)
            .map(|s| s.len() + 1 + ptr)
            .sum::<usize>()
            + self.execfn.len()
            + 1;
        if total > MAX_ARGS_BYTES {
            return Err(E2BIG);
        }
        Ok(())
    }
}

/// A program that has passed every check Linux makes before its point of no return.
pub struct Prepared {
    pub program: Program,
    elf: elf::Elf,
    pub args: Args,
}

/// Resolves `path` to the ELF program that will run: each `#!` script puts its
/// interpreter (and optional argument) in front of the arguments and hands over to it,
/// at most MAX_INTERPRETER_DEPTH times (Linux's exec_binprm).
pub fn prepare(path: &str, mut args: Args) -> SysResult<Prepared> {
    let mut program = Program::open(path)?;
    args.check_size()?;
    // The name the next interpreter is told to run (Linux's bprm->interp).
    let mut shown = path.as_bytes().to_vec();
    for _ in 0..=MAX_INTERPRETER_DEPTH {
        let head = program.head()?;
        let Some(line) = script::parse(&head)? else {
            let elf = elf::Elf::parse(&head, &program)?;
            return Ok(Prepared { program, elf, args });
        };
        // argv[0] gives way to the interpreter, its argument and the script's name.
        let mut argv = Vec::new();
        argv.try_reserve(args.argv.len() + 2).map_err(|_| ENOMEM)?;
        argv.push(line.interpreter.clone());
        argv.extend(line.arg);
        argv.push(core::mem::take(&mut shown));
        argv.extend(args.argv.drain(..).skip(1));
        args.argv = argv;
        args.check_size()?;
        // A name that is not UTF-8 cannot exist in Rill's file systems.
        let name = core::str::from_utf8(&line.interpreter).map_err(|_| ENOENT)?;
        program = Program::open(name)?;
        shown = line.interpreter;
    }
    Err(ELOOP)
}

/// Why a prepared program cannot start.
#[derive(Clone, Copy)]
pub enum LoadError {
    /// No memory for the new image: execve fails and the caller carries on.
    NoMemory,
    /// Linux would kill the program with this signal (see the top of this file).
    Fatal(Signal),
}

/// Where the argument and environment strings lie in a new program's stack: what
/// /proc/PID/cmdline reads (Linux's mm->arg_start, arg_end, env_end).
#[derive(Clone, Copy, Debug, Default)]
pub struct ArgArea {
    pub arg_start: usize,
    pub arg_end: usize,
    pub env_end: usize,
}

/// A loaded image ready to run.
pub struct Image {
    pub aspace: AddressSpace,
    pub entry: usize,
    pub sp: usize,
    pub args: ArgArea,
}

/// Builds the address space of a prepared program for a process with `creds`.
pub fn load(prepared: &Prepared, creds: &Creds) -> Result<Image, LoadError> {
    let nomem = |_| LoadError::NoMemory;
    let mut aspace = AddressSpace::new().map_err(nomem)?;
    // The stack comes first, as on Linux: segments may not land on it.
    aspace
        .add_area(STACK_TOP - STACK_SIZE, STACK_TOP, Prot::READ | Prot::WRITE)
        .map_err(nomem)?;
    let layout = prepared.elf.load(&mut aspace, &prepared.program)?;
    aspace.brk_base = layout.brk;
    aspace.brk = layout.brk;
    let auxv = [
        (aux::AT_PHDR as usize, layout.phdr),
        (aux::AT_PHENT as usize, elf::PHDR_SIZE),
        (aux::AT_PHNUM as usize, layout.phnum),
        (aux::AT_PAGESZ as usize, PAGE_SIZE),
        (aux::AT_BASE as usize, 0),
        (aux::AT_FLAGS as usize, 0),
        (aux::AT_ENTRY as usize, layout.entry),
        (aux::AT_HWCAP as usize, HWCAP_IMAFDC),
        (aux::AT_CLKTCK as usize, 100),
        (aux::AT_UID as usize, creds.uid as usize),
        (aux::AT_EUID as usize, creds.euid as usize),
        (aux::AT_GID as usize, creds.gid as usize),
        (aux::AT_EGID as usize, creds.egid as usize),
        (aux::AT_SECURE as usize, 0),
    ];
    let (sp, args) = build_stack(&mut aspace, &prepared.args, &auxv).map_err(nomem)?;
    Ok(Image {
        aspace,
        entry: layout.entry,
        sp,
        args,
    })
}

/// Lays out the initial stack, from the top down: execfn, the environment strings, the
/// argument strings, 16 random bytes, then (16-byte aligned) argc, argv[], NULL,
/// envp[], NULL, auxv pairs, AT_NULL. The sizes were checked by `prepare`.
fn build_stack(
    aspace: &mut AddressSpace,
    args: &Args,
    auxv: &[(usize, usize)],
) -> SysResult<(usize, ArgArea)> {
    let mut sp = STACK_TOP;
    let mut push_str = |aspace: &mut AddressSpace, s: &[u8]| -> SysResult<usize> {
        sp -= s.len() + 1;
        aspace.write_initial(sp, s)?;
        aspace.write_initial(sp + s.len(), &[0])?;
        Ok(sp)
    };
    let execfn_addr = push_str(aspace, &args.execfn)?;
    let mut env_ptrs = Vec::new();
    env_ptrs
        .try_reserve_exact(args.envp.len())
        .map_err(|_| ENOMEM)?;
    for e in args.envp.iter().rev() {
        env_ptrs.push(push_str(aspace, e)?);
    }
    env_ptrs.reverse();
    let env_start = env_ptrs.first().copied().unwrap_or(execfn_addr);
    let mut arg_ptrs = Vec::new();
    arg_ptrs
        .try_reserve_exact(args.argv.len())
        .map_err(|_| ENOMEM)?;
    for a in args.argv.iter().rev() {
        arg_ptrs.push(push_str(aspace, a)?);
    }
    arg_ptrs.reverse();
    let area = ArgArea {
        arg_start: arg_ptrs.first().copied().unwrap_or(env_start),
        arg_end: env_start,
        env_end: execfn_addr,
    };
    sp &= !15;
    sp -= 16;
    let random_addr = sp;
    let mut random = [0u8; 16];
    crate::random::fill(&mut random);
    aspace.write_initial(random_addr, &random)?;

    let mut words: Vec<usize> = Vec::new();
    words
        .try_reserve_exact(args.argv.len() + args.envp.len() + 2 * auxv.len() + 9)
        .map_err(|_| ENOMEM)?;
    words.push(args.argv.len());
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
    let mut bytes = Vec::new();
    bytes
        .try_reserve_exact(words.len() * 8)
        .map_err(|_| ENOMEM)?;
    bytes.extend(words.iter().flat_map(|w| w.to_ne_bytes()));
    aspace.write_initial(sp, &bytes)?;
    Ok((sp, area))
}

/// The registers a freshly exec'd program starts with.
pub fn initial_frame(image: &Image) -> TrapFrame {
    TrapFrame::new_user(image.entry, image.sp)
}
