/* sigint_demo: catches Ctrl+C (SIGINT) once; the second one ends it.
 *
 * Why can Ctrl+C end a process, and how can a process decide otherwise? (the
 * signal section of the IPC lecture)
 *
 * Pressing Ctrl+C raises an interrupt; the kernel's terminal driver sees
 * the character and sends SIGINT to the foreground process. The default
 * action of SIGINT is to terminate the process. This program *captures* SIGINT instead: it registers a handler
 * with sigaction, so the first Ctrl+C only prints a message. On the second
 * Ctrl+C it says goodbye and exits by itself.
 *
 * The handler runs in the middle of whatever the program was doing (here:
 * waiting in pause()), so it only sets a flag; main() does the printing.
 * `kill -INT PID` from another shell job has the same effect as Ctrl+C.
 *
 *     $ sigint_demo
 *     sigint_demo: pid 9 is waiting. Press Ctrl+C.
 *     ^Ccaught SIGINT (1): Ctrl+C no longer ends this process. Press it again to quit.
 *     ^Ccaught SIGINT (2): exiting.
 * (the terminal echoes Ctrl+C as ^C) */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t sigints; /* how many SIGINTs have arrived */

static void on_sigint(int sig)
{
	(void)sig;
	sigints++;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint; /* capture instead of the default action */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) != 0) {
		perror("sigaction");
		return 1;
	}

	printf("sigint_demo: pid %d is waiting. Press Ctrl+C.\n", (int)getpid());
	int reported = 0;
	while (reported < 2) {
		pause(); /* sleeps until a signal's handler has run */
		while (reported < sigints) {
			reported++;
			if (reported == 1)
				printf("caught SIGINT (1): Ctrl+C no longer ends this process. "
				       "Press it again to quit.\n");
			else
				printf("caught SIGINT (2): exiting.\n");
		}
	}
	return 0;
}
