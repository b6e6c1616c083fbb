/* POSIX message queues: priority order, attributes and limits, blocking with timeouts,
 * poll, permissions and names (notification is in mq_corners), as mq_overview(7) and each call's page
 * describe them on Linux. */
#include "rilltest.h"
#include <mqueue.h>
#include <poll.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/time.h>

/* The kernel's bound on priorities (sysconf(_SC_MQ_PRIO_MAX)). */
#define MQ_PRIO_MAX 32768

#define NAME "/rill_mq_test"

static mqd_t open_fresh(int maxmsg, int msgsize)
{
	mq_unlink(NAME);
	struct mq_attr attr = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };
	return CHECK_OK(mq_open(NAME, O_CREAT | O_EXCL | O_RDWR, 0600, &attr));
}

static const char *recv_str(mqd_t q, unsigned *prio)
{
	static char buf[8192 + 1];
	long n = CHECK_OK(mq_receive(q, buf, sizeof buf - 1, prio));
	buf[n] = 0;
	return buf;
}

static void priorities(void)
{
	mqd_t q = open_fresh(8, 32);
	struct mq_attr a;
	CHECK_OK(mq_getattr(q, &a));
	CHECK_EQ(a.mq_maxmsg, 8);
	CHECK_EQ(a.mq_msgsize, 32);
	CHECK_EQ(a.mq_curmsgs, 0);
	CHECK_EQ(a.mq_flags, 0);
	CHECK_OK(mq_send(q, "low", 3, 1));
	CHECK_OK(mq_send(q, "high", 4, 5));
	CHECK_OK(mq_send(q, "mid", 3, 3));
	CHECK_OK(mq_send(q, "high2", 5, 5));
	CHECK_OK(mq_send(q, "zero", 4, 0));
	CHECK_OK(mq_getattr(q, &a));
	CHECK_EQ(a.mq_curmsgs, 5);
	unsigned prio;
	CHECK_STR(recv_str(q, &prio), "high");
	CHECK_EQ(prio, 5);
	CHECK_STR(recv_str(q, &prio), "high2");
	CHECK_STR(recv_str(q, &prio), "mid");
	CHECK_EQ(prio, 3);
	CHECK_STR(recv_str(q, NULL), "low");
	CHECK_STR(recv_str(q, &prio), "zero");
	CHECK_EQ(prio, 0);
	CHECK_OK(mq_close(q));
	ok("highest priority first, arrival order within a priority");
}

static void sizes_and_limits(void)
{
	mqd_t q = open_fresh(2, 16);
	char big[64] = { 0 };
	CHECK_ERR(mq_send(q, big, 17, 0), EMSGSIZE);
	CHECK_ERR(mq_receive(q, big, 15, NULL), EMSGSIZE);
	CHECK_ERR(mq_send(q, big, 1, MQ_PRIO_MAX), EINVAL);
	CHECK_OK(mq_send(q, big, 16, MQ_PRIO_MAX - 1));
	CHECK_OK(mq_send(q, big, 0, 0));
	struct timespec past = { 1, 0 };
	CHECK_ERR(mq_timedsend(q, big, 1, 0, &past), ETIMEDOUT);
	struct timespec bad = { 0, 1000000000 };
	CHECK_ERR(mq_timedsend(q, big, 1, 0, &bad), EINVAL);
	struct mq_attr nb = { .mq_flags = O_NONBLOCK }, old;
	CHECK_OK(mq_setattr(q, &nb, &old));
	CHECK_EQ(old.mq_flags, 0);
	CHECK_ERR(mq_send(q, big, 1, 0), EAGAIN);
	CHECK_EQ(mq_receive(q, big, sizeof big, NULL), 16);
	CHECK_EQ(mq_receive(q, big, sizeof big, NULL), 0);
	CHECK_ERR(mq_receive(q, big, sizeof big, NULL), EAGAIN);
	struct mq_attr a;
	CHECK_OK(mq_getattr(q, &a));
	CHECK_EQ(a.mq_flags, O_NONBLOCK);
	nb.mq_flags = 0;
	CHECK_OK(mq_setattr(q, &nb, NULL));
	struct timespec soon;
	clock_gettime(CLOCK_REALTIME, &soon);
	soon.tv_nsec += 50 * 1000000;
	if (soon.tv_nsec >= 1000000000) {
		soon.tv_sec++;
		soon.tv_nsec -= 1000000000;
	}
	CHECK_ERR(mq_timedreceive(q, big, sizeof big, NULL, &soon), ETIMEDOUT);
	nb.mq_flags = O_APPEND;
	CHECK_ERR(mq_setattr(q, &nb, NULL), EINVAL);
	CHECK_OK(mq_close(q));
	ok("EMSGSIZE, MQ_PRIO_MAX, O_NONBLOCK through mq_setattr, ETIMEDOUT, bad timeouts");
}

