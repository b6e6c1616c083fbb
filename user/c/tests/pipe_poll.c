/* pipe_poll: poll, ppoll and select on the two ends of a pipe.
 * With timeout 0: an empty pipe's write end is POLLOUT (POLLWRNORM when
 * asked) and its read end nothing; with data the read end is POLLIN; a full
 * pipe's write end is not writable. With every writer closed the read end is
 * POLLHUP (POLLIN|POLLHUP while bytes are left); with every reader closed the
 * write end is POLLERR, plus POLLOUT when not full, as Linux reports it; POLLHUP
 * and POLLERR come even when not asked for. select sees the same, POLLERR
 * making the write end both readable and writable for it. A closed
 * descriptor is POLLNVAL, a negative one is skipped. A poll or select blocked
 * in another process is woken promptly by a write, by a read that makes room,
 * and by the last writer closing; a poll with nothing to wake it times out. */
#include "rilltest.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/select.h>

static char buf[65536];

/* Polls one descriptor for events with timeout 0; returns revents. */
static int poll1(int fd, short events)
{
	struct pollfd pfd = { fd, events, 0x7fff };
	int n = CHECK_OK(poll(&pfd, 1, 0));
	CHECK_EQ(n, pfd.revents != 0);
	return pfd.revents;
}

/* The same through ppoll with a zero timespec and a NULL mask. */
static int ppoll1(int fd, short events)
{
	struct pollfd pfd = { fd, events, 0 };
	struct timespec zero = { 0, 0 };
	CHECK_OK(ppoll(&pfd, 1, &zero, NULL));
	return pfd.revents;
}

