/* mq_notify with SIGEV_THREAD. glibc opens a netlink socket, passes it to the kernel as
 * sigev_signo with a 32-byte cookie as the value, and a helper thread receives the
 * cookie when a message arrives (last byte NOTIFY_WOKENUP, 1) or the registration ends
 * (NOTIFY_REMOVED, 2). Checked here: the user's function runs once, in another thread,
 * with its value; re-registration; EBUSY; the cookie protocol done by hand; the
 * socket's receive buffer bounding registrations; the errors. qemu-user has no
 * mq_notify (divergences.rs); checked on Linux 6.1 with ../shared/linux-ref. */
#include "rilltest.h"
#include <linux/netlink.h>
#include <mqueue.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#define NAME "/rill_mq_notify_thread"
#define COOKIE_LEN 32

static mqd_t q;
static volatile int calls, value_seen;
static volatile pid_t thread_seen;

static void on_message(union sigval sv)
{
	value_seen = sv.sival_int;
	thread_seen = gettid();
	__atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static mqd_t open_queue(const char *name)
{
	struct mq_attr attr = { .mq_maxmsg = 1, .mq_msgsize = 8 };
	mq_unlink(name);
	mqd_t m = CHECK_OK(mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr));
	CHECK_OK(mq_unlink(name));
	return m;
}

/* Waits up to 3 s for `calls` to reach `want`. */
static void wait_calls(int want)
{
	for (int i = 0; i < 300 && calls < want; i++)
		sleep_ms(10);
	CHECK_EQ(calls, want);
}

static void send_and_take(mqd_t m)
{
	char buf[8];
	CHECK_OK(mq_send(m, "m", 1, 0));
	CHECK_EQ(mq_receive(m, buf, sizeof buf, NULL), 1);
}

static void glibc_thread(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD };
	ev.sigev_notify_function = on_message;
	ev.sigev_value.sival_int = 4242;
	CHECK_OK(mq_notify(q, &ev));
	CHECK_ERR(mq_notify(q, &ev), EBUSY);
	send_and_take(q);
	wait_calls(1);
	CHECK_EQ(value_seen, 4242);
	CHECK(thread_seen != gettid());
	/* The registration was used up: another message starts nothing. */
	send_and_take(q);
	sleep_ms(100);
	CHECK_EQ(calls, 1);
	ok("SIGEV_THREAD runs the function once, in another thread, with its value");

	ev.sigev_value.sival_int = 7;
	CHECK_OK(mq_notify(q, &ev));
	send_and_take(q);
	wait_calls(2);
	CHECK_EQ(value_seen, 7);
	/* Registered and removed: the helper is told, and nothing runs. */
	CHECK_OK(mq_notify(q, &ev));
	CHECK_OK(mq_notify(q, NULL));
	send_and_take(q);
	sleep_ms(100);
	CHECK_EQ(calls, 2);
	ok("re-registration; unregistering runs nothing");
}

static long raw_notify(int m, int sock, void *cookie)
{
	struct sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_THREAD;
	ev.sigev_signo = sock;
	ev.sigev_value.sival_ptr = cookie;
	return syscall(SYS_mq_notify, m, &ev);
}

static unsigned char cookie[COOKIE_LEN];

/* Receives one cookie without waiting and returns its last byte. */
static int take_cookie(int s)
{
	unsigned char got[64];
	CHECK_EQ(recv(s, got, sizeof got, MSG_DONTWAIT), COOKIE_LEN);
	CHECK(memcmp(got, cookie, COOKIE_LEN - 1) == 0);
	return got[COOKIE_LEN - 1];
}

/* The NOTIFY field of the queue's status line, read by a child (this process reading
 * it would close a descriptor of the queue and end its registration). */
static int status_notify_child(void)
{
	char line[128] = { 0 };
	int fd = open("/dev/mqueue/rill_mq_notify_status", O_RDONLY);
	if (fd < 0 || read(fd, line, sizeof line - 1) <= 0)
		return 255;
	const char *at = strstr(line, "NOTIFY:");
	return at ? atoi(at + 7) : 254;
}

