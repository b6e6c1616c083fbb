/* mem_file_map: mmap of tmpfs files. A store through MAP_SHARED is seen by read(2)
 * and a write(2) by the mapping, also in another process; MAP_PRIVATE is
 * copy-on-write in both directions (the file's later writes show through pages the
 * mapping has not written, never through those it has); offsets; after ftruncate
 * shrinks the file an access past its end is SIGBUS with BUS_ADRERR, and growing it
 * again reads zeroes; msync; the open mode limits the mapping (EACCES for a shared
 * writable mapping of an O_RDONLY file, and mprotect cannot add PROT_WRITE later;
 * EACCES for an O_WRONLY file); /dev/zero maps anonymous memory; /proc files and
 * directories have no mmap (ENODEV); st_blocks counts the pages held. */
#include "rilltest.h"
#include <setjmp.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define PAGE 4096L

static sigjmp_buf jump;
static volatile int got_sig, got_code;

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	got_sig = sig;
	got_code = si->si_code;
	siglongjmp(jump, 1);
}

/* Reads one byte at p; returns the signal it raised, or 0. */
static int touch(volatile char *p)
{
	got_sig = 0;
	if (sigsetjmp(jump, 1) == 0)
		(void)*p;
	return got_sig;
}

static const char *path = "/tmp/mem_file_map.dat";
static char *child_map;

static int child_writes(void)
{
	/* Through the mapping, seen by the parent's read(2). */
	memcpy(child_map + PAGE + 7, "from child", 10);
	return 0;
}

