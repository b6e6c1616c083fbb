/* fs_splice: splice(2) from a file into a pipe, as uutils' cat uses it. The data
 * arrives intact, the file offset (or *off_in, leaving the offset alone) advances by
 * what moved, and a call stops at a full pipe once something moved (64 KiB of a
 * 100 KiB file); errors as Linux: no pipe on either side EINVAL, an offset for a pipe
 * ESPIPE, unknown flags EINVAL, a write-only input or read-only output EBADF, a full
 * pipe with SPLICE_F_NONBLOCK EAGAIN. */
#include "rilltest.h"

#define SIZE (100 * 1024)

static char data[SIZE], back[SIZE];

int main(void)
{
	for (int i = 0; i < SIZE; i++)
		data[i] = (char)(i * 7 + i / 251);
	const char *path = "/tmp/fs_splice.data";
	int fd = CHECK_OK(open(path, O_RDWR | O_CREAT | O_TRUNC, 0600));
	CHECK_EQ(write(fd, data, SIZE), SIZE);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	int p[2];
	CHECK_EQ(pipe(p), 0);

	CHECK_EQ(splice(fd, NULL, p[1], NULL, 1000, 0), 1000);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 1000);
	CHECK_EQ(read(p[0], back, sizeof back), 1000);
	CHECK(memcmp(back, data, 1000) == 0);
	ok("1000 bytes of a file into a pipe; the file offset moves to 1000");

	loff_t off = 5000;
	CHECK_EQ(splice(fd, &off, p[1], NULL, 300, 0), 300);
	CHECK_EQ(off, 5300);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 1000);
	CHECK_EQ(read(p[0], back, sizeof back), 300);
	CHECK(memcmp(back, data + 5000, 300) == 0);
	ok("with off_in: *off_in advances, the file offset stays");

	off = 0;
	CHECK_EQ(splice(fd, &off, p[1], NULL, SIZE, 0), 65536);
	CHECK_EQ(off, 65536);
	CHECK_ERR(splice(fd, &off, p[1], NULL, SIZE, SPLICE_F_NONBLOCK), EAGAIN);
	long got = 0, n;
	CHECK_EQ(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	while ((n = read(p[0], back + got, sizeof back - got)) > 0)
		got += n;
	CHECK_EQ(got, 65536);
	CHECK(memcmp(back, data, 65536) == 0);
	CHECK_EQ(splice(fd, &off, p[1], NULL, SIZE, 0), SIZE - 65536);
	CHECK_EQ(read(p[0], back, sizeof back), SIZE - 65536);
	CHECK(memcmp(back, data + 65536, SIZE - 65536) == 0);
	CHECK_EQ(splice(fd, &off, p[1], NULL, SIZE, 0), 0);
	ok("a 100 KiB file: 64 KiB fill the pipe, a full pipe is EAGAIN with NONBLOCK, then the rest, then 0 at the end");

	int other = CHECK_OK(open(path, O_WRONLY));
	CHECK_ERR(splice(fd, NULL, other, NULL, 10, 0), EINVAL);
	CHECK_ERR(splice(fd, NULL, p[1], &off, 10, 0), ESPIPE);
	CHECK_ERR(splice(fd, NULL, p[1], NULL, 10, 0x100), EINVAL);
	int wronly = CHECK_OK(open(path, O_WRONLY));
	CHECK_ERR(splice(wronly, NULL, p[1], NULL, 10, 0), EBADF);
	CHECK_ERR(splice(fd, NULL, p[0], NULL, 10, 0), EBADF);
	CHECK_ERR(splice(-1, NULL, p[1], NULL, 10, 0), EBADF);
	ok("no pipe EINVAL, offset for a pipe ESPIPE, bad flags EINVAL, wrong modes EBADF");

	close(other);
	close(wronly);
	close(fd);
	close(p[0]);
	close(p[1]);
	CHECK_EQ(unlink(path), 0);
	return 0;
}
