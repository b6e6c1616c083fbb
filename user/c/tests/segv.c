/* segv: faults in user programs become signals, and only the faulting
 * process dies. Children store through NULL, write to a PROT_READ page, jump
 * into a readable but not executable page, execute an illegal instruction
 * and load from a kernel address; the parent checks each wait status. */
#include "rilltest.h"
#include <sys/mman.h>

#define PAGE 4096

static int null_store(void)
{
	volatile int *volatile p = NULL;
	*p = 1;
	return 0;
}

static int readonly_store(void)
{
	char *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 2;
	*(volatile char *)p = 1;
	return 0;
}

static int exec_data(void)
{
	/* Zeroed, readable and writable, but without PROT_EXEC. */
	void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 2;
	void (*volatile fn)(void) = (void (*)(void))p;
	fn();
	return 0;
}

static int illegal_instruction(void)
{
	__asm__ volatile(".word 0x00000000");
	return 0;
}

static int kernel_load(void)
{
	return *(volatile char *)BAD_KERNEL;
}

static void expect_signal(const char *what, int (*fn)(void), int sig)
{
	int status = wait_for(spawn(fn));
	if (!WIFSIGNALED(status))
		FAIL("%s: child was not killed by a signal (status 0x%x)", what, status);
	CHECK_EQ(WTERMSIG(status), sig);
	CHECK_EQ(status, sig);
	printf("ok: %s -> killed by signal %d (SIG%s)\n", what, WTERMSIG(status),
	       sigabbrev_np(WTERMSIG(status)));
}

int main(void)
{
	no_core_dumps();
	expect_signal("store to NULL", null_store, SIGSEGV);
	expect_signal("store to a PROT_READ page", readonly_store, SIGSEGV);
	expect_signal("jump into a non-executable page", exec_data, SIGSEGV);
	expect_signal("illegal instruction", illegal_instruction, SIGILL);
	expect_signal("load from a kernel address", kernel_load, SIGSEGV);
	ok("the parent survived every fault");
	return 0;
}
