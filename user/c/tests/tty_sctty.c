/* tty_sctty: who may make a terminal its controlling terminal (ioctl TIOCSCTTY), as
 * Linux's tiocsctty decides.
 *
 * The terminal is standard input: Rill's console (controlled by init's session), or the
 * pseudo-terminal the harness gives the test on Linux (controlled by the test's session),
 * or the reference kernel's console (controlled by no session). So the test first has a
 * child O take it with TIOCSCTTY 1 as root, which works in every case (taking it from
 * another session is a steal), and then checks against O's session:
 * - a new session leader asking with 0 gets EPERM: the terminal is another session's;
 * - so does one that gave up root, even asking with 1;
 * - a process that leads no session gets EPERM;
 * - a root session leader asking with 1 steals it: O's session no longer has it
 *   (TIOCGPGRP gives ENOTTY, /dev/tty ENXIO), and O's own TIOCSCTTY is now EPERM;
 * - on a free terminal, a leader without root gets EPERM through a descriptor open only
 *   for writing, and the terminal through one open for reading.
 * The owners give the terminal up with TIOCNOTTY (which sends their group SIGHUP, hence
 * the SIG_IGN), so that their exit does not hang up the reference kernel's console. */
#include "rilltest.h"
#include <sys/ioctl.h>
#include <termios.h>

static int rill;
static const char *tty_path;
static int to_owner[2], from_owner[2], to_stealer[2], from_stealer[2];

static void step(int fd)
{
	char c = 1;
	if (write(fd, &c, 1) != 1)
		FAIL("pipe write failed with %s", errname(errno));
}

static void await(int fd)
{
	char c;
	if (read(fd, &c, 1) != 1)
		FAIL("pipe read failed with %s", errname(errno));
}

static void new_session(void)
{
	signal(SIGHUP, SIG_IGN);
	CHECK_OK(setsid());
}

/* O: takes the terminal, then waits to be told it was stolen. */
static int owner(void)
{
	new_session();
	CHECK_OK(ioctl(0, TIOCSCTTY, 1));
	CHECK_OK(ioctl(0, TIOCSCTTY, 0));
	CHECK_EQ(tcgetpgrp(0), getpid());
	step(from_owner[1]);
	await(to_owner[0]);
	CHECK_ERR(tcgetpgrp(0), ENOTTY);
	CHECK_ERR(open("/dev/tty", O_RDWR), ENXIO);
	CHECK_ERR(ioctl(0, TIOCSCTTY, 0), EPERM);
	return 0;
}

static int leader_asks_with_0(void)
{
	new_session();
	CHECK_ERR(ioctl(0, TIOCSCTTY, 0), EPERM);
	return 0;
}

static int unprivileged_leader_asks_with_1(void)
{
	new_session();
	CHECK_OK(setuid(1000));
	CHECK_ERR(ioctl(0, TIOCSCTTY, 1), EPERM);
	CHECK_ERR(ioctl(0, TIOCSCTTY, 0), EPERM);
	return 0;
}

static int not_a_leader(void)
{
	CHECK_ERR(ioctl(0, TIOCSCTTY, 1), EPERM);
	return 0;
}

/* S: steals the terminal from O and keeps it until O has looked. */
static int stealer(void)
{
	new_session();
	CHECK_OK(ioctl(0, TIOCSCTTY, 1));
	CHECK_EQ(tcgetpgrp(0), getpid());
	CHECK_OK(open("/dev/tty", O_RDWR));
	step(from_stealer[1]);
	await(to_stealer[0]);
	CHECK_OK(ioctl(0, TIOCNOTTY));
	CHECK_ERR(tcgetpgrp(0), ENOTTY);
	return 0;
}

static int write_only_leader(void)
{
	new_session();
	int wfd = CHECK_OK(open(tty_path, O_WRONLY | O_NOCTTY));
	CHECK_OK(setuid(1000));
	CHECK_ERR(ioctl(wfd, TIOCSCTTY, 0), EPERM);
	CHECK_OK(ioctl(0, TIOCSCTTY, 0));
	CHECK_EQ(tcgetpgrp(0), getpid());
	CHECK_OK(ioctl(0, TIOCNOTTY));
	return 0;
}

static void expect_success(int (*child)(void))
{
	int st = wait_for(spawn(child));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		FAIL("child ended with status %#x", st);
}

int main(void)
{
	rill = on_rill();
	CHECK(isatty(0));
	/* The reference kernel's console was opened before devtmpfs hid its node. */
	tty_path = rill ? NULL : ttyname(0);
	if (tty_path == NULL)
		tty_path = "/dev/console";
	CHECK_OK(pipe(to_owner));
	CHECK_OK(pipe(from_owner));
	CHECK_OK(pipe(to_stealer));
	CHECK_OK(pipe(from_stealer));

	pid_t o = spawn(owner);
	await(from_owner[0]);
	CHECK_ERR(tcgetpgrp(0), ENOTTY);
	CHECK_ERR(open("/dev/tty", O_RDWR), ENXIO);
	ok("a root session leader takes the terminal with TIOCSCTTY 1; the test's session has none");

	expect_success(leader_asks_with_0);
	ok("another session leader: EPERM with 0");
	expect_success(unprivileged_leader_asks_with_1);
	ok("another session leader without root: EPERM with 1 and with 0");
	expect_success(not_a_leader);
	ok("a process that leads no session: EPERM");

	pid_t s = spawn(stealer);
	await(from_stealer[0]);
	step(to_owner[1]);
	CHECK_EQ(wait_for(o), 0);
	step(to_stealer[1]);
	CHECK_EQ(wait_for(s), 0);
	ok("another root session leader steals it with 1: the old session has no terminal and gets EPERM");

	expect_success(write_only_leader);
	ok("a free terminal: EPERM without root through a write-only descriptor, taken through a readable one");
	return 0;
}
