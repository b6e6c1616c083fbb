/* tty_ioctl: terminal ioctls on standard input.
 * Standard input is a terminal on both sides of the comparison: Rill's
 * console, and on Linux the pseudo-terminal the harness makes the test's
 * controlling terminal. Checked: isatty, and ENOTTY for a pipe and /dev/null;
 * TCGETS (tcgetattr) shows the default modes (ICANON, ECHO, ISIG, ICRNL,
 * OPOST|ONLCR and the usual control characters); TCSETS, TCSETSW and
 * TCSETSF (tcsetattr) round-trip changes, which are undone; TIOCGWINSZ, and
 * TIOCSWINSZ round-trips a size. Sizes are not printed: they differ.
 *
 * Where the terminal is our controlling terminal: TIOCGPGRP is our process
 * group, /dev/tty opens, a size change sends
 * SIGWINCH to the foreground group (setting the same size again does not);
 * a child in a background group is stopped by SIGTTIN when it reads and by
 * SIGTTOU when it calls tcsetpgrp, unless it ignores SIGTTOU, in which case
 * tcsetpgrp works. On the reference Linux kernel the test runs without a
 * controlling terminal (TIOCGPGRP gives ENOTTY); those checks are then
 * skipped with the same output. On Rill they must run.
 * Not checked: TIOCGSID, which qemu-riscv64 7.2 answers with 0. */
#include "rilltest.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>

static volatile sig_atomic_t winches;

static void on_winch(int sig)
{
	(void)sig;
	winches++;
}

static int same_modes(const struct termios *a, const struct termios *b)
{
	return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag &&
	       a->c_cflag == b->c_cflag && a->c_lflag == b->c_lflag &&
	       memcmp(a->c_cc, b->c_cc, sizeof a->c_cc) == 0;
}

static void not_terminals(void)
{
	CHECK(isatty(0));
	int p[2];
	CHECK_EQ(pipe(p), 0);
	errno = 0;
	CHECK(!isatty(p[0]));
	CHECK_EQ(errno, ENOTTY);
	struct termios t;
	CHECK_ERR(tcgetattr(p[0], &t), ENOTTY);
	struct winsize w;
	CHECK_ERR(ioctl(p[1], TIOCGWINSZ, &w), ENOTTY);
	CHECK_EQ(close(p[0]), 0);
	CHECK_EQ(close(p[1]), 0);
	int null = CHECK_OK(open("/dev/null", O_RDWR));
	CHECK_ERR(tcgetattr(null, &t), ENOTTY);
	CHECK_EQ(close(null), 0);
	ok("isatty(0); a pipe and /dev/null are not terminals (ENOTTY)");
}

static void modes(const struct termios *orig)
{
	CHECK((orig->c_lflag & (ICANON | ECHO | ISIG)) == (ICANON | ECHO | ISIG));
	ok("TCGETS: ICANON, ECHO and ISIG set in c_lflag");
	CHECK(orig->c_iflag & ICRNL);
	CHECK((orig->c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR));
	ok("TCGETS: ICRNL in c_iflag, OPOST and ONLCR in c_oflag");
	CHECK_EQ(orig->c_cc[VINTR], 0x03);
	CHECK_EQ(orig->c_cc[VQUIT], 0x1c);
	CHECK_EQ(orig->c_cc[VERASE], 0x7f);
	CHECK_EQ(orig->c_cc[VKILL], 0x15);
	CHECK_EQ(orig->c_cc[VEOF], 0x04);
	CHECK_EQ(orig->c_cc[VSUSP], 0x1a);
	ok("TCGETS: c_cc INTR ^C, QUIT ^\\, ERASE DEL, KILL ^U, EOF ^D, SUSP ^Z");

	struct termios t = *orig, back;
	t.c_lflag &= ~ECHO;
	CHECK_EQ(tcsetattr(0, TCSANOW, &t), 0);
	CHECK_EQ(tcgetattr(0, &back), 0);
	CHECK(!(back.c_lflag & ECHO));
	CHECK(same_modes(&back, &t));
	CHECK_EQ(tcsetattr(0, TCSANOW, orig), 0);
	CHECK_EQ(tcgetattr(0, &back), 0);
	CHECK(back.c_lflag & ECHO);
	CHECK(same_modes(&back, orig));
	ok("TCSETS: ECHO off reads back off, the rest unchanged; restored");

	t = *orig;
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	CHECK_EQ(tcsetattr(0, TCSADRAIN, &t), 0);
	CHECK_EQ(tcgetattr(0, &back), 0);
	CHECK(same_modes(&back, &t));
	/* Nothing is typed: a non-canonical read with VMIN = VTIME = 0 returns 0 at once. */
	char c;
	CHECK_EQ(read(0, &c, 1), 0);
	CHECK_EQ(tcsetattr(0, TCSAFLUSH, orig), 0);
	CHECK_EQ(tcgetattr(0, &back), 0);
	CHECK(same_modes(&back, orig));
	ok("TCSETSW: non-canonical with VMIN=VTIME=0 reads 0 bytes at once; TCSETSF restores");
}

