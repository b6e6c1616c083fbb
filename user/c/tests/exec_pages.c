/* exec_pages: a program linked with -z max-page-size=16 (see the Makefile), so its
 * text and data segments share a page, runs as on Linux. Linux maps each
 * PT_LOAD in turn with MAP_FIXED; the shared page ends up holding the file's
 * bytes with the data segment's protection, and the bss part of the data
 * segment's last file page is cleared. Checks: the two PT_LOADs (found
 * through AT_PHDR) do share a page, initialised data at both ends of the data
 * segment and read-only data are the file's bytes, the bss is zero, code runs
 * (a call through a pointer), data and bss are writable, and so is the last
 * read-only object of the text segment, which lies in the shared page.
 *
 * Linux's mmap needs each segment's file offset congruent to its address
 * modulo 4096. ld keeps them so with max-page-size=16 only when the text
 * segment ends 16-aligned and no RELRO alignment moves the data: hence -z
 * norelro and text_end, a 16-aligned 16-byte section that the default linker
 * script puts last in the text segment. (Linux refuses an incongruent layout
 * with SIGSEGV; exec_elf tests that.) */
#include "rilltest.h"
#include <elf.h>
#include <stdint.h>
#include <sys/auxv.h>

/* First in .data (the linker keeps definition order within a section). */
int first_data = 0x1234;
static volatile int last_data[16] = { [15] = 0x5678 };
static volatile char bss[20000];
static const char message[] = "read-only data from the file";
__attribute__((section(".exception_ranges"), aligned(16), used)) static const char text_end[16] =
	"end of the text";

__attribute__((noinline)) static int twice(int x)
{
	return 2 * x;
}

int main(void)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long n = getauxval(AT_PHNUM), loads = 0, ends[2] = { 0 }, starts[2] = { 0 };
	CHECK(ph != NULL);
	for (unsigned long i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		CHECK(loads < 2);
		starts[loads] = ph[i].p_vaddr;
		ends[loads] = ph[i].p_vaddr + ph[i].p_memsz;
		loads++;
	}
	CHECK_EQ(loads, 2);
	if ((ends[0] - 1) / 4096 != starts[1] / 4096)
		FAIL("text ends at %#lx, data starts at %#lx: no shared page", ends[0], starts[1]);
	ok("text and data segments share a page (max-page-size=16)");

	CHECK_EQ(first_data, 0x1234);
	CHECK_EQ(last_data[15], 0x5678);
	CHECK_STR(message, "read-only data from the file");
	ok("initialised and read-only data hold the file's bytes");

	for (size_t i = 0; i < sizeof bss; i++)
		if (bss[i] != 0)
			FAIL("bss[%zu] = %d", i, bss[i]);
	ok("bss is zero");

	int (*volatile fn)(int) = twice;
	CHECK_EQ(fn(21), 42);
	ok("code runs");

	first_data = 7;
	last_data[0] = 8;
	bss[0] = 9;
	CHECK_EQ(first_data + last_data[0] + bss[0], 24);
	ok("data and bss are writable");

	volatile char *shared = (volatile char *)text_end;
	if ((uintptr_t)shared / 4096 != starts[1] / 4096)
		FAIL("text_end at %p is not in the shared page", (void *)shared);
	CHECK_STR((const char *)shared, "end of the text");
	shared[0] = 'E';
	CHECK_EQ(shared[0], 'E');
	ok("the shared page has the data segment's protection: text_end is writable");
	return 0;
}
