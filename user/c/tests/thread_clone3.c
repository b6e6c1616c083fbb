/* thread_clone3: clone3 as Linux checks it (struct size: shorter than version 0
 * EINVAL, past a page E2BIG, longer with a non-zero tail E2BIG, unreadable EFAULT;
 * unknown or freed flags, a thread with an exit signal, a stack without size, all
 * EINVAL) and what it does: a fork-like child, CLONE_PIDFD (a pidfd polls readable
 * when the child exits; a bad pidfd address is EFAULT and creates nothing),
 * CLONE_CLEAR_SIGHAND (handlers back to default, ignored signals stay ignored),
 * CLONE_PARENT (the child is the caller's sibling). pthread_create goes through
 * clone3 in glibc 2.36, so threads made here prove the thread path too; their
 * /proc/self/task/TID/status shows Pid: TID and Tgid: the process id, and their stat
 * starts with the tid. */
#include "rilltest.h"
#include <linux/sched.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>

static long clone3_raw(struct clone_args *args, size_t size)
{
	return syscall(SYS_clone3, args, size);
}

static void bad_args(void)
{
	struct clone_args a = { .exit_signal = SIGCHLD };
	/* A larger struct with a non-zero byte past Linux's: E2BIG; zero: accepted. */
	static unsigned char big[sizeof a + 8];
	CHECK_ERR(clone3_raw(&a, 0), EINVAL);
	CHECK_ERR(clone3_raw(&a, CLONE_ARGS_SIZE_VER0 - 1), EINVAL);
	CHECK_ERR(clone3_raw(&a, 4097), E2BIG);
	CHECK_ERR(clone3_raw(BAD_LOW, sizeof a), EFAULT);
	memcpy(big, &a, sizeof a);
	big[sizeof a + 3] = 1;
	CHECK_ERR(clone3_raw((struct clone_args *)big, sizeof big), E2BIG);

	struct clone_args t = a;
	t.flags = CLONE_THREAD;
	t.exit_signal = 0;
	CHECK_ERR(clone3_raw(&t, sizeof t), EINVAL); /* thread without CLONE_SIGHAND */
	t.flags = CLONE_SIGHAND;
	CHECK_ERR(clone3_raw(&t, sizeof t), EINVAL); /* shared handlers, private memory */
	t.flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
	t.exit_signal = SIGCHLD;
	CHECK_ERR(clone3_raw(&t, sizeof t), EINVAL); /* a thread has no exit signal */
	t = a;
	t.flags = CLONE_DETACHED;
	CHECK_ERR(clone3_raw(&t, sizeof t), EINVAL); /* freed by clone3 */
	t.flags = 1ULL << 40;
	CHECK_ERR(clone3_raw(&t, sizeof t), EINVAL);
	t = a;
	t.exit_signal = 256;
	CHECK_ERR(clone3_raw(&t, sizeof t), EINVAL);
	t = a;
	t.stack = (unsigned long)big;
	CHECK_ERR(clone3_raw(&t, sizeof t), EINVAL); /* a stack needs its size */
	t = a;
	t.stack_size = 4096;
	CHECK_ERR(clone3_raw(&t, sizeof t), EINVAL);
	t = a;
	t.flags = CLONE_PIDFD | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
	t.exit_signal = 0;
	CHECK_ERR(clone3_raw(&t, sizeof t), EINVAL);

	/* The version-0 size and a zero tail both work like fork. */
	memset(big + sizeof a, 0, 8);
	long pid = CHECK_OK(clone3_raw((struct clone_args *)big, sizeof big));
	if (pid == 0)
		_exit(7);
	int st = wait_for(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	pid = CHECK_OK(clone3_raw(&a, CLONE_ARGS_SIZE_VER0));
	if (pid == 0)
		_exit(8);
	st = wait_for(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 8);
	ok("clone3 checks its arguments as Linux");
}

static void pidfd(void)
{
	int fd = -1;
	struct clone_args a = { .flags = CLONE_PIDFD, .pidfd = (unsigned long)&fd, .exit_signal = SIGCHLD };
	int fds_before = dup(0);
	close(fds_before);
	long pid = CHECK_OK(clone3_raw(&a, sizeof a));
	if (pid == 0) {
		sleep_ms(50);
		_exit(3);
	}
	CHECK(fd >= 0);
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, 0), 0); /* still running */
	CHECK_EQ(poll(&p, 1, 5000), 1);
	CHECK(p.revents & POLLIN);
	int st = wait_for(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	close(fd);

	/* A bad pidfd address fails the whole clone: no child, no descriptor. */
	a.pidfd = 8;
	CHECK_ERR(clone3_raw(&a, sizeof a), EFAULT);
	CHECK_ERR(waitpid(-1, NULL, WNOHANG), ECHILD);
	int next = dup(0);
	CHECK_EQ(next, fds_before);
	close(next);
	ok("CLONE_PIDFD gives the parent a pidfd; a bad address creates nothing");
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void clear_sighand(void)
{
	CHECK_EQ(signal(SIGUSR1, on_usr1), SIG_DFL);
	CHECK_EQ(signal(SIGUSR2, SIG_IGN), SIG_DFL);
	struct clone_args a = { .flags = CLONE_CLEAR_SIGHAND, .exit_signal = SIGCHLD };
	long pid = CHECK_OK(clone3_raw(&a, sizeof a));
	if (pid == 0) {
		raise(SIGUSR2); /* still ignored */
		raise(SIGUSR1); /* default again: the child dies of it */
		_exit(0);
	}
	int st = wait_for(pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1);
	/* The parent's handler is untouched. */
	struct sigaction old;
	sigaction(SIGUSR1, NULL, &old);
	CHECK(old.sa_handler == on_usr1);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	a.flags = CLONE_CLEAR_SIGHAND | CLONE_SIGHAND | CLONE_VM;
	CHECK_ERR(clone3_raw(&a, sizeof a), EINVAL);
	ok("CLONE_CLEAR_SIGHAND resets handlers and keeps ignored signals");
}

static int sibling_parent(void)
{
	pid_t me = getpid();
	pid_t my_parent = getppid();
	struct clone_args a = { .flags = CLONE_PARENT };
	long pid = syscall(SYS_clone3, &a, sizeof a);
	if (pid < 0)
		return 10;
	if (pid == 0)
		_exit(getppid() == my_parent ? 0 : 11);
	(void)me;
	/* Not our child: waiting for it is ECHILD. */
	if (waitpid(pid, NULL, __WALL) != -1 || errno != ECHILD)
		return 12;
	return 0;
}

static void parent(void)
{
	pid_t child = spawn(sibling_parent);
	int st = wait_for(child);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* The grandchild is ours now (exit signal 0: wait for it with __WALL). */
	int seen = 0;
	pid_t p;
	while ((p = waitpid(-1, &st, __WALL)) > 0) {
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		seen++;
	}
	CHECK_EQ(seen, 1);
	/* CLONE_PARENT with an exit signal is EINVAL in clone3. */
	struct clone_args a = { .flags = CLONE_PARENT, .exit_signal = SIGCHLD };
	CHECK_ERR(clone3_raw(&a, sizeof a), EINVAL);
	ok("CLONE_PARENT makes a sibling");
}

static pthread_barrier_t looked;
static pid_t worker_tid;

static void *worker(void *arg)
{
	(void)arg;
	worker_tid = gettid();
	pthread_barrier_wait(&looked);
	pthread_barrier_wait(&looked);
	return NULL;
}

/* The value of `key` in a status file. */
static long status_field(const char *path, const char *key)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		FAIL("open %s: %s", path, errname(errno));
	long n = read(fd, buf, sizeof buf - 1);
	close(fd);
	CHECK(n > 0);
	buf[n] = 0;
	char want[32];
	snprintf(want, sizeof want, "\n%s:\t", key);
	char *at = strstr(buf, want);
	if (!at)
		FAIL("no %s in %s", key, path);
	return strtol(at + strlen(want), NULL, 10);
}

