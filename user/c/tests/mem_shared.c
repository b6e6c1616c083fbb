/* mem_shared: MAP_SHARED|MAP_ANONYMOUS memory is one object that every process
 * mapping it sees. A child's stores are seen by its parent and the parent's by the
 * child, also after mprotect or munmap split the area, after mremap moves it, and
 * after fork of a fork. MADV_DONTNEED drops only this process's
 * view (the data stays; mem_madvise has the rest of madvise). An access
 * past the object's end (the mapping grown with mremap) is SIGBUS with BUS_ADRERR.
 * On Rill, /proc/meminfo's Shmem counts the pages, and free memory and the kernel
 * heap are back where they started once the mappings are gone. */
#include "rilltest.h"
#include <setjmp.h>
#include <sys/mman.h>

#define PAGE 4096UL

static volatile unsigned char *sh;
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

static int child_store(void)
{
	if (sh[0] != 1)
		return 2;
	sh[0] = 2;
	sh[3 * PAGE + 5] = 3;
	return 0;
}

/* Sees the parent's store made after the fork, answers with its own. */
static int child_dialogue(void)
{
	receive(to_child[0]);
	if (sh[PAGE] != 0x41)
		return 2;
	sh[PAGE] = 0x42;
	send(to_parent[1]);
	return 0;
}

/* Stores into pages 0 and 2 (still shared after the split) and reads page 1. */
static int child_split(void)
{
	sh[0] = 10;
	sh[2 * PAGE] = 12;
	return sh[PAGE] == 11 ? 0 : 2;
}

static int child_write_page1(void)
{
	sh[PAGE] = 99; /* SIGSEGV where page 1 is read-only or unmapped */
	return 0;
}

static int child_outer(void)
{
	sh[0] = 20;
	sh[2 * PAGE] = 22;
	return 0;
}

static int grandchild(void)
{
	sh[2 * PAGE] = 33;
	return 0;
}

static int child_forks(void)
{
	return wait_for(spawn(grandchild)) == 0 && sh[2 * PAGE] == 33 ? 0 : 2;
}

static volatile unsigned char *mv;

/* Shares with the parent through the address the parent moved away from. */
static int child_moved(void)
{
	receive(to_child[0]);
	if (mv[0] != 8)
		return 2;
	mv[0] = 9;
	send(to_parent[1]);
	return 0;
}

static long shmem_kb(void)
{
	return proc_kb("/proc/meminfo", "Shmem:");
}

static sigjmp_buf jump;
static volatile int got_sig, got_code;
static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	siglongjmp(jump, 1);
}

static int rill;
static long free0, heap0, shmem0;

static volatile unsigned char *moved;

