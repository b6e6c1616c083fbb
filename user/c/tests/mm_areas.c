/* mm_areas: the per-process limit on mappings (vm.max_map_count, 65530) with Linux's
 * rules. A 16 GiB PROT_NONE MAP_NORESERVE mapping gets a hole punched in every other
 * page until munmap fails with ENOMEM, which must happen just below 65530 holes (the
 * process's own few mappings count too). At the limit: trimming an area's ends still
 * works, a split by munmap, mprotect or MAP_FIXED is ENOMEM, mprotect of a whole area
 * works, and one more mmap is allowed (Linux refuses only past the limit) but not two.
 * On Rill, forks of the process at the limit fail with ENOMEM once the kernel heap
 * cannot hold another copy of its areas (with little RAM, the first may), and the
 * system goes on. Afterwards the kernel
 * heap and free memory are back where they started. madvise's argument checks too. */
#include "rilltest.h"
#include <sys/mman.h>

#define PAGE 4096UL
#define BIG (16UL << 30)
#define MAX_MAP_COUNT 65530

static char *m;
static long holes;

/* Punches holes at pages 1, 3, 5, ... of m until munmap fails; returns how many. */
static long punch_until_limit(void)
{
	long n = 0;
	for (;;) {
		char *hole = m + (2 * n + 1) * PAGE;
		if (hole + PAGE >= m + BIG)
			FAIL("no limit after %ld holes", n);
		if (munmap(hole, PAGE) != 0) {
			if (errno != ENOMEM)
				FAIL("munmap of hole %ld failed with %s", n, errname(errno));
			return n;
		}
		n++;
	}
}

/* Children holding copies of the process at the limit, until fork fails. */
static void fork_at_limit(void)
{
	static pid_t kids[256];
	int n = 0;
	for (; n < 256; n++) {
		pid_t c = fork();
		if (c < 0) {
			if (errno != ENOMEM && errno != EAGAIN)
				FAIL("fork at the limit failed with %s", errname(errno));
			break;
		}
		if (c == 0) {
			pause();
			_exit(0);
		}
		kids[n] = c;
	}
	/* Linux promises no successful fork here: each copy of 65530 areas takes kernel
	 * memory, and with a small heap (a quarter of RAM) not even one may fit beside the
	 * original. What holds is that the forks end, with ENOMEM, and the system goes on. */
	if (n == 256)
		FAIL("256 forks of a process with %d mappings all succeeded", MAX_MAP_COUNT);
	for (int i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < n; i++)
		CHECK_EQ(wait_for(kids[i]), SIGKILL);
}

int main(void)
{
	int rill = on_rill();
	heap_kb();
	accounted_free_kb();
	long heap0 = heap_kb(), free0 = accounted_free_kb();

	m = mmap(NULL, BIG, PROT_NONE, MAP_NORESERVE | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);
	holes = punch_until_limit();
	/* The process's own mappings (program, heap, stack, ...) and the big one count. */
	if (holes < MAX_MAP_COUNT - 32 || holes >= MAX_MAP_COUNT - 1)
		FAIL("munmap stopped after %ld holes", holes);
	ok("holes in every other page of 16 GiB: munmap is ENOMEM just below 65530 mappings");

	/* The tail area starts at page 2*holes; its interior cannot be split. */
	char *tail = m + 2 * holes * PAGE;
	CHECK_ERR(munmap(tail + 3 * PAGE, PAGE), ENOMEM);
	CHECK_EQ(munmap(m + BIG - PAGE, PAGE), 0);
	CHECK_EQ(munmap(tail, PAGE), 0);
	tail += PAGE;
	ok("at the limit: munmap may trim an area's ends but not split it");

	CHECK_ERR(mprotect(tail + 4 * PAGE, PAGE, PROT_READ), ENOMEM);
	CHECK_ERR(mprotect(tail, PAGE, PROT_READ), ENOMEM);
	CHECK_EQ(mprotect(m, PAGE, PROT_READ), 0);
	CHECK_EQ(mprotect(m, PAGE, PROT_NONE), 0);
	CHECK_ERR(mmap(tail + 8 * PAGE, PAGE, PROT_READ, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0),
		  ENOMEM);
	ok("at the limit: mprotect and MAP_FIXED that split are ENOMEM; a whole area changes");

	/* PROT_WRITE alone: no other mapping has it, so nothing merges. */
	char *one = mmap(NULL, PAGE, PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(one != MAP_FAILED);
	CHECK_ERR(mmap(NULL, PAGE, PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
	CHECK_EQ(munmap(one, PAGE), 0);
	ok("at the limit one more mmap succeeds, a second is ENOMEM");

	if (rill)
		fork_at_limit();
	ok("fork of a process at the limit ends with ENOMEM when the heap is full (on Rill)");

	CHECK_EQ(munmap(m, BIG), 0);
	m = mmap(NULL, BIG, PROT_NONE, MAP_NORESERVE | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);
	CHECK_EQ(punch_until_limit(), holes);
	CHECK_EQ(munmap(m, BIG), 0);
	ok("after munmap of everything, the same number of holes fits again");

	long heap1 = heap_settled_kb(heap0), free1 = accounted_free_kb();
	if (rill && (!heap_back_at(heap1, heap0) || free1 != free0))
		FAIL("kernel heap %+ld kB, free memory %+ld kB", heap1 - heap0, free1 - free0);
	ok("kernel heap and free memory are back where they started (checked on Rill)");

	/* madvise's argument checks (Linux order: advice, alignment, length, mapping). */
	char *r = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(r != MAP_FAILED);
	CHECK_EQ(munmap(r + PAGE, PAGE), 0);
	CHECK_ERR(madvise(r, 3 * PAGE, MADV_DONTNEED), ENOMEM);
	CHECK_ERR(madvise(r, PAGE, 12345), EINVAL);
	CHECK_ERR(madvise(r + 1, PAGE, MADV_DONTNEED), EINVAL);
	CHECK_ERR(madvise(r, -1UL, MADV_NORMAL), EINVAL);
	CHECK_EQ(madvise(r, 0, MADV_DONTNEED), 0);
	CHECK_EQ(madvise(r + 2 * PAGE, PAGE, MADV_NORMAL), 0);
	ok("madvise: EINVAL for bad advice, alignment or length; ENOMEM for a hole");
	return 0;
}