static void raw_cookies(void)
{
	for (int i = 0; i < COOKIE_LEN; i++)
		cookie[i] = 100 + i;
	int s = CHECK_OK(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
	unsigned char got[64];
	CHECK_ERR(recv(s, got, sizeof got, MSG_DONTWAIT), EAGAIN);
	struct pollfd p = { .fd = s, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, 0), 0);
	CHECK_OK(raw_notify(q, s, cookie));
	CHECK_ERR(raw_notify(q, s, cookie), EBUSY);
	CHECK_ERR(recv(s, got, sizeof got, MSG_DONTWAIT), EAGAIN);
	CHECK_OK(mq_send(q, "m", 1, 0));
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLIN);
	CHECK_EQ(take_cookie(s), 1);
	CHECK_EQ(mq_receive(q, (char *)got, 8, NULL), 1);
	ok("a message sends the cookie with NOTIFY_WOKENUP");

	CHECK_OK(raw_notify(q, s, cookie));
	CHECK_OK(mq_notify(q, NULL));
	CHECK_EQ(take_cookie(s), 2);
	CHECK_OK(raw_notify(q, s, cookie));
	int copy = CHECK_OK(dup(q));
	CHECK_OK(close(copy));
	CHECK_EQ(take_cookie(s), 2);
	CHECK_ERR(recv(s, got, sizeof got, MSG_DONTWAIT), EAGAIN);
	ok("unregistering and closing the queue send NOTIFY_REMOVED");

	/* The status line shows sigev_notify: SIGEV_THREAD is 2. */
	struct mq_attr attr = { .mq_maxmsg = 1, .mq_msgsize = 8 };
	mq_unlink("/rill_mq_notify_status");
	mqd_t named = CHECK_OK(mq_open("/rill_mq_notify_status", O_RDWR | O_CREAT, 0600, &attr));
	CHECK_OK(raw_notify(named, s, cookie));
	int status = wait_for(spawn(status_notify_child));
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), SIGEV_THREAD);
	CHECK_OK(mq_unlink("/rill_mq_notify_status"));
	CHECK_OK(close(named));
	CHECK_EQ(take_cookie(s), 2);
	ok("the queue's status line shows NOTIFY:2");

	/* recv's flags, recvmsg's address and MSG_TRUNC, read with O_NONBLOCK. */
	CHECK_OK(raw_notify(q, s, cookie));
	CHECK_OK(mq_notify(q, NULL));
	CHECK_EQ(recv(s, got, 10, MSG_DONTWAIT | MSG_PEEK), 10);
	CHECK_EQ(recv(s, got, 10, MSG_DONTWAIT | MSG_TRUNC), COOKIE_LEN);
	CHECK_EQ(got[9], 109);
	CHECK_OK(raw_notify(q, s, cookie));
	CHECK_OK(mq_notify(q, NULL));
	struct sockaddr_nl from;
	memset(&from, 0x55, sizeof from);
	struct iovec iov[2] = { { got, 4 }, { got + 4, 4 } };
	struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = iov, .msg_iovlen = 2 };
	CHECK_EQ(recvmsg(s, &mh, MSG_DONTWAIT), 8);
	CHECK_EQ(mh.msg_flags, MSG_TRUNC);
	CHECK_EQ(mh.msg_namelen, sizeof from);
	CHECK_EQ(from.nl_family, AF_NETLINK);
	CHECK_EQ(from.nl_pid, 0);
	CHECK_EQ(from.nl_groups, 0);
	CHECK_EQ(got[7], 107);
	CHECK_OK(raw_notify(q, s, cookie));
	CHECK_OK(mq_notify(q, NULL));
	int fl = CHECK_OK(fcntl(s, F_GETFL));
	CHECK_OK(fcntl(s, F_SETFL, fl | O_NONBLOCK));
	CHECK_EQ(read(s, got, sizeof got), COOKIE_LEN);
	CHECK_ERR(read(s, got, sizeof got), EAGAIN);
	CHECK_OK(fcntl(s, F_SETFL, fl));
	CHECK_ERR(recv(s, got, sizeof got, MSG_DONTWAIT | MSG_OOB), EOPNOTSUPP);
	ok("MSG_PEEK, MSG_TRUNC, recvmsg's address, O_NONBLOCK");

	/* A blocked recv is woken by a signal (EINTR without SA_RESTART). */
	struct sigaction sa = { .sa_handler = on_alarm };
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	struct itimerval t = { .it_value = { 0, 50000 } };
	CHECK_OK(setitimer(ITIMER_REAL, &t, NULL));
	CHECK_ERR(recv(s, got, sizeof got, 0), EINTR);
	ok("a blocked recv is interruptible");

	/* The errors, in Linux's order: the cookie, the socket, then the queue. */
	int pfd[2];
	CHECK_OK(pipe(pfd));
	CHECK_ERR(raw_notify(q, 99, cookie), EBADF);
	CHECK_ERR(raw_notify(q, -1, cookie), EBADF);
	CHECK_ERR(raw_notify(q, pfd[0], cookie), ENOTSOCK);
	CHECK_ERR(raw_notify(q, s, (void *)1), EFAULT);
	CHECK_ERR(raw_notify(99, s, cookie), EBADF);
	CHECK_ERR(raw_notify(pfd[0], s, cookie), EBADF);
	CHECK_ERR(raw_notify(99, pfd[0], (void *)1), EFAULT);
	CHECK_ERR(raw_notify(99, pfd[0], cookie), ENOTSOCK);
	CHECK_OK(close(pfd[0]));
	CHECK_OK(close(pfd[1]));
	ok("bad socket, cookie and queue descriptors");

	/* The receive buffer (212,992 bytes) holds 277 cookies, registered or queued;
	 * the next registration waits for room (here until a signal ends it). */
	static mqd_t qs[278];
	for (int i = 0; i < 277; i++) {
		char name[40];
		snprintf(name, sizeof name, "/rill_mq_notify_thread%d", i);
		qs[i] = open_queue(name);
		CHECK_OK(raw_notify(qs[i], s, cookie));
	}
	qs[277] = open_queue("/rill_mq_notify_thread_last");
	CHECK_OK(setitimer(ITIMER_REAL, &t, NULL));
	CHECK_ERR(raw_notify(qs[277], s, cookie), EINTR);
	/* The removed cookie is queued, still charged: no room yet. */
	CHECK_OK(close(qs[0]));
	CHECK_OK(setitimer(ITIMER_REAL, &t, NULL));
	CHECK_ERR(raw_notify(qs[277], s, cookie), EINTR);
	CHECK_EQ(take_cookie(s), 2);
	CHECK_OK(raw_notify(qs[277], s, cookie));
	int rcvbuf = 0;
	socklen_t len = sizeof rcvbuf;
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len));
	CHECK_EQ(rcvbuf, 212992);
	for (int i = 1; i < 278; i++)
		CHECK_OK(close(qs[i]));
	int removed = 0;
	while (recv(s, got, sizeof got, MSG_DONTWAIT) == COOKIE_LEN)
		removed++;
	CHECK_EQ(removed, 277);
	ok("277 cookies fit the receive buffer; the next waits for room");
	CHECK_OK(close(s));
}

