/* proc_sysfiles: /proc files that top, uptime and lsof read: /proc/stat (the cpu lines
 * and btime), /proc/uptime, /proc/PID/fdinfo/N (offset and flags), and stat through the
 * /proc/self/exe link. */
#include "rilltest.h"
#include <sys/stat.h>

static char text[4096];

static const char *slurp(const char *path)
{
	int fd = CHECK_OK(open(path, O_RDONLY));
	ssize_t n = CHECK_OK(read(fd, text, sizeof text - 1));
	text[n] = 0;
	close(fd);
	return text;
}

int main(int argc, char **argv)
{
	(void)argc;
	unsigned long long v[10];
	const char *s = slurp("/proc/stat");
	CHECK_EQ(sscanf(s, "cpu  %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
			&v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]),
		 10);
	CHECK(strstr(s, "\ncpu0 ") != NULL);
	const char *b = strstr(s, "\nbtime ");
	CHECK(b != NULL);
	long long btime = atoll(b + 7);
	double up, idle;
	CHECK_EQ(sscanf(slurp("/proc/uptime"), "%lf %lf", &up, &idle), 2);
	CHECK(up > 0);
	long long boot = (long long)time(NULL) - (long long)up;
	CHECK(btime >= boot - 2 && btime <= boot + 2);
	ok("/proc/stat cpu lines and btime, /proc/uptime");

	const char *path = path_in("/tmp", "proc_sysfiles");
	int fd = CHECK_OK(open(path, O_RDWR | O_CREAT | O_TRUNC, 0600));
	CHECK_EQ(write(fd, "0123456789", 10), 10);
	CHECK_OK(lseek(fd, 7, SEEK_SET));
	int cfd = CHECK_OK(open(path, O_RDONLY | O_CLOEXEC | O_APPEND));
	char name[64];
	snprintf(name, sizeof name, "/proc/self/fdinfo/%d", fd);
	CHECK(strncmp(slurp(name), "pos:\t7\nflags:\t0100002\n", 22) == 0);
	snprintf(name, sizeof name, "/proc/self/fdinfo/%d", cfd);
	CHECK(strncmp(slurp(name), "pos:\t0\nflags:\t02102000\n", 23) == 0);
	snprintf(name, sizeof name, "/proc/%d/fdinfo/%d", getpid(), 999);
	CHECK_ERR(open(name, O_RDONLY), ENOENT);
	close(cfd);
	close(fd);
	unlink(path);
	ok("/proc/PID/fdinfo: pos and flags");

	struct stat a, e;
	CHECK_OK(stat(argv[0], &a));
	CHECK_OK(stat("/proc/self/exe", &e));
	CHECK(S_ISREG(e.st_mode));
	/* qemu-user's stat of the link follows it to the emulator itself (Linux 6.1 gives
	 * the program, as Rill does). */
	if (on_rill())
		CHECK_EQ(e.st_size, a.st_size);
	CHECK_OK(lstat("/proc/self/exe", &e));
	CHECK(S_ISLNK(e.st_mode));
	ok("stat follows /proc/self/exe, lstat does not");

	/* A descriptor's link leads to its file even after the name is gone. */
	fd = CHECK_OK(open(path, O_RDWR | O_CREAT | O_TRUNC, 0600));
	CHECK_EQ(write(fd, "gone", 4), 4);
	CHECK_OK(unlink(path));
	snprintf(name, sizeof name, "/proc/self/fd/%d", fd);
	CHECK_OK(stat(name, &e));
	CHECK(S_ISREG(e.st_mode));
	CHECK_EQ(e.st_size, 4);
	int again = CHECK_OK(open(name, O_RDONLY));
	char got[8] = { 0 };
	CHECK_EQ(read(again, got, sizeof got), 4);
	CHECK_STR(got, "gone");
	close(again);
	close(fd);
	ok("stat and open through /proc/self/fd of an unlinked file");
	return 0;
}
