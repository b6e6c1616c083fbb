/* sig_queue_flood: the realtime signal queue stops at RLIMIT_SIGPENDING, as on Linux.
 *
 * Queued signals are counted per user against the receiver's RLIMIT_SIGPENDING. At the
 * limit, kill() still succeeds and the signal stays pending without its information
 * (delivered once more at most: si_code SI_USER, si_pid 0), while rt_sigqueueinfo,
 * sigqueue and tgkill of a realtime signal fail with EAGAIN. Each flood runs in a child
 * with a uid of its own, so no other process's queued signals count against it, and a
 * soft limit of LIMIT (any Linux allows lowering it).
 *
 * Then 16 children, each its own user at the default limit, fill their queues with 30,000
 * kills each at the same time; half take their signals, half exit with them pending.
 * Afterwards (on Rill) the kernel heap is back where it started: the queues are bounded,
 * and delivered, discarded and exited-with entries all give their memory back. */
#include "rilltest.h"
#include <sys/syscall.h>

#define KILLS 30000
#define LIMIT 600
#define CHILDREN 16

static volatile int rt_count, rt_bad, rt1_count, usr1_count;
static volatile int rt1_code, rt1_pid, usr1_code, usr1_pid;
static int me, my_uid;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (sig == SIGRTMIN) {
		rt_count++;
		if (si->si_code != SI_USER || si->si_pid != me || (int)si->si_uid != my_uid)
			rt_bad++;
	} else if (sig == SIGRTMIN + 1) {
		rt1_count++;
		rt1_code = si->si_code;
		rt1_pid = si->si_pid;
	} else if (sig == SIGUSR1) {
		usr1_count++;
		usr1_code = si->si_code;
		usr1_pid = si->si_pid;
	}
}

static void catch(int sig)
{
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO };
	CHECK_OK(sigaction(sig, &sa, NULL));
}

static void block(int how, sigset_t *set)
{
	CHECK_OK(sigprocmask(how, set, NULL));
}

/* The "SigQ:" line of /proc/self/status: queued for this user / this process's limit. */
static void check_sigq(long queued, long limit)
{
	char buf[4096], want[64];
	int fd = CHECK_OK(open("/proc/self/status", O_RDONLY));
	long n = CHECK_OK(read(fd, buf, sizeof buf - 1));
	close(fd);
	buf[n] = 0;
	char *line = strstr(buf, "SigQ:\t");
	CHECK(line != NULL);
	*strchrnul(line, '\n') = 0;
	snprintf(want, sizeof want, "SigQ:\t%ld/%ld", queued, limit);
	CHECK_STR(line, want);
}

static long sigqueueinfo(int sig, int code)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = sig;
	si.si_code = code;
	si.si_pid = me;
	si.si_uid = my_uid;
	return syscall(SYS_rt_sigqueueinfo, me, sig, &si);
}

/* Becomes user uid with a soft RLIMIT_SIGPENDING of limit (0: leave the default). */
static long become(int uid, long limit)
{
	struct rlimit rl;
	CHECK_OK(getrlimit(RLIMIT_SIGPENDING, &rl));
	if (limit) {
		rl.rlim_cur = limit;
		CHECK_OK(setrlimit(RLIMIT_SIGPENDING, &rl));
	}
	CHECK_OK(setuid(uid));
	me = getpid();
	my_uid = uid;
	return (long)rl.rlim_cur;
}