static void sizes(int controlling)
{
	struct winsize orig, w, back;
	CHECK_EQ(ioctl(0, TIOCGWINSZ, &orig), 0);
	ok("TIOCGWINSZ");

	struct sigaction sa = { 0 };
	sa.sa_handler = on_winch;
	CHECK_EQ(sigaction(SIGWINCH, &sa, NULL), 0);
	w = orig;
	w.ws_row = orig.ws_row == 33 ? 34 : 33;
	w.ws_col = orig.ws_col == 101 ? 102 : 101;
	winches = 0;
	CHECK_EQ(ioctl(0, TIOCSWINSZ, &w), 0);
	CHECK_EQ(ioctl(0, TIOCGWINSZ, &back), 0);
	CHECK(back.ws_row == w.ws_row && back.ws_col == w.ws_col);
	if (controlling)
		CHECK_EQ(winches, 1);
	CHECK_EQ(ioctl(0, TIOCSWINSZ, &w), 0);
	if (controlling)
		CHECK_EQ(winches, 1);
	CHECK_EQ(ioctl(0, TIOCSWINSZ, &orig), 0);
	CHECK_EQ(ioctl(0, TIOCGWINSZ, &back), 0);
	CHECK(back.ws_row == orig.ws_row && back.ws_col == orig.ws_col);
	if (controlling)
		CHECK_EQ(winches, 2);
	signal(SIGWINCH, SIG_DFL);
	ok("TIOCSWINSZ round-trips; a change (only) sends SIGWINCH to the foreground group");
}

static int background_read(void)
{
	CHECK_EQ(setpgid(0, 0), 0);
	char c;
	read(0, &c, 1);
	return 1; /* only reached if the read was let through */
}

static int background_tcsetpgrp(void)
{
	CHECK_EQ(setpgid(0, 0), 0);
	tcsetpgrp(0, getpgrp());
	return 1;
}

static int background_tcsetpgrp_ignoring(void)
{
	CHECK_EQ(setpgid(0, 0), 0);
	signal(SIGTTOU, SIG_IGN);
	pid_t parent_group = getpgid(getppid());
	CHECK_EQ(tcsetpgrp(0, getpgrp()), 0);
	CHECK_EQ(tcgetpgrp(0), getpgrp());
	CHECK_EQ(tcsetpgrp(0, parent_group), 0);
	return 0;
}

/* Runs fn in a child that must stop with signal `sig`; then kills it. */
static void expect_stop(int (*fn)(void), int sig)
{
	pid_t pid = spawn(fn);
	int status;
	CHECK_EQ(waitpid(pid, &status, WUNTRACED), pid);
	if (!WIFSTOPPED(status))
		FAIL("child ended with status 0x%x, want stopped by %s", status,
		     sigabbrev_np(sig));
	CHECK_STR(sigabbrev_np(WSTOPSIG(status)), sigabbrev_np(sig));
	CHECK_EQ(kill(pid, SIGKILL), 0);
	status = wait_for(pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

static void job_control(int controlling)
{
	if (controlling) {
		CHECK_EQ(tcgetpgrp(0), getpgrp());
		int fd = CHECK_OK(open("/dev/tty", O_RDWR));
		CHECK(isatty(fd));
		CHECK_EQ(close(fd), 0);
	}
	ok("TIOCGPGRP is our process group; /dev/tty opens");
	if (controlling) {
		expect_stop(background_read, SIGTTIN);
		expect_stop(background_tcsetpgrp, SIGTTOU);
		/* Should the child fail to hand the terminal back, take it back
		 * ourselves, so that restoring the modes cannot stop us. */
		signal(SIGTTOU, SIG_IGN);
		int status = wait_for(spawn(background_tcsetpgrp_ignoring));
		CHECK_EQ(tcsetpgrp(0, getpgrp()), 0);
		signal(SIGTTOU, SIG_DFL);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	ok("background group: read stops with SIGTTIN, tcsetpgrp with SIGTTOU");
	ok("background group ignoring SIGTTOU: tcsetpgrp works");
}

int main(void)
{
	no_core_dumps();
	not_terminals();
	struct termios orig;
	CHECK_EQ(tcgetattr(0, &orig), 0);
	modes(&orig);

	int controlling = tcgetpgrp(0) >= 0;
	if (!controlling && (errno != ENOTTY || on_rill()))
		FAIL("tcgetpgrp(0) failed with %s", errname(errno));
	sizes(controlling);
	job_control(controlling);

	struct termios back;
	CHECK_EQ(tcsetattr(0, TCSANOW, &orig), 0);
	CHECK_EQ(tcgetattr(0, &back), 0);
	CHECK(same_modes(&back, &orig));
	ok("modes as they were");
	return 0;
}
