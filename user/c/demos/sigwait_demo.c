/* sigwait_demo: run it with `&`, then `kill -USR1 PID` from the shell.
 *
 * One process sends signals to another with kill.
 *
 * Run it as a background job, then send it SIGUSR1 from the shell (another
 * job) with `kill -USR1 PID`. It prints every SIGUSR1 it gets and who sent
 * it. `kill PID` (SIGTERM) or Ctrl+C (SIGINT) ends it; so does the N-th
 * SIGUSR1 when started as `sigwait_demo N`.
 *
 * Instead of a handler it uses the other way of receiving a signal: the
 * signals are blocked, so they stay pending, and sigwaitinfo() takes the
 * next one like a read takes the next message, with a siginfo_t telling
 * the sender's pid.
 *
 *     $ sigwait_demo &
 *     [1] 12
 *     sigwait_demo: pid 12 is waiting for SIGUSR1 (kill -USR1 12); kill 12 ends it
 *     $ kill -USR1 12
 *     sigwait_demo: SIGUSR1 number 1 from pid 13
 *     $ kill 12
 *     sigwait_demo: SIGTERM from pid 14: exiting after 1 SIGUSR1 */
#define _GNU_SOURCE /* sigabbrev_np */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int limit = argc > 1 ? atoi(argv[1]) : 0; /* 0: no limit */

	sigset_t wanted;
	sigemptyset(&wanted);
	sigaddset(&wanted, SIGUSR1);
	sigaddset(&wanted, SIGTERM);
	sigaddset(&wanted, SIGINT);
	/* Blocked signals are not delivered to a handler or the default action:
	 * they wait, pending, for sigwaitinfo. */
	sigprocmask(SIG_BLOCK, &wanted, NULL);

	int pid = (int)getpid();
	printf("sigwait_demo: pid %d is waiting for SIGUSR1 (kill -USR1 %d); kill %d ends it\n",
	       pid, pid, pid);
	int count = 0;
	for (;;) {
		siginfo_t info;
		int sig = sigwaitinfo(&wanted, &info);
		if (sig < 0) {
			perror("sigwaitinfo");
			return 1;
		}
		if (sig == SIGUSR1) {
			count++;
			printf("sigwait_demo: SIGUSR1 number %d from pid %d\n", count, (int)info.si_pid);
			if (count == limit) {
				printf("sigwait_demo: that was the last one\n");
				return 0;
			}
		} else {
			printf("sigwait_demo: SIG%s from pid %d: exiting after %d SIGUSR1\n",
			       sigabbrev_np(sig), (int)info.si_pid, count);
			return 0;
		}
	}
}
