/* Many processes at once through every IPC kind, for harts that really run them
 * concurrently: pipe pairs and 2 FIFO pairs stream numbered words (each reader sees
 * every number once, in order), 4 System V message senders and 4 receivers selecting
 * by type (each message once, in order), 4 processes adding to a shared counter under
 * a System V semaphore (no update lost), and a queued real-time signal stream to a
 * child in sigwaitinfo (every value once, in order). On Rill the kernel heap is back
 * where it started afterwards. The same on any number of harts.
 *
 * Run by hand for longer: `smp_ipc_stress PAIRS SECONDS` uses PAIRS pipe pairs (6 by
 * default; 23 makes 64 processes with this one) and repeats rounds for SECONDS, then
 * checks that free memory is back too. */
#include "rilltest.h"
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/stat.h>

#define WORDS 3000
#define MESSAGES 1500
#define ADDS 1500
#define SIGNALS 600

static int stream_out(int fd)
{
	for (unsigned i = 0; i < WORDS; i++)
		if (write(fd, &i, sizeof i) != sizeof i)
			return 1;
	return 0;
}

static int stream_in(int fd)
{
	unsigned want = 0, got;
	ssize_t n;
	/* Whole words only: pipe writes of 4 bytes are atomic. */
	while ((n = read(fd, &got, sizeof got)) == sizeof got) {
		if (got != want)
			return 2;
		want++;
	}
	return n == 0 && want == WORDS ? 0 : 3;
}

static pid_t fork_fd(int (*fn)(int), int fd, int close_fd)
{
	pid_t pid = fork();
	if (pid < 0)
		FAIL("fork failed with %s", errname(errno));
	if (pid == 0) {
		close(close_fd);
		_exit(fn(fd));
	}
	return pid;
}

struct msgbuf_word {
	long mtype;
	unsigned seq;
};

static int msq;

static int msg_send(int kind)
{
	for (unsigned i = 0; i < MESSAGES; i++) {
		struct msgbuf_word m = { kind, i };
		while (msgsnd(msq, &m, sizeof m.seq, 0) != 0)
			if (errno != EINTR)
				return 1;
	}
	return 0;
}

static int msg_receive(int kind)
{
	for (unsigned i = 0; i < MESSAGES; i++) {
		struct msgbuf_word m;
		if (msgrcv(msq, &m, sizeof m.seq, kind, 0) != sizeof m.seq)
			return 1;
		if (m.mtype != kind || m.seq != i)
			return 2;
	}
	return 0;
}

static int semid;
static volatile long *counter;

static int sem_adder(int unused)
{
	(void)unused;
	struct sembuf down = { 0, -1, 0 }, up = { 0, 1, 0 };
	for (int i = 0; i < ADDS; i++) {
		if (semop(semid, &down, 1) != 0)
			return 1;
		long v = *counter;
		*counter = v + 1;
		if (semop(semid, &up, 1) != 0)
			return 2;
	}
	return 0;
}

static int signal_receiver(int unused)
{
	(void)unused;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	for (int i = 0; i < SIGNALS; i++) {
		siginfo_t info;
		if (sigwaitinfo(&set, &info) != SIGRTMIN)
			return 1;
		if (info.si_value.sival_int != i)
			return 2;
	}
	return 0;
}

static pid_t fork_with(int (*fn)(int), int arg)
{
	pid_t pid = fork();
	if (pid < 0)
		FAIL("fork failed with %s", errname(errno));
	if (pid == 0)
		_exit(fn(arg));
	return pid;
}

#define MAX_PAIRS 100

/* One round: every child started, all of them checked. Returns how many processes ran
 * at once, counting this one. */
