/* sig_basic: installing handlers and what a handler sees.
 * Checks sigaction's old action (SIG_DFL at first, then the previous handler
 * with its flags and mask), signal()'s return value, a handler running
 * before kill/raise to oneself returns, SIG_IGN, the mask inside a handler
 * and after it returns, SA_RESETHAND (one handled delivery, then the
 * default action), SA_NODEFER nesting against the default deferral, another
 * signal interrupting a handler, and a child inheriting the handlers.
 * (sa_mask: sig_flags; the order of several pending signals: sig_order.) */
#include "rilltest.h"

static volatile sig_atomic_t hits, last_sig, depth, max_depth;
static char trace[64]; /* what the handlers did, in order */
static volatile sig_atomic_t trace_len;

static void note(char c)
{
	if (trace_len < (int)sizeof trace - 1)
		trace[trace_len++] = c;
	trace[trace_len] = 0;
}

static void count(int sig)
{
	hits++;
	last_sig = sig;
}

static void other(int sig)
{
	(void)sig;
}

/* The blocked mask inside a handler, as read there. */
static sigset_t seen_mask;

static void record_mask(int sig)
{
	hits++;
	last_sig = sig;
	sigprocmask(SIG_BLOCK, NULL, &seen_mask);
}

/* Raises its own signal once from inside the handler and tracks nesting. */
static void reraise(int sig)
{
	hits++;
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	note('(');
	if (hits == 1)
		raise(sig);
	note(')');
	depth--;
}

/* SIGUSR1 raises SIGUSR2 in the middle: the trace shows when SIGUSR2 ran. */
static void outer(int sig)
{
	(void)sig;
	note('a');
	raise(SIGUSR2);
	note('b');
}

static void inner(int sig)
{
	(void)sig;
	note('X');
}

static void reset_trace(void)
{
	trace_len = 0;
	trace[0] = 0;
	hits = depth = max_depth = 0;
}

static struct sigaction action(void (*fn)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	return sa;
}

static int resethand_child(void)
{
	struct sigaction sa = action(count, SA_RESETHAND), old;
	if (sigaction(SIGUSR1, &sa, NULL) != 0)
		return 2;
	raise(SIGUSR1);
	if (hits != 1)
		return 3;
	if (sigaction(SIGUSR1, NULL, &old) != 0 || old.sa_handler != SIG_DFL)
		return 4;
	/* Only the handler is reset; the flags stay. */
	if (!(old.sa_flags & SA_RESETHAND))
		return 6;
	printf("ok: SA_RESETHAND: handled once, then the handler is SIG_DFL, flags kept\n");
	raise(SIGUSR1); /* default action: terminate */
	return 5;
}

static int inherited_child(void)
{
	struct sigaction old;
	hits = 0;
	if (sigaction(SIGUSR2, NULL, &old) != 0 || old.sa_handler != count)
		return 2;
	raise(SIGUSR2);
	return hits == 1 && last_sig == SIGUSR2 ? 0 : 3;
}

