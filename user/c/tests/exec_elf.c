/* exec_elf: execve of hand-made and hostile ELF files, with Linux 6.1's outcome
 * for each. The base file is the smallest static program: one PT_LOAD holding
 * the header, the program header and three instructions that exit(42). Each
 * case changes it and execs it from /tmp in a child:
 * - what Linux checks before its point of no return gives an error: bad magic,
 *   type, machine or class, e_phentsize != 56, e_phnum 0, 74 or 65535 (the
 *   table may not pass a page), a table past the end of the file (truncated
 *   file, huge e_phoff), an empty or 3-byte file: ENOEXEC; PT_INTERP naming a
 *   missing file: ENOENT, too short: ENOEXEC, past the end of the file: EIO;
 * - what Linux does not check runs: byte order and version bytes, a
 *   misaligned e_phoff, 73 program headers, a segment running past the end of
 *   the file whose missing pages are never touched;
 * - what Linux finds only after the point of no return kills the child with
 *   SIGSEGV: filesz > memsz, a segment at the top of the address space, an
 *   offset not congruent to the address modulo the page size, an entry point
 *   outside user space, a static-pie without PT_LOAD; an entry point in a page
 *   past the end of the file dies of SIGBUS;
 * - two PT_LOADs sharing a page: the later one's mapping wins (Linux maps
 *   each in table order with MAP_FIXED). Code followed by data in one page
 *   runs and writes the data; data then code leaves the page read-only (the
 *   store kills with SIGSEGV); a bss-only segment replaces the page with zeros.
 * Each case runs three times; on Rill free memory and kernel heap must then be
 * back where they were. qemu-riscv64 hands execve to the host kernel, so the
 * Linux reference for this test is a real riscv64 Linux (see divergences). */
#include "rilltest.h"
#include <elf.h>
#include <fcntl.h>

#define FILE_PATH "/tmp/exec_elf.bin"
#define BASE 0x10000UL
#define CODE_OFF 120 /* after the header (64) and one program header (56) */

static unsigned char img[8192];
static size_t len;

#define EH ((Elf64_Ehdr *)img)
#define PH(i) ((Elf64_Phdr *)(img + 64 + (i) * sizeof(Elf64_Phdr)))

/* li a0, 42; li a7, 93 (exit); ecall */
static const unsigned exit42[] = { 0x02a00513, 0x05d00893, 0x00000073 };
/* t0 = 0x11000; a0 = *(u8 *)t0; *(u8 *)(t0 + 8) = 5; a0 += *(u8 *)(t0 + 8);
 * a0 += *(u8 *)(t0 + 16); exit(a0) */
static const unsigned touch_shared[] = { 0x000112b7, 0x0002c503, 0x00500313, 0x00628423,
					 0x0082c383, 0x00750533, 0x0102c383, 0x00750533,
					 0x05d00893, 0x00000073 };

static void base(void)
{
	memset(img, 0, sizeof img);
	memcpy(EH->e_ident, ELFMAG, SELFMAG);
	EH->e_ident[EI_CLASS] = ELFCLASS64;
	EH->e_ident[EI_DATA] = ELFDATA2LSB;
	EH->e_ident[EI_VERSION] = EV_CURRENT;
	EH->e_type = ET_EXEC;
	EH->e_machine = EM_RISCV;
	EH->e_version = EV_CURRENT;
	EH->e_entry = BASE + CODE_OFF;
	EH->e_phoff = 64;
	EH->e_ehsize = sizeof(Elf64_Ehdr);
	EH->e_phentsize = sizeof(Elf64_Phdr);
	EH->e_phnum = 1;
	*PH(0) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_vaddr = BASE,
			       .p_paddr = BASE, .p_filesz = 132, .p_memsz = 132, .p_align = 4096 };
	memcpy(img + CODE_OFF, exit42, sizeof exit42);
	len = 132;
}

static void truncated(void) { len = 64; }
static void phnum_0(void) { EH->e_phnum = 0; }
static void phnum_74(void) { EH->e_phnum = 74, len = 64 + 74 * 56; }
static void phnum_65535(void) { EH->e_phnum = 65535; }
static void phoff_huge(void) { EH->e_phoff = 0xfffffffffffffff0UL; }
static void phoff_at_end(void) { EH->e_phoff = len; }
static void phentsize_1(void) { EH->e_phentsize = 1; }
static void phentsize_64(void) { EH->e_phentsize = 64; }
static void bad_magic(void) { img[1] = 'e'; }
static void machine_x86(void) { EH->e_machine = EM_X86_64; }
static void class_32(void) { EH->e_ident[EI_CLASS] = ELFCLASS32; }
static void type_rel(void) { EH->e_type = ET_REL; }
static void empty(void) { len = 0; }
static void three_bytes(void) { len = 3; }