static void names_and_errors(void)
{
	mq_unlink(NAME);
	CHECK_ERR(mq_open(NAME, O_RDWR), ENOENT);
	struct mq_attr zero = { .mq_maxmsg = 0, .mq_msgsize = 8 };
	CHECK_ERR(mq_open(NAME, O_CREAT | O_RDWR, 0600, &zero), EINVAL);
	mqd_t q = CHECK_OK(mq_open(NAME, O_CREAT | O_RDWR, 0600, NULL));
	struct mq_attr a;
	CHECK_OK(mq_getattr(q, &a));
	CHECK_EQ(a.mq_maxmsg, 10);
	CHECK_EQ(a.mq_msgsize, 8192);
	CHECK_ERR(mq_open(NAME, O_CREAT | O_EXCL | O_RDWR, 0600, NULL), EEXIST);
	mqd_t again = CHECK_OK(mq_open(NAME, O_CREAT | O_RDWR, 0600, &zero));
	CHECK_OK(mq_close(again));
	CHECK_ERR(mq_open("no-slash", O_CREAT | O_RDWR, 0600, NULL), EINVAL);
	CHECK_ERR(mq_open("/a/b", O_CREAT | O_RDWR, 0600, NULL), EACCES);
	char longname[300];
	memset(longname, 'x', sizeof longname);
	longname[0] = '/';
	longname[sizeof longname - 1] = 0;
	CHECK_ERR(mq_open(longname, O_CREAT | O_RDWR, 0600, NULL), ENAMETOOLONG);
	int fds[2];
	CHECK_OK(pipe(fds));
	CHECK_ERR(mq_send(fds[1], "x", 1, 0), EBADF);
	close(fds[0]);
	close(fds[1]);
	mqd_t ro = CHECK_OK(mq_open(NAME, O_RDONLY));
	CHECK_ERR(mq_send(ro, "x", 1, 0), EBADF);
	CHECK_OK(mq_close(ro));
	int flags = CHECK_OK(fcntl(q, F_GETFD));
	CHECK_EQ(flags & FD_CLOEXEC, FD_CLOEXEC);
	CHECK_OK(mq_send(q, "kept", 4, 0));
	CHECK_OK(mq_unlink(NAME));
	CHECK_ERR(mq_unlink(NAME), ENOENT);
	CHECK_ERR(mq_open(NAME, O_RDWR), ENOENT);
	CHECK_STR(recv_str(q, NULL), "kept");
	CHECK_OK(mq_close(q));
	ok("names, O_CREAT/O_EXCL, default attributes, EBADF, close-on-exec, unlink");
}

static int receive_by_name(void)
{
	mqd_t q = mq_open(NAME, O_RDONLY);
	char buf[16];
	unsigned prio;
	long n = mq_receive(q, buf, sizeof buf, &prio);
	return n == 5 && prio == 7 && memcmp(buf, "hello", 5) == 0 ? 0 : 1;
}

static void between_processes(void)
{
	mqd_t q = open_fresh(1, 16);
	pid_t child = spawn(receive_by_name);
	sleep_ms(100);
	struct pollfd p = { .fd = q, .events = POLLIN | POLLOUT };
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLOUT);
	CHECK_OK(mq_send(q, "hello", 5, 7));
	CHECK_EQ(wait_for(child), 0);
	CHECK_OK(mq_send(q, "full", 4, 0));
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLIN);
	CHECK_OK(mq_close(q));
	CHECK_OK(mq_unlink(NAME));
	ok("a blocked receiver in another process gets the message by name; poll readiness");
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void interrupted(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	mqd_t q = open_fresh(1, 16);
	struct itimerval it = { .it_value = { 0, 100000 } };
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	char buf[16];
	CHECK_ERR(mq_receive(q, buf, sizeof buf, NULL), EINTR);
	CHECK_OK(mq_close(q));
	CHECK_OK(mq_unlink(NAME));
	ok("a blocked mq_receive ends with EINTR after a handler without SA_RESTART");
}

static int unprivileged(void)
{
	if (setgid(1000) != 0 || setuid(1000) != 0)
		return 10;
	if (mq_open(NAME, O_RDONLY) != -1 || errno != EACCES)
		return 1;
	struct mq_attr big = { .mq_maxmsg = 11, .mq_msgsize = 16 };
	if (mq_open("/rill_mq_user", O_CREAT | O_RDWR, 0600, &big) != -1 || errno != EINVAL)
		return 2;
	if (mq_unlink(NAME) != -1 || errno != EACCES)
		return 3;
	return 0;
}

static void permissions(void)
{
	mqd_t q = open_fresh(4, 16);
	CHECK_EQ(wait_for(spawn(unprivileged)), 0);
	CHECK_OK(mq_close(q));
	CHECK_OK(mq_unlink(NAME));
	ok("another user gets EACCES and the unprivileged attribute limits");
}

int main(void)
{
	priorities();
	sizes_and_limits();
	names_and_errors();
	between_processes();
	interrupted();
	permissions();
	return 0;
}
