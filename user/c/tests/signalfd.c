/* signalfd: reads take pending signals of the descriptor's mask as 128-byte
 * struct signalfd_siginfo records (signal, code, sender, sigqueue's value),
 * several per read when the buffer has room; signals outside the mask stay
 * pending. poll reports POLLIN while one is pending. A second signalfd() on the
 * descriptor replaces its mask. SFD_NONBLOCK reads are EAGAIN when nothing is
 * pending; a blocking read waits for a signal from another process and is
 * interrupted (EINTR) by a handled signal. Errors: a short buffer EINVAL, bad
 * flags or mask size EINVAL, a descriptor that is no signalfd EINVAL, a closed
 * one EBADF, a bad mask pointer EFAULT. */
#include "rilltest.h"
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/time.h>

static sigset_t just(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	return s;
}

static int readable(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	int n = poll(&p, 1, 0);
	if (n < 0)
		FAIL("poll failed with %s", errname(errno));
	return n == 1 && (p.revents & POLLIN);
}

static pid_t parent;

static int send_later(void)
{
	sleep_ms(100);
	union sigval v = { .sival_int = 99 };
	return sigqueue(parent, SIGRTMIN + 1, v) == 0 ? 0 : 2;
}

static void on_alarm(int sig)
{
	(void)sig;
}

int main(void)
{
	struct signalfd_siginfo si[3];
	sigset_t blocked;
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGUSR1);
	sigaddset(&blocked, SIGUSR2);
	sigaddset(&blocked, SIGRTMIN);
	sigaddset(&blocked, SIGRTMIN + 1);
	CHECK_OK(sigprocmask(SIG_BLOCK, &blocked, NULL));
	CHECK_EQ(sizeof(struct signalfd_siginfo), 128);

	sigset_t m = just(SIGUSR1);
	int fd = CHECK_OK(signalfd(-1, &m, SFD_NONBLOCK));
	CHECK_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	CHECK_EQ(fcntl(fd, F_GETFD), 0);
	CHECK_ERR(read(fd, si, sizeof si[0]), EAGAIN);
	CHECK(!readable(fd));
	CHECK_OK(kill(getpid(), SIGUSR2));
	CHECK(!readable(fd));
	CHECK_ERR(read(fd, si, sizeof si[0]), EAGAIN);
	CHECK_OK(kill(getpid(), SIGUSR1));
	CHECK(readable(fd));
	CHECK_ERR(read(fd, si, sizeof si[0] - 1), EINVAL);
	CHECK_EQ(read(fd, si, sizeof si), 128);
	CHECK_EQ(si[0].ssi_signo, SIGUSR1);
	CHECK_EQ(si[0].ssi_code, SI_USER);
	CHECK_EQ(si[0].ssi_pid, getpid());
	CHECK_EQ(si[0].ssi_uid, getuid());
	CHECK(!readable(fd));
	ok("SIGUSR1 read as a record (SI_USER, pid, uid); SIGUSR2 outside the mask is not");

	m = just(SIGUSR2);
	CHECK_EQ(signalfd(fd, &m, 0), fd);
	CHECK(readable(fd));
	CHECK_EQ(read(fd, si, sizeof si), 128);
	CHECK_EQ(si[0].ssi_signo, SIGUSR2);
	sigset_t pending;
	CHECK_OK(sigpending(&pending));
	CHECK(!sigismember(&pending, SIGUSR2));
	ok("a new mask on the same descriptor takes the pending SIGUSR2");

	m = just(SIGRTMIN);
	CHECK_EQ(signalfd(fd, &m, 0), fd);
	for (int i = 1; i <= 3; i++) {
		union sigval v = { .sival_int = 700 + i };
		CHECK_OK(sigqueue(getpid(), SIGRTMIN, v));
	}
	CHECK_EQ(read(fd, si, 2 * sizeof si[0] + 10), 256);
	CHECK_EQ(si[0].ssi_code, SI_QUEUE);
	CHECK_EQ(si[0].ssi_int, 701);
	CHECK_EQ(si[0].ssi_ptr, 701);
	CHECK_EQ(si[1].ssi_int, 702);
	CHECK_EQ(read(fd, si, sizeof si), 128);
	CHECK_EQ(si[0].ssi_int, 703);
	CHECK_ERR(read(fd, si, sizeof si), EAGAIN);
	CHECK_OK(close(fd));
	ok("queued SIGRTMIN: two records per read of 2.x records, in order, with si_value");

	/* Blocking: a signal from a child ends the wait. */
	m = just(SIGRTMIN + 1);
	fd = CHECK_OK(signalfd(-1, &m, SFD_CLOEXEC));
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	parent = getpid();
	pid_t child = spawn(send_later);
	CHECK_EQ(read(fd, si, sizeof si), 128);
	CHECK_EQ(si[0].ssi_signo, SIGRTMIN + 1);
	CHECK_EQ(si[0].ssi_pid, child);
	CHECK_EQ(si[0].ssi_int, 99);
	CHECK_EQ(WEXITSTATUS(wait_for(child)), 0);
	struct pollfd p = { fd, POLLIN, 0 };
	child = spawn(send_later);
	CHECK_EQ(poll(&p, 1, 5000), 1);
	CHECK_EQ(p.revents, POLLIN);
	CHECK_EQ(read(fd, si, sizeof si), 128);
	CHECK_EQ(WEXITSTATUS(wait_for(child)), 0);
	ok("a blocking read and a poll wait for a signal sent by another process");

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	struct itimerval it = { { 0, 0 }, { 0, 100000 } };
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	CHECK_ERR(read(fd, si, sizeof si), EINTR);
	ok("a handled SIGALRM interrupts a blocking read: EINTR");

	int file = CHECK_OK(open("/proc/self/status", O_RDONLY));
	CHECK_ERR(signalfd(file, &m, 0), EINVAL);
	CHECK_ERR(signalfd(999, &m, 0), EBADF);
	CHECK_ERR(signalfd(-1, &m, -1), EINVAL);
	CHECK_ERR(signalfd(-1, &m, O_APPEND), EINVAL);
	CHECK_ERR(syscall(SYS_signalfd4, -1, &m, 4, 0), EINVAL);
	CHECK_ERR(syscall(SYS_signalfd4, -1, &m, 16, 0), EINVAL);
	CHECK_ERR(syscall(SYS_signalfd4, -1, BAD_LOW, 8, 0), EFAULT);
	CHECK_ERR(syscall(SYS_signalfd4, fd, BAD_LOW, 8, 0), EFAULT);
	CHECK_ERR(write(fd, si, sizeof si), EINVAL);
	ok("errors: EINVAL for a non-signalfd, flags, mask size, write; EBADF; EFAULT");
	return 0;
}