static int flood_one_user(void)
{
	become(2000, LIMIT);
	sigset_t rts;
	sigemptyset(&rts);
	sigaddset(&rts, SIGRTMIN);
	sigaddset(&rts, SIGRTMIN + 1);
	sigaddset(&rts, SIGUSR1);
	block(SIG_BLOCK, &rts);

	for (int i = 0; i < KILLS; i++)
		if (kill(me, SIGRTMIN) != 0)
			FAIL("kill number %d failed with %s", i + 1, errname(errno));
	check_sigq(LIMIT, LIMIT);
	sigset_t pending;
	CHECK_OK(sigpending(&pending));
	CHECK(sigismember(&pending, SIGRTMIN));
	ok("30000 kill(SIGRTMIN) while blocked all succeed; the queue holds LIMIT (SigQ LIMIT/LIMIT)");

	CHECK_ERR(sigqueueinfo(SIGRTMIN + 1, SI_QUEUE), EAGAIN);
	CHECK_ERR(sigqueue(me, SIGRTMIN, (union sigval){ .sival_int = 7 }), EAGAIN);
	CHECK_ERR(syscall(SYS_tgkill, me, (pid_t)syscall(SYS_gettid), SIGRTMIN + 1), EAGAIN);
	CHECK_OK(sigpending(&pending));
	CHECK(!sigismember(&pending, SIGRTMIN + 1));
	ok("at the limit rt_sigqueueinfo, sigqueue and tgkill of a realtime signal fail with EAGAIN");

	/* kill() is never refused: the signal is pending without its information. So is a
	 * standard signal, whoever sends it. */
	CHECK_OK(kill(me, SIGRTMIN + 1));
	CHECK_OK(sigqueue(me, SIGUSR1, (union sigval){ .sival_int = 9 }));
	CHECK_OK(sigpending(&pending));
	CHECK(sigismember(&pending, SIGRTMIN + 1) && sigismember(&pending, SIGUSR1));
	check_sigq(LIMIT, LIMIT);
	ok("at the limit kill(SIGRTMIN+1) and sigqueue(SIGUSR1) succeed: pending without information");

	catch(SIGRTMIN);
	catch(SIGRTMIN + 1);
	catch(SIGUSR1);
	block(SIG_UNBLOCK, &rts);
	CHECK_EQ(rt_count, LIMIT);
	CHECK_EQ(rt_bad, 0);
	CHECK_EQ(rt1_count, 1);
	CHECK_EQ(rt1_code, SI_USER);
	CHECK_EQ(rt1_pid, 0);
	CHECK_EQ(usr1_count, 1);
	CHECK_EQ(usr1_code, SI_USER);
	CHECK_EQ(usr1_pid, 0);
	check_sigq(0, LIMIT);
	ok("unblocked: SIGRTMIN delivered LIMIT times with its information, the lost ones once each as SI_USER from pid 0");

	/* The queue works again, and a lowered limit is what counts. */
	block(SIG_BLOCK, &rts);
	struct rlimit rl;
	CHECK_OK(getrlimit(RLIMIT_SIGPENDING, &rl));
	rl.rlim_cur = 3;
	CHECK_OK(setrlimit(RLIMIT_SIGPENDING, &rl));
	for (int i = 0; i < 3; i++)
		CHECK_OK(sigqueueinfo(SIGRTMIN, SI_QUEUE));
	CHECK_ERR(sigqueueinfo(SIGRTMIN, SI_QUEUE), EAGAIN);
	check_sigq(3, 3);
	rt_count = 0;
	block(SIG_UNBLOCK, &rts);
	CHECK_EQ(rt_count, 3);
	ok("setrlimit(RLIMIT_SIGPENDING) lowers the limit: 3 queued, the 4th EAGAIN");
	return 0;
}

/* One of the 16: its own user, the default limit, 30000 kills; the odd ones exit with
 * the queue full, the even ones take every signal. The pipes line them all up full. */
static int full[2], go[2];

static int flood_child(int i)
{
	long limit = become(3000 + i, 0);
	sigset_t rts;
	sigemptyset(&rts);
	sigaddset(&rts, SIGRTMIN);
	block(SIG_BLOCK, &rts);
	for (int k = 0; k < KILLS; k++)
		if (kill(me, SIGRTMIN) != 0)
			return 10;
	char c = 1;
	if (write(full[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
		return 11;
	if (i % 2)
		return 0;
	catch(SIGRTMIN);
	block(SIG_UNBLOCK, &rts);
	/* A big machine's default limit may exceed the kills. */
	return rt_count == (limit < KILLS ? limit : KILLS) && rt_bad == 0 ? 0 : 12;
}

static void flood_sixteen(void)
{
	CHECK_OK(pipe(full));
	CHECK_OK(pipe(go));
	pid_t pids[CHILDREN];
	for (int i = 0; i < CHILDREN; i++) {
		pids[i] = CHECK_OK(fork());
		if (pids[i] == 0)
			_exit(flood_child(i));
	}
	char c[CHILDREN];
	for (int got = 0; got < CHILDREN;)
		got += CHECK_OK(read(full[0], c, CHILDREN - got));
	CHECK_EQ(write(go[1], c, CHILDREN), CHILDREN);
	for (int i = 0; i < CHILDREN; i++) {
		int st = wait_for(pids[i]);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			FAIL("flood child %d ended with status %#x", i, st);
	}
	close(full[0]);
	close(full[1]);
	close(go[0]);
	close(go[1]);
}

int main(void)
{
	int st = wait_for(spawn(flood_one_user));
	CHECK_EQ(st, 0);

	int rill = on_rill();
	flood_sixteen(); /* warm-up: the test's own memory reaches its working size */
	long heap_before = heap_kb();
	flood_sixteen();
	ok("16 users flood their queues at once: every kill succeeds, each queue holds its limit");
	long heap_after = heap_kb();
	for (int i = 0; i < 20 && rill && heap_after != heap_before; i++) {
		sleep_ms(50);
		heap_after = heap_kb();
	}
	if (rill && !heap_back_at(heap_after, heap_before))
		FAIL("kernel heap was %ld kB before the floods and %ld kB after", heap_before, heap_after);
	ok("kernel heap back where it started (checked on Rill)");
	return 0;
}
