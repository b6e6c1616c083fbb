/* mem_madvise: the discarding advice on shared and copy-on-write memory, as Linux 6.1
 * does it. MADV_DONTNEED drops this process's pages only: private memory reads zeroes
 * again (a copy-on-write page the parent still holds keeps its data there), a shared
 * mapping reads the object's data again. MADV_REMOVE frees a shared mapping's pages
 * in the object, for every process, also through a mapping mprotect made read-only;
 * it is EINVAL for private memory. MADV_FREE is EINVAL on shared memory, DONTNEED on locked memory
 * (DONTNEED_LOCKED works there). Areas are done in order; a hole in the range is
 * ENOMEM after the mapped parts are done. */
#include "rilltest.h"
#include <sys/mman.h>

#define PAGE 4096UL

static unsigned char *priv;
static volatile unsigned char *sh;
static int to_child[2];

static int child_dontneed(void)
{
	if (priv[0] != 1 || madvise(priv, PAGE, MADV_DONTNEED) != 0)
		return 2;
	return priv[0] == 0 && priv[PAGE] == 2 ? 0 : 3;
}

/* Sees the parent's MADV_REMOVE: the first page reads zero, the second stays. */
static int child_after_remove(void)
{
	char c;
	if (read(to_child[0], &c, 1) != 1)
		return 2;
	return sh[0] == 0 && sh[PAGE] == 6 ? 0 : 3;
}

int main(void)
{
	int rill = on_rill();
	CHECK_OK(pipe(to_child));
	priv = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(priv != MAP_FAILED);
	priv[0] = 1;
	priv[PAGE] = 2;
	CHECK_EQ(wait_for(spawn(child_dontneed)), 0);
	CHECK_EQ(priv[0], 1);
	ok("MADV_DONTNEED of a copy-on-write page: the child reads 0, the parent keeps its data");

	sh = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(sh != MAP_FAILED);
	sh[0] = 5;
	sh[PAGE] = 6;
	CHECK_EQ(madvise((void *)sh, 2 * PAGE, MADV_DONTNEED), 0);
	CHECK_EQ(sh[0], 5);
	CHECK_ERR(madvise((void *)sh, PAGE, MADV_FREE), EINVAL);
	pid_t c = spawn(child_after_remove);
	long shmem = proc_kb("/proc/meminfo", "Shmem:");
	CHECK_EQ(madvise((void *)sh, PAGE, MADV_REMOVE), 0);
	long removed = shmem - proc_kb("/proc/meminfo", "Shmem:");
	if (rill && removed != 4)
		FAIL("MADV_REMOVE of one page: Shmem -%ld kB, want -4", removed);
	CHECK_EQ(sh[0], 0);
	CHECK_EQ(write(to_child[1], "x", 1), 1);
	CHECK_EQ(wait_for(c), 0);
	CHECK_EQ(sh[PAGE], 6);
	ok("shared memory: DONTNEED keeps the data, REMOVE zeroes it for every process, FREE is EINVAL");

	CHECK_ERR(madvise(priv, PAGE, MADV_REMOVE), EINVAL);
	CHECK_EQ(mprotect((void *)sh, 2 * PAGE, PROT_READ), 0);
	CHECK_EQ(madvise((void *)(sh + PAGE), PAGE, MADV_REMOVE), 0);
	CHECK_EQ(sh[PAGE], 0);
	ok("MADV_REMOVE: EINVAL for private memory; a mapping made read-only still works");

	unsigned char *lk = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	CHECK(lk != MAP_FAILED);
	lk[0] = 3;
	CHECK_ERR(madvise(lk, PAGE, MADV_DONTNEED), EINVAL);
	CHECK_EQ(lk[0], 3);
	CHECK_EQ(madvise(lk, PAGE, MADV_DONTNEED_LOCKED), 0);
	CHECK_EQ(lk[0], 0);
	CHECK_EQ(munmap(lk, PAGE), 0);
	ok("locked memory: DONTNEED is EINVAL, DONTNEED_LOCKED drops the page");

	/* A hole: the mapped pages on both sides are done, then ENOMEM. */
	unsigned char *h = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(h != MAP_FAILED);
	h[0] = 1;
	h[2 * PAGE] = 1;
	CHECK_EQ(munmap(h + PAGE, PAGE), 0);
	CHECK_ERR(madvise(h, 3 * PAGE, MADV_DONTNEED), ENOMEM);
	CHECK_EQ(h[0], 0);
	CHECK_EQ(h[2 * PAGE], 0);
	CHECK_EQ(munmap(h, 3 * PAGE), 0);
	ok("a hole in the range: ENOMEM after the mapped parts are done");

	CHECK_EQ(munmap(priv, 2 * PAGE), 0);
	CHECK_EQ(munmap((void *)sh, 2 * PAGE), 0);
	return 0;
}
