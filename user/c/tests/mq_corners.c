/* Parts of POSIX message queues where qemu-user is not Linux (see divergences.rs):
 * mq_notify (signalled once, with SI_MESGQ and the value; EBUSY for another process;
 * signal number 0 registers a notification that sends nothing), O_WRONLY|O_RDWR is
 * EINVAL, and the queue's file in /dev/mqueue (where it is mounted: always on Rill)
 * shows its mode and the status line. Checked on Linux 6.1 with ../shared/linux-ref. */
#include "rilltest.h"
#include <mqueue.h>
#include <sys/stat.h>

#define NAME "/rill_mq_corners"

static volatile sig_atomic_t notified, notified_code, notified_value, notified_pid;

static void on_notify(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	notified++;
	notified_code = si->si_code;
	notified_value = si->si_value.sival_int;
	notified_pid = si->si_pid;
}

static int register_elsewhere(void)
{
	mqd_t q = mq_open(NAME, O_RDWR);
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2 };
	int r = mq_notify(q, &ev);
	return r == -1 && errno == EBUSY ? 0 : 1;
}

static void notification(void)
{
	struct sigaction sa = { .sa_sigaction = on_notify, .sa_flags = SA_SIGINFO };
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	mq_unlink(NAME);
	struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 16 };
	mqd_t q = CHECK_OK(mq_open(NAME, O_CREAT | O_RDWR, 0600, &attr));
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	ev.sigev_value.sival_int = 42;
	CHECK_OK(mq_notify(q, &ev));
	CHECK_ERR(mq_notify(q, &ev), EBUSY);
	CHECK_EQ(wait_for(spawn(register_elsewhere)), 0);
	char buf[16];
	CHECK_OK(mq_send(q, "a", 1, 0));
	CHECK_EQ(notified, 1);
	CHECK_EQ(notified_code, SI_MESGQ);
	CHECK_EQ(notified_value, 42);
	CHECK_EQ(notified_pid, getpid());
	CHECK_OK(mq_send(q, "b", 1, 0));
	CHECK_EQ(mq_receive(q, buf, sizeof buf, NULL), 1);
	CHECK_EQ(mq_receive(q, buf, sizeof buf, NULL), 1);
	CHECK_OK(mq_send(q, "c", 1, 0));
	CHECK_EQ(notified, 1);
	CHECK_EQ(mq_receive(q, buf, sizeof buf, NULL), 1);
	/* Registered again, then unregistered: nothing comes. */
	CHECK_OK(mq_notify(q, &ev));
	CHECK_OK(mq_notify(q, NULL));
	CHECK_OK(mq_send(q, "d", 1, 0));
	CHECK_EQ(notified, 1);
	struct sigevent bad = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = 65 };
	CHECK_ERR(mq_notify(q, &bad), EINVAL);
	bad.sigev_notify = 99;
	CHECK_ERR(mq_notify(q, &bad), EINVAL);
	CHECK_OK(mq_close(q));
	CHECK_OK(mq_unlink(NAME));
	ok("mq_notify signals once with SI_MESGQ and the value; EBUSY for a second process");
}


int main(void)
{
	notification();
	mq_unlink(NAME);
	mqd_t q = CHECK_OK(mq_open(NAME, O_CREAT | O_RDWR, 0640, NULL));
	CHECK_ERR(mq_open(NAME, O_WRONLY | O_RDWR), EINVAL);
	ok("O_WRONLY|O_RDWR is EINVAL");
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = 0 };
	CHECK_OK(mq_notify(q, &ev));
	CHECK_ERR(mq_notify(q, &ev), EBUSY);
	CHECK_OK(mq_send(q, "abc", 3, 0));
	ok("signal 0 registers a notification that sends nothing");
	struct stat st;
	if (on_rill() || stat("/dev/mqueue", &st) == 0) {
		CHECK_OK(stat("/dev/mqueue/rill_mq_corners", &st));
		CHECK_EQ(st.st_mode & 07777, 0640);
		CHECK_OK(mq_notify(q, NULL));
		CHECK_OK(mq_send(q, "de", 2, 0));
		char line[128] = { 0 };
		int fd = CHECK_OK(open("/dev/mqueue/rill_mq_corners", O_RDONLY));
		CHECK(read(fd, line, sizeof line - 1) > 0);
		close(fd);
		CHECK_STR(line, "QSIZE:5          NOTIFY:0     SIGNO:0     NOTIFY_PID:0     \n");
	}
	ok("/dev/mqueue shows the queue's mode and status line");
	CHECK_OK(mq_close(q));
	CHECK_OK(mq_unlink(NAME));
	return 0;
}
