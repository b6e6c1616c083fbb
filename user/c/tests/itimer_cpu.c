/* itimer_cpu: the CPU-time interval timers and clocks. ITIMER_VIRTUAL counts
 * the process's user time and sends SIGVTALRM, ITIMER_PROF counts user and
 * system time and sends SIGPROF; time spent asleep counts for neither, nor for
 * CLOCK_PROCESS_CPUTIME_ID. getitimer reports the interval exactly and a value
 * no larger than the one set; a fork does not inherit the timers; an unhandled
 * SIGVTALRM terminates. The argument checks come in Linux's order: an unknown
 * timer is EINVAL before a bad pointer is EFAULT, and setitimer with a bad
 * old-value pointer is EFAULT with the new timer already in force. getrusage
 * and times report the same CPU time, a reaped child's as the children's. */
#include "rilltest.h"
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>

static volatile sig_atomic_t vtalrms, profs;

static void on_timer(int sig)
{
	if (sig == SIGVTALRM)
		vtalrms++;
	else if (sig == SIGPROF)
		profs++;
}

static long long cpu_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
		FAIL("clock_gettime failed with %s", errname(errno));
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void set_timer(int which, long sec, long usec, long isec, long iusec)
{
	struct itimerval it = { { isec, iusec }, { sec, usec } };
	CHECK_OK(setitimer(which, &it, NULL));
}

/* Busy user-mode work until *count reaches want or 5 s of real time pass. */
static void spin_until(volatile sig_atomic_t *count, int want)
{
	double end = now() + 5;
	while (*count < want && now() < end)
		;
}

static int child_timers(void)
{
	struct itimerval it;
	for (int which = ITIMER_VIRTUAL; which <= ITIMER_PROF; which++) {
		if (getitimer(which, &it) != 0)
			return 2;
		if (it.it_value.tv_sec || it.it_value.tv_usec || it.it_interval.tv_sec || it.it_interval.tv_usec)
			return 3;
	}
	return 0;
}

static long long tv_ms(struct timeval tv)
{
	return tv.tv_sec * 1000LL + tv.tv_usec / 1000;
}

/* 200 ms of CPU time, then exit. */
static int busy_child(void)
{
	long long start = cpu_ns();
	while (cpu_ns() - start < 200000000LL)
		;
	return 0;
}

static int unhandled_vtalrm(void)
{
	signal(SIGVTALRM, SIG_DFL);
	set_timer(ITIMER_VIRTUAL, 0, 20000, 0, 0);
	double end = now() + 5;
	while (now() < end)
		;
	return 2;
}

