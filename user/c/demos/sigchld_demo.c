/* sigchld_demo: a parent reaps its children in its SIGCHLD handler.
 *
 * The kernel tells a parent that a child has ended by sending it SIGCHLD.
 *
 * The parent starts three children; child i sleeps i*300 ms and exits with
 * status 10+i. Each exit makes the kernel send SIGCHLD to the parent. The
 * handler calls waitpid(-1, &status, WNOHANG) in a loop: a standard signal
 * is not queued, so if two children end close together the parent may get
 * one SIGCHLD for both, and the loop reaps every child that has ended.
 * WNOHANG makes waitpid return 0 instead of blocking once none is left.
 *
 * The handler only records what it reaped. main() keeps SIGCHLD blocked
 * while it reads those records and waits with sigsuspend(), which unblocks
 * SIGCHLD only while it sleeps, so no signal can slip in between "check"
 * and "sleep".
 *
 *     $ sigchld_demo
 *     parent 5: started children 6 7 8
 *     SIGCHLD: reaped child 6, exit status 11
 *     SIGCHLD: reaped child 7, exit status 12
 *     SIGCHLD: reaped child 8, exit status 13
 *     parent 5: all 3 children reaped */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHILDREN 3

static volatile sig_atomic_t reaped; /* entries filled in below */
static pid_t reaped_pid[CHILDREN];
static int reaped_status[CHILDREN];

static void on_sigchld(int sig)
{
	(void)sig;
	int saved_errno = errno; /* waitpid may change it under main's feet */
	int status;
	pid_t pid;
	while (reaped < CHILDREN && (pid = waitpid(-1, &status, WNOHANG)) > 0) {
		reaped_pid[reaped] = pid;
		reaped_status[reaped] = status;
		reaped++;
	}
	errno = saved_errno;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);

	/* Block SIGCHLD; it is let through only inside sigsuspend below. */
	sigset_t chld, old;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);

	pid_t pids[CHILDREN];
	for (int i = 1; i <= CHILDREN; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			struct timespec nap = { 0, i * 300 * 1000000L };
			nanosleep(&nap, NULL);
			_exit(10 + i);
		}
		pids[i - 1] = pid;
	}
	printf("parent %d: started children %d %d %d\n", (int)getpid(), (int)pids[0],
	       (int)pids[1], (int)pids[2]);

	int shown = 0;
	while (shown < CHILDREN) {
		while (shown == reaped)
			sigsuspend(&old); /* sleep with SIGCHLD unblocked */
		for (; shown < reaped; shown++)
			printf("SIGCHLD: reaped child %d, exit status %d\n", (int)reaped_pid[shown],
			       WEXITSTATUS(reaped_status[shown]));
	}
	printf("parent %d: all %d children reaped\n", (int)getpid(), CHILDREN);
	return 0;
}