/* select with timeout 0: bit 1 if fd is readable, bit 2 if writable. */
static int select1(int fd)
{
	fd_set r, w;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(fd, &r);
	FD_SET(fd, &w);
	struct timeval zero = { 0, 0 };
	int n = CHECK_OK(select(fd + 1, &r, &w, NULL, &zero));
	int got = FD_ISSET(fd, &r) | FD_ISSET(fd, &w) << 1;
	CHECK_EQ(n, __builtin_popcount(got));
	return got;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wait_fd, wait_close = -1;
static short wait_events;
static short wait_want;

/* Child: a poll that must be woken within 5 s (its timeout is 20 s) with
 * revents == wait_want. */
static int poll_woken(void)
{
	struct pollfd pfd = { wait_fd, wait_events, 0 };
	if (wait_close >= 0)
		close(wait_close);
	long t0 = now_ms();
	int n = poll(&pfd, 1, 20000);
	long dt = now_ms() - t0;
	if (n != 1 || pfd.revents != wait_want)
		FAIL("child: poll returned %d, revents 0x%x, want 1 and 0x%x", n,
		     pfd.revents, wait_want);
	if (dt > 5000)
		FAIL("child: poll woke only after %ld ms", dt);
	return 0;
}

/* Child: select for reading, woken the same way. */
static int select_woken(void)
{
	fd_set r;
	FD_ZERO(&r);
	FD_SET(wait_fd, &r);
	struct timeval tv = { 20, 0 };
	long t0 = now_ms();
	int n = select(wait_fd + 1, &r, NULL, NULL, &tv);
	long dt = now_ms() - t0;
	if (n != 1 || !FD_ISSET(wait_fd, &r))
		FAIL("child: select returned %d, want 1 with the fd set", n);
	if (dt > 5000)
		FAIL("child: select woke only after %ld ms", dt);
	return 0;
}

/* Starts child fn polling fd for events (wanting revents want), lets it block. */
static pid_t start_waiter(int (*fn)(void), int fd, short events, short want)
{
	wait_fd = fd;
	wait_events = events;
	wait_want = want;
	pid_t pid = spawn(fn);
	sleep_ms(200);
	return pid;
}

int main(void)
{
	int p[2];

	CHECK_OK(pipe(p));
	int r = p[0], w = p[1];
	CHECK_EQ(poll1(r, POLLIN), 0);
	CHECK_EQ(poll1(r, POLLIN | POLLOUT), 0);
	CHECK_EQ(poll1(w, POLLOUT), POLLOUT);
	CHECK_EQ(poll1(w, POLLIN | POLLOUT), POLLOUT);
	CHECK_EQ(poll1(w, POLLOUT | POLLWRNORM), POLLOUT | POLLWRNORM);
	CHECK_EQ(poll1(w, POLLIN), 0);
	CHECK_EQ(ppoll1(r, POLLIN | POLLRDNORM), 0);
	CHECK_EQ(ppoll1(w, POLLOUT), POLLOUT);
	CHECK_EQ(select1(r), 0);
	CHECK_EQ(select1(w), 2);
	ok("empty: read end nothing, write end POLLOUT (|POLLWRNORM); select agrees");

	struct pollfd both[2] = { { r, POLLIN, 0 }, { w, POLLOUT, 0 } };
	CHECK_EQ(poll(both, 2, 0), 1);
	CHECK_EQ(both[0].revents, 0);
	CHECK_EQ(both[1].revents, POLLOUT);
	ok("poll of both ends at once: 1 ready, the write end");

	CHECK_EQ(write(w, "x", 1), 1);
	CHECK_EQ(poll1(r, POLLIN), POLLIN);
	CHECK_EQ(poll1(r, POLLIN | POLLRDNORM | POLLOUT), POLLIN | POLLRDNORM);
	CHECK_EQ(poll1(w, POLLOUT), POLLOUT);
	CHECK_EQ(ppoll1(r, POLLIN), POLLIN);
	CHECK_EQ(select1(r), 1);
	both[1].events = POLLOUT;
	CHECK_EQ(poll(both, 2, 0), 2);
	ok("with data: read end POLLIN (|POLLRDNORM), write end still POLLOUT");

	CHECK_OK(fcntl(w, F_SETFL, O_NONBLOCK));
	while (write(w, buf, 4096) > 0)
		;
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(poll1(w, POLLOUT), 0);
	CHECK_EQ(poll1(r, POLLIN), POLLIN);
	CHECK_EQ(select1(w), 0);
	ok("full: the write end is not POLLOUT, nor writable for select");
	CHECK_EQ(read(r, buf, 4096), 4096);
	CHECK_EQ(poll1(w, POLLOUT), POLLOUT);
	ok("a read of 4096 bytes makes the write end POLLOUT again");

	/* Widowed: every writer closed. */
	CHECK_OK(close(w));
	CHECK_EQ(poll1(r, POLLIN), POLLIN | POLLHUP);
	CHECK_EQ(poll1(r, 0), POLLHUP);
	CHECK_EQ(select1(r), 1);
	while (read(r, buf, sizeof buf) > 0)
		;
	CHECK_EQ(poll1(r, POLLIN), POLLHUP);
	CHECK_EQ(poll1(r, POLLIN | POLLRDNORM), POLLHUP);
	CHECK_EQ(ppoll1(r, POLLIN), POLLHUP);
	CHECK_EQ(select1(r), 1);
	CHECK_EQ(read(r, buf, 1), 0);
	ok("no writer: POLLIN|POLLHUP with unread bytes, then POLLHUP; select readable");
	CHECK_OK(close(r));

	/* Orphaned: every reader closed. */
	CHECK_OK(pipe(p));
	r = p[0], w = p[1];
	CHECK_OK(close(r));
	CHECK_EQ(poll1(w, POLLOUT), POLLOUT | POLLERR);
	CHECK_EQ(poll1(w, 0), POLLERR);
	CHECK_EQ(poll1(w, POLLIN), POLLERR);
	CHECK_EQ(ppoll1(w, POLLOUT | POLLWRNORM), POLLOUT | POLLWRNORM | POLLERR);
	CHECK_EQ(select1(w), 3);
	ok("no reader: write end POLLOUT|POLLERR (POLLERR even unasked)");
	ok("select counts POLLERR as readable and writable: both bits set");
	CHECK_OK(close(w));

	CHECK_OK(pipe2(p, O_NONBLOCK));
	r = p[0], w = p[1];
	while (write(w, buf, 4096) > 0)
		;
	CHECK_OK(close(r));
	CHECK_EQ(poll1(w, POLLOUT), POLLERR);
	CHECK_EQ(select1(w), 3);
	ok("full and no reader: POLLERR alone; select still sets both bits");
	CHECK_OK(close(w));

	/* POLLNVAL and negative descriptors. */
	CHECK_OK(pipe(p));
	r = p[0], w = p[1];
	int closed = CHECK_OK(dup(r));
	CHECK_OK(close(closed));
	struct pollfd three[3] = { { closed, POLLIN, 0 }, { -1, POLLIN, 0x55 }, { w, POLLOUT, 0 } };
	CHECK_EQ(poll(three, 3, 0), 2);
	CHECK_EQ(three[0].revents, POLLNVAL);
	CHECK_EQ(three[1].revents, 0);
	CHECK_EQ(three[2].revents, POLLOUT);
	ok("a closed descriptor is POLLNVAL, a negative one is skipped (revents 0)");

	/* Nothing happens: the timeout runs out. */
	struct pollfd one = { r, POLLIN, 0 };
	long t0 = now_ms();
	CHECK_EQ(poll(&one, 1, 100), 0);
	long dt = now_ms() - t0;
	CHECK(dt >= 90 && dt < 5000);
	CHECK_EQ(one.revents, 0);
	ok("poll of an empty pipe with timeout 100 ms returns 0 after about 100 ms");

	/* Woken from another process. */
	pid_t pid = start_waiter(poll_woken, r, POLLIN, POLLIN);
	CHECK_EQ(write(w, "w", 1), 1);
	CHECK_EQ(wait_for(pid), 0);
	ok("a poll blocked in a child is woken by a write");
	CHECK_EQ(read(r, buf, 1), 1);

	pid = start_waiter(select_woken, r, 0, 0);
	CHECK_EQ(write(w, "s", 1), 1);
	CHECK_EQ(wait_for(pid), 0);
	ok("a select blocked in a child is woken by a write");
	CHECK_EQ(read(r, buf, 1), 1);

	CHECK_OK(fcntl(w, F_SETFL, O_NONBLOCK));
	while (write(w, buf, 4096) > 0)
		;
	pid = start_waiter(poll_woken, w, POLLOUT, POLLOUT);
	CHECK_EQ(read(r, buf, 4096), 4096);
	CHECK_EQ(wait_for(pid), 0);
	ok("a poll for POLLOUT on a full pipe is woken by a read that makes room");
	CHECK_EQ(read(r, buf, sizeof buf), 65536 - 4096);

	wait_close = w; /* the child must not hold a write end */
	pid = start_waiter(poll_woken, r, POLLIN, POLLHUP);
	CHECK_OK(close(w));
	CHECK_EQ(wait_for(pid), 0);
	ok("a poll on an empty pipe is woken with POLLHUP by the last close");
	CHECK_OK(close(r));
	return 0;
}
