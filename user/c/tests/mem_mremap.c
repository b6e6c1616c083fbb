/* mem_mremap: mremap as Linux 6.1 does it. Shrinking unmaps the tail; growing happens
 * in place when the pages after the mapping are free, else ENOMEM without
 * MREMAP_MAYMOVE and a move with it (the data moves along, the old range is unmapped);
 * MREMAP_FIXED moves to a given address, replacing what was there; MREMAP_DONTUNMAP
 * leaves the old range mapped and empty. Errors: EINVAL for unknown flags, FIXED
 * without MAYMOVE, DONTUNMAP with a size change, a misaligned address, overlapping
 * FIXED ranges; EFAULT for an unmapped address or an old range that runs past its
 * mapping. (Zero lengths and high flag bits are in mem_mremap_edges.) */
#include "rilltest.h"
#include <sys/mman.h>

#define PAGE 4096UL

/* Whether [p, p + len) is free: a MAP_FIXED_NOREPLACE mapping fits there. */
static int is_free(void *p, unsigned long len)
{
	void *q = mmap(p, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (q == MAP_FAILED) {
		if (errno != EEXIST)
			FAIL("probe mmap failed with %s", errname(errno));
		return 0;
	}
	CHECK_EQ(munmap(q, len), 0);
	return 1;
}

/* A fresh area of `pages` pages with byte i at the start of page i, placed at the
 * start of a free 64-page window so that the pages after it are free. */
static unsigned char *fresh(unsigned long pages)
{
	unsigned char *w = mmap(NULL, 64 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(w != MAP_FAILED);
	CHECK_EQ(munmap(w, 64 * PAGE), 0);
	unsigned char *p = mmap(w, pages * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(p == w);
	for (unsigned long i = 0; i < pages; i++)
		p[i * PAGE] = (unsigned char)(i + 1);
	return p;
}

static void check_data(unsigned char *p, unsigned long pages)
{
	for (unsigned long i = 0; i < pages; i++)
		CHECK_EQ(p[i * PAGE], i + 1);
}

int main(void)
{
	unsigned char *m = fresh(4);
	CHECK(mremap(m, 4 * PAGE, 2 * PAGE, 0) == m);
	check_data(m, 2);
	CHECK(is_free(m + 2 * PAGE, 2 * PAGE));
	CHECK(mremap(m, 2 * PAGE, 2 * PAGE, 0) == m);
	ok("shrinking unmaps the tail; the same size is a no-op");

	CHECK(mremap(m, 2 * PAGE, 3 * PAGE, 0) == m);
	check_data(m, 2);
	CHECK_EQ(m[2 * PAGE], 0);
	m[2 * PAGE] = 3;
	ok("growing into free pages stays in place; the new page reads 0");

	void *block = mmap(m + 3 * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(block == m + 3 * PAGE);
	CHECK_ERR(mremap(m, 3 * PAGE, 4 * PAGE, 0), ENOMEM);
	unsigned char *moved = mremap(m, 3 * PAGE, 4 * PAGE, MREMAP_MAYMOVE);
	CHECK(moved != MAP_FAILED && moved != m);
	check_data(moved, 3);
	CHECK_EQ(moved[3 * PAGE], 0);
	CHECK(is_free(m, 3 * PAGE));
	CHECK_EQ(munmap(block, PAGE), 0);
	ok("a blocked growth is ENOMEM, or a move with MREMAP_MAYMOVE (the old range is freed)");

	/* MREMAP_FIXED replaces what is at the target; the target's other pages stay. */
	unsigned char *target = mmap(NULL, 4 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(target != MAP_FAILED);
	unsigned char *fixed = mremap(moved, 4 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, target);
	CHECK(fixed == target);
	check_data(fixed, 2);
	CHECK_EQ(fixed[2 * PAGE], 0); /* the target's own third page, still mapped */
	CHECK(is_free(moved, 4 * PAGE));
	CHECK_EQ(munmap(target, 4 * PAGE), 0);
	ok("MREMAP_FIXED moves (and shrinks) to the given address");

	/* MREMAP_DONTUNMAP: the data moves, the old range stays mapped and reads 0. */
	unsigned char *src = fresh(2);
	unsigned char *dst = mremap(src, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
	CHECK(dst != MAP_FAILED && dst != src);
	check_data(dst, 2);
	CHECK_EQ(src[0], 0);
	CHECK_EQ(src[PAGE], 0);
	src[0] = 9;
	CHECK_EQ(dst[0], 1);
	CHECK_EQ(munmap(src, 2 * PAGE), 0);
	CHECK_EQ(munmap(dst, 2 * PAGE), 0);
	ok("MREMAP_DONTUNMAP moves the pages and leaves the old range empty");

	unsigned char *e = fresh(2);
	void *ro = mmap(e + 2 * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(ro == e + 2 * PAGE);
	CHECK_ERR(mremap(e, PAGE, PAGE, 8), EINVAL);
	CHECK_ERR(mremap(e, PAGE, PAGE, MREMAP_FIXED, e + 8 * PAGE), EINVAL);
	CHECK_ERR(mremap(e, PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP), EINVAL);
	CHECK_ERR(mremap(e + 1, PAGE, PAGE, 0), EINVAL);
	CHECK_ERR(mremap(e + 8 * PAGE, PAGE, 2 * PAGE, MREMAP_MAYMOVE), EFAULT);
	CHECK_ERR(mremap(e + 8 * PAGE, PAGE, PAGE / 2, 0), EFAULT);
	CHECK_ERR(mremap(e, 3 * PAGE, 4 * PAGE, MREMAP_MAYMOVE), EFAULT);
	CHECK_ERR(mremap(e, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, e + PAGE), EINVAL);
	CHECK_ERR(mremap(e, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, e + 9 * PAGE + 1),
		  EINVAL);
	check_data(e, 2);
	CHECK_EQ(munmap(e, 3 * PAGE), 0);
	ok("bad flags, addresses and lengths: EINVAL; no mapping or one too short: EFAULT");
	return 0;
}
