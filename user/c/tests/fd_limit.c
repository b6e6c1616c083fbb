/* RLIMIT_NOFILE decides how many descriptors a process may have (up to fs.nr_open):
 * the table grows past 1024 when the limit is raised, dup2/F_DUPFD/poll check their
 * numbers against it, and a lowered limit stops new descriptors without touching open
 * ones. */
#include "rilltest.h"
#include <poll.h>

int main(void)
{
	struct rlimit rl;
	CHECK_OK(getrlimit(RLIMIT_NOFILE, &rl));
	CHECK(rl.rlim_max >= 4096);
	rl.rlim_cur = 4096;
	CHECK_OK(setrlimit(RLIMIT_NOFILE, &rl));

	CHECK_EQ(dup2(0, 3000), 3000);
	CHECK_EQ(fcntl(0, F_DUPFD, 4000), 4000);
	CHECK_EQ(fcntl(0, F_DUPFD, 4000), 4001);
	CHECK_ERR(dup2(0, 4096), EBADF);
	CHECK_ERR(fcntl(0, F_DUPFD, 4096), EINVAL);
	static struct pollfd many[4097];
	for (int i = 0; i < 4097; i++)
		many[i].fd = -1;
	CHECK_ERR(poll(many, 4097, 0), EINVAL);
	CHECK_EQ(syscall(SYS_ppoll, NULL, 0, &(struct timespec){ 0, 0 }, NULL, 8), 0);
	ok("a raised RLIMIT_NOFILE: descriptors up to 4095, EBADF/EINVAL past it");

	/* 1100 pipes: 2200 descriptors, more than the default 1024. */
	int p[2], first = -1, last = -1;
	for (int i = 0; i < 1100; i++) {
		CHECK_OK(pipe(p));
		if (first < 0)
			first = p[0];
		last = p[1];
	}
	CHECK(last - first + 1 >= 2200);
	CHECK_EQ(write(last, "x", 1), 1);
	char c;
	CHECK_EQ(read(last - 1, &c, 1), 1);
	ok("2200 pipe descriptors in one process");

	rl.rlim_cur = 64;
	CHECK_OK(setrlimit(RLIMIT_NOFILE, &rl));
	CHECK_ERR(dup(0), EMFILE);
	CHECK_ERR(pipe(p), EMFILE);
	CHECK_ERR(dup2(0, 64), EBADF);
	CHECK_EQ(write(last, "y", 1), 1);
	CHECK_EQ(read(last - 1, &c, 1), 1);
	CHECK_EQ(c, 'y');
	CHECK_OK(close(3000));
	ok("a lowered limit: EMFILE for new descriptors, open ones still work");

	if (on_rill()) {
		rl.rlim_max = (1 << 20) + 1;
		CHECK_ERR(setrlimit(RLIMIT_NOFILE, &rl), EPERM);
	}
	ok("not even root raises RLIMIT_NOFILE past fs.nr_open");
	return 0;
}
