/* thread_mutex_stress: 16 threads each lock and unlock one pthread mutex (a futex
 * word: contended lockers sleep in FUTEX_WAIT, unlockers FUTEX_WAKE them) 100,000
 * times and increment a plain counter inside; no update may be lost and no thread
 * may sleep forever (a lost wake-up would hang the test). */
#include "rilltest.h"
#include <pthread.h>

#define THREADS 16
#define ROUNDS 100000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t start;
static long counter;

static void *hammer(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&start);
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&lock);
		/* A read and a write apart, so that an unprotected increment would lose updates. */
		long seen = counter;
		__asm__ volatile("" ::: "memory");
		counter = seen + 1;
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

int main(void)
{
	pthread_t threads[THREADS];
	CHECK_EQ(pthread_barrier_init(&start, NULL, THREADS), 0);
	for (int i = 0; i < THREADS; i++)
		CHECK_EQ(pthread_create(&threads[i], NULL, hammer, NULL), 0);
	for (int i = 0; i < THREADS; i++)
		CHECK_EQ(pthread_join(threads[i], NULL), 0);
	CHECK_EQ(counter, (long)THREADS * ROUNDS);
	CHECK_EQ(pthread_mutex_trylock(&lock), 0);
	CHECK_EQ(pthread_mutex_unlock(&lock), 0);
	ok("16 threads x 100000 pthread_mutex lock/unlock: no lost update, mutex free at the end");
	return 0;
}
