/* proc_wchan: what a blocked process waits on, and the system load and idle time,
 * as /proc shows them. A child blocked in a pipe read, msgrcv, semop, sigsuspend or pause has
 * /proc/PID/wchan "pipe_read", "msgrcv", "semop", "sigsuspend" or "poll" (glibc's pause
 * is ppoll with no descriptors) on Rill; Linux prints the kernel function it sleeps in,
 * so the names are checked on Rill only. A running task's is "0" everywhere. ps (on
 * Rill: the guest's ps) shows the name in its WCHAN column. /proc/loadavg has
 * Linux's format, and sysinfo's loads are its averages with 16 fraction bits. */
#include "rilltest.h"
#include <pthread.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/sysinfo.h>

static int pipe_fds[2];
static int msq, semid;

static int read_pipe(void)
{
	char c;
	return read(pipe_fds[0], &c, 1) == 1 ? 0 : 1;
}

static int receive(void)
{
	struct {
		long type;
		char text[8];
	} m;
	return msgrcv(msq, &m, sizeof m.text, 0, 0) >= 0 ? 0 : 1;
}

static int decrement(void)
{
	struct sembuf op = { 0, -1, 0 };
	return semop(semid, &op, 1) == 0 ? 0 : 1;
}

static void on_usr1(int sig)
{
	(void)sig;
}

static int wait_signal(void)
{
	pause();
	return 0;
}

static int suspend(void)
{
	sigset_t none;
	sigemptyset(&none);
	sigsuspend(&none);
	return 0;
}

/* /proc/PID/wchan once the child has gone to sleep (up to 2 s). */
static const char *wchan_of(pid_t pid)
{
	static char buf[64];
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/wchan", (int)pid);
	for (int i = 0; i < 200; i++) {
		int fd = open(path, O_RDONLY);
		CHECK(fd >= 0);
		long n = read(fd, buf, sizeof buf - 1);
		CHECK(n >= 0);
		close(fd);
		buf[n] = 0;
		if (strcmp(buf, "0") != 0)
			return buf;
		sleep_ms(10);
	}
	return buf;
}

static void blocked_child(int (*fn)(void), const char *want, void (*release)(void), pid_t *out)
{
	pid_t pid = spawn(fn);
	const char *got = wchan_of(pid);
	if (on_rill())
		CHECK_STR(got, want);
	*out = pid;
	release();
	int st = wait_for(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void write_pipe(void)
{
	CHECK_EQ(write(pipe_fds[1], "x", 1), 1);
}

static void send_msg(void)
{
	struct {
		long type;
		char text[8];
	} m = { 1, "hi" };
	CHECK_EQ(msgsnd(msq, &m, 3, 0), 0);
}

static void post(void)
{
	struct sembuf op = { 0, 1, 0 };
	CHECK_EQ(semop(semid, &op, 1), 0);
}

static pid_t paused;
static void wake_paused(void)
{
	CHECK_EQ(kill(paused, SIGUSR1), 0);
}

/* Runs `ps` and returns the line of `pid` (its WCHAN is the 6th column). */
static void ps_line(pid_t pid, char *line, size_t size)
{
	char *out = run_output((char *[]){ "ps", NULL });
	CHECK(strncmp(out, "  PID  PPID  PGID STAT NLWP WCHAN           CMD\n", 48) == 0);
	line[0] = 0;
	for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n"))
		if (atoi(l) == pid)
			snprintf(line, size, "%s", l);
	CHECK(line[0] != 0);
}

static volatile pid_t reader_tid;

static void *thread_reads(void *arg)
{
	(void)arg;
	reader_tid = gettid();
	read_pipe();
	return NULL;
}

/* A thread of this process blocked in a pipe read: /proc/self/task/TID/wchan. */
static void thread_wchan(void)
{
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, thread_reads, NULL), 0);
	char path[64], buf[32] = "0";
	for (int i = 0; i < 200 && strcmp(buf, "0") == 0; i++) {
		sleep_ms(10);
		if (reader_tid == 0)
			continue;
		snprintf(path, sizeof path, "/proc/self/task/%d/wchan", (int)reader_tid);
		int fd = CHECK_OK(open(path, O_RDONLY));
		long n = CHECK_OK(read(fd, buf, sizeof buf - 1));
		buf[n] = 0;
		close(fd);
	}
	if (on_rill())
		CHECK_STR(buf, "pipe_read");
	write_pipe();
	CHECK_EQ(pthread_join(t, NULL), 0);
	ok("a thread blocked in a pipe read: its task directory's wchan is pipe_read");
}

