/* sig_alarm: alarm() and the ITIMER_REAL interval timer deliver SIGALRM.
 * alarm returns the seconds left of the previous alarm (rounded) and
 * alarm(0) cancels; alarm(1) interrupts pause after about a second, with
 * si_code SI_KERNEL; getitimer reports the interval exactly and a value
 * that counts down; a periodic setitimer delivers SIGALRM again and again
 * until cancelled; bad values are EINVAL; the timer is not inherited by a
 * child; an unhandled SIGALRM terminates. Handlers that run in the middle
 * of floating-point work leave its registers intact. */
#include "rilltest.h"
#include <sys/time.h>

static volatile sig_atomic_t alarms;
static siginfo_t got;
static volatile double junk;

static void on_alarm(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	alarms++;
	got = *si;
	/* Use the floating-point registers the interrupted code uses. */
	double a = 1.5, b = 0.25;
	for (int i = 0; i < 50; i++)
		a = a * b + 3.0 / (a + 1.0);
	junk = a;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int child_timer(void)
{
	struct itimerval it;
	if (getitimer(ITIMER_REAL, &it) != 0)
		return 2;
	if (it.it_value.tv_sec || it.it_value.tv_usec || it.it_interval.tv_sec || it.it_interval.tv_usec)
		return 3;
	return alarm(0) == 0 ? 0 : 4;
}

static int unhandled_alarm(void)
{
	signal(SIGALRM, SIG_DFL);
	struct itimerval it = { { 0, 0 }, { 0, 20000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	for (;;)
		pause();
	return 2;
}

/* Floating-point steps that keep several values in f registers: n steps, or
 * with n < 0 as many as it takes for 20 SIGALRMs to come (*done says how
 * many). Not inlined, so both runs execute the same instructions. */
__attribute__((noinline)) static double work(long n, long *done)
{
	double s = 0, t = 1, u = 1;
	long i;
	for (i = 0; n < 0 ? alarms < 20 : i < n; i++) {
		u = u * 1.0000001 + 0.5 / (t + 2.0);
		t = t * 0.999 + u / 1000.0;
		s += u - t;
	}
	if (done)
		*done = i;
	return s + t + u;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_alarm;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));

	/* alarm's return value. */
	CHECK_EQ(alarm(5), 0);
	CHECK_EQ(alarm(3), 5);
	CHECK_EQ(alarm(0), 3);
	CHECK_EQ(alarm(0), 0);
	ok("alarm returns the previous alarm's seconds (5, 3), alarm(0) cancels");

	/* alarm(1) interrupts pause. */
	alarms = 0;
	double t0 = now();
	CHECK_EQ(alarm(1), 0);
	CHECK_ERR(pause(), EINTR);
	double took = now() - t0;
	CHECK_EQ(alarms, 1);
	if (took < 0.95 || took > 5)
		FAIL("alarm(1) fired after %.3f s", took);
	CHECK_EQ(got.si_signo, SIGALRM);
	CHECK_EQ(got.si_code, SI_KERNEL);
	ok("alarm(1): SIGALRM (si_code SI_KERNEL) ends pause after about a second");

	/* getitimer */
	struct itimerval it = { { 0, 250000 }, { 10, 0 } }, cur, old;
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	CHECK_OK(getitimer(ITIMER_REAL, &cur));
	CHECK_EQ(cur.it_interval.tv_sec, 0);
	CHECK_EQ(cur.it_interval.tv_usec, 250000);
	CHECK(cur.it_value.tv_sec == 9 || (cur.it_value.tv_sec == 10 && cur.it_value.tv_usec == 0));
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	CHECK_OK(setitimer(ITIMER_REAL, &off, &old));
	CHECK_EQ(old.it_interval.tv_usec, 250000);
	CHECK(old.it_value.tv_sec == 9 || old.it_value.tv_sec == 10);
	CHECK_OK(getitimer(ITIMER_REAL, &cur));
	CHECK_EQ(cur.it_value.tv_sec + cur.it_value.tv_usec + cur.it_interval.tv_usec, 0);
	ok("getitimer: interval exact, value counting down from 10 s; setitimer returns the old one");

	/* A periodic timer, then cancelled. */
	struct itimerval every = { { 0, 20000 }, { 0, 20000 } };
	alarms = 0;
	CHECK_OK(setitimer(ITIMER_REAL, &every, NULL));
	while (alarms < 5)
		pause();
	CHECK_OK(setitimer(ITIMER_REAL, &off, NULL));
	sig_atomic_t seen = alarms;
	sleep_ms(100);
	CHECK_EQ(alarms, seen);
	ok("a 20 ms periodic timer fires repeatedly; cancelled, it stops");

	/* Errors; not inherited; default action. */
	struct itimerval bad = { { 0, 0 }, { 0, 1000000 } };
	CHECK_ERR(setitimer(ITIMER_REAL, &bad, NULL), EINVAL);
	bad.it_value.tv_usec = -1;
	CHECK_ERR(setitimer(ITIMER_REAL, &bad, NULL), EINVAL);
	ok("setitimer with tv_usec out of range: EINVAL");

	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	CHECK_EQ(wait_for(spawn(child_timer)), 0);
	CHECK_OK(setitimer(ITIMER_REAL, &off, NULL));
	ok("a child does not inherit the parent's timer");

	CHECK_EQ(wait_for(spawn(unhandled_alarm)), SIGALRM);
	ok("SIGALRM with SIG_DFL terminates (status 14)");

	/* Floating-point state survives handlers: compute while a 1 ms timer
	 * interrupts 20 times, then compute the same without signals. */
	struct itimerval fast = { { 0, 1000 }, { 0, 1000 } };
	alarms = 0;
	long steps;
	CHECK_OK(setitimer(ITIMER_REAL, &fast, NULL));
	double with = work(-1, &steps);
	CHECK_OK(setitimer(ITIMER_REAL, &off, NULL));
	double without = work(steps, NULL);
	if (with != without)
		FAIL("%ld steps gave %.17g with handlers running, %.17g without", steps, with, without);
	ok("floating-point results are the same with 20 handlers run in between");
	return 0;
}