/* A registration, a cookie and a socket leave nothing behind in the kernel heap. */
static void no_leak(void)
{
	long before = heap_kb();
	for (int round = 0; round < 20; round++) {
		int s = CHECK_OK(socket(AF_NETLINK, SOCK_RAW, 0));
		struct sockaddr_nl a = { .nl_family = AF_NETLINK };
		CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof a));
		CHECK_OK(raw_notify(q, s, cookie));
		send_and_take(q);
		CHECK_EQ(take_cookie(s), 1);
		CHECK_OK(raw_notify(q, s, cookie));
		/* Closed with a cookie still charged to it: the queue's registration holds the
		 * socket until the registration ends. */
		CHECK_OK(close(s));
		CHECK_OK(mq_notify(q, NULL));
	}
	if (on_rill())
		CHECK(heap_back_at(heap_settled_kb(before), before));
	ok("sockets and cookies leave no heap behind");
}

/* Only a privileged process may name a peer other than the kernel: 0 if so. */
static int unprivileged_connect_child(void)
{
	if (setuid(65534) != 0)
		return 1;
	int c = socket(AF_NETLINK, SOCK_RAW, 0);
	struct sockaddr_nl a = { .nl_family = AF_NETLINK, .nl_pid = 7 };
	if (connect(c, (struct sockaddr *)&a, sizeof a) != -1 || errno != EPERM)
		return 2;
	a.nl_pid = 0;
	return connect(c, (struct sockaddr *)&a, sizeof a) == 0 ? 0 : 3;
}