int main(void)
{
	struct sigaction sa, old;
	sigset_t empty, now;
	sigemptyset(&empty);

	/* At start every action is SIG_DFL with no flags and an empty mask. */
	CHECK_OK(sigaction(SIGUSR1, NULL, &old));
	CHECK(old.sa_handler == SIG_DFL);
	CHECK_EQ(old.sa_flags, 0);
	CHECK(sigisemptyset(&old.sa_mask));
	ok("initial action of SIGUSR1 is SIG_DFL, flags 0, empty mask");

	sa = action(count, SA_RESTART);
	sigaddset(&sa.sa_mask, SIGUSR2);
	CHECK_OK(sigaction(SIGUSR1, &sa, &old));
	CHECK(old.sa_handler == SIG_DFL);
	sa = action(other, 0);
	CHECK_OK(sigaction(SIGUSR1, &sa, &old));
	CHECK(old.sa_handler == count);
	CHECK_EQ(old.sa_flags, SA_RESTART);
	CHECK(sigismember(&old.sa_mask, SIGUSR2));
	CHECK(!sigismember(&old.sa_mask, SIGUSR1));
	ok("sigaction returns the previous handler, its flags and mask");

	CHECK(signal(SIGUSR1, count) == other);
	CHECK(signal(SIGUSR1, count) == count);
	ok("signal() returns the previous handler");

	/* A signal sent to oneself is handled before kill/raise returns. */
	hits = 0;
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(hits, 1);
	CHECK_EQ(last_sig, SIGUSR1);
	CHECK_EQ(raise(SIGUSR1), 0);
	CHECK_EQ(hits, 2);
	ok("kill(getpid()) and raise run the handler before returning");

	/* SIG_IGN: nothing happens, the process goes on. */
	CHECK(signal(SIGUSR1, SIG_IGN) == count);
	hits = 0;
	CHECK_EQ(raise(SIGUSR1), 0);
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(hits, 0);
	CHECK_OK(sigaction(SIGUSR1, NULL, &old));
	CHECK(old.sa_handler == SIG_IGN);
	ok("SIG_IGN discards the signal");

	/* Inside a handler the signal is blocked; afterwards the mask is back
	 * to what it was. (sa_mask: see sig_flags.) */
	sa = action(record_mask, 0);
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	hits = 0;
	raise(SIGUSR1);
	CHECK_EQ(hits, 1);
	CHECK(sigismember(&seen_mask, SIGUSR1));
	CHECK(!sigismember(&seen_mask, SIGUSR2));
	CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &now));
	CHECK(sigisemptyset(&now));
	ok("handler runs with its signal blocked; the mask is restored after");

	sa = action(record_mask, SA_NODEFER);
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	hits = 0;
	raise(SIGUSR1);
	CHECK_EQ(hits, 1);
	CHECK(!sigismember(&seen_mask, SIGUSR1));
	ok("with SA_NODEFER the signal is not blocked in its handler");

	/* Default deferral: a signal raised in its own handler waits until the
	 * handler returns, then runs: two calls, never nested. */
	sa = action(reraise, 0);
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	reset_trace();
	raise(SIGUSR1);
	CHECK_EQ(hits, 2);
	CHECK_EQ(max_depth, 1);
	CHECK_STR(trace, "()()");
	ok("without SA_NODEFER a re-raised signal runs after the handler: ()()");

	sa = action(reraise, SA_NODEFER);
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	reset_trace();
	raise(SIGUSR1);
	CHECK_EQ(hits, 2);
	CHECK_EQ(max_depth, 2);
	CHECK_STR(trace, "(())");
	ok("with SA_NODEFER the handler nests: (())");

	/* Another signal raised inside a handler interrupts it at once. */
	sa = action(inner, 0);
	CHECK_OK(sigaction(SIGUSR2, &sa, NULL));
	sa = action(outer, 0);
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	reset_trace();
	raise(SIGUSR1);
	CHECK_STR(trace, "aXb");
	ok("SIGUSR2 raised inside the SIGUSR1 handler runs at once: aXb");

	/* SA_RESETHAND: the second SIGUSR1 takes the default action. */
	signal(SIGUSR1, SIG_DFL);
	hits = 0;
	int status = wait_for(spawn(resethand_child));
	CHECK(WIFSIGNALED(status));
	CHECK_EQ(WTERMSIG(status), SIGUSR1);
	ok("SA_RESETHAND: the second SIGUSR1 terminates the child");

	/* A child inherits the handlers. */
	CHECK_OK(sigprocmask(SIG_SETMASK, &empty, NULL));
	sa = action(count, 0);
	CHECK_OK(sigaction(SIGUSR2, &sa, NULL));
	status = wait_for(spawn(inherited_child));
	CHECK_EQ(status, 0);
	ok("a child inherits the handler and it runs there");
	return 0;
}
