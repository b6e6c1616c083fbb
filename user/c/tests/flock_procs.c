/* flock_procs: flock(2) between processes. Locks belong to the open file description:
 * a second open conflicts, a fork'd or dup'd descriptor shares the lock, and the lock
 * goes with the description's last close. A blocked locker wakes when the holder
 * unlocks, and a signal interrupts it (EINTR). */
#include "rilltest.h"
#include <sys/file.h>

static const char *path;

static void on_alarm(int sig)
{
	(void)sig;
}

/* Another description of the file: LOCK_EX|LOCK_NB's answer (0 or an errno). */
static int try_other(int op)
{
	int fd = open(path, O_RDONLY);
	int r = flock(fd, op | LOCK_NB) == 0 ? 0 : errno;
	close(fd);
	return r;
}

int main(void)
{
	path = path_in("/tmp", "flock_procs");
	int fd = CHECK_OK(open(path, O_RDWR | O_CREAT | O_TRUNC, 0600));
	CHECK_OK(flock(fd, LOCK_SH));
	CHECK_EQ(try_other(LOCK_SH), 0);
	CHECK_EQ(try_other(LOCK_EX), EWOULDBLOCK);
	CHECK_OK(flock(fd, LOCK_EX));
	CHECK_EQ(try_other(LOCK_SH), EWOULDBLOCK);
	CHECK_OK(flock(fd, LOCK_UN));
	CHECK_EQ(try_other(LOCK_EX), 0);
	CHECK_OK(flock(fd, LOCK_UN));
	ok("shared and exclusive, LOCK_NB, LOCK_UN, conversion");

	/* A child's other description conflicts; its inherited one is the same lock. */
	CHECK_OK(flock(fd, LOCK_EX));
	pid_t child = fork();
	if (child == 0) {
		if (try_other(LOCK_EX) != EWOULDBLOCK)
			_exit(1);
		if (flock(fd, LOCK_EX | LOCK_NB) != 0)
			_exit(2);
		_exit(0);
	}
	CHECK_EQ(wait_for(child), 0);
	/* dup'd and inherited descriptors keep it until the last one closes */
	int dupfd = CHECK_OK(dup(fd));
	CHECK_OK(close(fd));
	CHECK_EQ(try_other(LOCK_EX), EWOULDBLOCK);
	CHECK_OK(close(dupfd));
	CHECK_EQ(try_other(LOCK_EX), 0);
	ok("per open file description, released on last close");

	/* A blocked locker wakes when the holder unlocks. */
	fd = CHECK_OK(open(path, O_RDWR));
	CHECK_OK(flock(fd, LOCK_EX));
	int p[2];
	CHECK_OK(pipe(p));
	child = fork();
	if (child == 0) {
		int mine = open(path, O_RDONLY);
		write(p[1], "w", 1);
		if (flock(mine, LOCK_SH) != 0)
			_exit(1);
		write(p[1], "g", 1);
		_exit(0);
	}
	char c;
	CHECK_EQ(read(p[0], &c, 1), 1);
	sleep_ms(100);
	CHECK_OK(flock(fd, LOCK_UN));
	CHECK_EQ(read(p[0], &c, 1), 1);
	CHECK_EQ(c, 'g');
	CHECK_EQ(wait_for(child), 0);
	ok("a blocked flock wakes at unlock");

	/* ...and a signal interrupts it. */
	CHECK_OK(flock(fd, LOCK_EX));
	child = fork();
	if (child == 0) {
		struct sigaction sa = { .sa_handler = on_alarm };
		sigaction(SIGALRM, &sa, NULL);
		int mine = open(path, O_RDONLY);
		alarm(1);
		int r = flock(mine, LOCK_EX);
		_exit(r == -1 && errno == EINTR ? 0 : 1);
	}
	CHECK_EQ(wait_for(child), 0);
	CHECK_OK(close(fd));
	ok("a blocked flock is interrupted by a signal (EINTR)");

	CHECK_ERR(flock(999, LOCK_EX), EBADF);
	fd = CHECK_OK(open(path, O_RDONLY));
	CHECK_ERR(flock(fd, 0), EINVAL);
	CHECK_ERR(flock(fd, LOCK_SH | LOCK_EX), EINVAL);
	CHECK_OK(flock(fd, LOCK_UN));
	close(fd);
	unlink(path);
	ok("errors: EBADF, EINVAL");
	return 0;
}
