/* thread_futex: the futex operations threads and C libraries use.
 * FUTEX_WAIT with a stale value is EAGAIN, with a timeout ETIMEDOUT, and a
 * handled signal makes it EINTR (an untimed one resumes under SA_RESTART); FUTEX_WAIT_BITSET takes an absolute timeout
 * (CLOCK_MONOTONIC, or CLOCK_REALTIME with FUTEX_CLOCK_REALTIME) and wakes
 * only for a matching bitset; FUTEX_CMP_REQUEUE checks the word (EAGAIN) and
 * moves waiters to another futex; FUTEX_WAKE_OP changes the second word and
 * wakes by its old value; a shared futex in MAP_SHARED memory works between
 * processes; a robust mutex whose owner thread exits is EOWNERDEAD for the
 * next locker; set_robust_list/get_robust_list. */
#include "rilltest.h"
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>

static long futex(volatile int *addr, int op, int val, const struct timespec *ts,
		  volatile int *addr2, int val3)
{
	return syscall(SYS_futex, addr, op, val, ts, addr2, val3);
}

#define PRIV FUTEX_PRIVATE_FLAG

static volatile int word, word2;
static volatile int woken_count;

static void *wait_on_word(void *arg)
{
	int bitset = (int)(long)arg;
	long r = futex(&word, FUTEX_WAIT_BITSET | PRIV, 0, NULL, NULL, bitset);
	if (r == 0)
		__atomic_fetch_add(&woken_count, 1, __ATOMIC_SEQ_CST);
	return (void *)r;
}

/* Gives the new threads time to reach their FUTEX_WAIT. */
static void let_them_sleep(void)
{
	for (int i = 0; i < 50; i++)
		sched_yield();
	sleep_ms(30);
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void *send_usr1_later(void *arg)
{
	sleep_ms(50);
	pthread_kill(*(pthread_t *)arg, SIGUSR1);
	return NULL;
}

/* Signals the waiter, then releases it by changing the word and waking it. */
static void *signal_then_wake(void *arg)
{
	sleep_ms(50);
	pthread_kill(*(pthread_t *)arg, SIGUSR1);
	sleep_ms(50);
	word = 2;
	futex(&word, FUTEX_WAKE | PRIV, 1, NULL, NULL, 0);
	return NULL;
}

static void basics(void)
{
	struct timespec ts = { 0, 20 * 1000000 };
	word = 1;
	CHECK_ERR(futex(&word, FUTEX_WAIT | PRIV, 0, NULL, NULL, 0), EAGAIN);
	CHECK_ERR(futex(&word, FUTEX_WAIT, 0, NULL, NULL, 0), EAGAIN);
	CHECK_ERR(futex(&word, FUTEX_WAIT | PRIV, 1, &ts, NULL, 0), ETIMEDOUT);
	CHECK_ERR(futex((int *)((char *)&word + 1), FUTEX_WAIT, 1, &ts, NULL, 0), EINVAL);
	CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET | PRIV, 1, NULL, NULL, 0), EINVAL);
	CHECK_ERR(futex(&word, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0), ENOSYS);
	CHECK_ERR(futex(&word, 99, 1, NULL, NULL, 0), ENOSYS);
	CHECK_EQ(futex(&word, FUTEX_WAKE | PRIV, 1, NULL, NULL, 0), 0);
	ok("FUTEX_WAIT: EAGAIN on a stale value, ETIMEDOUT, EINVAL, ENOSYS");

	struct timespec now, abs;
	clock_gettime(CLOCK_MONOTONIC, &now);
	abs = now;
	abs.tv_nsec += 30 * 1000000;
	if (abs.tv_nsec >= 1000000000) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000;
	}
	CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET | PRIV, 1, &abs, NULL, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
	struct timespec after;
	clock_gettime(CLOCK_MONOTONIC, &after);
	CHECK(after.tv_sec > abs.tv_sec || (after.tv_sec == abs.tv_sec && after.tv_nsec >= abs.tv_nsec));
	clock_gettime(CLOCK_REALTIME, &now);
	now.tv_nsec = 0; /* a moment already past */
	CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET | PRIV | FUTEX_CLOCK_REALTIME, 1, &now, NULL, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
	ok("FUTEX_WAIT_BITSET: absolute timeouts on both clocks");

	struct sigaction sa = { 0 };
	sa.sa_handler = on_usr1;
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	pthread_t me = pthread_self(), t;
	CHECK_EQ(pthread_create(&t, NULL, send_usr1_later, &me), 0);
	CHECK_ERR(futex(&word, FUTEX_WAIT | PRIV, 1, NULL, NULL, 0), EINTR);
	CHECK_EQ(pthread_join(t, NULL), 0);
	ok("a handled signal makes FUTEX_WAIT EINTR");

	/* With SA_RESTART an untimed wait resumes (and ends on the wake); a timed
	 * one is EINTR all the same. */
	sa.sa_flags = SA_RESTART;
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	CHECK_EQ(pthread_create(&t, NULL, signal_then_wake, &me), 0);
	CHECK_EQ(futex(&word, FUTEX_WAIT | PRIV, 1, NULL, NULL, 0), 0);
	CHECK_EQ(word, 2);
	CHECK_EQ(pthread_join(t, NULL), 0);
	word = 1;
	struct timespec long_ts = { 5, 0 };
	CHECK_EQ(pthread_create(&t, NULL, send_usr1_later, &me), 0);
	CHECK_ERR(futex(&word, FUTEX_WAIT | PRIV, 1, &long_ts, NULL, 0), EINTR);
	CHECK_EQ(pthread_join(t, NULL), 0);
	ok("SA_RESTART resumes an untimed FUTEX_WAIT, not a timed one");
}

