/* mem_cow: private memory after fork is copy-on-write in both directions. The child
 * sees the parent's data as of the fork; later stores by either side stay its own,
 * whether user code or the kernel (read(2) into the page) makes them, and also after
 * mprotect takes the write right away and gives it back. On Rill, fork copies no
 * page: a child costs memory only for the pages it writes, and once it is gone the
 * parent writes its pages again without copies. */
#include "rilltest.h"
#include <sys/mman.h>

#define PAGE 4096UL
#define PAGES 512 /* 2 MiB */

static unsigned char *buf;
static int to_child[2], to_parent[2];

static void send(int fd)
{
	CHECK_EQ(write(fd, "x", 1), 1);
}

static void receive(int fd)
{
	char c;
	CHECK_EQ(read(fd, &c, 1), 1);
}

static long free_kb(void)
{
	return proc_kb("/proc/meminfo", "MemFree:");
}

/* Whether every page holds its pattern byte, except page `skip`. */
static int pattern_intact(int skip)
{
	for (int i = 0; i < PAGES; i++)
		if (i != skip && (buf[i * PAGE] != (unsigned char)i || buf[i * PAGE + 100] != 0x33))
			return 0;
	return 1;
}

static int child_writes(void)
{
	if (!pattern_intact(-1))
		return 2;
	for (int i = 0; i < PAGES; i += 2)
		buf[i * PAGE] = 0xc0;
	return buf[0] == 0xc0 && buf[PAGE] == 1 ? 0 : 3;
}

/* The parent stores to page 0 after the fork; the child must not see it. */
static int child_dialogue(void)
{
	receive(to_child[0]);
	if (buf[0] != 0)
		return 2;
	buf[PAGE] = 0x99;
	send(to_parent[1]);
	return 0;
}

/* The kernel writes into the child's copy-on-write page. */
static int child_kernel_write(void)
{
	if (read(to_child[0], buf + 2 * PAGE + 10, 1) != 1)
		return 2;
	return buf[2 * PAGE + 10] == 'k' && buf[2 * PAGE] == 2 ? 0 : 3;
}

/* Writes after mprotect took the write right away and gave it back. */
static int child_after_mprotect(void)
{
	if (mprotect(buf, PAGE, PROT_READ) != 0 || buf[0] != 0x55)
		return 2;
	if (mprotect(buf, PAGE, PROT_READ | PROT_WRITE) != 0)
		return 3;
	buf[0] = 0x66;
	return 0;
}

/* Holds its copy of the buffer while the parent measures, writing 100 pages. */
static int child_costs(void)
{
	send(to_parent[1]);
	receive(to_child[0]);
	for (int i = 0; i < 100; i++)
		buf[(200 + i) * PAGE + 1] = 1;
	send(to_parent[1]);
	receive(to_child[0]);
	return 0;
}

int main(void)
{
	int rill = on_rill();
	CHECK_OK(pipe(to_child));
	CHECK_OK(pipe(to_parent));
	buf = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(buf != MAP_FAILED);
	for (int i = 0; i < PAGES; i++) {
		buf[i * PAGE] = (unsigned char)i;
		buf[i * PAGE + 100] = 0x33;
	}

	CHECK_EQ(wait_for(spawn(child_writes)), 0);
	CHECK(pattern_intact(-1));
	ok("a child sees the parent's data; its stores stay its own");

	pid_t c = spawn(child_dialogue);
	buf[0] = 0x77;
	send(to_child[1]);
	receive(to_parent[0]);
	CHECK_EQ(buf[PAGE], 1);
	CHECK_EQ(buf[0], 0x77);
	CHECK_EQ(wait_for(c), 0);
	buf[0] = 0;
	ok("after fork, the parent's stores stay its own too");

	c = spawn(child_kernel_write);
	CHECK_EQ(write(to_child[1], "k", 1), 1);
	CHECK_EQ(wait_for(c), 0);
	CHECK_EQ(buf[2 * PAGE + 10], 0);
	c = spawn(child_dialogue);
	CHECK_EQ(write(to_parent[1], "p", 1), 1);
	CHECK_EQ(read(to_parent[0], buf + 10, 1), 1); /* the kernel writes the parent's page */
	CHECK_EQ(buf[10], 'p');
	buf[10] = 0;
	send(to_child[1]);
	receive(to_parent[0]);
	CHECK_EQ(wait_for(c), 0);
	CHECK(pattern_intact(-1));
	ok("kernel stores (read(2)) into a copy-on-write page stay with the process that made them");

	buf[0] = 0x55;
	CHECK_EQ(wait_for(spawn(child_after_mprotect)), 0);
	CHECK_EQ(buf[0], 0x55);
	buf[0] = 0;
	ok("mprotect away and back keeps a page copy-on-write");

	/* Memory: the fork itself copies nothing; the child pays for what it writes. */
	free_kb();
	long before = free_kb();
	c = spawn(child_costs);
	receive(to_parent[0]);
	long forked = free_kb();
	send(to_child[1]);
	receive(to_parent[0]);
	long written = free_kb();
	send(to_child[1]);
	CHECK_EQ(wait_for(c), 0);
	long after = free_kb();
	for (int i = 0; i < PAGES; i++)
		buf[i * PAGE + 2] = 7; /* the parent's pages are its own again: no copies */
	long rewritten = free_kb();
	if (rill) {
		/* A kernel stack, page tables and a few stack pages, not 2 MiB. */
		if (before - forked > 160)
			FAIL("a fork of a process with 2 MiB written cost %ld kB", before - forked);
		if (forked - written < 400 || forked - written > 412)
			FAIL("100 pages written by the child cost %ld kB, want 400", forked - written);
		if (after != before || rewritten != after)
			FAIL("after the child: free memory %+ld kB, after rewriting %+ld kB",
			     after - before, rewritten - after);
	}
	ok("on Rill fork copies no page; the child's 100 written pages cost 400 kB");
	CHECK_EQ(munmap(buf, PAGES * PAGE), 0);
	return 0;
}
