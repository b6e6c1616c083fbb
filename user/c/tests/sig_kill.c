/* sig_kill: whom kill reaches, and when it refuses.
 * kill(-pgid) signals every member of a process group and nobody else;
 * kill(0) signals the caller's own group, the caller included. Errors: an
 * invalid signal number is EINVAL, a pid or group with no process ESRCH,
 * tgkill with a wrong thread group ESRCH. Signal 0 only checks. A zombie
 * can still be "signalled" (0, no effect on its status). A process that has
 * given up root (setuid(1000)) gets EPERM for its root parent but may
 * signal another process of uid 1000, which sees si_uid 1000; sigqueue
 * cannot claim a kernel si_code for another process (EPERM).
 * (kill(-1) is not tested: under qemu-user it would reach the host.) */
#include "rilltest.h"

static int ready[2]; /* children write a byte here once set up */
static int report[2]; /* values passed back to the parent */

static void tell_ready(void)
{
	if (write(ready[1], "r", 1) != 1)
		_exit(20);
}

static void await_ready(int n)
{
	char c;
	for (int i = 0; i < n; i++)
		CHECK_EQ(read(ready[0], &c, 1), 1);
}

/* Joins process group `group_leader` (0: its own), says ready, waits to die. */
static pid_t spawn_in_group(pid_t group_leader)
{
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (setpgid(0, group_leader) != 0)
			_exit(21);
		tell_ready();
		pause();
		_exit(22);
	}
	CHECK_OK(setpgid(pid, group_leader ? group_leader : pid));
	return pid;
}

static volatile sig_atomic_t usr1;

static void on_usr1(int sig)
{
	(void)sig;
	usr1++;
}

/* In a group of its own with two children, kill(0, SIGUSR1) reaches all
 * three: the children die of it, the caller's handler runs. */
static int kill_own_group(void)
{
	if (setpgid(0, 0) != 0)
		return 2;
	signal(SIGUSR1, SIG_DFL); /* for the children: SIGUSR1 kills them */
	pid_t a = fork();
	if (a == 0) {
		pause();
		_exit(22);
	}
	pid_t b = fork();
	if (b == 0) {
		pause();
		_exit(22);
	}
	signal(SIGUSR1, on_usr1);
	if (kill(0, SIGUSR1) != 0 || usr1 != 1)
		return 3;
	int sa, sb;
	if (waitpid(a, &sa, 0) != a || waitpid(b, &sb, 0) != b)
		return 4;
	return sa == SIGUSR1 && sb == SIGUSR1 ? 0 : 5;
}

/* uid 1000 against the root parent and a uid-1000 sibling. */
static int unprivileged(void)
{
	pid_t parent = getppid();
	int sibling;
	if (read(report[0], &sibling, sizeof sibling) != sizeof sibling)
		return 2;
	if (setuid(1000) != 0)
		return 3;
	errno = 0;
	if (kill(parent, 0) != -1 || errno != EPERM)
		return 4;
	errno = 0;
	if (kill(parent, SIGUSR1) != -1 || errno != EPERM)
		return 5;
	if (kill(getpid(), 0) != 0)
		return 6;
	if (kill(sibling, 0) != 0 || kill(sibling, SIGUSR1) != 0)
		return 7;
	return 0;
}

/* Drops to uid 1000 with SIGUSR1 blocked, waits for it, reports si_pid. */
static int unprivileged_receiver(void)
{
	sigset_t usr1set;
	sigemptyset(&usr1set);
	sigaddset(&usr1set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1set, NULL);
	if (setuid(1000) != 0)
		return 3;
	tell_ready();
	siginfo_t si;
	struct timespec limit = { 10, 0 };
	if (sigtimedwait(&usr1set, &si, &limit) != SIGUSR1)
		return 4;
	if (si.si_code != SI_USER || si.si_uid != 1000)
		return 5;
	if (write(report[1], &si.si_pid, sizeof si.si_pid) != sizeof si.si_pid)
		return 6;
	return 0;
}

static int exits_at_once(void)
{
	return 7;
}