static void bitsets(void)
{
	pthread_t t[2];
	word = 0;
	woken_count = 0;
	CHECK_EQ(pthread_create(&t[0], NULL, wait_on_word, (void *)1L), 0);
	CHECK_EQ(pthread_create(&t[1], NULL, wait_on_word, (void *)2L), 0);
	let_them_sleep();
	CHECK_EQ(futex(&word, FUTEX_WAKE_BITSET | PRIV, 10, NULL, NULL, 4), 0);
	CHECK_EQ(futex(&word, FUTEX_WAKE_BITSET | PRIV, 10, NULL, NULL, 2), 1);
	CHECK_EQ(pthread_join(t[1], NULL), 0);
	CHECK_EQ(woken_count, 1);
	CHECK_EQ(futex(&word, FUTEX_WAKE | PRIV, 10, NULL, NULL, 0), 1);
	CHECK_EQ(pthread_join(t[0], NULL), 0);
	CHECK_EQ(woken_count, 2);
	ok("FUTEX_WAKE_BITSET wakes only matching waiters");
}

static void requeue(void)
{
	pthread_t t[3];
	word = 0;
	word2 = 0;
	woken_count = 0;
	for (int i = 0; i < 3; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, wait_on_word, (void *)-1L), 0);
	let_them_sleep();
	CHECK_ERR(futex(&word, FUTEX_CMP_REQUEUE | PRIV, 1, (void *)2L, &word2, 5), EAGAIN);
	CHECK_ERR(futex(&word, FUTEX_CMP_REQUEUE | PRIV, -1, (void *)2L, &word2, 0), EINVAL);
	/* One woken, two moved to word2. */
	CHECK_EQ(futex(&word, FUTEX_CMP_REQUEUE | PRIV, 1, (void *)2L, &word2, 0), 3);
	sleep_ms(20);
	CHECK_EQ(woken_count, 1);
	CHECK_EQ(futex(&word, FUTEX_WAKE | PRIV, 10, NULL, NULL, 0), 0);
	CHECK_EQ(futex(&word2, FUTEX_WAKE | PRIV, 10, NULL, NULL, 0), 2);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(pthread_join(t[i], NULL), 0);
	CHECK_EQ(woken_count, 3);
	ok("FUTEX_CMP_REQUEUE checks the word and moves waiters");

	/* FUTEX_WAKE_OP: word2 += 1 (old 0), wake one on word, and one on word2
	 * if the old value was 0 (nobody waits there). */
	woken_count = 0;
	CHECK_EQ(pthread_create(&t[0], NULL, wait_on_word, (void *)-1L), 0);
	let_them_sleep();
	int op = FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0);
	CHECK_EQ(futex(&word, FUTEX_WAKE_OP | PRIV, 1, (void *)1L, &word2, op), 1);
	CHECK_EQ(word2, 1);
	op = FUTEX_OP((FUTEX_OP_OPARG_SHIFT | FUTEX_OP_OR), 4, FUTEX_OP_CMP_GT, 5);
	CHECK_EQ(futex(&word, FUTEX_WAKE_OP | PRIV, 1, (void *)1L, &word2, op), 0);
	CHECK_EQ(word2, 17);
	CHECK_EQ(pthread_join(t[0], NULL), 0);
	ok("FUTEX_WAKE_OP changes the second word and wakes");
}

/* A word in memory both processes map. */
static volatile int *shared_word;

static int shared_child(void)
{
	shared_word[1] = 1;
	long r = futex(shared_word, FUTEX_WAIT, 0, NULL, NULL, 0);
	return r == 0 ? 7 : 1;
}

static void shared(void)
{
	shared_word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(shared_word != MAP_FAILED);
	pid_t pid = spawn(shared_child);
	while (!shared_word[1])
		sched_yield();
	sleep_ms(30);
	/* A private wake is keyed by our address space: it cannot reach the child. */
	CHECK_EQ(futex(shared_word, FUTEX_WAKE | PRIV, 1, NULL, NULL, 0), 0);
	CHECK_EQ(futex(shared_word, FUTEX_WAKE, 1, NULL, NULL, 0), 1);
	int st = wait_for(pid);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 7);
	ok("a shared futex in MAP_SHARED memory works between processes");
}

static pthread_mutex_t robust;

static void *lock_and_exit(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&robust);
	return NULL;
}

static void robust_mutex(void)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	CHECK_EQ(pthread_mutex_init(&robust, &a), 0);
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, lock_and_exit, NULL), 0);
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK_EQ(pthread_mutex_lock(&robust), EOWNERDEAD);
	CHECK_EQ(pthread_mutex_consistent(&robust), 0);
	CHECK_EQ(pthread_mutex_unlock(&robust), 0);
	CHECK_EQ(pthread_mutex_lock(&robust), 0);
	CHECK_EQ(pthread_mutex_unlock(&robust), 0);
	ok("a robust mutex whose owner exited is EOWNERDEAD");

	/* qemu-user has no get_robust_list (ENOSYS); Linux agrees with what follows. */
	if (!on_rill()) {
		ok("set_robust_list and get_robust_list");
		return;
	}
	void *head;
	size_t len;
	CHECK_OK(syscall(SYS_get_robust_list, 0, &head, &len));
	CHECK_EQ(len, 24);
	CHECK(head != NULL);
	CHECK_ERR(syscall(SYS_set_robust_list, head, 23), EINVAL);
	CHECK_OK(syscall(SYS_set_robust_list, head, 24));
	CHECK_ERR(syscall(SYS_get_robust_list, 999999, &head, &len), ESRCH);
	ok("set_robust_list and get_robust_list");
}

int main(void)
{
	basics();
	bitsets();
	requeue();
	shared();
	robust_mutex();
	return 0;
}
