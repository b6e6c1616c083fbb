/* tool_calls: kernel calls everyday tools make. sendfile (cat, cp) from a file to a
 * pipe and to a file, with and without an offset, and its errors; getpriority and
 * setpriority (nice, renice): the values, the range, and the errors of an unprivileged
 * caller. */
#include "rilltest.h"
#include <sys/sendfile.h>

static void test_sendfile(void)
{
	const char *path = path_in("/tmp", "tool_calls_src");
	int src = CHECK_OK(open(path, O_RDWR | O_CREAT | O_TRUNC, 0600));
	char data[10000];
	for (unsigned i = 0; i < sizeof data; i++)
		data[i] = 'a' + i % 26;
	CHECK_EQ(write(src, data, sizeof data), (long)sizeof data);
	CHECK_OK(lseek(src, 0, SEEK_SET));

	/* file -> pipe, the file's offset moving */
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_EQ(sendfile(p[1], src, NULL, 100), 100);
	CHECK_EQ(lseek(src, 0, SEEK_CUR), 100);
	char got[10000];
	CHECK_EQ(read(p[0], got, sizeof got), 100);
	CHECK(memcmp(got, data, 100) == 0);

	/* with an offset: read from there, the offset updated, the file's own unmoved */
	off_t off = 9990;
	CHECK_EQ(sendfile(p[1], src, &off, 100), 10);
	CHECK_EQ(off, 10000);
	CHECK_EQ(lseek(src, 0, SEEK_CUR), 100);
	CHECK_EQ(read(p[0], got, sizeof got), 10);
	CHECK(memcmp(got, data + 9990, 10) == 0);
	off = 10000;
	CHECK_EQ(sendfile(p[1], src, &off, 100), 0);
	ok("sendfile file to pipe, with and without an offset");

	/* file -> file, all of it */
	const char *path2 = path_in("/tmp", "tool_calls_dst");
	int dst = CHECK_OK(open(path2, O_RDWR | O_CREAT | O_TRUNC, 0600));
	off = 0;
	CHECK_EQ(sendfile(dst, src, &off, 1 << 20), 10000);
	CHECK_OK(lseek(dst, 0, SEEK_SET));
	CHECK_EQ(read(dst, got, sizeof got), 10000);
	CHECK(memcmp(got, data, 10000) == 0);
	ok("sendfile file to file");

	/* errors */
	CHECK_ERR(sendfile(p[1], 999, NULL, 1), EBADF);
	CHECK_ERR(sendfile(999, src, NULL, 1), EBADF);
	CHECK_ERR(sendfile(p[0], src, NULL, 1), EBADF);
	int wronly = CHECK_OK(open(path, O_WRONLY));
	CHECK_ERR(sendfile(p[1], wronly, NULL, 1), EBADF);
	off = -1;
	CHECK_ERR(sendfile(p[1], src, &off, 1), EINVAL);
	CHECK_ERR(sendfile(p[1], src, (off_t *)BAD_LOW, 1), EFAULT);
	CHECK_ERR(sendfile(dst, p[0], NULL, 1), EINVAL);
	off = 0;
	CHECK_ERR(sendfile(dst, p[0], &off, 1), ESPIPE);
	int app = CHECK_OK(open(path2, O_WRONLY | O_APPEND));
	CHECK_ERR(sendfile(app, src, NULL, 1), EINVAL);
	ok("sendfile errors: EBADF, EINVAL, EFAULT, ESPIPE");
	close(app);
	close(wronly);
	close(dst);
	close(src);
	close(p[0]);
	close(p[1]);
	unlink(path);
	unlink(path2);
}

static int unprivileged_priority(void)
{
	/* Raising nice is allowed, lowering it again is not (RLIMIT_NICE 0). */
	struct rlimit rl = { 0, 0 };
	CHECK_OK(setrlimit(RLIMIT_NICE, &rl));
	CHECK_OK(setuid(65534));
	CHECK_OK(setpriority(PRIO_PROCESS, 0, 5));
	CHECK_ERR(setpriority(PRIO_PROCESS, 0, 4), EACCES);
	CHECK_OK(setpriority(PRIO_PROCESS, 0, 6));
	errno = 0;
	CHECK_EQ(getpriority(PRIO_PROCESS, 0), 6);
	CHECK_ERR(setpriority(PRIO_PROCESS, 1, 10), EPERM);
	return 0;
}

static void test_priority(void)
{
	errno = 0;
	CHECK_EQ(getpriority(PRIO_PROCESS, 0), 0);
	CHECK_EQ(errno, 0);
	/* The raw call returns 20 - nice. */
	CHECK_EQ(syscall(SYS_getpriority, PRIO_PROCESS, 0), 20);
	CHECK_OK(setpriority(PRIO_PROCESS, 0, 3));
	CHECK_EQ(getpriority(PRIO_PROCESS, getpid()), 3);
	CHECK_EQ(syscall(SYS_getpriority, PRIO_PROCESS, 0), 17);
	/* Out of range values are clamped. */
	CHECK_OK(setpriority(PRIO_PROCESS, 0, 100));
	CHECK_EQ(getpriority(PRIO_PROCESS, 0), 19);
	CHECK_OK(setpriority(PRIO_PROCESS, 0, -100));
	CHECK_EQ(getpriority(PRIO_PROCESS, 0), -20);
	CHECK_OK(setpriority(PRIO_PROCESS, 0, 0));
	ok("getpriority/setpriority: values, 20 - nice, clamping");

	/* A child inherits the value; a process group and a user are the best of theirs. */
	CHECK_OK(setpriority(PRIO_PROCESS, 0, 2));
	int go[2], ready[2];
	CHECK_OK(pipe(go));
	CHECK_OK(pipe(ready));
	pid_t child = fork();
	if (child == 0) {
		char c;
		close(go[1]); /* a failing parent's exit ends the wait below */
		setpgid(0, 0);
		if (getpriority(PRIO_PROCESS, 0) != 2)
			_exit(1);
		setpriority(PRIO_PROCESS, 0, 7);
		write(ready[1], "r", 1);
		read(go[0], &c, 1);
		_exit(0);
	}
	char c;
	CHECK_EQ(read(ready[0], &c, 1), 1);
	CHECK_EQ(getpriority(PRIO_PROCESS, child), 7);
	/* (Not PRIO_PGRP yet: Linux's nice is per thread, and under qemu-user the child
	 * has a second thread that PRIO_PROCESS did not change.) */
	CHECK_OK(setpriority(PRIO_PGRP, child, 9));
	CHECK_EQ(getpriority(PRIO_PROCESS, child), 9);
	CHECK_EQ(getpriority(PRIO_PGRP, child), 9);
	CHECK_EQ(getpriority(PRIO_PROCESS, 0), 2);
	write(go[1], "g", 1);
	CHECK_EQ(wait_for(child), 0);
	CHECK_OK(setpriority(PRIO_PROCESS, 0, 0));
	ok("nice inherited by fork; PRIO_PGRP");

	CHECK_ERR(getpriority(PRIO_PROCESS, 999999), ESRCH);
	CHECK_ERR(setpriority(PRIO_PROCESS, 999999, 1), ESRCH);
	CHECK_ERR(getpriority(7, 0), EINVAL);
	CHECK_ERR(setpriority(-1, 0, 1), EINVAL);
	CHECK_ERR(getpriority(PRIO_USER, 54321), ESRCH);
	CHECK_EQ(wait_for(spawn(unprivileged_priority)), 0);
	ok("priority errors: ESRCH, EINVAL, EACCES, EPERM");
}

int main(void)
{
	test_sendfile();
	test_priority();
	return 0;
}
