/* sig_segv: handling faults.
 * A store through NULL raises SIGSEGV with si_code SEGV_MAPERR and si_addr
 * 0; the handler recovers with siglongjmp, which also unblocks SIGSEGV, so a
 * second fault is handled the same way. A store to a PROT_READ page gives
 * SEGV_ACCERR with the exact address, one to an unmapped page SEGV_MAPERR.
 * A handler can instead resume after the faulting instruction by advancing
 * the pc in its ucontext (a store through NULL, an illegal instruction with
 * SIGILL/ILL_ILLOPC at that pc). A fault while SIGSEGV is blocked or ignored
 * kills the process with SIGSEGV. Infinite recursion overflows the stack and
 * the SIGSEGV handler still runs, on an alternate stack. */
#include "rilltest.h"
#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>
#include <ucontext.h>

#define PAGE 4096

static sigjmp_buf env;
static siginfo_t got;
static volatile sig_atomic_t hits;
static volatile int skip; /* 1: the handler resumes at pc + 4 instead of jumping */

/* Stores zero to a0 with one 4-byte instruction, so pc + 4 is the ret. */
void store_word(void *p);
__asm__(".text\n"
	".globl store_word\n"
	"store_word:\n"
	".option push\n"
	".option norvc\n"
	"	sw zero, 0(a0)\n"
	".option pop\n"
	"	ret\n");

/* Executes csrw cycle (read-only, so illegal in user mode: 4 bytes). */
void illegal_insn(void);
__asm__(".text\n"
	".globl illegal_insn\n"
	"illegal_insn:\n"
	"	.4byte 0xc0001073\n"
	"	ret\n");

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	(void)sig;
	got = *si;
	hits++;
	if (skip)
		uc->uc_mcontext.__gregs[REG_PC] += 4;
	else
		siglongjmp(env, 1);
}

static void install(int sig, int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(sig, &sa, NULL));
}

/* Runs *p = 1 expecting a SIGSEGV that the handler longjmps out of. */
static void fault_store(volatile int *p, int code)
{
	hits = 0;
	memset(&got, 0, sizeof got);
	if (sigsetjmp(env, 1) == 0) {
		*p = 1;
		FAIL("the store to %p did not fault", (void *)p);
	}
	CHECK_EQ(hits, 1);
	CHECK_EQ(got.si_signo, SIGSEGV);
	CHECK_EQ(got.si_code, code);
	CHECK(got.si_addr == (void *)p);
	sigset_t now;
	CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &now));
	CHECK(!sigismember(&now, SIGSEGV));
}

static int null_store_blocked(void)
{
	sigset_t segv;
	sigemptyset(&segv);
	sigaddset(&segv, SIGSEGV);
	sigprocmask(SIG_BLOCK, &segv, NULL);
	*(volatile int *)BAD_NULL = 1;
	return 0;
}

static int null_store_ignored(void)
{
	signal(SIGSEGV, SIG_IGN);
	*(volatile int *)BAD_NULL = 1;
	return 0;
}

static volatile unsigned long depth;
static volatile int forever = 1; /* the compiler cannot see the recursion never ends */

static int recurse(int n)
{
	volatile char pad[512];
	pad[0] = (char)n;
	depth++;
	return forever ? recurse(n + 1) + pad[0] : 0;
}

int main(void)
{
	no_core_dumps();
	install(SIGSEGV, 0);

	fault_store(BAD_NULL, SEGV_MAPERR);
	ok("store to NULL: SIGSEGV, SEGV_MAPERR, si_addr 0, recovered by siglongjmp");
	fault_store(BAD_NULL, SEGV_MAPERR);
	ok("a second store to NULL is handled the same way (siglongjmp unblocked SIGSEGV)");

	char *ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED);
	fault_store((volatile int *)(ro + 64), SEGV_ACCERR);
	ok("store to a PROT_READ page: SEGV_ACCERR, si_addr the stored address");
	CHECK_OK(munmap(ro, PAGE));
	fault_store((volatile int *)(ro + 128), SEGV_MAPERR);
	ok("store to an unmapped page: SEGV_MAPERR, si_addr the stored address");

	/* Resume after the faulting instruction. */
	skip = 1;
	hits = 0;
	store_word(NULL);
	CHECK_EQ(hits, 1);
	CHECK_EQ(got.si_code, SEGV_MAPERR);
	CHECK(got.si_addr == NULL);
	ok("a handler that advances the pc resumes after the faulting store");

	install(SIGILL, 0);
	hits = 0;
	illegal_insn();
	CHECK_EQ(hits, 1);
	CHECK_EQ(got.si_signo, SIGILL);
	CHECK_EQ(got.si_code, ILL_ILLOPC);
	CHECK(got.si_addr == (void *)illegal_insn);
	ok("illegal instruction: SIGILL, ILL_ILLOPC, si_addr its pc; resumed after it");
	skip = 0;

	/* Blocked or ignored, a fault still kills. */
	int status = wait_for(spawn(null_store_blocked));
	CHECK_EQ(status, SIGSEGV);
	status = wait_for(spawn(null_store_ignored));
	CHECK_EQ(status, SIGSEGV);
	ok("a fault with SIGSEGV blocked or ignored kills with SIGSEGV");

	/* Stack overflow: only an alternate stack leaves room for the handler. */
	static char altstack[64 * 1024];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
	CHECK_OK(sigaltstack(&ss, NULL));
	install(SIGSEGV, SA_ONSTACK);
	hits = 0;
	if (sigsetjmp(env, 1) == 0) {
		recurse(0);
		FAIL("unbounded recursion returned");
	}
	CHECK_EQ(hits, 1);
	CHECK_EQ(got.si_signo, SIGSEGV);
	CHECK(depth > 1000);
	ok("stack overflow: the SIGSEGV handler runs on the alternate stack");
	return 0;
}