static int round_of(int pipe_pairs)
{
	pid_t kids[2 * MAX_PAIRS + 20];
	int n = 0;

	for (int i = 0; i < pipe_pairs; i++) {
		int p[2];
		CHECK_OK(pipe(p));
		kids[n++] = fork_fd(stream_out, p[1], p[0]);
		kids[n++] = fork_fd(stream_in, p[0], p[1]);
		close(p[0]);
		close(p[1]);
	}
	for (int i = 0; i < 2; i++) {
		const char *path = i ? "/tmp/smp_stress_fifo1" : "/tmp/smp_stress_fifo0";
		unlink(path);
		CHECK_OK(mkfifo(path, 0600));
		int r = CHECK_OK(open(path, O_RDONLY | O_NONBLOCK));
		int w = CHECK_OK(open(path, O_WRONLY));
		CHECK_OK(fcntl(r, F_SETFL, 0));
		kids[n++] = fork_fd(stream_out, w, r);
		kids[n++] = fork_fd(stream_in, r, w);
		close(r);
		close(w);
		CHECK_OK(unlink(path));
	}

	msq = CHECK_OK(msgget(IPC_PRIVATE, IPC_CREAT | 0600));
	for (int kind = 1; kind <= 4; kind++) {
		kids[n++] = fork_with(msg_send, kind);
		kids[n++] = fork_with(msg_receive, kind);
	}

	semid = CHECK_OK(semget(IPC_PRIVATE, 1, IPC_CREAT | 0600));
	CHECK_OK(semctl(semid, 0, SETVAL, 1));
	counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(counter != MAP_FAILED);
	for (int i = 0; i < 4; i++)
		kids[n++] = fork_with(sem_adder, 0);

	sigset_t rt;
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN);
	CHECK_OK(sigprocmask(SIG_BLOCK, &rt, NULL));
	pid_t sigkid = fork_with(signal_receiver, 0);
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &rt, NULL));
	for (int i = 0; i < SIGNALS; i++) {
		union sigval v = { .sival_int = i };
		/* A full queue (RLIMIT_SIGPENDING) is EAGAIN: try again once it drains. */
		while (sigqueue(sigkid, SIGRTMIN, v) != 0) {
			if (errno != EAGAIN)
				FAIL("sigqueue failed with %s", errname(errno));
			sleep_ms(1);
		}
	}
	kids[n++] = sigkid;

	for (int i = 0; i < n; i++) {
		int status = wait_for(kids[i]);
		if (status != 0)
			FAIL("child %d of %d ended with status %#x", i, n, status);
	}
	CHECK_EQ(*counter, 4L * ADDS);
	CHECK_OK(msgctl(msq, IPC_RMID, NULL));
	CHECK_OK(semctl(semid, 0, IPC_RMID));
	CHECK_OK(munmap((void *)counter, 4096));
	return n + 1;
}

static long now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec;
}

int main(int argc, char **argv)
{
	int pipe_pairs = argc > 1 ? atoi(argv[1]) : 6;
	long seconds = argc > 2 ? atol(argv[2]) : 0;
	if (pipe_pairs < 1 || pipe_pairs > MAX_PAIRS)
		FAIL("PAIRS must be 1 to %d", MAX_PAIRS);
	long heap_before = heap_kb();
	long free_before = seconds && on_rill() ? settled_free_kb() : 0;
	long start = now_s();
	int rounds = 0, procs;
	do {
		procs = round_of(pipe_pairs);
		rounds++;
	} while (now_s() - start < seconds);
	if (seconds)
		printf("%d rounds of %d processes at once in %ld s\n", rounds, procs,
		       now_s() - start);
	ok("pipes and FIFOs: every word once, in order");
	ok("message queue: every message once, in order, to the receiver of its type");
	ok("semaphore: no update of the shared counter lost");
	ok("queued real-time signals: every value once, in order");

	if (on_rill()) {
		long after = heap_kb();
		for (int i = 0; i < 30 && !heap_back_at(after, heap_before); i++) {
			sleep_ms(100);
			after = heap_kb();
		}
		if (!heap_back_at(after, heap_before))
			FAIL("kernel heap %ld kB before, %ld kB after", heap_before, after);
		if (seconds) {
			long free_after = settled_free_kb();
			printf("free memory %ld kB before, %ld kB after\n", free_before, free_after);
			if (free_after < free_before)
				FAIL("free memory went down by %ld kB", free_before - free_after);
		}
	}
	ok("kernel heap back where it started (checked on Rill)");
	return 0;
}
