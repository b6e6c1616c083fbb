/* fs_fallocate: fallocate(2) on a tmpfs file (in /dev/shm, a tmpfs on Linux
 * too) allocates zeroed pages and grows the size, or with FALLOC_FL_KEEP_SIZE
 * keeps it; FALLOC_FL_PUNCH_HOLE (with KEEP_SIZE) frees pages; other modes are
 * EOPNOTSUPP as tmpfs answers. The checks come in Linux's order: EINVAL for a
 * bad range, EOPNOTSUPP/EINVAL for mode combinations, EBADF without write
 * access, ESPIPE on a pipe, ENODEV on a device, EFBIG past the largest size. */
#include "rilltest.h"
#include <limits.h>
#include <sys/stat.h>

static long blocks(int fd)
{
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	return st.st_blocks;
}

static long size_of(int fd)
{
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	return st.st_size;
}

int main(void)
{
	char path[64];
	snprintf(path, sizeof path, "/dev/shm/fs_fallocate_%d", (int)getpid());
	int fd = CHECK_OK(open(path, O_RDWR | O_CREAT | O_EXCL, 0600));

	CHECK_OK(write(fd, "abc", 3));
	CHECK_OK(fallocate(fd, 0, 0, 10000));
	CHECK_EQ(size_of(fd), 10000);
	CHECK_EQ(blocks(fd), 24);
	char buf[8] = { 0 };
	CHECK_EQ(pread(fd, buf, 4, 0), 4);
	CHECK(memcmp(buf, "abc\0", 4) == 0);
	CHECK_EQ(pread(fd, buf, 8, 9000), 8);
	CHECK(memcmp(buf, "\0\0\0\0\0\0\0\0", 8) == 0);
	/* Inside the size already: nothing changes. */
	CHECK_OK(fallocate(fd, 0, 100, 200));
	CHECK_EQ(size_of(fd), 10000);
	ok("allocate grows the size and keeps the data");

	CHECK_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 16384, 4096));
	CHECK_EQ(size_of(fd), 10000);
	CHECK_EQ(blocks(fd), 32);
	ok("KEEP_SIZE allocates past the end without growing");

	CHECK_ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096), EOPNOTSUPP);
	CHECK_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096));
	CHECK_EQ(blocks(fd), 24);
	CHECK_EQ(size_of(fd), 10000);
	CHECK_EQ(pread(fd, buf, 4, 0), 4);
	CHECK(memcmp(buf, "\0\0\0\0", 4) == 0);
	ok("PUNCH_HOLE with KEEP_SIZE frees pages");

	CHECK_ERR(fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, 4096), EOPNOTSUPP);
	CHECK_ERR(fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, 4096), EOPNOTSUPP);
	CHECK_ERR(fallocate(fd, FALLOC_FL_INSERT_RANGE, 0, 4096), EOPNOTSUPP);
	CHECK_ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
			    0, 4096),
		  EOPNOTSUPP);
	CHECK_ERR(fallocate(fd, 0x10000, 0, 4096), EOPNOTSUPP);
	ok("other modes are EOPNOTSUPP or EINVAL");

	CHECK_ERR(fallocate(fd, 0, 0, 0), EINVAL);
	CHECK_ERR(fallocate(fd, 0, 0, -1), EINVAL);
	CHECK_ERR(fallocate(fd, 0, -1, 10), EINVAL);
	CHECK_ERR(fallocate(fd, 0, LLONG_MAX - 10, 100), EFBIG);
	/* The range is checked before the descriptor. */
	CHECK_ERR(fallocate(-1, 0, 0, 0), EBADF);
	CHECK_ERR(fallocate(-1, 0, 0, 10), EBADF);
	CHECK_ERR(fallocate(999, 0, 0, 10), EBADF);
	int ro = CHECK_OK(open(path, O_RDONLY));
	CHECK_ERR(fallocate(ro, 0, 0, 10), EBADF);
	CHECK_ERR(fallocate(ro, 0, 0, 0), EINVAL);
	close(ro);
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_ERR(fallocate(p[1], 0, 0, 10), ESPIPE);
	CHECK_ERR(fallocate(p[0], 0, 0, 10), EBADF);
	close(p[0]);
	close(p[1]);
	int null = CHECK_OK(open("/dev/null", O_WRONLY));
	CHECK_ERR(fallocate(null, 0, 0, 10), ENODEV);
	close(null);
	int dir = CHECK_OK(open("/dev/shm", O_RDONLY | O_DIRECTORY));
	CHECK_ERR(fallocate(dir, 0, 0, 10), EBADF);
	close(dir);
	ok("errors in Linux's order");

	close(fd);
	CHECK_OK(unlink(path));
	return 0;
}
