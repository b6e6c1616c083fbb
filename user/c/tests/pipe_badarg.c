/* pipe_badarg: bad arguments where qemu-user is no reference for Linux.
 * pipe2 with unknown high flag bits is EINVAL (qemu-user 7.2 drops bits it
 * does not know and succeeds). pipe2 with an unwritable array is EFAULT and
 * leaves no descriptor behind (qemu-user leaks the two it made). A write from
 * a buffer whose second page is unmapped moves the first page and returns
 * 4096; a read into such a buffer takes 4096 bytes and leaves the rest in the
 * pipe, as Linux copies page by page (qemu-user checks the whole buffer first
 * and answers EFAULT). Checked on Linux 6.1 (../shared/linux-ref). */
#include "rilltest.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

static int fionread(int fd)
{
	int n = -1;
	CHECK_OK(ioctl(fd, FIONREAD, &n));
	return n;
}

/* The lowest free descriptor number (found by dup, then closed again). */
static int lowest_free_fd(void)
{
	int fd = CHECK_OK(dup(0));
	CHECK_OK(close(fd));
	return fd;
}

int main(void)
{
	int p[2];

	static const unsigned bad_bits[] = { 0x1000000, 0x4000000, 0x10000000,
					     0x40000000, 0x80000000u };
	for (unsigned i = 0; i < sizeof bad_bits / sizeof bad_bits[0]; i++)
		CHECK_ERR(syscall(SYS_pipe2, p, bad_bits[i]), EINVAL);
	CHECK_ERR(syscall(SYS_pipe2, p, O_CLOEXEC | 0x40000000), EINVAL);
	ok("pipe2 with an unknown flag bit (0x1000000 ... 0x80000000): EINVAL");

	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED);
	int lowest = lowest_free_fd();
	CHECK_ERR(pipe2(BAD_NULL, 0), EFAULT);
	CHECK_ERR(pipe2((int *)ro, O_CLOEXEC), EFAULT);
	CHECK_ERR(pipe2(BAD_KERNEL, 0), EFAULT);
	CHECK_EQ(lowest_free_fd(), lowest);
	CHECK_OK(pipe(p));
	CHECK_EQ(p[0], lowest);
	ok("pipe2 into NULL, a read-only page or the kernel: EFAULT, no descriptor left");

	/* Two pages, the second made inaccessible. */
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);
	memset(m, 'a', 4096);
	memset(m + 4096, 'b', 4096);
	CHECK_OK(mprotect(m + 4096, 4096, PROT_NONE));
	CHECK_EQ(write(p[1], m, 8192), 4096);
	CHECK_EQ(fionread(p[0]), 4096);
	ok("write of 8192 bytes whose second page is unmapped: 4096 written");

	CHECK_OK(mprotect(m + 4096, 4096, PROT_READ | PROT_WRITE));
	CHECK_EQ(write(p[1], m + 4096, 4096), 4096);
	CHECK_OK(mprotect(m + 4096, 4096, PROT_NONE));
	memset(m, 0, 4096);
	CHECK_EQ(read(p[0], m, 8192), 4096);
	CHECK_EQ(fionread(p[0]), 4096);
	CHECK(m[0] == 'a' && memcmp(m, m + 1, 4095) == 0);
	CHECK_EQ(read(p[0], m, 4096), 4096);
	CHECK(m[0] == 'b' && memcmp(m, m + 1, 4095) == 0);
	ok("read of 8192 bytes into a buffer whose second page is unmapped: 4096 read");
	ok("the rest stays in the pipe for the next read");
	return 0;
}