int main(void)
{
	no_core_dumps();
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO };
	CHECK_OK(sigaction(SIGBUS, &sa, NULL));
	CHECK_OK(sigaction(SIGSEGV, &sa, NULL));

	int fd = CHECK_OK(open(path, O_RDWR | O_CREAT | O_TRUNC, 0644));
	CHECK_OK(ftruncate(fd, 4 * PAGE));
	char *m = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, 4 * PAGE);
	CHECK_EQ(st.st_blocks, 0);

	/* Store through the mapping, read with read(2). */
	memcpy(m + 100, "shared store", 12);
	char buf[32] = { 0 };
	CHECK_EQ(pread(fd, buf, 12, 100), 12);
	CHECK_STR(buf, "shared store");
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_blocks, 8);
	/* write(2), seen through the mapping. */
	CHECK_EQ(pwrite(fd, "written", 7, 2 * PAGE + 3), 7);
	CHECK(memcmp(m + 2 * PAGE + 3, "written", 7) == 0);
	ok("MAP_SHARED: a store is seen by read, a write by the mapping");

	child_map = m;
	CHECK_EQ(wait_for(spawn(child_writes)), 0);
	memset(buf, 0, sizeof buf);
	CHECK_EQ(pread(fd, buf, 10, PAGE + 7), 10);
	CHECK_STR(buf, "from child");
	CHECK_EQ(msync(m, 4 * PAGE, MS_SYNC), 0);
	CHECK_EQ(msync(m, 4 * PAGE, MS_ASYNC | MS_INVALIDATE), 0);
	CHECK_ERR(msync(m + 1, PAGE, MS_SYNC), EINVAL);
	ok("a child's stores through an inherited shared mapping reach the file; msync");

	/* A second mapping at an offset sees the same pages. */
	char *off = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 2 * PAGE);
	CHECK(off != MAP_FAILED);
	CHECK(memcmp(off + 3, "written", 7) == 0);
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 100), EINVAL);
	ok("a mapping at an offset sees the file's pages there");

	/* MAP_PRIVATE: copy-on-write in both directions. */
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED);
	CHECK(memcmp(p + 100, "shared store", 12) == 0);
	p[100] = 'S'; /* the private copy of page 0 */
	CHECK_EQ(m[100], 's');
	CHECK_EQ(pread(fd, buf, 1, 100), 1);
	CHECK_EQ(buf[0], 's');
	CHECK_EQ(pwrite(fd, "X", 1, 101), 1); /* page 0 is copied: not seen */
	CHECK_EQ(p[101], 'h');
	CHECK_EQ(pwrite(fd, "Y", 1, 3 * PAGE), 1); /* page 3 untouched: seen */
	CHECK_EQ(p[3 * PAGE], 'Y');
	m[3 * PAGE + 1] = 'Z'; /* so are shared stores */
	CHECK_EQ(p[3 * PAGE + 1], 'Z');
	ok("MAP_PRIVATE: its writes stay private, the file's show until it writes");

	/* Truncate: pages past the end go from every mapping; access is SIGBUS. */
	CHECK_OK(ftruncate(fd, PAGE + 10));
	CHECK_EQ(touch(m + PAGE), 0);
	CHECK_EQ(m[PAGE + 10], 0); /* the rest of the last page reads zeroes */
	CHECK_EQ(touch(m + 2 * PAGE), SIGBUS);
	CHECK_EQ(got_code, BUS_ADRERR);
	CHECK_EQ(touch(p + 3 * PAGE), SIGBUS);
	CHECK_EQ(touch(off), SIGBUS);
	CHECK_EQ(touch(p), 0); /* the private copy inside the file stays */
	CHECK_EQ(p[100], 'S');
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_blocks, 16);
	ok("after ftruncate shrinks the file, access past its end is SIGBUS, BUS_ADRERR");
	CHECK_OK(ftruncate(fd, 4 * PAGE));
	CHECK_EQ(touch(m + 2 * PAGE), 0);
	CHECK_EQ(m[2 * PAGE + 3], 0);
	CHECK_EQ(p[3 * PAGE], 0);
	ok("grown again, the pages past the old end read zeroes");
	CHECK_OK(munmap(p, 4 * PAGE));
	CHECK_OK(munmap(off, PAGE));
	CHECK_OK(munmap(m, 4 * PAGE));

	/* The open mode limits the mapping. */
	int ro = CHECK_OK(open(path, O_RDONLY));
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
	char *r = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ro, 0);
	CHECK(r != MAP_FAILED);
	CHECK_ERR(mprotect(r, PAGE, PROT_READ | PROT_WRITE), EACCES);
	CHECK_OK(munmap(r, PAGE));
	r = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	CHECK(r != MAP_FAILED);
	r[0] = 1; /* a private copy may be written */
	CHECK_OK(munmap(r, PAGE));
	int wo = CHECK_OK(open(path, O_WRONLY));
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, wo, 0), EACCES);
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, wo, 0), EACCES);
	ok("EACCES: shared writable of O_RDONLY (also by mprotect), any of O_WRONLY");
	close(ro);
	close(wo);

	/* Files without mmap, and /dev/zero. */
	int proc = CHECK_OK(open("/proc/self/status", O_RDONLY));
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, proc, 0), ENODEV);
	close(proc);
	int dir = CHECK_OK(open("/tmp", O_RDONLY | O_DIRECTORY));
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, dir, 0), ENODEV);
	close(dir);
	int zero = CHECK_OK(open("/dev/zero", O_RDWR));
	char *z = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, zero, 0);
	CHECK(z != MAP_FAILED);
	CHECK_EQ(z[PAGE], 0);
	z[0] = 5;
	CHECK_OK(munmap(z, 2 * PAGE));
	z = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, zero, 0);
	CHECK(z != MAP_FAILED);
	pid_t pid = fork();
	if (pid == 0) {
		z[0] = 42;
		_exit(0);
	}
	CHECK_EQ(wait_for(pid), 0);
	CHECK_EQ(z[0], 42);
	CHECK_OK(munmap(z, PAGE));
	close(zero);
	ok("/dev/zero maps anonymous memory, shared with MAP_SHARED; /proc and dirs ENODEV");

	/* A mapping outlives the descriptor and the name. */
	m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	close(fd);
	CHECK_OK(unlink(path));
	m[0] = 'k';
	CHECK_EQ(m[0], 'k');
	CHECK_OK(munmap(m, PAGE));
	ok("a mapping outlives its descriptor and the file's name");
	return 0;
}
