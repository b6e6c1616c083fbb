/* sig_info: what an SA_SIGINFO handler is told.
 * si_signo, si_code, si_pid and si_uid for kill (SI_USER), raise/tgkill
 * (SI_TKILL) and sigqueue (SI_QUEUE, with si_value); a signal from a child
 * carries the child's pid; SIGCHLD says CLD_EXITED with the exit code or
 * CLD_KILLED with the signal; SIGPIPE from a write to a pipe without readers
 * is SI_USER from the writer itself. The ucontext's uc_sigmask is the mask
 * of the interrupted code, and a handler that changes it changes the mask
 * restored by sigreturn. */
#include "rilltest.h"
#include <ucontext.h>

static siginfo_t got;
static sigset_t got_ucmask;
static volatile sig_atomic_t hits;
static int add_to_mask; /* a signal the handler adds to uc_sigmask, or 0 */

static void handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	hits++;
	got = *si;
	if (si->si_signo != sig)
		got.si_signo = -1;
	got_ucmask = uc->uc_sigmask;
	if (add_to_mask)
		sigaddset(&uc->uc_sigmask, add_to_mask);
}

static void install(int sig)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(sig, &sa, NULL));
}

static void expect(int sig, int code, pid_t pid)
{
	CHECK_EQ(hits, 1);
	CHECK_EQ(got.si_signo, sig);
	CHECK_EQ(got.si_code, code);
	CHECK_EQ(got.si_pid, pid);
	CHECK_EQ(got.si_uid, getuid());
	CHECK_EQ(got.si_errno, 0);
}

static int sends_usr1_to_parent(void)
{
	return kill(getppid(), SIGUSR1) == 0 ? 0 : 2;
}

static int exits_7(void)
{
	return 7;
}

static int waits_forever(void)
{
	pause();
	return 2; /* not reached: the parent kills it */
}

/* Blocks until the blocked SIGCHLD arrives; the handler records it. */
static void await_sigchld(void)
{
	sigset_t all_but_chld;
	sigfillset(&all_but_chld);
	sigdelset(&all_but_chld, SIGCHLD);
	hits = 0;
	CHECK_ERR(sigsuspend(&all_but_chld), EINTR);
}

int main(void)
{
	pid_t me = getpid();
	sigset_t block, none;
	sigemptyset(&none);

	install(SIGUSR1);
	install(SIGUSR2);
	install(SIGPIPE);
	install(SIGRTMIN + 3);

	hits = 0;
	CHECK_OK(kill(me, SIGUSR1));
	expect(SIGUSR1, SI_USER, me);
	ok("kill: si_code SI_USER, si_pid and si_uid of the sender");

	hits = 0;
	CHECK_OK(raise(SIGUSR2));
	expect(SIGUSR2, SI_TKILL, me);
	hits = 0;
	CHECK_OK(syscall(SYS_tgkill, me, me, SIGUSR2));
	expect(SIGUSR2, SI_TKILL, me);
	ok("raise and tgkill: si_code SI_TKILL");

	hits = 0;
	CHECK_OK(sigqueue(me, SIGUSR1, (union sigval){ .sival_int = 1234 }));
	expect(SIGUSR1, SI_QUEUE, me);
	CHECK_EQ(got.si_value.sival_int, 1234);
	hits = 0;
	CHECK_OK(sigqueue(me, SIGRTMIN + 3, (union sigval){ .sival_ptr = (void *)0x5eed }));
	expect(SIGRTMIN + 3, SI_QUEUE, me);
	CHECK(got.si_value.sival_ptr == (void *)0x5eed);
	ok("sigqueue: si_code SI_QUEUE with si_value (int and pointer)");

	/* From a child: blocked until the child is gone, then delivered. */
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
	hits = 0;
	pid_t child = spawn(sends_usr1_to_parent);
	CHECK_EQ(wait_for(child), 0);
	CHECK_EQ(hits, 0);
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));
	expect(SIGUSR1, SI_USER, child);
	ok("kill from a child: si_pid is the child's pid");

	/* SIGCHLD when a child exits: CLD_EXITED and the exit code. */
	install(SIGCHLD);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
	child = spawn(exits_7);
	await_sigchld();
	expect(SIGCHLD, CLD_EXITED, child);
	CHECK_EQ(got.si_status, 7);
	CHECK_EQ(wait_for(child), 7 << 8);
	ok("SIGCHLD on exit: si_code CLD_EXITED, si_pid, si_status 7");

	child = spawn(waits_forever);
	CHECK_OK(kill(child, SIGTERM));
	await_sigchld();
	expect(SIGCHLD, CLD_KILLED, child);
	CHECK_EQ(got.si_status, SIGTERM);
	CHECK_EQ(wait_for(child), SIGTERM);
	ok("SIGCHLD on a kill: si_code CLD_KILLED, si_status SIGTERM");
	CHECK_OK(sigprocmask(SIG_SETMASK, &none, NULL));

	/* SIGPIPE: a write to a pipe with no reader. */
	int fds[2];
	CHECK_OK(pipe(fds));
	CHECK_OK(close(fds[0]));
	hits = 0;
	CHECK_ERR(write(fds[1], "x", 1), EPIPE);
	expect(SIGPIPE, SI_USER, me);
	CHECK_OK(close(fds[1]));
	ok("write to a pipe without readers: SIGPIPE (SI_USER from self), EPIPE");

	/* The ucontext holds the interrupted code's mask; sigreturn restores
	 * it, including changes the handler makes. */
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGRTMIN + 5);
	CHECK_OK(sigprocmask(SIG_SETMASK, &block, NULL));
	hits = 0;
	add_to_mask = SIGINT;
	CHECK_OK(kill(me, SIGUSR1));
	add_to_mask = 0;
	CHECK_EQ(hits, 1);
	CHECK(sigismember(&got_ucmask, SIGHUP));
	CHECK(sigismember(&got_ucmask, SIGRTMIN + 5));
	CHECK(!sigismember(&got_ucmask, SIGUSR1));
	CHECK(!sigismember(&got_ucmask, SIGINT));
	sigset_t now;
	CHECK_OK(sigprocmask(SIG_SETMASK, &none, &now));
	CHECK(sigismember(&now, SIGHUP));
	CHECK(sigismember(&now, SIGRTMIN + 5));
	CHECK(sigismember(&now, SIGINT));
	CHECK(!sigismember(&now, SIGUSR1));
	ok("uc_sigmask is the interrupted mask; changing it changes the mask after return");
	return 0;
}
