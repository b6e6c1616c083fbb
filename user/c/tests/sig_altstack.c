/* sig_altstack: the alternate signal stack.
 * sigaltstack reports SS_DISABLE at first, then the stack it was given. An
 * SA_ONSTACK handler runs on it: its local variables lie inside the stack,
 * sigaltstack there reports SS_ONSTACK and refuses a change (EPERM), and
 * uc_stack describes the stack with the interrupted code's flags. A handler
 * without SA_ONSTACK stays on the normal stack; a nested SA_ONSTACK handler
 * continues below the first on the same alternate stack. Too small a stack
 * is ENOMEM, bad flags EINVAL (SS_ONSTACK is accepted, as 0); SS_DISABLE
 * turns it off; a child inherits it. rt_sigreturn applies the uc_stack a
 * handler leaves in its ucontext. */
#include "rilltest.h"
#include <stdint.h>
#include <ucontext.h>

#define ALT_SIZE (64 * 1024)

static char alt[ALT_SIZE] __attribute__((aligned(16)));

static struct seen {
	uintptr_t local;   /* address of a local variable of the handler */
	stack_t inside;    /* sigaltstack(NULL, &inside) in the handler */
	stack_t uc_stack;  /* the ucontext's uc_stack */
	int change_errno;  /* errno of sigaltstack(new) in the handler */
} seen[2];
static volatile sig_atomic_t depth;

static int on_alt(uintptr_t p)
{
	return p >= (uintptr_t)alt && p < (uintptr_t)alt + ALT_SIZE;
}

static void handler(int sig, siginfo_t *si, void *ctx)
{
	volatile int local = 0;
	ucontext_t *uc = ctx;
	(void)si;
	struct seen *s = &seen[depth++];
	s->local = (uintptr_t)&local;
	sigaltstack(NULL, &s->inside);
	s->uc_stack = uc->uc_stack;
	stack_t again = { .ss_sp = alt, .ss_size = ALT_SIZE };
	errno = 0;
	sigaltstack(&again, NULL);
	s->change_errno = errno;
	if (sig == SIGUSR1 && depth == 1)
		raise(SIGUSR2);
	depth--;
}

static void install(int sig, int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(sig, &sa, NULL));
}

/* Points the interrupted context's uc_stack at alt2: rt_sigreturn applies
 * it as if by sigaltstack. */
static char alt2[ALT_SIZE / 2];

static void move_altstack(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	(void)sig;
	(void)si;
	uc->uc_stack.ss_sp = alt2;
	uc->uc_stack.ss_size = sizeof alt2;
	uc->uc_stack.ss_flags = 0;
}

static int child_has_altstack(void)
{
	stack_t cur;
	if (sigaltstack(NULL, &cur) != 0)
		return 2;
	return cur.ss_sp == alt && cur.ss_size == ALT_SIZE && cur.ss_flags == 0 ? 0 : 3;
}

