/* mem_fork_leak: 1000 rounds of fork, exit and wait of a process with 8 MiB written
 * give back every page and every byte of kernel heap. The children write some of the
 * shared pages (copies), the parent writes some between rounds (taking back pages the
 * child let go of) and a MAP_SHARED page is shared too. On Rill free memory and the
 * kernel heap must end exactly where they started; elsewhere other processes move them,
 * so the comparison is skipped (the printed lines are the same). */
#include "rilltest.h"
#include <sys/mman.h>

#define PAGE 4096UL
#define SIZE (8UL << 20)
#define ROUNDS 1000

static unsigned char *mem;
static volatile unsigned *shared;

static int child(void)
{
	unsigned n = shared[0];
	/* Every third child writes a few of the pages it shares with its parent. */
	if (n % 3 == 0)
		for (unsigned long i = 0; i < 8; i++)
			mem[((n * 8 + i) % (SIZE / PAGE)) * PAGE] ^= 1;
	shared[1] = n;
	return 0;
}

static void rounds(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		shared[0] = i;
		CHECK_EQ(wait_for(spawn(child)), 0);
		CHECK_EQ(shared[1], i);
		mem[(i % (SIZE / PAGE)) * PAGE + 1] = (unsigned char)i;
	}
}

int main(void)
{
	mem = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(mem != MAP_FAILED);
	memset(mem, 0x5a, SIZE);
	shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(shared != MAP_FAILED);
	rounds(10);
	for (unsigned long i = 0; i < SIZE; i += PAGE)
		mem[i + 2] = 0; /* the parent's pages are its own again before measuring */
	accounted_free_kb();
	heap_kb();
	long free0 = accounted_free_kb(), heap0 = heap_kb();
	rounds(ROUNDS);
	for (unsigned long i = 0; i < SIZE; i += PAGE)
		mem[i + 2] = 0;
	long heap1 = heap_settled_kb(heap0), free1 = accounted_free_kb();
	if (on_rill() && (free1 != free0 || !heap_back_at(heap1, heap0)))
		FAIL("after %d forks: free memory %+ld kB, kernel heap %+ld kB", ROUNDS,
		     free1 - free0, heap1 - heap0);
	printf("ok: %d rounds of fork, exit and wait with 8 MiB written; memory and heap back"
	       " (checked on Rill)\n", ROUNDS);
	return 0;
}
