/* mem_mremap_edges: mremap's edges, as Linux 6.1 has them. A new length of 0 is
 * EINVAL. An old length of 0 duplicates a shared mapping: the new address maps the
 * same pages (stores through either are seen through the other, by a child too), and
 * the old mapping stays; for private memory it is EINVAL. Flags are a full word: an
 * unknown bit above 32 is EINVAL too. */
#include "rilltest.h"
#include <sys/mman.h>

#define PAGE 4096UL

static volatile unsigned char *copy;

static int child(void)
{
	copy[5] = 0x5a;
	return 0;
}

int main(void)
{
	unsigned char *priv = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(priv != MAP_FAILED);
	CHECK_ERR(mremap(priv, PAGE, 0, MREMAP_MAYMOVE), EINVAL);
	CHECK_ERR(mremap(priv, 0, PAGE, MREMAP_MAYMOVE), EINVAL);
	CHECK_ERR(syscall(SYS_mremap, priv, PAGE, PAGE, 1UL << 40, 0), EINVAL);
	ok("a new length of 0 is EINVAL; an old length of 0 on private memory and a flag bit above 32 too");

	volatile unsigned char *sh = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
					  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(sh != MAP_FAILED);
	sh[PAGE + 1] = 7;
	CHECK_ERR(mremap((void *)sh, 0, PAGE, 0), ENOMEM); /* a duplicate needs MAYMOVE */
	copy = mremap((void *)(sh + PAGE), 0, PAGE, MREMAP_MAYMOVE);
	CHECK(copy != MAP_FAILED && copy != sh + PAGE);
	CHECK_EQ(copy[1], 7);
	copy[2] = 8;
	CHECK_EQ(sh[PAGE + 2], 8);
	CHECK_EQ(wait_for(spawn(child)), 0);
	CHECK_EQ(sh[PAGE + 5], 0x5a);
	ok("an old length of 0 duplicates a shared mapping (from its offset on)");
	CHECK_EQ(munmap((void *)copy, PAGE), 0);
	CHECK_EQ(sh[PAGE + 5], 0x5a);
	CHECK_EQ(munmap((void *)sh, 2 * PAGE), 0);
	CHECK_EQ(munmap(priv, PAGE), 0);
	return 0;
}