int main(void)
{
	struct itimerval it;
	signal(SIGVTALRM, on_timer);
	signal(SIGPROF, on_timer);

	for (int which = ITIMER_VIRTUAL; which <= ITIMER_PROF; which++) {
		CHECK_OK(getitimer(which, &it));
		CHECK_EQ(it.it_value.tv_sec + it.it_value.tv_usec + it.it_interval.tv_sec + it.it_interval.tv_usec, 0);
		set_timer(which, 100, 10000, 100, 10000);
		CHECK_OK(getitimer(which, &it));
		CHECK_EQ(it.it_interval.tv_sec, 100);
		CHECK_EQ(it.it_interval.tv_usec, 10000);
		long long left = it.it_value.tv_sec * 1000000LL + it.it_value.tv_usec;
		/* Linux adds a tick (4 ms at HZ=250) to a CPU timer's first period. */
		CHECK(left <= 100020000LL && left > 99000000LL);
		set_timer(which, 0, 0, 0, 0);
		CHECK_OK(getitimer(which, &it));
		CHECK_EQ(it.it_value.tv_sec + it.it_value.tv_usec + it.it_interval.tv_sec + it.it_interval.tv_usec, 0);
	}
	ok("getitimer: the interval exactly, a value no larger than set; disarmed reads zero");

	/* Asleep, neither timer advances and the CPU clock barely moves. */
	set_timer(ITIMER_VIRTUAL, 0, 50000, 0, 0);
	set_timer(ITIMER_PROF, 0, 50000, 0, 0);
	long long before = cpu_ns();
	sleep_ms(300);
	long long slept = cpu_ns() - before;
	CHECK_EQ(vtalrms, 0);
	CHECK_EQ(profs, 0);
	CHECK(slept >= 0 && slept < 40000000LL);
	ok("300 ms asleep: no SIGVTALRM or SIGPROF from 50 ms timers, CPU clock < 40 ms");

	/* Busy in user mode, both run out. */
	spin_until(&profs, 1);
	spin_until(&vtalrms, 1);
	CHECK_EQ(vtalrms, 1);
	CHECK_EQ(profs, 1);
	/* Linux charges the timers by ticks (a tick's sample may count more than ran), so
	 * only Rill, which charges exactly, promises the CPU clock has reached them. */
	if (on_rill())
		CHECK(cpu_ns() - before >= 50000000LL);
	CHECK_OK(getitimer(ITIMER_VIRTUAL, &it));
	CHECK_EQ(it.it_value.tv_sec + it.it_value.tv_usec, 0);
	ok("busy: one SIGVTALRM and one SIGPROF, then the one-shot timers read zero");

	/* Periodic, until cancelled. */
	vtalrms = 0;
	set_timer(ITIMER_VIRTUAL, 0, 10000, 0, 10000);
	spin_until(&vtalrms, 5);
	set_timer(ITIMER_VIRTUAL, 0, 0, 0, 0);
	CHECK(vtalrms >= 5);
	profs = 0;
	set_timer(ITIMER_PROF, 0, 10000, 0, 10000);
	spin_until(&profs, 5);
	set_timer(ITIMER_PROF, 0, 0, 0, 0);
	CHECK(profs >= 5);
	ok("periodic ITIMER_VIRTUAL and ITIMER_PROF fire again and again");

	set_timer(ITIMER_VIRTUAL, 30, 0, 1, 0);
	CHECK_EQ(WEXITSTATUS(wait_for(spawn(child_timers))), 0);
	set_timer(ITIMER_VIRTUAL, 0, 0, 0, 0);
	int st = wait_for(spawn(unhandled_vtalrm));
	CHECK(WIFSIGNALED(st));
	CHECK_EQ(WTERMSIG(st), SIGVTALRM);
	ok("a child starts without the timers; an unhandled SIGVTALRM terminates");

	struct rusage ru;
	CHECK_OK(getrusage(RUSAGE_SELF, &ru));
	long long self_ms = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
	CHECK(tv_ms(ru.ru_utime) >= 100);
	CHECK(self_ms * 1000000LL <= cpu_ns() + 1000000LL);
	struct tms t;
	clock_t at = times(&t);
	CHECK(t.tms_utime >= 10);
	/* The reaped children ran ~20 ms; a loaded host stretches that, never to 0.5 s. */
	CHECK(t.tms_cutime + t.tms_cstime < 50);
	sleep_ms(100);
	clock_t later = times(NULL);
	CHECK(later - at >= 9 && later - at <= 50);
	CHECK_OK(getrusage(RUSAGE_CHILDREN, &ru));
	long long children_before = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
	CHECK(children_before < 500);
	CHECK_EQ(WEXITSTATUS(wait_for(spawn(busy_child))), 0);
	CHECK_OK(getrusage(RUSAGE_CHILDREN, &ru));
	long long children = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime) - children_before;
	CHECK(children >= 190 && children < 1000);
	CHECK_ERR(getrusage(5, &ru), EINVAL);
	CHECK_ERR(syscall(SYS_getrusage, RUSAGE_SELF, BAD_LOW), EFAULT);
	CHECK_ERR(syscall(SYS_times, BAD_LOW), EFAULT);
	ok("getrusage and times: the process's CPU time, a reaped child's among the children's");

	CHECK_ERR(syscall(SYS_getitimer, 3, &it), EINVAL);
	CHECK_ERR(syscall(SYS_getitimer, -ITIMER_PROF, BAD_LOW), EINVAL);
	CHECK_ERR(syscall(SYS_getitimer, ITIMER_VIRTUAL, BAD_LOW), EFAULT);
	CHECK_ERR(syscall(SYS_getitimer, ITIMER_REAL, BAD_KERNEL), EFAULT);
	struct itimerval v = { { 0, 0 }, { 30, 0 } };
	CHECK_ERR(syscall(SYS_setitimer, -ITIMER_PROF, &v, &it), EINVAL);
	CHECK_ERR(syscall(SYS_setitimer, ITIMER_PROF, BAD_LOW, &it), EFAULT);
	CHECK_ERR(syscall(SYS_setitimer, ITIMER_VIRTUAL, &v, BAD_LOW), EFAULT);
	CHECK_OK(getitimer(ITIMER_VIRTUAL, &it));
	CHECK(it.it_value.tv_sec >= 29 && it.it_value.tv_sec <= 30);
	set_timer(ITIMER_VIRTUAL, 0, 0, 0, 0);
	v.it_value.tv_usec = 1000000;
	CHECK_ERR(syscall(SYS_setitimer, ITIMER_PROF, &v, NULL), EINVAL);
	ok("EINVAL for an unknown timer first, then EFAULT; a bad old value leaves the new timer set");
	return 0;
}
