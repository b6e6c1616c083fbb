/* pidfd: pidfd_open gives a close-on-exec descriptor for a process, which
 * pidfd_send_signal signals as kill does (si_code SI_USER) or with the
 * caller's siginfo (SI_QUEUE and its value); a /proc/PID directory works the
 * same. poll reports POLLIN once the process has exited; a zombie still takes
 * a signal (and ignores it), a reaped one is ESRCH. Errors as Linux: flags
 * EINVAL, a pid <= 0 EINVAL, no such process ESRCH, a descriptor that is no
 * pidfd EBADF, si_signo differing from the signal EINVAL, a non-negative
 * si_code for another process EPERM, no permission EPERM. */
#include "rilltest.h"
#include <poll.h>

static volatile sig_atomic_t got_sig, got_code, got_value, got_pid;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	got_value = si->si_value.sival_int;
	got_pid = si->si_pid;
}

static int pidfd_open(pid_t pid, unsigned flags)
{
	return syscall(SYS_pidfd_open, pid, flags);
}

static int send_sig(int fd, int sig, siginfo_t *info, unsigned flags)
{
	return syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}

static siginfo_t queue_info(int sig, int code, int value)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = sig;
	si.si_code = code;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = value;
	return si;
}

static int waits(void)
{
	sleep_ms(5000);
	return 3;
}

static int exits_soon(void)
{
	sleep_ms(100);
	return 7;
}

static int parent_fd = -1;

static int as_nobody(void)
{
	if (setuid(65534) != 0)
		return 2;
	if (send_sig(parent_fd, SIGUSR1, NULL, 0) != -1 || errno != EPERM)
		return 3;
	if (send_sig(parent_fd, 0, NULL, 0) != -1 || errno != EPERM)
		return 4;
	return 0;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));

	int self = CHECK_OK(pidfd_open(getpid(), 0));
	CHECK_EQ(fcntl(self, F_GETFD), FD_CLOEXEC);
	struct pollfd p = { self, POLLIN, 0 };
	CHECK_EQ(poll(&p, 1, 0), 0);
	CHECK_OK(send_sig(self, SIGUSR1, NULL, 0));
	CHECK_EQ(got_sig, SIGUSR1);
	CHECK_EQ(got_code, SI_USER);
	CHECK_EQ(got_pid, getpid());
	siginfo_t si = queue_info(SIGUSR1, SI_QUEUE, 777);
	CHECK_OK(send_sig(self, SIGUSR1, &si, 0));
	CHECK_EQ(got_code, SI_QUEUE);
	CHECK_EQ(got_value, 777);
	si = queue_info(SIGUSR1, SI_USER, 0);
	CHECK_OK(send_sig(self, SIGUSR1, &si, 0));
	CHECK_EQ(got_code, SI_USER);
	CHECK_OK(send_sig(self, 0, NULL, 0));
	ok("pidfd_open(self): cloexec, not readable; kill-like and sigqueue-like signals");

	int dir = CHECK_OK(open("/proc/self", O_DIRECTORY | O_RDONLY));
	got_sig = 0;
	si = queue_info(SIGUSR1, SI_QUEUE, 779);
	CHECK_OK(send_sig(dir, SIGUSR1, &si, 0));
	CHECK_EQ(got_sig, SIGUSR1);
	CHECK_EQ(got_value, 779);
	CHECK_OK(close(dir));
	ok("a /proc/self directory descriptor works as a pidfd");

	CHECK_ERR(pidfd_open(getpid(), 1), EINVAL);
	CHECK_ERR(pidfd_open(0, 0), EINVAL);
	CHECK_ERR(pidfd_open(-1, 0), EINVAL);
	CHECK_ERR(pidfd_open(4000000, 0), ESRCH);
	CHECK_ERR(send_sig(self, SIGUSR1, NULL, 99999), EINVAL);
	CHECK_ERR(send_sig(999, SIGUSR1, NULL, 0), EBADF);
	int file = CHECK_OK(open("/proc/self/status", O_RDONLY));
	CHECK_ERR(send_sig(file, SIGUSR1, NULL, 0), EBADF);
	si = queue_info(SIGUSR1, SI_QUEUE, 1);
	CHECK_ERR(send_sig(self, SIGUSR2, &si, 0), EINVAL);
	CHECK_ERR(send_sig(self, SIGUSR1, BAD_LOW, 0), EFAULT);
	CHECK_ERR(send_sig(self, 65, NULL, 0), EINVAL);
	ok("errors: flags and pid EINVAL, ESRCH, EBADF for a non-pidfd, si_signo EINVAL, EFAULT");

	pid_t child = spawn(waits);
	int cfd = CHECK_OK(pidfd_open(child, 0));
	si = queue_info(SIGTERM, SI_USER, 0);
	CHECK_ERR(send_sig(cfd, SIGTERM, &si, 0), EPERM);
	si = queue_info(SIGTERM, SI_QUEUE, 0);
	CHECK_OK(send_sig(cfd, SIGTERM, &si, 0));
	p.fd = cfd;
	CHECK_EQ(poll(&p, 1, 5000), 1);
	CHECK_EQ(p.revents, POLLIN);
	CHECK_OK(send_sig(cfd, SIGKILL, NULL, 0));
	int st = wait_for(child);
	CHECK(WIFSIGNALED(st));
	CHECK_EQ(WTERMSIG(st), SIGTERM);
	CHECK_ERR(send_sig(cfd, SIGTERM, NULL, 0), ESRCH);
	CHECK_OK(close(cfd));
	ok("a child: SI_USER info EPERM, SI_QUEUE kills it; POLLIN; a zombie takes signals, reaped ESRCH");

	child = spawn(exits_soon);
	cfd = CHECK_OK(pidfd_open(child, 0));
	p.revents = 0;
	CHECK_EQ(poll(&p, 1, 0), 0);
	CHECK_EQ(poll(&p, 1, 5000), 1);
	CHECK_EQ(p.revents, POLLIN);
	CHECK_EQ(WEXITSTATUS(wait_for(child)), 7);
	CHECK_ERR(pidfd_open(child, 0), ESRCH);
	ok("poll waits for the exit of the process");

	parent_fd = self;
	CHECK_EQ(WEXITSTATUS(wait_for(spawn(as_nobody))), 0);
	ok("an unprivileged user may not signal root's process: EPERM");
	return 0;
}
