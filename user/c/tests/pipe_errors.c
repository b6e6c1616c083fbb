/* pipe_errors: what a pipe refuses, and what a child inherits.
 * pipe2 with flags other than O_CLOEXEC, O_NONBLOCK, O_DIRECT is EINVAL, with
 * an unwritable array EFAULT. fstat of either end is a FIFO, mode 0600, one
 * inode for both ends. lseek, pread and pwrite are ESPIPE on both ends
 * (EINVAL first for a bad whence or a negative offset); reading the write end
 * or writing the read end is EBADF; F_GETFL gives O_RDONLY and O_WRONLY. A
 * read into or a write from an unmapped buffer is EFAULT and moves nothing.
 * F_GETPIPE_SZ on something else than a pipe is EBADF, ioctl TCGETS ENOTTY.
 * A forked child shares both ends' open file descriptions (O_NONBLOCK set by
 * one is seen by the other), writes through its copy, and its closing them
 * leaves the parent's working. As user 1000 (set by a child running as
 * root) a new pipe is owned by that user and F_SETPIPE_SZ above 1 MiB is
 * EPERM (/proc/sys/fs/pipe-max-size). (Bad pointers that only fault partway, unknown
 * high flag bits and descriptors left behind by EFAULT are in pipe_badarg:
 * qemu-user gets them wrong. Close-on-exec is in pipe_exec.) */
#include "rilltest.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <termios.h>

static int fionread(int fd)
{
	int n = -1;
	CHECK_OK(ioctl(fd, FIONREAD, &n));
	return n;
}

