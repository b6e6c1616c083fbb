/* fs_fionread: ioctl(FIONREAD) on files.
 * On a regular file it is the bytes from the offset to the end: the size at
 * offset 0, less after reads and seeks, 0 at the end, and negative past it (an
 * int, as Linux computes it); each descriptor has its own offset. On a
 * directory and on /dev/null it is ENOTTY; a bad pointer is EFAULT.
 * The file is /tmp/fs_fionread.PID. */
#include "rilltest.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

static int fionread(int fd)
{
	int n = -12345;
	CHECK_EQ(ioctl(fd, FIONREAD, &n), 0);
	return n;
}

int main(void)
{
	char path[64], buf[64];
	snprintf(path, sizeof path, "/tmp/fs_fionread.%d", (int)getpid());
	int fd = CHECK_OK(open(path, O_RDWR | O_CREAT | O_EXCL, 0644));
	CHECK_EQ(fionread(fd), 0);
	memset(buf, 'x', sizeof buf);
	CHECK_EQ(write(fd, buf, 64), 64);
	CHECK_EQ(write(fd, buf, 36), 36);
	CHECK_EQ(fionread(fd), 0);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(fionread(fd), 100);
	CHECK_EQ(read(fd, buf, 30), 30);
	CHECK_EQ(fionread(fd), 70);
	CHECK_EQ(lseek(fd, 150, SEEK_SET), 150);
	CHECK_EQ(fionread(fd), -50);
	int other = CHECK_OK(open(path, O_RDONLY));
	CHECK_EQ(fionread(other), 100);
	CHECK_EQ(close(other), 0);
	ok("FIONREAD on a regular file: bytes from the offset to the end, negative past it");

	CHECK_ERR(ioctl(fd, FIONREAD, BAD_LOW), EFAULT);
	int n;
	int dir = CHECK_OK(open("/tmp", O_RDONLY | O_DIRECTORY));
	CHECK_ERR(ioctl(dir, FIONREAD, &n), ENOTTY);
	CHECK_EQ(close(dir), 0);
	int null = CHECK_OK(open("/dev/null", O_RDONLY));
	CHECK_ERR(ioctl(null, FIONREAD, &n), ENOTTY);
	CHECK_EQ(close(null), 0);
	ok("FIONREAD with a bad pointer EFAULT; on a directory and /dev/null ENOTTY");

	CHECK_EQ(close(fd), 0);
	CHECK_EQ(unlink(path), 0);
	return 0;
}
