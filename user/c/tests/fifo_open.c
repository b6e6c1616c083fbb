/* fifo_open: the open rendezvous of a FIFO (fifo(7), open(2)).
 * A blocking O_RDONLY open waits for a writer and a blocking O_WRONLY open
 * for a reader (the child blocked in open is still running after a while,
 * and finishes once the parent opens the other end); an opener blocked in
 * open already counts as a reader or writer for others; a waiting open also
 * ends when a peer opened and closed again meanwhile; one writer releases
 * several waiting readers; a stop and continue does not end the wait.
 * O_NONBLOCK: a read-only open succeeds at once (and reads EOF while there
 * is no writer), a write-only open with no reader fails with ENXIO. O_RDWR
 * never waits. A signal whose handler has no SA_RESTART ends a waiting open
 * with EINTR, and the interrupted end is no longer counted; with SA_RESTART
 * the open is restarted and completes. */
#include "rilltest.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/time.h>

#define NAME_LEN 64
static char fifo[NAME_LEN];

/* Is the child still running (blocked) after a while? */
static void check_still_blocked(pid_t pid)
{
	int status;
	sleep_ms(200);
	CHECK_EQ(waitpid(pid, &status, WNOHANG), 0);
}

/* Reads exactly want (a string) from fd, then EOF. */
static int read_message_then_eof(int fd, const char *want)
{
	char buf[64];
	size_t len = strlen(want), got = 0;
	while (got < len) {
		ssize_t n = read(fd, buf + got, sizeof buf - got);
		if (n <= 0)
			return 10;
		got += n;
	}
	if (got != len || memcmp(buf, want, len) != 0)
		return 11;
	return read(fd, buf, sizeof buf) == 0 ? 0 : 12;
}

static int blocking_reader(void)
{
	int fd = open(fifo, O_RDONLY);
	if (fd < 0)
		return 20;
	return read_message_then_eof(fd, "hello");
}

static int blocking_writer(void)
{
	int fd = open(fifo, O_WRONLY);
	if (fd < 0)
		return 20;
	return write(fd, "world", 5) == 5 ? 0 : 21;
}

/* A reader whose open returns after a writer came and went: reads EOF. */
static int reader_sees_eof(void)
{
	char c;
	int fd = open(fifo, O_RDONLY);
	if (fd < 0)
		return 20;
	return read(fd, &c, 1) == 0 ? 0 : 22;
}

/* A writer whose open returns after a reader came and went: EPIPE once the
 * reader is gone (POLLERR; the open may return before the reader closed). */
static int writer_sees_epipe(void)
{
	signal(SIGPIPE, SIG_IGN);
	int fd = open(fifo, O_WRONLY);
	if (fd < 0)
		return 20;
	struct pollfd p = { fd, POLLOUT, 0 };
	while (poll(&p, 1, -1) == 1 && !(p.revents & POLLERR))
		sleep_ms(10);
	errno = 0;
	return write(fd, "x", 1) == -1 && errno == EPIPE ? 0 : 23;
}

static void nonblocking(void)
{
	char c;

	int r = CHECK_OK(open(fifo, O_RDONLY | O_NONBLOCK));
	CHECK_EQ(read(r, &c, 1), 0);
	ok("O_RDONLY|O_NONBLOCK with no writer opens at once; read gives EOF");
	int w = CHECK_OK(open(fifo, O_WRONLY | O_NONBLOCK));
	CHECK_ERR(read(r, &c, 1), EAGAIN);
	CHECK_EQ(write(w, "a", 1), 1);
	CHECK_EQ(read(r, &c, 1), 1);
	CHECK_EQ(c, 'a');
	CHECK_OK(close(w));
	CHECK_OK(close(r));
	ok("O_WRONLY|O_NONBLOCK with a reader opens; the reader gets EAGAIN, then data");

	CHECK_ERR(open(fifo, O_WRONLY | O_NONBLOCK), ENXIO);
	ok("O_WRONLY|O_NONBLOCK with no reader: ENXIO");

	int rw = CHECK_OK(open(fifo, O_RDWR));
	int rw2 = CHECK_OK(open(fifo, O_RDWR | O_NONBLOCK));
	w = CHECK_OK(open(fifo, O_WRONLY));
	r = CHECK_OK(open(fifo, O_RDONLY));
	CHECK_OK(close(r));
	CHECK_OK(close(w));
	CHECK_OK(close(rw2));
	CHECK_OK(close(rw));
	ok("O_RDWR opens at once and counts as reader and writer for blocking opens");
}

