/* mem_mmap: mmap's flags and checks as Linux 6.1 has them. The type must be
 * MAP_SHARED or MAP_PRIVATE (EINVAL otherwise, MAP_SHARED_VALIDATE included for
 * anonymous memory); a length of 0 or a misaligned offset or MAP_FIXED address is
 * EINVAL, a length that rounds past the top ENOMEM; a free hint is used as the
 * address (MAP_FIXED_NOREPLACE is in mem_noreplace). For files, the checks before
 * mapping:
 * EBADF, EACCES against the open mode, ENODEV for what cannot be mapped (a pipe, a
 * directory); MAP_SHARED_VALIDATE is in mem_mmap_flags.
 * MAP_POPULATE and MAP_LOCKED fill the mapping at once (VmRSS on Rill); MAP_NORESERVE
 * is accepted. mprotect accepts PROT_SEM and rejects unknown bits. */
#include "rilltest.h"
#include <sys/mman.h>

/* Linux's PROT_SEM (asm-generic/mman-common.h), which glibc does not define. */
#define PROT_SEM 0x8

#define PAGE 4096UL

static long rss_kb(void)
{
	return proc_kb("/proc/self/status", "VmRSS:");
}

int main(void)
{
	int rill = on_rill();
	const int anon = MAP_ANONYMOUS, rw = PROT_READ | PROT_WRITE;
	CHECK_ERR(mmap(NULL, PAGE, rw, anon, -1, 0), EINVAL);
	CHECK_ERR(mmap(NULL, PAGE, rw, anon | MAP_SHARED_VALIDATE, -1, 0), EINVAL);
	CHECK_ERR(mmap(NULL, PAGE, rw, anon | MAP_TYPE, -1, 0), EINVAL);
	CHECK_ERR(mmap(NULL, 0, rw, anon | MAP_PRIVATE, -1, 0), EINVAL);
	CHECK_ERR(mmap(NULL, PAGE, rw, anon | MAP_PRIVATE, -1, 100), EINVAL);
	CHECK_ERR(mmap(NULL, (size_t)-1 - 100, rw, anon | MAP_PRIVATE, -1, 0), ENOMEM);
	CHECK_ERR(mmap(NULL, PAGE, rw, anon | MAP_SHARED | MAP_GROWSDOWN, -1, 0), EINVAL);
	ok("the mapping type, length and offset are checked");

	unsigned char *w = mmap(NULL, 8 * PAGE, rw, anon | MAP_PRIVATE, -1, 0);
	CHECK(w != MAP_FAILED);
	CHECK_EQ(munmap(w + 4 * PAGE, 4 * PAGE), 0);
	w[0] = 0x11;
	CHECK_ERR(mmap(w + 1, PAGE, rw, anon | MAP_PRIVATE | MAP_FIXED, -1, 0), EINVAL);
	unsigned char *hinted = mmap(w + 6 * PAGE, PAGE, rw, anon | MAP_PRIVATE, -1, 0);
	CHECK(hinted == w + 6 * PAGE);
	unsigned char *moved = mmap(w, PAGE, rw, anon | MAP_PRIVATE, -1, 0);
	CHECK(moved != MAP_FAILED && moved != w);
	CHECK_EQ(w[0], 0x11);
	CHECK_EQ(munmap(moved, PAGE), 0);
	CHECK_EQ(munmap(w, 8 * PAGE), 0);
	ok("a free hint is the address; a taken one is not, and its mapping stays");

	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, 1000, 0), EBADF);
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);
	char path[64];
	snprintf(path, sizeof path, "/tmp/mem_mmap.%d", (int)getpid());
	int fd = CHECK_OK(open(path, O_RDWR | O_CREAT | O_TRUNC, 0600));
	CHECK_EQ(write(fd, "data", 4), 4);
	int rd = CHECK_OK(open(path, O_RDONLY));
	int wr = CHECK_OK(open(path, O_WRONLY));
	CHECK_ERR(mmap(NULL, PAGE, rw, MAP_SHARED, rd, 0), EACCES);
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, wr, 0), EACCES);
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, wr, 0), EACCES);
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, 0, fd, 0), EINVAL);
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 1), EINVAL);
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, p[0], 0), ENODEV);
	int dir = CHECK_OK(open("/tmp", O_RDONLY | O_DIRECTORY));
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, dir, 0), ENODEV);
	close(dir);
	close(p[0]);
	close(p[1]);
	close(wr);
	close(rd);
	close(fd);
	CHECK_OK(unlink(path));
	ok("files: EBADF, EACCES by the open mode, ENODEV for a pipe or directory");

	long rss0 = rss_kb();
	unsigned char *pop = mmap(NULL, 64 * PAGE, rw, anon | MAP_PRIVATE | MAP_POPULATE, -1, 0);
	CHECK(pop != MAP_FAILED);
	long rss1 = rss_kb();
	unsigned char *lk = mmap(NULL, 16 * PAGE, PROT_READ, anon | MAP_PRIVATE | MAP_LOCKED, -1, 0);
	CHECK(lk != MAP_FAILED);
	CHECK_EQ(lk[5 * PAGE], 0);
	if (rill && (rss1 - rss0 < 256 || rss1 - rss0 > 264))
		FAIL("MAP_POPULATE of 64 writable pages: VmRSS %+ld kB, want +256", rss1 - rss0);
	CHECK_EQ(munmap(pop, 64 * PAGE), 0);
	CHECK_EQ(munmap(lk, 16 * PAGE), 0);
	unsigned char *big = mmap(NULL, 1UL << 32, rw, anon | MAP_PRIVATE | MAP_NORESERVE, -1, 0);
	CHECK(big != MAP_FAILED);
	big[1UL << 31] = 1;
	CHECK_EQ(munmap(big, 1UL << 32), 0);
	ok("MAP_POPULATE makes the pages at once (VmRSS, on Rill); MAP_LOCKED, MAP_NORESERVE work");

	unsigned char *m = mmap(NULL, PAGE, rw, anon | MAP_PRIVATE, -1, 0);
	CHECK(m != MAP_FAILED);
	CHECK_EQ(mprotect(m, PAGE, PROT_READ | PROT_SEM), 0);
	CHECK_ERR(mprotect(m, PAGE, PROT_READ | 0x100), EINVAL);
	CHECK_ERR(mprotect(m, PAGE, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP), EINVAL);
	CHECK_EQ(munmap(m, PAGE), 0);
	ok("mprotect: PROT_SEM is accepted, unknown bits are EINVAL");
	return 0;
}
