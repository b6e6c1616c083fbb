/* pipe_sigpipe: writing to a pipe nobody can read.
 * A child writing to a pipe with no read end left is killed by SIGPIPE
 * (WTERMSIG == SIGPIPE), also when it was blocked on a full pipe and the last
 * reader went away. With SIGPIPE ignored the write returns -1/EPIPE; with a
 * handler the handler runs once per write and the write still gives EPIPE;
 * with SIGPIPE blocked the write gives EPIPE and SIGPIPE stays pending, with
 * si_code SI_USER and the writer's own pid. A blocked write that had moved
 * bytes before the last reader closed returns that count. */
#include "rilltest.h"
#include <fcntl.h>
#include <sys/ioctl.h>

static char buf[100000];
static int wfd, rfd = -1;
static volatile sig_atomic_t handled;

static void on_sigpipe(int sig)
{
	(void)sig;
	handled++;
}

/* Child: writes to wfd and must not survive it. */
static int write_once(void)
{
	write(wfd, "x", 1);
	printf("FAIL: the child survived a write with no reader (%s)\n",
	       errname(errno));
	return 1;
}

/* Child: fills the pipe, then blocks in a write the parent ends by closing
 * the read end. */
static int fill_then_block(void)
{
	close(rfd); /* the parent holds the only read end */
	CHECK_OK(fcntl(wfd, F_SETFL, O_NONBLOCK));
	while (write(wfd, buf, 4096) > 0)
		;
	CHECK_OK(fcntl(wfd, F_SETFL, 0));
	write(wfd, buf, 4096);
	printf("FAIL: the blocked writer survived the reader's close (%s)\n",
	       errname(errno));
	return 1;
}

/* Child, SIGPIPE ignored: a blocked 4096-byte write then fails with EPIPE. */
static int blocked_write_epipe(void)
{
	close(rfd); /* the parent holds the only read end */
	signal(SIGPIPE, SIG_IGN);
	CHECK_OK(fcntl(wfd, F_SETFL, O_NONBLOCK));
	while (write(wfd, buf, 4096) > 0)
		;
	CHECK_OK(fcntl(wfd, F_SETFL, 0));
	CHECK_ERR(write(wfd, buf, 4096), EPIPE);
	return 0;
}

/* Child, SIGPIPE ignored: a 100000-byte write into an empty 64 KiB pipe
 * blocks after 65536 bytes and returns 65536 when the reader closes. */
static int partial_write(void)
{
	close(rfd); /* the parent holds the only read end */
	signal(SIGPIPE, SIG_IGN);
	CHECK_EQ(write(wfd, buf, sizeof buf), 65536);
	CHECK_ERR(write(wfd, buf, 1), EPIPE);
	return 0;
}

/* A pipe whose read end is closed; returns the write end. */
static int orphan_pipe(void)
{
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_OK(close(p[0]));
	return p[1];
}

/* Runs fn in a child writing to a fresh pipe; once the child has filled the
 * pipe (and so is in, or about to make, the write that blocks), the parent
 * closes the read end; returns the child's wait status. */
static int close_reader_under(int (*fn)(void))
{
	int p[2], held = 0;
	CHECK_OK(pipe(p));
	wfd = p[1];
	rfd = p[0];
	pid_t pid = spawn(fn);
	CHECK_OK(close(p[1]));
	for (int i = 0; i < 1000 && held < 65536; i++) {
		sleep_ms(10);
		CHECK_OK(ioctl(p[0], FIONREAD, &held));
	}
	CHECK_EQ(held, 65536);
	sleep_ms(50);
	CHECK_OK(close(p[0]));
	return wait_for(pid);
}

int main(void)
{
	no_core_dumps();

	wfd = orphan_pipe();
	int status = wait_for(spawn(write_once));
	CHECK(WIFSIGNALED(status));
	CHECK_EQ(WTERMSIG(status), SIGPIPE);
	CHECK_EQ(status, SIGPIPE);
	ok("a child writing with no reader is killed by SIGPIPE (status 13)");
	CHECK_OK(close(wfd));

	status = close_reader_under(fill_then_block);
	CHECK(WIFSIGNALED(status));
	CHECK_EQ(WTERMSIG(status), SIGPIPE);
	ok("a writer blocked on a full pipe is killed by SIGPIPE when the reader closes");

	CHECK(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	wfd = orphan_pipe();
	CHECK_ERR(write(wfd, "x", 1), EPIPE);
	CHECK_ERR(write(wfd, buf, sizeof buf), EPIPE);
	ok("SIGPIPE ignored: write returns -1 with EPIPE, small or large");

	struct sigaction sa = { 0 };
	sa.sa_handler = on_sigpipe;
	CHECK_OK(sigaction(SIGPIPE, &sa, NULL));
	CHECK_ERR(write(wfd, "x", 1), EPIPE);
	CHECK_EQ(handled, 1);
	CHECK_ERR(write(wfd, "xy", 2), EPIPE);
	CHECK_EQ(handled, 2);
	ok("with a handler: it runs once per write, and the write gives EPIPE");

	sigset_t pipe_set, pending;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	CHECK_OK(sigprocmask(SIG_BLOCK, &pipe_set, NULL));
	CHECK_ERR(write(wfd, "x", 1), EPIPE);
	CHECK_OK(sigpending(&pending));
	CHECK(sigismember(&pending, SIGPIPE));
	CHECK_EQ(handled, 2);
	siginfo_t si;
	struct timespec zero = { 0, 0 };
	CHECK_EQ(sigtimedwait(&pipe_set, &si, &zero), SIGPIPE);
	CHECK_EQ(si.si_signo, SIGPIPE);
	CHECK_EQ(si.si_code, SI_USER);
	CHECK_EQ(si.si_pid, getpid());
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &pipe_set, NULL));
	CHECK_EQ(handled, 2);
	ok("SIGPIPE blocked: EPIPE, and SIGPIPE pending with SI_USER from our own pid");
	CHECK_OK(close(wfd));
	CHECK(signal(SIGPIPE, SIG_DFL) != SIG_ERR);

	CHECK_EQ(close_reader_under(blocked_write_epipe), 0);
	ok("SIGPIPE ignored: a write blocked on a full pipe fails with EPIPE at the close");

	CHECK_EQ(close_reader_under(partial_write), 0);
	ok("a blocked write returns the 65536 bytes it moved when the reader closes");

	/* While a reader exists, even in another process, there is no SIGPIPE. */
	int p[2];
	CHECK_OK(pipe(p));
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		char c;
		close(p[1]);
		_exit(read(p[0], &c, 1) == 1 && c == 'k' ? 0 : 1);
	}
	CHECK_OK(close(p[0]));
	CHECK_EQ(write(p[1], "k", 1), 1);
	CHECK_EQ(wait_for(pid), 0);
	CHECK_OK(close(p[1]));
	ok("a reader in a child keeps the parent's write from SIGPIPE");
	return 0;
}
