/* pty_basic: a pseudo-terminal pair carrying a child session, as script(1) or an ssh
 * server sets one up: posix_openpt, grantpt, unlockpt, ptsname; a child that calls
 * setsid, makes the slave its controlling terminal (TIOCSCTTY) and its stdin/stdout,
 * and answers lines. The parent checks canonical input with echo and erase, raw mode,
 * ^C/^\/^Z as signals, ^C reaching a foreground job rather than the shell, the window
 * size with SIGWINCH, and the hangup when the master closes; then EIO on the master
 * once the slave is closed, and a slave after its master is gone. */
#include "rilltest.h"
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

static int master;

/* Reads from the master until exactly `want` arrived (2 s at most). */
static void expect(const char *want, int line)
{
	char got[512];
	size_t len = strlen(want), n = 0;
	while (n < len) {
		struct pollfd p = { master, POLLIN, 0 };
		if (poll(&p, 1, 2000) != 1)
			break;
		ssize_t r = read(master, got + n, len - n);
		if (r <= 0)
			break;
		n += r;
	}
	got[n] = 0;
	if (n != len || memcmp(got, want, len) != 0) {
		char shown[1024];
		size_t k = 0;
		for (size_t i = 0; i < n && k < sizeof shown - 8; i++)
			k += snprintf(shown + k, sizeof shown - k,
				      (got[i] >= 0x20 && got[i] < 0x7f) ? "%c" : "\\x%02x",
				      (unsigned char)got[i]);
		shown[k] = 0;
		rt_fail(line, "master read \"%s\"", shown);
	}
}
#define EXPECT(s) expect(s, __LINE__)

static void put(const char *s)
{
	CHECK_EQ(write(master, s, strlen(s)), (long)strlen(s));
}

/* The child's reports come through a pipe, not the terminal: Linux's line discipline
 * runs apart from the writer of the master, and flushes the output pending for the
 * master when it sends a signal, so a report on the terminal could be lost or come out
 * of order with the echo. */
static int report_fd;
static volatile sig_atomic_t got_hup;

static void on_sig(int sig)
{
	const char *name = sig == SIGINT    ? "INT\n"
			   : sig == SIGQUIT  ? "QUIT\n"
			   : sig == SIGTSTP  ? "TSTP\n"
			   : sig == SIGWINCH ? "WINCH\n"
					     : "";
	if (sig == SIGHUP)
		got_hup = 1;
	else
		write(report_fd, name, strlen(name));
}

/* Reads exactly `want` from the report pipe (2 s at most). */
static void expect_report(int fd, const char *want, int line)
{
	char got[128];
	size_t len = strlen(want), n = 0;
	while (n < len) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 2000) != 1)
			break;
		ssize_t r = read(fd, got + n, len - n);
		if (r <= 0)
			break;
		n += r;
	}
	got[n] = 0;
	if (strcmp(got, want) != 0)
		rt_fail(line, "report \"%s\" want \"%s\"", got, want);
}
#define REPORT(s) expect_report(report[0], s, __LINE__)

/* A job in its own process group, put in front; the child reports how it ended. */
static void run_job(void)
{
	int go[2];
	pipe(go);
	pid_t job = fork();
	if (job == 0) {
		char c;
		signal(SIGINT, SIG_DFL);
		read(go[0], &c, 1);
		printf("job ready\n");
		pause();
		_exit(9);
	}
	setpgid(job, job);
	tcsetpgrp(0, job);
	write(go[1], "g", 1);
	int st;
	waitpid(job, &st, 0);
	/* Back in front: a background tcsetpgrp needs SIGTTOU ignored. */
	signal(SIGTTOU, SIG_IGN);
	tcsetpgrp(0, getpgrp());
	const char *how = WIFSIGNALED(st) && WTERMSIG(st) == SIGINT ? "job INT\n" : "job ?\n";
	write(report_fd, how, strlen(how));
}

/* The session on the slave: answers each line until "wait", then waits for the hangup
 * and reports it on `report`. */