static void rendezvous(void)
{
	/* A blocking reader waits; a writer's open releases it. */
	pid_t pid = spawn(blocking_reader);
	check_still_blocked(pid);
	ok("blocking O_RDONLY open waits while there is no writer");
	int w = CHECK_OK(open(fifo, O_WRONLY | O_NONBLOCK));
	CHECK_EQ(write(w, "hello", 5), 5);
	CHECK_OK(close(w));
	CHECK_EQ(wait_for(pid), 0);
	ok("a waiting reader counts as a reader; it opens when a writer does");

	/* Stopped and continued while waiting: no handler runs, so the open is
	 * restarted and goes on waiting instead of failing. */
	int status;
	pid = spawn(blocking_reader);
	check_still_blocked(pid);
	CHECK_OK(kill(pid, SIGSTOP));
	CHECK_EQ(waitpid(pid, &status, WUNTRACED), pid);
	CHECK(WIFSTOPPED(status));
	CHECK_OK(kill(pid, SIGCONT));
	check_still_blocked(pid);
	w = CHECK_OK(open(fifo, O_WRONLY | O_NONBLOCK));
	CHECK_EQ(write(w, "hello", 5), 5);
	CHECK_OK(close(w));
	CHECK_EQ(wait_for(pid), 0);
	ok("a waiting open stopped and continued goes on waiting (no EINTR)");

	/* A blocking writer waits; a reader's open releases it. */
	pid = spawn(blocking_writer);
	check_still_blocked(pid);
	ok("blocking O_WRONLY open waits while there is no reader");
	int r = CHECK_OK(open(fifo, O_RDONLY));
	CHECK_EQ(read_message_then_eof(r, "world"), 0);
	CHECK_OK(close(r));
	CHECK_EQ(wait_for(pid), 0);
	ok("the waiting writer opens when a reader does; its data then EOF");

	/* A peer that opens and closes before the waiter runs still releases it. */
	pid = spawn(reader_sees_eof);
	check_still_blocked(pid);
	CHECK_OK(close(CHECK_OK(open(fifo, O_WRONLY | O_NONBLOCK))));
	CHECK_EQ(wait_for(pid), 0);
	pid = spawn(writer_sees_epipe);
	check_still_blocked(pid);
	CHECK_OK(close(CHECK_OK(open(fifo, O_RDONLY | O_NONBLOCK))));
	CHECK_EQ(wait_for(pid), 0);
	ok("a waiting open completes when a peer opened and closed meanwhile");

	/* One writer releases every waiting reader. */
	pid_t a = spawn(reader_sees_eof), b = spawn(reader_sees_eof);
	check_still_blocked(a);
	check_still_blocked(b);
	w = CHECK_OK(open(fifo, O_WRONLY));
	CHECK_OK(close(w));
	CHECK_EQ(wait_for(a), 0);
	CHECK_EQ(wait_for(b), 0);
	ok("one writer's open releases two waiting readers");
}

static volatile sig_atomic_t alarms;
static int alarm_pipe[2];

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
	/* Tells a helper process that the signal has been handled. */
	if (write(alarm_pipe[1], "!", 1) != 1)
		_exit(30);
}

static void set_handler(int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = flags;
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
}

static void arm_timer_ms(long ms)
{
	struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };
	alarms = 0;
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
}

/* Opens the write end once the parent's SIGALRM handler has run. */
static int writer_after_alarm(void)
{
	char c;
	if (read(alarm_pipe[0], &c, 1) != 1)
		return 40;
	int fd = open(fifo, O_WRONLY);
	if (fd < 0)
		return 41;
	return write(fd, "late", 4) == 4 ? 0 : 42;
}

static void interrupted(void)
{
	char c;

	CHECK_OK(pipe(alarm_pipe));
	set_handler(0);
	arm_timer_ms(200);
	CHECK_ERR(open(fifo, O_RDONLY), EINTR);
	CHECK_EQ(alarms, 1);
	CHECK_ERR(open(fifo, O_WRONLY | O_NONBLOCK), ENXIO);
	ok("blocked O_RDONLY open + SIGALRM without SA_RESTART: EINTR, no reader left");

	arm_timer_ms(200);
	CHECK_ERR(open(fifo, O_WRONLY), EINTR);
	CHECK_EQ(alarms, 1);
	int r = CHECK_OK(open(fifo, O_RDONLY | O_NONBLOCK));
	CHECK_EQ(read(r, &c, 1), 0);
	CHECK_OK(close(r));
	ok("blocked O_WRONLY open + SIGALRM without SA_RESTART: EINTR, no writer left");

	/* With SA_RESTART the open goes on waiting after the handler. */
	CHECK_EQ(read(alarm_pipe[0], &c, 1), 1);
	CHECK_EQ(read(alarm_pipe[0], &c, 1), 1);
	set_handler(SA_RESTART);
	arm_timer_ms(200);
	pid_t pid = spawn(writer_after_alarm);
	r = CHECK_OK(open(fifo, O_RDONLY));
	CHECK_EQ(alarms, 1);
	CHECK_EQ(read_message_then_eof(r, "late"), 0);
	CHECK_OK(close(r));
	CHECK_EQ(wait_for(pid), 0);
	ok("with SA_RESTART the open is restarted and completes when a writer comes");

	signal(SIGALRM, SIG_DFL);
	CHECK_OK(close(alarm_pipe[0]));
	CHECK_OK(close(alarm_pipe[1]));
}

int main(void)
{
	snprintf(fifo, sizeof fifo, "/tmp/fifo_open_%d", (int)getpid());
	CHECK_OK(mkfifo(fifo, 0600));
	nonblocking();
	rendezvous();
	interrupted();
	CHECK_OK(unlink(fifo));
	return 0;
}