/* A second program header (at 120) names an interpreter; the code moves to 180. */
static void with_interp(const char *name, size_t size, size_t file_len)
{
	EH->e_phnum = 2;
	EH->e_entry = BASE + 180;
	memset(img + CODE_OFF, 0, sizeof exit42);
	memcpy(img + 180, exit42, sizeof exit42);
	strcpy((char *)img + 200, name);
	*PH(1) = (Elf64_Phdr){ .p_type = PT_INTERP, .p_flags = PF_R, .p_offset = 200,
			       .p_filesz = size };
	len = PH(0)->p_filesz = PH(0)->p_memsz = file_len;
}
static void interp_missing(void) { with_interp("/nonexistent/ld.so", 19, 219); }
static void interp_short(void) { with_interp("/", 1, 202); }
static void interp_past_eof(void) { with_interp("/nonexistent/ld.so", 100, 219); }

static void data_msb(void) { EH->e_ident[EI_DATA] = ELFDATA2MSB; }
static void version_0(void) { EH->e_ident[EI_VERSION] = 0, EH->e_version = 0; }
static void phnum_73(void) { EH->e_phnum = 73, len = 64 + 73 * 56; } /* PT_NULLs */
static void filesz_past_eof(void) { PH(0)->p_filesz = PH(0)->p_memsz = 8192; }

/* The program header moves to offset 68; the code to 128. */
static void phoff_misaligned(void)
{
	Elf64_Phdr ph = *PH(0);
	memset(img + 64, 0, 68);
	memcpy(img + 68, &ph, sizeof ph);
	EH->e_phoff = 68;
	memcpy(img + 128, exit42, sizeof exit42);
	EH->e_entry = BASE + 128;
	len = 140;
	((Elf64_Phdr *)(img + 68))->p_filesz = ((Elf64_Phdr *)(img + 68))->p_memsz = len;
}

static void filesz_over_memsz(void) { PH(0)->p_memsz = 100; }
static void vaddr_at_top(void) { PH(0)->p_vaddr = 0xfffffffffffff000UL, PH(0)->p_memsz = 0x2000; }
static void offset_incongruent(void) { PH(0)->p_vaddr += 16, EH->e_entry += 16; }
static void entry_outside(void) { EH->e_entry = 1UL << 60; }
static void pie_without_load(void) { EH->e_type = ET_DYN, PH(0)->p_type = PT_NOTE; }
static void pie(void) { EH->e_type = ET_DYN, PH(0)->p_vaddr = 0, EH->e_entry = CODE_OFF; }
static void offset_past_eof(void) { PH(0)->p_offset = 0x100000; }

/* Code in page 0x10000; the first segment (R+X) reaches 8 bytes into page 0x11000,
 * the second (R+W) continues there with 8 bytes of data and a bss. The file holds
 * 7 at 0x1000, 9 at 0x1008 and 0xff junk after the data (padzero clears it). */
static void shared_page(int data_first, int bss_only)
{
	Elf64_Phdr text = { PT_LOAD, PF_R | PF_X, 0, BASE, BASE, 0x1008, 0x1008, 16 };
	Elf64_Phdr data = { PT_LOAD, PF_R | PF_W, 0x1008, BASE + 0x1008, BASE + 0x1008,
			    bss_only ? 0 : 8, 0x100, 16 };
	EH->e_phnum = 2;
	EH->e_entry = BASE + 176;
	*PH(0) = data_first ? data : text;
	*PH(1) = data_first ? text : data;
	memcpy(img + 176, touch_shared, sizeof touch_shared);
	img[0x1000] = 7;
	img[0x1008] = 9;
	memset(img + 0x1010, 0xff, 16);
	len = 0x1020;
}
static void code_then_data(void) { shared_page(0, 0); }
static void data_then_code(void) { shared_page(1, 0); }
static void code_then_bss(void) { shared_page(0, 1); }

