/* /proc/self/fd lists the open descriptors as links (readlink: the file's path, with
 * " (deleted)" once unlinked, "pipe:[ino]" for a pipe, "/name" for a POSIX queue; the
 * link's mode says how it was opened); RLIMIT_NOFILE bounds new descriptors (EMFILE);
 * /proc/sys/kernel/pid_max and /proc/sys/fs/mqueue show Linux's defaults. */
#include "rilltest.h"
#include <dirent.h>
#include <mqueue.h>
#include <sys/stat.h>

static const char *link_of(int fd)
{
	static char target[256];
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, target, sizeof target - 1);
	if (n < 0)
		FAIL("readlink %s: %s", path, errname(errno));
	target[n] = 0;
	return target;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	CHECK(d != NULL);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

static long read_number(const char *path)
{
	char buf[32] = { 0 };
	int fd = CHECK_OK(open(path, O_RDONLY));
	CHECK(read(fd, buf, sizeof buf - 1) > 0);
	close(fd);
	return atol(buf);
}

int main(void)
{
	int before = count_fds();
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_EQ(count_fds(), before + 2);
	struct stat st, lst;
	CHECK_OK(fstat(p[0], &st));
	char want[64];
	snprintf(want, sizeof want, "pipe:[%lu]", (unsigned long)st.st_ino);
	CHECK_STR(link_of(p[0]), want);
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
	CHECK_OK(lstat(path, &lst));
	CHECK_EQ(lst.st_mode, S_IFLNK | 0300);
	CHECK_ERR(readlink("/proc/self/fd/999", path, sizeof path), ENOENT);
	ok("/proc/self/fd counts descriptors; a pipe's link is pipe:[ino]");

	int f = CHECK_OK(open("/tmp/rill_proc_fd", O_CREAT | O_RDWR | O_TRUNC, 0600));
	CHECK_STR(link_of(f), "/tmp/rill_proc_fd");
	snprintf(path, sizeof path, "/proc/self/fd/%d", f);
	CHECK_OK(lstat(path, &lst));
	CHECK_EQ(lst.st_mode, S_IFLNK | 0700);
	CHECK_OK(unlink("/tmp/rill_proc_fd"));
	CHECK_STR(link_of(f), "/tmp/rill_proc_fd (deleted)");
	int d = CHECK_OK(open("/tmp", O_RDONLY | O_DIRECTORY));
	CHECK_STR(link_of(d), "/tmp");
	mq_unlink("/rill_proc_fd");
	mqd_t q = CHECK_OK(mq_open("/rill_proc_fd", O_CREAT | O_RDWR, 0600, NULL));
	CHECK_STR(link_of(q), "/rill_proc_fd");
	CHECK_OK(mq_unlink("/rill_proc_fd"));
	CHECK_STR(link_of(q), "/rill_proc_fd (deleted)");
	ok("a file's link is its path, (deleted) once unlinked; a queue's is /name");

	struct rlimit r, low;
	CHECK_OK(getrlimit(RLIMIT_NOFILE, &r));
	low = r;
	low.rlim_cur = q + 1;
	CHECK_OK(setrlimit(RLIMIT_NOFILE, &low));
	CHECK_ERR(dup(0), EMFILE);
	CHECK_ERR(mq_open("/rill_proc_fd", O_CREAT | O_RDWR, 0600, NULL), EMFILE);
	CHECK_ERR(mq_unlink("/rill_proc_fd"), ENOENT);
	CHECK_OK(close(p[0]));
	CHECK_EQ(CHECK_OK(dup(0)), p[0]);
	CHECK_OK(setrlimit(RLIMIT_NOFILE, &r));
	ok("RLIMIT_NOFILE bounds new descriptors; mq_open creates nothing then");

	if (on_rill()) {
		CHECK_EQ(read_number("/proc/sys/kernel/pid_max"), 32768);
		CHECK_EQ(read_number("/proc/sys/fs/mqueue/queues_max"), 256);
		CHECK_EQ(read_number("/proc/sys/fs/mqueue/msg_max"), 10);
		CHECK_EQ(read_number("/proc/sys/fs/mqueue/msgsize_max"), 8192);
	}
	ok("pid_max and the mqueue limits show Linux's defaults");
	return 0;
}
