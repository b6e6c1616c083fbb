/* mem_futex: futexes in MAP_SHARED memory are keyed by the memory object, not the
 * address. A PTHREAD_PROCESS_SHARED mutex in MAP_SHARED|MAP_ANONYMOUS memory
 * serialises 4 processes: no increment is lost (the holder yields inside the critical
 * section, so the others sleep in FUTEX_WAIT and need FUTEX_WAKE from another process).
 * A FUTEX_WAKE reaches a waiter in another process through a different address of the
 * same memory (the parent moved its mapping with mremap); with FUTEX_PRIVATE_FLAG it
 * reaches no one there. */
#include "rilltest.h"
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>

#define PAGE 4096UL
#define WORKERS 4
#define INCREMENTS 20000

struct shared {
	pthread_mutex_t lock;
	long counter;
};

static struct shared *s;
static volatile unsigned *word;

static int worker(void)
{
	for (int i = 0; i < INCREMENTS; i++) {
		if (pthread_mutex_lock(&s->lock) != 0)
			return 2;
		long v = s->counter;
		if (i % 64 == 0)
			sched_yield();
		s->counter = v + 1;
		if (pthread_mutex_unlock(&s->lock) != 0)
			return 3;
	}
	return 0;
}

static long futex(volatile unsigned *addr, int op, unsigned val)
{
	return syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}

/* Waits twice on word[0] (at the address it had at fork), counting in word[1]. */
static int waiter(void)
{
	for (unsigned round = 1; round <= 2; round++) {
		word[1] = round;
		while (word[0] == round - 1)
			if (futex(word, FUTEX_WAIT, round - 1) != 0 && errno != EAGAIN && errno != EINTR)
				return 2;
	}
	return 0;
}

/* Wakes through `addr` until one waiter is woken (the waiter may not sleep yet). */
static void wake_one(volatile unsigned *addr)
{
	for (int i = 0; i < 2000; i++) {
		long n = futex(addr, FUTEX_WAKE, 1);
		CHECK(n >= 0);
		if (n == 1)
			return;
		sleep_ms(1);
	}
	FAIL("no waiter was woken through a second address of the shared memory");
}

int main(void)
{
	s = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(s != MAP_FAILED);
	pthread_mutexattr_t attr;
	CHECK_EQ(pthread_mutexattr_init(&attr), 0);
	CHECK_EQ(pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED), 0);
	CHECK_EQ(pthread_mutex_init(&s->lock, &attr), 0);
	pid_t kids[WORKERS];
	for (int i = 0; i < WORKERS; i++)
		kids[i] = spawn(worker);
	for (int i = 0; i < WORKERS; i++)
		CHECK_EQ(wait_for(kids[i]), 0);
	CHECK_EQ(s->counter, (long)WORKERS * INCREMENTS);
	ok("a PTHREAD_PROCESS_SHARED mutex in MAP_SHARED memory serialises 4 processes");

	word = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(word != MAP_FAILED);
	pid_t c = spawn(waiter);
	/* Move this process's mapping: the child still waits at the old address. */
	void *target = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(target != MAP_FAILED);
	volatile unsigned *moved = mremap((void *)word, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
					  target);
	CHECK(moved == target);
	while (moved[1] != 1)
		sleep_ms(1);
	moved[0] = 1;
	wake_one(moved);
	while (moved[1] != 2)
		sleep_ms(1);
	sleep_ms(20);
	moved[0] = 2;
	CHECK_EQ(futex(moved, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1), 0);
	wake_one(moved);
	CHECK_EQ(wait_for(c), 0);
	ok("FUTEX_WAKE reaches another process's waiter through another address of the same memory");
	ok("FUTEX_PRIVATE_FLAG does not reach another process");
	return 0;
}