int main(void)
{
	rill = on_rill();
	no_core_dumps();
	/* Everything that stays allocated until the end comes before the first reading:
	 * the pipes (used once, so their buffers exist) and the signal handlers. */
	CHECK_OK(pipe(to_child));
	CHECK_OK(pipe(to_parent));
	send(to_child[1]);
	receive(to_child[0]);
	send(to_parent[1]);
	receive(to_parent[0]);
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO };
	CHECK_OK(sigaction(SIGBUS, &sa, NULL));
	shmem_kb();
	heap_kb();
	free0 = accounted_free_kb();
	heap0 = heap_kb();
	shmem0 = shmem_kb();

	sh = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(sh != MAP_FAILED);
	sh[0] = 1;
	CHECK_EQ(wait_for(spawn(child_store)), 0);
	CHECK_EQ(sh[0], 2);
	CHECK_EQ(sh[3 * PAGE + 5], 3);
	ok("a child's stores to MAP_SHARED|MAP_ANONYMOUS memory are seen by its parent");

	if (rill && shmem_kb() - shmem0 != 8)
		FAIL("two touched shared pages: Shmem %+ld kB, want +8", shmem_kb() - shmem0);
	pid_t c = spawn(child_dialogue);
	sh[PAGE] = 0x41;
	send(to_child[1]);
	receive(to_parent[0]);
	CHECK_EQ(sh[PAGE], 0x42);
	CHECK_EQ(wait_for(c), 0);
	ok("after fork, each side sees the other's later stores");

	/* mprotect of the middle page splits the area; the pieces stay one object. */
	sh[PAGE] = 11;
	CHECK_EQ(mprotect((void *)(sh + PAGE), PAGE, PROT_READ), 0);
	CHECK_EQ(wait_for(spawn(child_split)), 0);
	CHECK_EQ(sh[0], 10);
	CHECK_EQ(sh[2 * PAGE], 12);
	int st = wait_for(spawn(child_write_page1));
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	CHECK_EQ(sh[PAGE], 11);
	CHECK_EQ(mprotect((void *)(sh + PAGE), PAGE, PROT_READ | PROT_WRITE), 0);
	st = wait_for(spawn(child_write_page1));
	CHECK_EQ(st, 0);
	CHECK_EQ(sh[PAGE], 99);
	ok("mprotect in the middle of a shared area: every piece is still shared");

	/* munmap of the middle page: the pages on both sides stay shared. */
	CHECK_EQ(munmap((void *)(sh + PAGE), PAGE), 0);
	CHECK_EQ(wait_for(spawn(child_outer)), 0);
	CHECK_EQ(sh[0], 20);
	CHECK_EQ(sh[2 * PAGE], 22);
	st = wait_for(spawn(child_write_page1));
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	CHECK_EQ(wait_for(spawn(child_forks)), 0);
	CHECK_EQ(sh[2 * PAGE], 33);
	ok("munmap in the middle: the rest stays shared, also with a child's child");

	/* DONTNEED drops only this process's view; the object keeps the data. */
	CHECK_EQ(madvise((void *)sh, PAGE, MADV_DONTNEED), 0);
	CHECK_EQ(sh[0], 20);
	CHECK_EQ(sh[2 * PAGE], 33);
	ok("MADV_DONTNEED on a shared mapping keeps the data");

	/* mremap moves a shared mapping: a child keeps sharing through the old address. */
	/* A PROT_NONE page right after it keeps it from growing in place. */
	mv = mmap(NULL, 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(mv != MAP_FAILED);
	CHECK(mmap((void *)mv, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED,
		   -1, 0) == mv);
	void *block = (void *)(mv + PAGE);
	mv[0] = 7;
	c = spawn(child_moved);
	moved = mremap((void *)mv, PAGE, 2 * PAGE, MREMAP_MAYMOVE);
	CHECK(moved != MAP_FAILED && moved != mv);
	CHECK_EQ(moved[0], 7);
	moved[0] = 8;
	send(to_child[1]);
	receive(to_parent[0]);
	CHECK_EQ(moved[0], 9);
	CHECK_EQ(wait_for(c), 0);
	ok("mremap MAYMOVE of a shared mapping: same object at the new address");

	/* The object is one page: the grown second page lies past its end. */
	got_sig = 0;
	if (sigsetjmp(jump, 1) == 0) {
		(void)moved[PAGE];
		FAIL("reading past the end of a shared object did not fault");
	}
	CHECK_EQ(got_sig, SIGBUS);
	CHECK_EQ(got_code, BUS_ADRERR);
	ok("past the object's end (grown by mremap) is SIGBUS, BUS_ADRERR");

	/* MAP_POPULATE makes the object's pages at once. */
	long shmem1 = shmem_kb();
	void *pop = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	CHECK(pop != MAP_FAILED);
	if (rill && shmem_kb() - shmem1 != 16)
		FAIL("MAP_POPULATE of 4 shared pages: Shmem %+ld kB, want +16", shmem_kb() - shmem1);
	CHECK_EQ(munmap(pop, 4 * PAGE), 0);
	ok("MAP_POPULATE of shared memory makes its pages at once (Shmem, on Rill)");

	CHECK_EQ(munmap((void *)moved, 2 * PAGE), 0);
	CHECK_EQ(munmap(block, PAGE), 0);
	CHECK_EQ(munmap((void *)sh, 4 * PAGE), 0);
	long heap1 = heap_settled_kb(heap0), free1 = accounted_free_kb(), shmem2 = shmem_kb();
	if (rill && (free1 != free0 || !heap_back_at(heap1, heap0) || shmem2 != shmem0))
		FAIL("after munmap: free memory %+ld kB, kernel heap %+ld kB, Shmem %+ld kB",
		     free1 - free0, heap1 - heap0, shmem2 - shmem0);
	ok("after munmap, Shmem, free memory and the kernel heap are back (on Rill)");
	return 0;
}
