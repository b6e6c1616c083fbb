/* brk_mmap: the program break and anonymous mappings.
 * brk: query, grow by 1 MiB and touch every page, shrink back, grow again and
 * find zeroes, failure returns the old break. mmap: a 4 MiB private mapping
 * starts zeroed and keeps a pattern; mprotect PROT_READ keeps it readable;
 * MAP_FIXED at a chosen free address; unmapping the middle of a mapping
 * leaves both sides usable and the hole faults; EINVAL for bad flags,
 * zero length and unaligned addresses. */
#include "rilltest.h"
#include <sys/mman.h>

#define PAGE 4096UL
#define MIB (1024UL * 1024)

static long brk_to(unsigned long addr)
{
	return syscall(SYS_brk, addr);
}

static char *hole; /* the unmapped middle page, touched by a child */

static int touch_hole(void)
{
	*(volatile char *)hole = 1;
	return 0; /* not reached: the store faults */
}

int main(void)
{
	/* brk */
	unsigned long start = brk_to(0);
	CHECK(start != 0);
	CHECK_EQ(brk_to(0), start);
	CHECK_EQ(brk_to(start + MIB), start + MIB);
	for (unsigned long a = start; a < start + MIB; a += PAGE)
		*(volatile char *)a = (char)(a / PAGE);
	for (unsigned long a = start; a < start + MIB; a += PAGE)
		CHECK_EQ(*(volatile char *)a, (char)(a / PAGE));
	ok("brk grows by 1 MiB and every page is usable");
	CHECK_EQ(brk_to(start), start);
	CHECK_EQ(brk_to(0), start);
	CHECK_EQ(brk_to(start + MIB), start + MIB);
	for (unsigned long a = start; a < start + MIB; a += PAGE)
		CHECK_EQ(*(volatile char *)a, 0);
	CHECK_EQ(brk_to(start), start);
	ok("brk shrinks back; grown again, the pages are zero");
	CHECK_EQ(brk_to(start + (1UL << 40)), start);
	CHECK_EQ(brk_to(1), start);
	CHECK_EQ(brk_to(0), start);
	ok("a failed brk returns the old break");

	/* a 4 MiB private anonymous mapping */
	size_t len = 4 * MIB;
	unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);
	CHECK_EQ((unsigned long)m % PAGE, 0);
	for (size_t i = 0; i < len; i += 512)
		CHECK_EQ(m[i], 0);
	for (size_t i = 0; i < len; i++)
		m[i] = (unsigned char)(i * 7 + i / PAGE);
	for (size_t i = 0; i < len; i++)
		CHECK_EQ(m[i], (unsigned char)(i * 7 + i / PAGE));
	ok("mmap 4 MiB: zero-filled, holds a pattern");
	CHECK_EQ(mprotect(m + PAGE, PAGE, PROT_READ), 0);
	for (size_t i = PAGE; i < 2 * PAGE; i++)
		CHECK_EQ(m[i], (unsigned char)(i * 7 + i / PAGE));
	ok("mprotect PROT_READ: the page still reads back");
	CHECK_EQ(munmap(m, len), 0);
	ok("munmap 4 MiB");

	/* MAP_FIXED at an address known to be free: just unmapped. */
	char *free_spot = mmap(NULL, 3 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(free_spot != MAP_FAILED);
	CHECK_EQ(munmap(free_spot, 3 * PAGE), 0);
	char *f = mmap(free_spot, 3 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(f == free_spot);
	ok("MAP_FIXED places the mapping at the given address");

	/* Punch a hole in the middle: both sides stay, the hole faults. */
	f[0] = 'a';
	f[PAGE] = 'b';
	f[2 * PAGE] = 'c';
	CHECK_EQ(munmap(f + PAGE, PAGE), 0);
	CHECK_EQ(f[0], 'a');
	CHECK_EQ(f[2 * PAGE], 'c');
	f[0] = 'A';
	f[2 * PAGE + PAGE - 1] = 'C';
	CHECK_EQ(f[0], 'A');
	CHECK_EQ(f[3 * PAGE - 1], 'C');
	hole = f + PAGE;
	no_core_dumps();
	int status = wait_for(spawn(touch_hole));
	CHECK(WIFSIGNALED(status));
	CHECK_EQ(WTERMSIG(status), SIGSEGV);
	CHECK_EQ(munmap(f, 3 * PAGE), 0);
	ok("munmap of a middle page: both sides usable, the hole faults");

	/* errors */
	CHECK(mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED);
	CHECK_EQ(errno, EINVAL);
	ok("mmap without MAP_PRIVATE or MAP_SHARED: EINVAL");
	CHECK(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED);
	CHECK_EQ(errno, EINVAL);
	ok("mmap of length 0: EINVAL");
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	CHECK_ERR(munmap(p + 1, PAGE), EINVAL);
	CHECK_ERR(munmap(p, 0), EINVAL);
	CHECK_EQ(munmap(p, 2 * PAGE), 0);
	ok("munmap of an unaligned address or length 0: EINVAL");
	return 0;
}