static int session(const char *slave, int report)
{
	report_fd = report;
	close(master);
	CHECK_OK(setsid());
	int s = CHECK_OK(open(slave, O_RDWR | O_NOCTTY));
	CHECK_OK(ioctl(s, TIOCSCTTY, 0));
	dup2(s, 0);
	dup2(s, 1);
	dup2(s, 2);
	close(s);
	struct sigaction sa = { .sa_handler = on_sig };
	int sigs[] = { SIGINT, SIGQUIT, SIGTSTP, SIGWINCH, SIGHUP };
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	printf("ready %d\n", tcgetpgrp(0) == getpid());
	char line[256];
	for (;;) {
		ssize_t n = read(0, line, sizeof line - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 2;
		line[n] = 0;
		if (strcmp(line, "raw\n") == 0) {
			struct termios t, saved;
			tcgetattr(0, &saved);
			t = saved;
			t.c_lflag &= ~(ICANON | ECHO | ISIG);
			t.c_cc[VMIN] = 3;
			t.c_cc[VTIME] = 0;
			tcsetattr(0, TCSANOW, &t);
			printf("raw on\n");
			unsigned char b[3];
			n = read(0, b, 3);
			tcsetattr(0, TCSANOW, &saved);
			printf("raw %zd: %02x %02x %02x\n", n, b[0], b[1], b[2]);
		} else if (strcmp(line, "size\n") == 0) {
			struct winsize w;
			ioctl(0, TIOCGWINSZ, &w);
			printf("size %d %d\n", w.ws_row, w.ws_col);
		} else if (strcmp(line, "job\n") == 0) {
			run_job();
		} else if (strcmp(line, "wait\n") == 0) {
			break;
		} else {
			printf("got %zd: %s", n, line);
		}
	}
	printf("waiting\n");
	/* A read under way when the master closes fails with EIO, or on Linux sometimes
	 * sees the hangup first and returns 0; the next returns 0. */
	ssize_t n = read(0, line, sizeof line);
	int rerr = errno;
	ssize_t again = read(0, line, sizeof line);
	char msg[128];
	int w = write(1, "x", 1);
	int werr = errno;
	int len = snprintf(msg, sizeof msg,
			   "hup %d read %s, %zd write %d %s tty %s\n", (int)got_hup,
			   n == 0 || (n == -1 && rerr == EIO) ? "ended" : errname(rerr),
			   again, w, errname(werr),
			   open("/dev/tty", O_RDWR) < 0 ? errname(errno) : "open");
	write(report_fd, msg, len);
	return 0;
}

/* qemu-user does not translate TIOCGPTLCK and TIOCGPTPEER (ENOSYS); Linux 6.1 and
 * Rill have them. */
static int qemu_lacks(long r)
{
	return r == -1 && errno == ENOSYS && !on_rill();
}

static void job_on_hup(int sig)
{
	(void)sig;
	write(report_fd, "job HUP\n", 8);
	_exit(0);
}

/* A session leader with a foreground job, for the hangup of a whole session. */
static int session_with_job(const char *slave, int report, int ready)
{
	report_fd = report;
	close(master);
	CHECK_OK(setsid());
	int s = CHECK_OK(open(slave, O_RDWR)); /* no O_NOCTTY: it becomes the ctty */
	int go[2];
	pipe(go);
	pid_t job = fork();
	if (job == 0) {
		char c;
		signal(SIGHUP, job_on_hup);
		read(go[0], &c, 1);
		write(ready, "r", 1);
		for (;;)
			pause();
	}
	setpgid(job, job);
	tcsetpgrp(s, job);
	write(go[1], "g", 1);
	for (;;)
		pause(); /* SIGHUP ends the leader */
}

static void pair(char *name, size_t size)
{
	master = CHECK_OK(posix_openpt(O_RDWR | O_NOCTTY));
	CHECK_OK(grantpt(master));
	int locked = 0;
	if (!qemu_lacks(ioctl(master, TIOCGPTLCK, &locked)))
		CHECK_EQ(locked, 1);
	CHECK_EQ(ptsname_r(master, name, size), 0);
	CHECK_ERR(open(name, O_RDWR | O_NOCTTY), EIO);
	CHECK_OK(unlockpt(master));
}

int main(void)
{
	char name[64];
	pair(name, sizeof name);
	unsigned n;
	CHECK_OK(ioctl(master, TIOCGPTN, &n));
	char want[64];
	snprintf(want, sizeof want, "/dev/pts/%u", n);
	CHECK_STR(name, want);
	struct stat st;
	CHECK_OK(stat(name, &st));
	CHECK(S_ISCHR(st.st_mode));
	CHECK_EQ(major(st.st_rdev), 136);
	CHECK_EQ(minor(st.st_rdev), n);
	CHECK_EQ(st.st_uid, getuid());
	CHECK_OK(fstat(master, &st));
	CHECK(S_ISCHR(st.st_mode));
	CHECK_EQ(st.st_rdev, makedev(5, 2));
	int fds[2];
	CHECK_OK(pipe(fds));
	CHECK_ERR(grantpt(fds[0]), EINVAL);
	CHECK_ERR(ioctl(fds[0], TIOCGPTN, &n), ENOTTY);
	ok("posix_openpt, grantpt, unlockpt, ptsname");

	int report[2];
	CHECK_OK(pipe(report));
	pid_t child = fork();
	if (child == 0)
		_exit(session(name, report[1]));
	close(report[1]);
	EXPECT("ready 1\r\n");
	struct termios t;
	CHECK_OK(tcgetattr(master, &t));
	CHECK(t.c_lflag & ICANON);
	CHECK_EQ(tcgetpgrp(master), child);
	ok("child session on the slave, in front");

	put("hello\n");
	EXPECT("hello\r\ngot 6: hello\r\n");
	put("abc\x7f" "d\n");
	EXPECT("abc\b \bd\r\ngot 4: abd\r\n");
	put("one two\x17three\n");
	EXPECT("one two\b \b\b \b\b \bthree\r\ngot 10: one three\r\n");
	put("xyz\x15" "q\n");
	EXPECT("xyz\b \b\b \b\b \bq\r\ngot 2: q\r\n");
	ok("canonical input: echo, erase, word erase, kill");

	/* Separate writes: Linux drops the echo still pending in the batch with the ^C. */
	put("half");
	EXPECT("half");
	put("\x03");
	EXPECT("^C");
	REPORT("INT\n");
	put("\x1c");
	EXPECT("^\\");
	REPORT("QUIT\n");
	put("\x1a");
	EXPECT("^Z");
	REPORT("TSTP\n");
	put("after\n");
	EXPECT("after\r\ngot 6: after\r\n");
	ok("^C, ^\\ and ^Z are signals to the foreground group");

	put("raw\n");
	EXPECT("raw\r\nraw on\r\n");
	put("\x03q\n");
	EXPECT("raw 3: 03 71 0a\r\n");
	ok("raw mode: no echo, no signals, VMIN bytes");

	struct winsize ws = { .ws_row = 30, .ws_col = 100 };
	CHECK_OK(ioctl(master, TIOCSWINSZ, &ws));
	REPORT("WINCH\n");
	put("size\n");
	EXPECT("size\r\nsize 30 100\r\n");
	ok("window size set on the master, SIGWINCH to the foreground");

	put("job\n");
	EXPECT("job\r\njob ready\r\n");
	put("\x03");
	EXPECT("^C");
	REPORT("job INT\n");
	put("after\n");
	EXPECT("after\r\ngot 6: after\r\n");
	ok("^C reaches the foreground job, not the shell");

	put("wait\n");
	EXPECT("wait\r\nwaiting\r\n");
	CHECK_OK(close(master));
	REPORT("hup 1 read ended, 0 write -1 EIO tty ENXIO\n");
	CHECK_EQ(wait_for(child), 0);
	ok("master closed: SIGHUP to the session leader, reads end, EIO, no /dev/tty");

	/* The leader dies of SIGHUP; its exit hangs up the foreground job. */
	pair(name, sizeof name);
	int ready[2], hups[2];
	CHECK_OK(pipe(ready));
	CHECK_OK(pipe(hups));
	child = fork();
	if (child == 0)
		_exit(session_with_job(name, hups[1], ready[1]));
	close(hups[1]);
	char r;
	CHECK_EQ(read(ready[0], &r, 1), 1);
	CHECK_OK(close(master));
	int status = wait_for(child);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGHUP);
	expect_report(hups[0], "job HUP\n", __LINE__);
	ok("master closed: the leader dies of SIGHUP, then its foreground job gets SIGHUP");

	/* The master after the slave is closed: the data first, then EIO. */
	pair(name, sizeof name);
	int s = CHECK_OK(open(name, O_RDWR | O_NOCTTY));
	struct pollfd p = { master, POLLIN | POLLOUT, 0 };
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLOUT);
	long peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (!qemu_lacks(peer)) {
		CHECK(peer >= 0);
		char got[8] = { 0 };
		put("peer\n");
		EXPECT("peer\r\n");
		CHECK_EQ(read(peer, got, sizeof got), 5);
		CHECK_STR(got, "peer\n");
		CHECK_ERR(ioctl(peer, TIOCGPTN, &n), ENOTTY);
		close(peer);
	}
	CHECK_EQ(write(s, "bye\n", 4), 4);
	CHECK_OK(close(s));
	p.revents = 0;
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK(p.revents & POLLHUP);
	CHECK(p.revents & POLLIN);
	EXPECT("bye\r\n");
	char c;
	CHECK_ERR(read(master, &c, 1), EIO);
	s = CHECK_OK(open(name, O_RDWR | O_NOCTTY));
	CHECK_OK(fcntl(master, F_SETFL, O_NONBLOCK));
	CHECK_ERR(read(master, &c, 1), EAGAIN);
	ok("master: TIOCGPTPEER, slave output, then EIO once every slave is closed");

	/* A slave that outlives its master. */
	CHECK_OK(close(master));
	CHECK_EQ(read(s, &c, 1), 0);
	CHECK_ERR(write(s, "x", 1), EIO);
	CHECK_ERR(tcgetattr(s, &t), EIO);
	CHECK_ERR(stat(name, &st), ENOENT);
	p.fd = s;
	p.events = POLLIN | POLLOUT;
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLIN | POLLOUT | POLLERR | POLLHUP);
	close(s);
	ok("slave after its master closed: EOF, EIO, its name gone");
	return 0;
}
