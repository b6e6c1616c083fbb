/* cputime_rusage: the CPU-time clocks and counters stay monotonic and consistent
 * however often they are read: CLOCK_THREAD_CPUTIME_ID, CLOCK_PROCESS_CPUTIME_ID,
 * getrusage's user and system times and times()'s never go back, a thread's clock
 * never passes its process's, and user plus system time never passes the process
 * clock. Busy user-mode work shows as user time; sleeping adds almost nothing. */
#include "rilltest.h"
#include <sys/resource.h>
#include <sys/times.h>

static long long clock_ns(clockid_t id)
{
	struct timespec ts;
	if (clock_gettime(id, &ts) != 0)
		FAIL("clock_gettime(%d) failed with %s", (int)id, errname(errno));
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long tv_us(struct timeval tv)
{
	return tv.tv_sec * 1000000LL + tv.tv_usec;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	/* Reads of every kind in turn, for 150 ms of CPU time (or 5 s of real time on a
	 * loaded host), with some user-mode work between them: each value only grows. */
	long long last_thread = 0, last_proc = 0, last_user = 0, last_sys = 0;
	long last_tms_user = 0, last_tms_sys = 0;
	long long start = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	double end = now() + 5;
	volatile unsigned long spin = 0;
	int rounds = 0;
	while (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - start < 150000000LL && now() < end) {
		for (int i = 0; i < 2000; i++)
			spin += i;
		long long thread = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		long long proc = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
		struct rusage ru;
		CHECK_OK(getrusage(RUSAGE_SELF, &ru));
		long long user = tv_us(ru.ru_utime), sys = tv_us(ru.ru_stime);
		long long after = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
		struct tms t;
		times(&t);
		CHECK(thread >= last_thread);
		CHECK(proc >= last_proc);
		CHECK(thread <= proc);
		CHECK(user >= last_user);
		CHECK(sys >= last_sys);
		CHECK((user + sys) * 1000 <= after);
		CHECK(t.tms_utime >= last_tms_user);
		CHECK(t.tms_stime >= last_tms_sys);
		last_thread = thread;
		last_proc = proc;
		last_user = user;
		last_sys = sys;
		last_tms_user = t.tms_utime;
		last_tms_sys = t.tms_stime;
		rounds++;
	}
	CHECK(rounds > 10);
	ok("CPU clocks, getrusage and times never go back; a thread's clock stays within its "
	   "process's, user plus system time within the process clock");

	/* 200 ms of busy user-mode work: the process clock sees all of it, and most of it
	 * is user time. */
	struct rusage before, after;
	CHECK_OK(getrusage(RUSAGE_SELF, &before));
	long long cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	end = now() + 5;
	while (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0 < 200000000LL && now() < end)
		for (int i = 0; i < 100000; i++)
			spin += i;
	CHECK_OK(getrusage(RUSAGE_SELF, &after));
	long long used = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	long long user_us = tv_us(after.ru_utime) - tv_us(before.ru_utime);
	CHECK(used >= 200000000LL);
	CHECK(user_us >= 100000);
	ok("busy user-mode work counts in the process clock, mostly as user time");

	/* Asleep, the clocks barely move. */
	long long thread0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	sleep_ms(200);
	CHECK(clock_ns(CLOCK_THREAD_CPUTIME_ID) - thread0 < 20000000LL);
	CHECK(clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0 < 20000000LL);
	ok("200 ms asleep adds under 20 ms to the CPU clocks");
	return 0;
}