enum kind { ERR, EXIT, SIG };
static const struct shape {
	const char *name;
	void (*make)(void);
	enum kind kind;
	int value;
} shapes[] = {
	{ "the base file", NULL, EXIT, 42 },
	{ "e_phnum 1, no program header in the file", truncated, ERR, ENOEXEC },
	{ "e_phnum 0", phnum_0, ERR, ENOEXEC },
	{ "e_phnum 74 (past a page)", phnum_74, ERR, ENOEXEC },
	{ "e_phnum 65535", phnum_65535, ERR, ENOEXEC },
	{ "huge e_phoff", phoff_huge, ERR, ENOEXEC },
	{ "e_phoff at the end of the file", phoff_at_end, ERR, ENOEXEC },
	{ "e_phentsize 1", phentsize_1, ERR, ENOEXEC },
	{ "e_phentsize 64", phentsize_64, ERR, ENOEXEC },
	{ "bad magic", bad_magic, ERR, ENOEXEC },
	{ "e_machine x86-64", machine_x86, ERR, ENOEXEC },
	{ "ELFCLASS32", class_32, ERR, ENOEXEC },
	{ "ET_REL", type_rel, ERR, ENOEXEC },
	{ "empty file", empty, ERR, ENOEXEC },
	{ "3-byte file", three_bytes, ERR, ENOEXEC },
	{ "PT_INTERP naming a missing file", interp_missing, ERR, ENOENT },
	{ "PT_INTERP of 1 byte", interp_short, ERR, ENOEXEC },
	{ "PT_INTERP past the end of the file", interp_past_eof, ERR, EIO },
	{ "big-endian byte in e_ident", data_msb, EXIT, 42 },
	{ "version 0", version_0, EXIT, 42 },
	{ "73 program headers", phnum_73, EXIT, 42 },
	{ "e_phoff 68 (misaligned)", phoff_misaligned, EXIT, 42 },
	{ "segment past the end of the file, untouched", filesz_past_eof, EXIT, 42 },
	{ "static-pie", pie, EXIT, 42 },
	{ "p_filesz > p_memsz", filesz_over_memsz, SIG, SIGSEGV },
	{ "segment at the top of the address space", vaddr_at_top, SIG, SIGSEGV },
	{ "p_offset incongruent with p_vaddr", offset_incongruent, SIG, SIGSEGV },
	{ "entry point outside user space", entry_outside, SIG, SIGSEGV },
	{ "static-pie without PT_LOAD", pie_without_load, SIG, SIGSEGV },
	{ "entry point in a page past the end of the file", offset_past_eof, SIG, SIGBUS },
	{ "shared page, code then data", code_then_data, EXIT, 12 },
	{ "shared page, data then code", data_then_code, SIG, SIGSEGV },
	{ "shared page, code then bss only", code_then_bss, EXIT, 5 },
};
#define NSHAPES (sizeof shapes / sizeof shapes[0])

static void write_file(void)
{
	int fd = CHECK_OK(open(FILE_PATH, O_WRONLY | O_CREAT | O_TRUNC, 0755));
	CHECK_EQ(write(fd, img, len), (long)len);
	CHECK_OK(close(fd));
}

/* Runs one shape; fails the test unless the outcome is the expected one. */
static void run(const struct shape *s, int quiet)
{
	base();
	if (s->make)
		s->make();
	write_file();
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		char *argv[] = { "exec_elf.bin", NULL };
		syscall(SYS_execve, FILE_PATH, argv, argv + 1);
		_exit(100 + errno);
	}
	int st = wait_for(pid);
	char got[64];
	if (WIFEXITED(st) && WEXITSTATUS(st) >= 100)
		snprintf(got, sizeof got, "%s", errname(WEXITSTATUS(st) - 100));
	else if (WIFEXITED(st))
		snprintf(got, sizeof got, "exit %d", WEXITSTATUS(st));
	else
		snprintf(got, sizeof got, "%s%s", sigabbrev_np(WTERMSIG(st)),
			 WCOREDUMP(st) ? " (core)" : "");
	char want[64];
	if (s->kind == ERR)
		snprintf(want, sizeof want, "%s", errname(s->value));
	else if (s->kind == EXIT)
		snprintf(want, sizeof want, "exit %d", s->value);
	else
		snprintf(want, sizeof want, "%s", sigabbrev_np(s->value));
	if (strcmp(got, want) != 0)
		FAIL("%s: got %s, want %s", s->name, got, want);
	if (!quiet)
		printf("ok: %s: %s\n", s->name, got);
}

int main(void)
{
	no_core_dumps();
	for (size_t i = 0; i < NSHAPES; i++)
		run(&shapes[i], 0);
	long free_before = settled_free_kb(), heap_before = heap_kb();
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < NSHAPES; i++)
			run(&shapes[i], 1);
	long free_after = settled_free_kb(), heap_after = heap_settled_kb(heap_before);
	if (on_rill() && (free_after != free_before || !heap_back_at(heap_after, heap_before)))
		FAIL("free memory %ld -> %ld kB, kernel heap %ld -> %ld kB", free_before,
		     free_after, heap_before, heap_after);
	unlink(FILE_PATH);
	ok("three more rounds; free memory and kernel heap unchanged (checked on Rill)");
	return 0;
}