int main(void)
{
	int p[2], q[2];
	char buf[64];
	struct stat st;

	static const int bad_flags[] = { O_WRONLY, O_RDWR, O_CREAT, O_EXCL | O_CREAT,
					 O_TRUNC,  O_APPEND, O_NOFOLLOW, O_SYNC,
					 O_DIRECTORY, O_NOATIME, O_PATH };
	for (unsigned i = 0; i < sizeof bad_flags / sizeof bad_flags[0]; i++)
		CHECK_ERR(pipe2(p, bad_flags[i]), EINVAL);
	CHECK_ERR(pipe2(p, O_CLOEXEC | O_APPEND), EINVAL);
	ok("pipe2 with O_WRONLY, O_RDWR, O_CREAT, O_APPEND, O_SYNC, O_PATH...: EINVAL");
	CHECK_OK(pipe2(p, O_CLOEXEC | O_NONBLOCK | O_DIRECT));
	CHECK_OK(close(p[0]));
	CHECK_OK(close(p[1]));
	ok("pipe2 with O_CLOEXEC | O_NONBLOCK | O_DIRECT succeeds");

	CHECK_ERR(pipe(BAD_NULL), EFAULT);
	CHECK_ERR(pipe2(BAD_KERNEL, 0), EFAULT);
	CHECK_ERR(pipe2(BAD_NULL, O_CLOEXEC), EFAULT);
	ok("pipe/pipe2 with a NULL or kernel address: EFAULT");

	CHECK_OK(pipe(p));
	CHECK_OK(pipe(q));
	CHECK_OK(fstat(p[0], &st));
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_EQ(st.st_mode, S_IFIFO | 0600);
	CHECK_EQ(st.st_nlink, 1);
	CHECK_EQ(st.st_size, 0);
	CHECK_EQ(st.st_blksize, 4096);
	CHECK_EQ(st.st_uid, geteuid());
	ino_t ino = st.st_ino;
	CHECK_EQ(write(p[1], "data", 4), 4);
	CHECK_OK(fstat(p[1], &st));
	CHECK_EQ(st.st_mode, S_IFIFO | 0600);
	CHECK_EQ(st.st_ino, ino);
	CHECK_EQ(st.st_size, 0);
	CHECK_OK(fstat(q[0], &st));
	CHECK(st.st_ino != ino);
	ok("fstat: S_IFIFO|0600, nlink 1, size 0 (even with data), blksize 4096");
	ok("fstat: both ends share an inode number, another pipe has another");

	CHECK_EQ(fcntl(p[0], F_GETFL), O_RDONLY);
	CHECK_EQ(fcntl(p[1], F_GETFL), O_WRONLY);
	CHECK_EQ(fcntl(p[0], F_GETFD), 0);
	ok("F_GETFL: read end O_RDONLY, write end O_WRONLY; F_GETFD 0");

	for (int i = 0; i < 2; i++) {
		CHECK_ERR(lseek(p[i], 0, SEEK_SET), ESPIPE);
		CHECK_ERR(lseek(p[i], 0, SEEK_CUR), ESPIPE);
		CHECK_ERR(lseek(p[i], 0, SEEK_END), ESPIPE);
		CHECK_ERR(lseek(p[i], -1, SEEK_SET), ESPIPE);
		CHECK_ERR(lseek(p[i], 0, 5), EINVAL);
	}
	ok("lseek on either end: ESPIPE (EINVAL for whence 5)");
	for (int i = 0; i < 2; i++) {
		CHECK_ERR(pread(p[i], buf, 1, 0), ESPIPE);
		CHECK_ERR(pwrite(p[i], buf, 1, 0), ESPIPE);
		CHECK_ERR(pread(p[i], buf, 1, -1), EINVAL);
		CHECK_ERR(pwrite(p[i], buf, 1, -1), EINVAL);
	}
	CHECK_EQ(fionread(p[0]), 4);
	ok("pread and pwrite on either end: ESPIPE (EINVAL for offset -1)");

	struct iovec iov = { buf, 4 };
	CHECK_ERR(read(p[1], buf, 1), EBADF);
	CHECK_ERR(readv(p[1], &iov, 1), EBADF);
	CHECK_ERR(write(p[0], "x", 1), EBADF);
	CHECK_ERR(writev(p[0], &iov, 1), EBADF);
	CHECK_ERR(read(p[1], buf, 0), EBADF);
	CHECK_ERR(write(p[0], buf, 0), EBADF);
	CHECK_EQ(fionread(p[0]), 4);
	ok("read/readv of the write end, write/writev of the read end: EBADF");

	CHECK_ERR(syscall(SYS_read, p[0], BAD_NULL, 4), EFAULT);
	CHECK_ERR(read(p[0], BAD_KERNEL, 4), EFAULT);
	CHECK_EQ(fionread(p[0]), 4);
	CHECK_EQ(read(p[0], buf, sizeof buf), 4);
	CHECK(memcmp(buf, "data", 4) == 0);
	ok("read into NULL or a kernel address: EFAULT, and the bytes stay in the pipe");
	CHECK_ERR(syscall(SYS_write, p[1], BAD_NULL, 4), EFAULT);
	CHECK_ERR(write(p[1], BAD_KERNEL, 4), EFAULT);
	CHECK_EQ(fionread(p[0]), 0);
	ok("write from NULL or a kernel address: EFAULT, nothing written");

	int devnull = CHECK_OK(open("/dev/null", O_RDWR));
	CHECK_ERR(fcntl(devnull, F_GETPIPE_SZ), EBADF);
	CHECK_ERR(fcntl(devnull, F_SETPIPE_SZ, 65536), EBADF);
	CHECK_OK(close(devnull));
	struct termios t;
	CHECK_ERR(ioctl(p[0], TCGETS, &t), ENOTTY);
	CHECK(!isatty(p[1]));
	ok("F_GETPIPE_SZ/F_SETPIPE_SZ on /dev/null: EBADF; TCGETS on a pipe: ENOTTY");

	/* Inheritance across fork. */
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		CHECK_OK(fcntl(p[0], F_SETFL, O_NONBLOCK));
		CHECK_EQ(write(p[1], "from child", 10), 10);
		CHECK_OK(close(p[0]));
		CHECK_OK(close(p[1]));
		_exit(0);
	}
	CHECK_EQ(wait_for(pid), 0);
	CHECK_EQ(fcntl(p[0], F_GETFL), O_RDONLY | O_NONBLOCK);
	CHECK_EQ(read(p[0], buf, sizeof buf), 10);
	CHECK(memcmp(buf, "from child", 10) == 0);
	CHECK_ERR(read(p[0], buf, sizeof buf), EAGAIN);
	CHECK_EQ(write(p[1], "still", 5), 5);
	CHECK_EQ(read(p[0], buf, sizeof buf), 5);
	ok("a child writes through its inherited end; its O_NONBLOCK is the parent's too");
	ok("the child closing its copies leaves the parent's ends open");

	/* As an ordinary user: owner of a new pipe, the 1 MiB size limit. */
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0) {
			CHECK_OK(setgid(1000));
			CHECK_OK(setuid(1000));
		}
		CHECK(geteuid() != 0);
		CHECK_OK(pipe(q));
		CHECK_OK(fstat(q[0], &st));
		CHECK_EQ(st.st_uid, geteuid());
		CHECK_EQ(st.st_gid, getegid());
		CHECK_EQ(fcntl(q[1], F_SETPIPE_SZ, 1 << 20), 1 << 20);
		CHECK_ERR(fcntl(q[1], F_SETPIPE_SZ, (1 << 20) + 1), EPERM);
		CHECK_ERR(fcntl(q[1], F_SETPIPE_SZ, 2 << 20), EPERM);
		CHECK_EQ(fcntl(q[1], F_GETPIPE_SZ), 1 << 20);
		_exit(0);
	}
	CHECK_EQ(wait_for(pid), 0);
	ok("user 1000: the pipe is owned by the creator; F_SETPIPE_SZ above 1 MiB: EPERM");

	CHECK_OK(close(p[0]));
	CHECK_OK(close(p[1]));
	CHECK_ERR(read(p[0], buf, 1), EBADF);
	CHECK_ERR(write(p[1], "x", 1), EBADF);
	CHECK_ERR(close(p[0]), EBADF);
	CHECK_ERR(fcntl(p[0], F_GETPIPE_SZ), EBADF);
	ok("after close: read, write, close, fcntl give EBADF");
	return 0;
}
