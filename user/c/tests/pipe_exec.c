/* pipe_exec: pipe descriptors across execve.
 * pipe2(O_CLOEXEC) marks both ends FD_CLOEXEC; dup clears the mark, fcntl
 * F_SETFD, F_DUPFD_CLOEXEC and dup3(O_CLOEXEC) set it. A child re-executes
 * this program through /proc/self/exe with the descriptor numbers as
 * arguments; the new image finds every marked descriptor closed (F_GETFD:
 * EBADF) and every other one open and usable, and reports through an
 * inherited pipe. Because exec closed the child's marked write ends, the
 * parent's read of that pipe sees end of file while the child still runs.
 * Under qemu-riscv64 the re-exec needs binfmt_misc set up for riscv64. */
#include "rilltest.h"
#include <fcntl.h>
#include <sys/stat.h>

extern char **environ;

/* The re-executed image. argv: "pipe_exec" "image" FD... "--" FD...: the
 * descriptors before "--" must be closed, those after it open pipe ends. */
static int image(int argc, char **argv)
{
	char report[256] = "image:";
	int i = 2, out = -1, open_from;
	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		int fd = atoi(argv[i]);
		errno = 0;
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			FAIL("image: fd %d is open after exec, want it closed", fd);
		strcat(report, " closed");
	}
	open_from = i + 1;
	for (i++; i < argc; i++) {
		int fd = atoi(argv[i]);
		struct stat st;
		if (fcntl(fd, F_GETFD) != 0)
			FAIL("image: fd %d: F_GETFD is not 0 (%s)", fd, errname(errno));
		if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode))
			FAIL("image: fd %d is not a pipe", fd);
		if (fcntl(fd, F_GETFL) == O_WRONLY)
			out = fd;
		strcat(report, " open");
	}
	CHECK(out >= 0);
	long n = strlen(report);
	CHECK_EQ(write(out, report, n), n);
	/* Wait for the parent's go (end of file) before exiting; the other
	 * read end kept open sees end of file at once. */
	char c;
	for (i = open_from; i < argc; i++) {
		int fd = atoi(argv[i]);
		if (fcntl(fd, F_GETFL) == O_RDONLY && fd != out)
			CHECK_EQ(read(fd, &c, 1), 0);
	}
	return 0;
}

static char *num(int fd)
{
	char *s = malloc(12);
	CHECK(s != NULL);
	snprintf(s, 12, "%d", fd);
	return s;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "image") == 0)
		return image(argc, argv);

	int eof[2], report[2], go[2];
	CHECK_OK(pipe2(eof, O_CLOEXEC));
	CHECK_EQ(fcntl(eof[0], F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(eof[1], F_GETFD), FD_CLOEXEC);
	ok("pipe2(O_CLOEXEC): both ends FD_CLOEXEC");

	int w_dup = CHECK_OK(dup(eof[1]));
	CHECK_EQ(fcntl(w_dup, F_GETFD), 0);
	CHECK_OK(fcntl(w_dup, F_SETFD, FD_CLOEXEC));
	CHECK_EQ(fcntl(w_dup, F_GETFD), FD_CLOEXEC);
	int w_dupfd = CHECK_OK(fcntl(eof[1], F_DUPFD_CLOEXEC, 10));
	CHECK(w_dupfd >= 10);
	CHECK_EQ(fcntl(w_dupfd, F_GETFD), FD_CLOEXEC);
	int w_dup3 = 40;
	CHECK_EQ(dup3(eof[1], w_dup3, O_CLOEXEC), w_dup3);
	CHECK_EQ(fcntl(w_dup3, F_GETFD), FD_CLOEXEC);
	ok("dup clears FD_CLOEXEC; F_SETFD, F_DUPFD_CLOEXEC, dup3(O_CLOEXEC) set it");

	CHECK_OK(pipe(report));
	CHECK_OK(pipe(go));
	int r_kept = CHECK_OK(dup(eof[0]));
	CHECK_OK(fcntl(r_kept, F_SETFD, FD_CLOEXEC));
	CHECK_OK(fcntl(r_kept, F_SETFD, 0));
	CHECK_EQ(fcntl(report[1], F_GETFD), 0);

	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		char *args[] = { "pipe_exec", "image", num(eof[0]), num(eof[1]),
				 num(w_dup), num(w_dupfd), num(w_dup3), "--",
				 num(report[1]), num(go[0]), num(r_kept), NULL };
		close(report[0]);
		close(go[1]);
		execve("/proc/self/exe", args, environ);
		printf("FAIL: execve /proc/self/exe: %s\n", errname(errno));
		_exit(127);
	}
	CHECK_OK(close(eof[1]));
	CHECK_OK(close(w_dup));
	CHECK_OK(close(w_dupfd));
	CHECK_OK(close(w_dup3));
	CHECK_OK(close(report[1]));
	CHECK_OK(close(go[0]));
	CHECK_OK(close(r_kept));

	char buf[256];
	CHECK_EQ(read(eof[0], buf, sizeof buf), 0);
	CHECK_EQ(waitpid(pid, NULL, WNOHANG), 0);
	ok("exec closed the child's marked write ends: end of file while it runs");

	long n = CHECK_OK(read(report[0], buf, sizeof buf - 1));
	buf[n] = '\0';
	CHECK_STR(buf, "image: closed closed closed closed closed open open open");
	ok("after exec: 5 marked descriptors closed, 3 unmarked open and usable");

	CHECK_OK(close(go[1]));
	CHECK_EQ(wait_for(pid), 0);
	CHECK_EQ(read(report[0], buf, sizeof buf), 0);
	ok("the new image waited for the parent's end of file, then exited 0");
	return 0;
}