static void socket_calls(void)
{
	int s = CHECK_OK(socket(AF_NETLINK, SOCK_DGRAM, 0));
	struct stat st;
	CHECK_OK(fstat(s, &st));
	CHECK_EQ(st.st_mode, S_IFSOCK | 0777);
	CHECK_EQ(st.st_nlink, 1);
	CHECK_EQ(st.st_size, 0);
	char path[64], link[64] = { 0 }, want[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", s);
	CHECK_OK(readlink(path, link, sizeof link - 1));
	snprintf(want, sizeof want, "socket:[%lu]", (unsigned long)st.st_ino);
	CHECK_STR(link, want);
	ok("a socket is S_IFSOCK, socket:[ino] in /proc");

	struct sockaddr_nl a;
	socklen_t len = sizeof a;
	memset(&a, 0x55, sizeof a);
	CHECK_OK(getsockname(s, (struct sockaddr *)&a, &len));
	CHECK_EQ(len, sizeof a);
	CHECK_EQ(a.nl_family, AF_NETLINK);
	CHECK_EQ(a.nl_pid, 0);
	memset(&a, 0, sizeof a);
	a.nl_family = AF_NETLINK;
	CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof a));
	len = sizeof a;
	CHECK_OK(getsockname(s, (struct sockaddr *)&a, &len));
	CHECK_EQ(a.nl_pid, getpid());
	int s2 = CHECK_OK(socket(AF_NETLINK, SOCK_RAW, 0));
	CHECK_ERR(bind(s2, (struct sockaddr *)&a, sizeof a), EADDRINUSE);
	CHECK_ERR(bind(s2, (struct sockaddr *)&a, 4), EINVAL);
	a.nl_pid = 777;
	CHECK_OK(bind(s2, (struct sockaddr *)&a, sizeof a));
	a.nl_pid = 778;
	CHECK_ERR(bind(s2, (struct sockaddr *)&a, sizeof a), EINVAL);
	a.nl_family = AF_UNIX;
	CHECK_ERR(bind(s, (struct sockaddr *)&a, sizeof a), EINVAL);
	/* The port id is free again once its socket is closed. */
	CHECK_OK(close(s2));
	s2 = CHECK_OK(socket(AF_NETLINK, SOCK_RAW, 0));
	a.nl_family = AF_NETLINK;
	a.nl_pid = 777;
	CHECK_OK(bind(s2, (struct sockaddr *)&a, sizeof a));
	CHECK_OK(close(s2));
	ok("bind and getsockname");

	int v = 0;
	len = sizeof v;
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len));
	CHECK_EQ(v, SOCK_DGRAM);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &len));
	CHECK_EQ(v, AF_NETLINK);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &len));
	CHECK_EQ(v, NETLINK_ROUTE);
	CHECK_ERR(getsockopt(s, SOL_SOCKET, 9999, &v, &len), ENOPROTOOPT);
	CHECK_ERR(getsockopt(s, 5555, 1, &v, &len), ENOPROTOOPT);
	len = (socklen_t)-1;
	CHECK_ERR(getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &len), EINVAL);
	int sizes[][2] = { { 1, 2304 }, { 10000, 20000 }, { 1 << 30, 425984 }, { -5, 425984 } };
	for (int i = 0; i < 4; i++) {
		CHECK_OK(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &sizes[i][0], sizeof(int)));
		len = sizeof v;
		CHECK_OK(getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &len));
		CHECK_EQ(v, sizes[i][1]);
	}
	int sndbufs[][2] = { { 1, 4608 }, { 5000, 10000 } };
	for (int i = 0; i < 2; i++) {
		CHECK_OK(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &sndbufs[i][0], sizeof(int)));
		len = sizeof v;
		CHECK_OK(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &len));
		CHECK_EQ(v, sndbufs[i][1]);
	}
	CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, 2), EINVAL);
	CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, -1), EINVAL);
	CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_TYPE, &v, sizeof v), ENOPROTOOPT);
	ok("getsockopt and setsockopt");

	/* connect: the peer getpeername reports; an unbound socket is bound first, here
	 * below -4096 since the process id is taken by s. */
	int c = CHECK_OK(socket(AF_NETLINK, SOCK_RAW, 0));
	struct sockaddr_nl peer;
	len = sizeof peer;
	CHECK_OK(getpeername(c, (struct sockaddr *)&peer, &len));
	CHECK_EQ(peer.nl_pid, 0);
	memset(&a, 0, sizeof a);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, 1), EINVAL);
	a.nl_family = AF_NETLINK;
	CHECK_ERR(connect(c, (struct sockaddr *)&a, 8), EINVAL);
	a.nl_pid = 5;
	a.nl_groups = 6;
	CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof a));
	len = sizeof peer;
	CHECK_OK(getpeername(c, (struct sockaddr *)&peer, &len));
	CHECK_EQ(peer.nl_pid, 5);
	CHECK_EQ(peer.nl_groups, 2);
	CHECK_OK(getsockname(c, (struct sockaddr *)&peer, &len));
	CHECK((int)peer.nl_pid <= -4097);
	a.nl_family = AF_UNSPEC;
	CHECK_OK(connect(c, (struct sockaddr *)&a, 2));
	CHECK_OK(getpeername(c, (struct sockaddr *)&peer, &len));
	CHECK_EQ(peer.nl_pid, 0);
	CHECK_EQ(peer.nl_groups, 0);
	CHECK_OK(close(c));
	CHECK_ERR(connect(STDOUT_FILENO, (struct sockaddr *)1, sizeof a), EFAULT);
	CHECK_ERR(connect(STDOUT_FILENO, (struct sockaddr *)&a, sizeof a), ENOTSOCK);
	CHECK_ERR(getpeername(STDOUT_FILENO, (struct sockaddr *)&peer, &len), ENOTSOCK);
	int status = wait_for(spawn(unprivileged_connect_child));
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
	ok("connect and getpeername");

	char buf[8];
	CHECK_ERR(shutdown(s, SHUT_RDWR), EOPNOTSUPP);
	CHECK_ERR(listen(s, 1), EOPNOTSUPP);
	CHECK_ERR(accept(s, NULL, NULL), EOPNOTSUPP);
	CHECK_ERR(lseek(s, 0, SEEK_SET), ESPIPE);
	CHECK_ERR(recv(STDOUT_FILENO, buf, sizeof buf, MSG_DONTWAIT), ENOTSOCK);
	CHECK_ERR(recv(99, buf, sizeof buf, MSG_DONTWAIT), EBADF);
	CHECK_ERR(getsockname(STDOUT_FILENO, (struct sockaddr *)&a, &len), ENOTSOCK);
	CHECK_OK(close(s));
	ok("calls a netlink socket does not do; non-sockets");

	CHECK_ERR(socket(AF_NETLINK, SOCK_STREAM, 0), ESOCKTNOSUPPORT);
	CHECK_ERR(socket(AF_NETLINK, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT);
	CHECK_ERR(socket(AF_NETLINK, 0, 0), ESOCKTNOSUPPORT);
	CHECK_ERR(socket(AF_NETLINK, SOCK_RAW, -1), EPROTONOSUPPORT);
	CHECK_ERR(socket(AF_NETLINK, SOCK_RAW, 32), EPROTONOSUPPORT);
	CHECK_ERR(socket(AF_NETLINK, SOCK_RAW, 1), EPROTONOSUPPORT);
	CHECK_ERR(socket(AF_NETLINK, 11, 0), EINVAL);
	CHECK_ERR(socket(AF_NETLINK, SOCK_RAW | 0x100, 0), EINVAL);
	CHECK_ERR(socket(-1, SOCK_RAW, 0), EAFNOSUPPORT);
	CHECK_ERR(socket(AF_MAX, SOCK_RAW, 0), EAFNOSUPPORT);
	CHECK_ERR(socket(1000, SOCK_RAW, 0), EAFNOSUPPORT);
	CHECK_ERR(socket(AF_UNSPEC, SOCK_RAW, 0), EAFNOSUPPORT);
	int sv[2];
	CHECK_ERR(socketpair(AF_NETLINK, SOCK_RAW, 0, sv), EOPNOTSUPP);
	CHECK_ERR(socketpair(AF_NETLINK, SOCK_STREAM, 0, sv), ESOCKTNOSUPPORT);
	if (on_rill()) {
		/* Rill has no Internet, packet or Unix sockets. */
		CHECK_ERR(socket(AF_INET, SOCK_STREAM, 0), EAFNOSUPPORT);
		CHECK_ERR(socket(AF_UNIX, SOCK_STREAM, 0), EAFNOSUPPORT);
	}
	ok("socket() errors for unsupported families, types and protocols");
}

int main(void)
{
	q = open_queue(NAME);
	glibc_thread();
	raw_cookies();
	no_leak();
	socket_calls();
	return 0;
}