int main(void)
{
	int status;
	CHECK_OK(pipe(ready));
	CHECK_OK(pipe(report));

	/* kill(-pgid): both members of the group, and not the caller. */
	signal(SIGUSR1, on_usr1);
	pid_t a = spawn_in_group(0);
	pid_t b = spawn_in_group(a);
	pid_t outsider = spawn_in_group(0);
	await_ready(3);
	CHECK_EQ(getpgid(b), a);
	usr1 = 0;
	CHECK_OK(kill(-a, SIGTERM));
	CHECK_EQ(wait_for(a), SIGTERM);
	CHECK_EQ(wait_for(b), SIGTERM);
	CHECK_EQ(waitpid(outsider, &status, WNOHANG), 0);
	CHECK_EQ(usr1, 0);
	CHECK_OK(kill(outsider, SIGKILL));
	CHECK_EQ(wait_for(outsider), SIGKILL);
	ok("kill(-pgid, SIGTERM) ends both members of the group and no one else");

	CHECK_EQ(wait_for(spawn(kill_own_group)), 0);
	ok("kill(0, SIGUSR1) reaches the caller and the two children in its group");

	/* Errors. */
	pid_t gone = spawn(exits_at_once);
	CHECK_EQ(wait_for(gone), 7 << 8);
	CHECK_ERR(kill(getpid(), 65), EINVAL);
	CHECK_ERR(kill(getpid(), -1), EINVAL);
	CHECK_ERR(kill(getpid(), 1000), EINVAL);
	CHECK_ERR(kill(gone, 0), ESRCH);
	CHECK_ERR(kill(gone, SIGTERM), ESRCH);
	CHECK_ERR(kill(-gone, SIGTERM), ESRCH);
	CHECK_ERR(syscall(SYS_tgkill, getpid(), gone, SIGTERM), ESRCH);
	CHECK_ERR(syscall(SYS_tgkill, gone, getpid(), SIGTERM), ESRCH);
	CHECK_ERR(syscall(SYS_tgkill, getpid(), 0, SIGTERM), EINVAL);
	CHECK_ERR(syscall(SYS_tgkill, 0, getpid(), SIGTERM), EINVAL);
	CHECK_ERR(sigqueue(getpid(), 65, (union sigval){ 0 }), EINVAL);
	CHECK_ERR(sigqueue(gone, SIGUSR1, (union sigval){ 0 }), ESRCH);
	ok("EINVAL for signals 65, -1, 1000; ESRCH for a reaped pid, its group, a wrong tgid");

	CHECK_OK(kill(getpid(), 0));
	CHECK_OK(kill(getppid(), 0));
	CHECK_OK(syscall(SYS_tgkill, getpid(), getpid(), 0));
	ok("signal 0 only checks that the process exists");

	/* A zombie can be signalled; its status stays. */
	int pipefd[2];
	CHECK_OK(pipe(pipefd));
	pid_t zombie = fork();
	CHECK(zombie >= 0);
	if (zombie == 0) {
		close(pipefd[0]);
		_exit(7);
	}
	close(pipefd[1]);
	char c;
	CHECK_EQ(read(pipefd[0], &c, 1), 0); /* EOF: the child has exited */
	close(pipefd[0]);
	CHECK_OK(kill(zombie, 0));
	CHECK_OK(kill(zombie, SIGKILL));
	CHECK_EQ(wait_for(zombie), 7 << 8);
	ok("kill on a zombie succeeds and does not change its exit status");

	/* Permissions. */
	usr1 = 0;
	pid_t receiver = spawn(unprivileged_receiver);
	await_ready(1);
	pid_t sender = spawn(unprivileged);
	CHECK_EQ(write(report[1], &receiver, sizeof receiver), (long)sizeof receiver);
	CHECK_EQ(wait_for(sender), 0);
	CHECK_EQ(wait_for(receiver), 0);
	pid_t got_pid;
	CHECK_EQ(read(report[0], &got_pid, sizeof got_pid), (long)sizeof got_pid);
	CHECK_EQ(got_pid, sender);
	CHECK_EQ(usr1, 0);
	ok("after setuid(1000): EPERM for the root parent, a uid-1000 sibling gets it (si_uid 1000)");

	/* The target is a child of ours that ignores SIGUSR1. */
	signal(SIGUSR1, SIG_IGN);
	pid_t target = spawn_in_group(0);
	await_ready(1);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = SIGUSR1;
	si.si_code = SI_USER;
	si.si_pid = getpid();
	CHECK_ERR(syscall(SYS_rt_sigqueueinfo, target, SIGUSR1, &si), EPERM);
	si.si_code = SI_KERNEL;
	CHECK_ERR(syscall(SYS_rt_sigqueueinfo, target, SIGUSR1, &si), EPERM);
	si.si_code = SI_TKILL;
	CHECK_ERR(syscall(SYS_rt_sigqueueinfo, target, SIGUSR1, &si), EPERM);
	si.si_code = SI_QUEUE;
	CHECK_OK(syscall(SYS_rt_sigqueueinfo, target, SIGUSR1, &si));
	CHECK_OK(kill(target, SIGKILL));
	CHECK_EQ(wait_for(target), SIGKILL);
	ok("rt_sigqueueinfo to another process: EPERM for SI_USER, SI_KERNEL, SI_TKILL; SI_QUEUE is fine");
	return 0;
}
