/* thread_waitv: futex_waitv waits on several futexes and returns the index of the one
 * woken (a FUTEX_WAKE from another thread, private or shared); EAGAIN when any word
 * differs, ETIMEDOUT at its absolute deadline (CLOCK_MONOTONIC or CLOCK_REALTIME),
 * EINVAL for bad flags, counts, clocks and unaligned words, EFAULT for an unreadable
 * word or array. A shared futex (no FUTEX_PRIVATE_FLAG) in unmapped or PROT_NONE
 * memory is EFAULT even for FUTEX_WAKE, as Linux's get_futex_key. */
#include "rilltest.h"
#include <linux/futex.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/mman.h>
#include <time.h>

static long waitv(struct futex_waitv *w, unsigned n, unsigned flags, struct timespec *to, int clock)
{
	return syscall(SYS_futex_waitv, w, n, flags, to, clock);
}

static long futex_wake(uint32_t *addr, int n, int op)
{
	return syscall(SYS_futex, addr, op, n, NULL, NULL, 0);
}

static uint32_t words[3];
static struct timespec in_ms(int clock, long ms)
{
	struct timespec t;
	clock_gettime(clock, &t);
	t.tv_nsec += ms * 1000000L;
	t.tv_sec += t.tv_nsec / 1000000000L;
	t.tv_nsec %= 1000000000L;
	return t;
}

static void fill(struct futex_waitv *w, uint32_t flags)
{
	for (int i = 0; i < 3; i++)
		w[i] = (struct futex_waitv){ .val = 0, .uaddr = (uintptr_t)&words[i], .flags = flags };
}

/* The wake operation the waker uses: it must match the waiter's kind of key. */
static int wake_op = FUTEX_WAKE_PRIVATE;

static void *waker(void *arg)
{
	long i = (long)arg;
	sleep_ms(30);
	words[i] = 1;
	return (void *)futex_wake(&words[i], 1, wake_op);
}

static void wakes(void)
{
	struct futex_waitv w[3];
	for (long target = 0; target < 3; target++) {
		memset(words, 0, sizeof words);
		fill(w, FUTEX_32 | FUTEX_PRIVATE_FLAG);
		pthread_t t;
		CHECK_EQ(pthread_create(&t, NULL, waker, (void *)target), 0);
		struct timespec to = in_ms(CLOCK_MONOTONIC, 5000);
		CHECK_EQ(waitv(w, 3, 0, &to, CLOCK_MONOTONIC), target);
		void *woke;
		CHECK_EQ(pthread_join(t, &woke), 0);
		CHECK_EQ((long)woke, 1);
	}
	/* No timeout at all, and a shared (non-private) futex. */
	memset(words, 0, sizeof words);
	fill(w, FUTEX_32);
	wake_op = FUTEX_WAKE;
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, waker, (void *)1), 0);
	CHECK_EQ(waitv(w, 3, 0, NULL, 0), 1);
	CHECK_EQ(pthread_join(t, NULL), 0);
	ok("futex_waitv returns the index of the woken futex");
}

static void failures(void)
{
	struct futex_waitv w[3];
	memset(words, 0, sizeof words);
	fill(w, FUTEX_32 | FUTEX_PRIVATE_FLAG);
	struct timespec to = in_ms(CLOCK_MONOTONIC, 20);
	CHECK_ERR(waitv(w, 3, 0, &to, CLOCK_MONOTONIC), ETIMEDOUT);
	to = in_ms(CLOCK_REALTIME, 20);
	CHECK_ERR(waitv(w, 3, 0, &to, CLOCK_REALTIME), ETIMEDOUT);
	to = in_ms(CLOCK_MONOTONIC, 1000);
	words[2] = 5;
	CHECK_ERR(waitv(w, 3, 0, &to, CLOCK_MONOTONIC), EAGAIN);
	words[2] = 0;
	CHECK_ERR(waitv(w, 3, 1, &to, CLOCK_MONOTONIC), EINVAL);
	CHECK_ERR(waitv(w, 0, 0, &to, CLOCK_MONOTONIC), EINVAL);
	CHECK_ERR(waitv(w, 129, 0, &to, CLOCK_MONOTONIC), EINVAL);
	CHECK_ERR(waitv(NULL, 1, 0, &to, CLOCK_MONOTONIC), EINVAL);
	CHECK_ERR(waitv(w, 3, 0, &to, CLOCK_TAI), EINVAL);
	CHECK_ERR(waitv(BAD_LOW, 1, 0, &to, CLOCK_MONOTONIC), EFAULT);
	CHECK_ERR(waitv(w, 3, 0, BAD_LOW, CLOCK_MONOTONIC), EFAULT);
	w[1].flags = FUTEX_PRIVATE_FLAG; /* no size */
	CHECK_ERR(waitv(w, 3, 0, &to, CLOCK_MONOTONIC), EINVAL);
	w[1].flags = FUTEX_32 | 4;
	CHECK_ERR(waitv(w, 3, 0, &to, CLOCK_MONOTONIC), EINVAL);
	w[1].flags = FUTEX_32;
	w[1].__reserved = 1;
	CHECK_ERR(waitv(w, 3, 0, &to, CLOCK_MONOTONIC), EINVAL);
	w[1].__reserved = 0;
	w[1].uaddr = (uintptr_t)&words[1] + 1;
	CHECK_ERR(waitv(w, 3, 0, &to, CLOCK_MONOTONIC), EINVAL);
	w[1].uaddr = 0;
	CHECK_ERR(waitv(w, 3, 0, &to, CLOCK_MONOTONIC), EFAULT);
	ok("futex_waitv fails as Linux");
}

static void shared_keys_need_memory(void)
{
	long page = sysconf(_SC_PAGESIZE);
	uint32_t *gone = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(gone != MAP_FAILED);
	munmap(gone, page);
	uint32_t *none = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(none != MAP_FAILED);
	CHECK_ERR(futex_wake(gone, 1, FUTEX_WAKE), EFAULT);
	CHECK_ERR(futex_wake(none, 1, FUTEX_WAKE), EFAULT);
	/* A private futex is only an address: nothing is looked at. */
	CHECK_EQ(futex_wake(gone, 1, FUTEX_WAKE_PRIVATE), 0);
	CHECK_EQ(futex_wake(none, 1, FUTEX_WAKE_PRIVATE), 0);
	CHECK_ERR(syscall(SYS_futex, &words[0], FUTEX_CMP_REQUEUE, 1, 1, none, 0), EFAULT);
	CHECK_EQ(syscall(SYS_futex, &words[0], FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, none, 0), 0);
	munmap(none, page);
	ok("a shared futex must be in readable memory");
}

int main(void)
{
	wakes();
	failures();
	shared_keys_need_memory();
	return 0;
}