int main(void)
{
	stack_t cur;
	volatile int main_local = 0;

	CHECK_OK(sigaltstack(NULL, &cur));
	CHECK_EQ(cur.ss_flags, SS_DISABLE);
	CHECK(cur.ss_sp == NULL);
	CHECK_EQ(cur.ss_size, 0);
	ok("no alternate stack at first: SS_DISABLE, NULL, 0");

	stack_t ss = { .ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0 };
	CHECK_OK(sigaltstack(&ss, NULL));
	CHECK_OK(sigaltstack(NULL, &cur));
	CHECK(cur.ss_sp == alt);
	CHECK_EQ(cur.ss_size, ALT_SIZE);
	CHECK_EQ(cur.ss_flags, 0);
	ok("sigaltstack reports the stack it was given, flags 0 outside a handler");

	/* Without SA_ONSTACK: the normal stack. */
	install(SIGUSR2, 0);
	memset(seen, 0, sizeof seen);
	raise(SIGUSR2);
	CHECK(!on_alt(seen[0].local));
	CHECK_EQ(seen[0].inside.ss_flags, 0);
	CHECK_EQ(seen[0].change_errno, 0);
	CHECK(seen[0].uc_stack.ss_sp == alt);
	CHECK_EQ(seen[0].uc_stack.ss_size, ALT_SIZE);
	CHECK_EQ(seen[0].uc_stack.ss_flags, 0);
	ok("a handler without SA_ONSTACK runs on the normal stack");

	/* With SA_ONSTACK; SIGUSR2 (also SA_ONSTACK now) nests inside it. */
	install(SIGUSR1, SA_ONSTACK);
	install(SIGUSR2, SA_ONSTACK);
	memset(seen, 0, sizeof seen);
	raise(SIGUSR1);
	CHECK(on_alt(seen[0].local));
	CHECK(!on_alt((uintptr_t)&main_local));
	CHECK_EQ(seen[0].inside.ss_flags, SS_ONSTACK);
	CHECK(seen[0].inside.ss_sp == alt);
	CHECK_EQ(seen[0].inside.ss_size, ALT_SIZE);
	CHECK_EQ(seen[0].change_errno, EPERM);
	CHECK(seen[0].uc_stack.ss_sp == alt);
	CHECK_EQ(seen[0].uc_stack.ss_size, ALT_SIZE);
	CHECK_EQ(seen[0].uc_stack.ss_flags, 0);
	ok("SA_ONSTACK handler: locals on the alternate stack, SS_ONSTACK, change is EPERM");
	CHECK(on_alt(seen[1].local));
	CHECK(seen[1].local < seen[0].local);
	CHECK_EQ(seen[1].inside.ss_flags, SS_ONSTACK);
	ok("a nested SA_ONSTACK handler runs further down the same alternate stack");

	CHECK_OK(sigaltstack(NULL, &cur));
	CHECK_EQ(cur.ss_flags, 0);
	CHECK_EQ(wait_for(spawn(child_has_altstack)), 0);
	ok("after the handlers flags are 0 again; a child inherits the alternate stack");

	/* Errors, and turning it off. */
	/* Linux's riscv MINSIGSTKSZ is 2048 (glibc's macro may call sysconf). */
	stack_t small = { .ss_sp = alt, .ss_size = 2047, .ss_flags = 0 };
	CHECK_ERR(sigaltstack(&small, NULL), ENOMEM);
	stack_t badflags = { .ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0x100 };
	CHECK_ERR(sigaltstack(&badflags, NULL), EINVAL);
	stack_t off = { .ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE };
	CHECK_OK(sigaltstack(&off, &cur));
	CHECK(cur.ss_sp == alt);
	CHECK_OK(sigaltstack(NULL, &cur));
	CHECK_EQ(cur.ss_flags, SS_DISABLE);
	memset(seen, 0, sizeof seen);
	raise(SIGUSR2);
	CHECK(!on_alt(seen[0].local));
	CHECK_EQ(seen[0].uc_stack.ss_flags, SS_DISABLE);
	ok("ENOMEM below MINSIGSTKSZ, EINVAL for bad flags; SS_DISABLE turns it off");

	/* Old programs pass SS_ONSTACK when setting a stack: Linux accepts it
	 * as 0. */
	stack_t onstack = { .ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = SS_ONSTACK };
	CHECK_OK(sigaltstack(&onstack, NULL));
	CHECK_OK(sigaltstack(NULL, &cur));
	CHECK(cur.ss_sp == alt);
	CHECK_EQ(cur.ss_flags, 0);
	ok("ss_flags SS_ONSTACK when setting is accepted as 0");

	/* rt_sigreturn restores uc_stack as sigaltstack would, once the
	 * registers (so the stack pointer) are back to the interrupted ones. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = move_altstack;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	raise(SIGUSR1);
	CHECK_OK(sigaltstack(NULL, &cur));
	CHECK(cur.ss_sp == alt2);
	CHECK_EQ(cur.ss_size, sizeof alt2);
	CHECK_EQ(cur.ss_flags, 0);
	ok("sigreturn installs the uc_stack a handler changed");
	return 0;
}