static void wchans(void)
{
	pid_t pid;
	CHECK_EQ(pipe(pipe_fds), 0);
	blocked_child(read_pipe, "pipe_read", write_pipe, &pid);
	ok("a child blocked reading an empty pipe waits on pipe_read");

	msq = CHECK_OK(msgget(IPC_PRIVATE, 0600));
	blocked_child(receive, "msgrcv", send_msg, &pid);
	CHECK_OK(msgctl(msq, IPC_RMID, NULL));
	ok("a child in msgrcv on an empty queue waits on msgrcv");

	semid = CHECK_OK(semget(IPC_PRIVATE, 1, 0600));
	blocked_child(decrement, "semop", post, &pid);
	CHECK_OK(semctl(semid, 0, IPC_RMID));
	ok("a child decrementing a zero semaphore waits on semop");

	signal(SIGUSR1, on_usr1);
	paused = spawn(suspend);
	const char *got = wchan_of(paused);
	if (on_rill())
		CHECK_STR(got, "sigsuspend");
	wake_paused();
	CHECK(WIFEXITED(wait_for(paused)));
	ok("a child in sigsuspend waits on sigsuspend");
	paused = spawn(wait_signal);
	got = wchan_of(paused);
	if (on_rill())
		CHECK_STR(got, "poll");
	wake_paused();
	CHECK(WIFEXITED(wait_for(paused)));
	ok("a child in pause (ppoll without descriptors) waits on poll");

	int fd = CHECK_OK(open("/proc/self/wchan", O_RDONLY));
	char buf[16];
	long n = read(fd, buf, sizeof buf);
	CHECK_EQ(n, 1);
	CHECK_EQ(buf[0], '0');
	close(fd);
	ok("a running task's wchan is 0");

	thread_wchan();

	/* ps: the blocked child's line has pipe_read in WCHAN. (On the Linux side an
	 * absolute exec runs the host's ps, so this is Rill's only.) */
	if (on_rill()) {
		pid = spawn(read_pipe);
		wchan_of(pid);
		char line[256];
		ps_line(pid, line, sizeof line);
		char state[8], wchan[32];
		CHECK_EQ(sscanf(line, "%*d %*d %*d %7s %*d %31s", state, wchan), 2);
		CHECK_STR(state, "S");
		CHECK_STR(wchan, "pipe_read");
		write_pipe();
		CHECK(WIFEXITED(wait_for(pid)));
	}
	ok("ps shows the sleeping child S with its wait channel");
}

static void loadavg(void)
{
	char text[128];
	int fd = CHECK_OK(open("/proc/loadavg", O_RDONLY));
	long n = CHECK_OK(read(fd, text, sizeof text - 1));
	close(fd);
	text[n] = 0;
	unsigned a[3], f[3], running, total, last;
	char end;
	CHECK_EQ(sscanf(text, "%u.%2u %u.%2u %u.%2u %u/%u %u%c", &a[0], &f[0], &a[1], &f[1], &a[2],
			&f[2], &running, &total, &last, &end),
		 10);
	CHECK_EQ(end, '\n');
	CHECK(running >= 1 && running <= total);
	CHECK(last > 0);
	/* Two decimals each: "d.dd d.dd d.dd ". */
	char *p = text;
	for (int i = 0; i < 3; i++) {
		p = strchr(p, '.');
		CHECK(p && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' && p[3] == ' ');
		p++;
	}
	ok("/proc/loadavg: three averages with two decimals, running/total tasks, last pid");

	if (on_rill()) {
		/* The last pid is the child forked last; loads match sysinfo's. */
		pid_t child = spawn(wait_signal);
		fd = CHECK_OK(open("/proc/loadavg", O_RDONLY));
		n = CHECK_OK(read(fd, text, sizeof text - 1));
		close(fd);
		text[n] = 0;
		CHECK_EQ(sscanf(text, "%u.%2u %u.%2u %u.%2u %u/%u %u", &a[0], &f[0], &a[1], &f[1],
				&a[2], &f[2], &running, &total, &last),
			 9);
		CHECK_EQ(last, (unsigned)child);
		struct sysinfo si;
		CHECK_EQ(sysinfo(&si), 0);
		for (int i = 0; i < 3; i++) {
			/* Linux's rounding: + FIXED_1/200, in 16-bit fixed point 65536/200. */
			unsigned long v = si.loads[i] + 65536 / 200;
			CHECK_EQ(v >> 16, a[i]);
			CHECK_EQ(((v & 65535) * 100) >> 16, f[i]);
		}
		CHECK_EQ(kill(child, SIGKILL), 0);
		wait_for(child);
	}
	ok("its last pid is the newest child's, and sysinfo's loads are the same averages");

	double up, idle;
	fd = CHECK_OK(open("/proc/uptime", O_RDONLY));
	n = CHECK_OK(read(fd, text, sizeof text - 1));
	close(fd);
	text[n] = 0;
	CHECK_EQ(sscanf(text, "%lf %lf", &up, &idle), 2);
	/* One CPU on Rill: idle is part of the time since boot (Linux sums its CPUs). */
	if (on_rill())
		CHECK(idle > 0 && idle <= up);
	ok("/proc/uptime: seconds up and seconds idle");
}

int main(void)
{
	wchans();
	loadavg();
	return 0;
}
