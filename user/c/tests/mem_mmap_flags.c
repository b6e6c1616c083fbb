/* mem_mmap_flags: the newer mmap flags. MAP_FIXED_NOREPLACE maps at exactly the
 * address given when every page there is free, and otherwise fails with EEXIST (any
 * overlap, shared or private), leaving what is mapped there untouched; a misaligned
 * address is EINVAL. MAP_SHARED_VALIDATE checks the flags plain MAP_SHARED ignores:
 * EOPNOTSUPP for MAP_SYNC on a file. */
#include "rilltest.h"
#include <sys/mman.h>

#define PAGE 4096UL

int main(void)
{
	const int rw = PROT_READ | PROT_WRITE, flags = MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
	unsigned char *w = mmap(NULL, 8 * PAGE, rw, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	CHECK(w != MAP_FAILED);
	CHECK_EQ(munmap(w + 4 * PAGE, 4 * PAGE), 0);
	w[0] = 0x11;
	w[3 * PAGE] = 0x33;
	CHECK_ERR(mmap(w, PAGE, rw, flags | MAP_PRIVATE, -1, 0), EEXIST);
	CHECK_ERR(mmap(w + 3 * PAGE, 2 * PAGE, rw, flags | MAP_SHARED, -1, 0), EEXIST);
	CHECK_ERR(mmap(w - PAGE, 2 * PAGE, PROT_NONE, flags | MAP_PRIVATE, -1, 0), EEXIST);
	CHECK_ERR(mmap(w + 1, PAGE, rw, flags | MAP_PRIVATE, -1, 0), EINVAL);
	CHECK_EQ(w[0], 0x11);
	CHECK_EQ(w[3 * PAGE], 0x33);
	ok("EEXIST over any mapped page, which keeps its data; EINVAL misaligned");

	unsigned char *n = mmap(w + 4 * PAGE, 2 * PAGE, rw, flags | MAP_SHARED, -1, 0);
	CHECK(n == w + 4 * PAGE);
	n[PAGE] = 5;
	CHECK_ERR(mmap(w + 5 * PAGE, 2 * PAGE, rw, flags | MAP_PRIVATE, -1, 0), EEXIST);
	unsigned char *last = mmap(w + 6 * PAGE, 2 * PAGE, rw, flags | MAP_PRIVATE, -1, 0);
	CHECK(last == w + 6 * PAGE);
	CHECK_EQ(n[PAGE], 5);
	CHECK_EQ(munmap(w, 8 * PAGE), 0);
	ok("free pages are mapped at exactly the address given");

	char path[64];
	snprintf(path, sizeof path, "/tmp/mem_mmap_flags.%d", (int)getpid());
	int fd = CHECK_OK(open(path, O_RDWR | O_CREAT | O_TRUNC, 0600));
	int rd = CHECK_OK(open(path, O_RDONLY));
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0), EOPNOTSUPP);
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, rd, 0), EOPNOTSUPP);
	CHECK_ERR(mmap(NULL, PAGE, PROT_WRITE, MAP_SHARED_VALIDATE, rd, 0), EACCES);
	close(rd);
	close(fd);
	CHECK_OK(unlink(path));
	ok("MAP_SHARED_VALIDATE: EOPNOTSUPP for MAP_SYNC on a file, EACCES as MAP_SHARED");
	return 0;
}