static void task_status(void)
{
	pthread_t t;
	pthread_barrier_init(&looked, NULL, 2);
	CHECK_EQ(pthread_create(&t, NULL, worker, NULL), 0);
	pthread_barrier_wait(&looked);
	char path[64];
	snprintf(path, sizeof path, "/proc/self/task/%d/status", worker_tid);
	CHECK_EQ(status_field(path, "Pid"), worker_tid);
	CHECK_EQ(status_field(path, "Tgid"), getpid());
	CHECK_EQ(status_field(path, "Threads"), 2);
	snprintf(path, sizeof path, "/proc/self/task/%d/status", getpid());
	CHECK_EQ(status_field(path, "Pid"), getpid());
	CHECK_EQ(status_field("/proc/self/status", "Pid"), getpid());
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", worker_tid);
	FILE *f = fopen(path, "r");
	CHECK(f != NULL);
	int first = 0;
	CHECK_EQ(fscanf(f, "%d", &first), 1);
	fclose(f);
	CHECK_EQ(first, worker_tid);
	pthread_barrier_wait(&looked);
	CHECK_EQ(pthread_join(t, NULL), 0);
	ok("task/TID/status shows Pid: TID and Tgid: the process");
}

int main(void)
{
	bad_args();
	pidfd();
	clear_sighand();
	parent();
	task_status();
	return 0;
}
