/* fs_deep: depth costs nothing.
 * Builds 10,000 nested directories with mkdir + chdir, each step relative to
 * the cwd (bounded time: a walk from the root per step would be quadratic),
 * then stat(".") there. getcwd at depth 100 answers the path; at 10,000 the
 * path is longer than PATH_MAX: ENAMETOOLONG whatever the buffer (Linux
 * checks that first), and glibc's getcwd() then finds the path itself by
 * walking ".." and reading each parent, which must agree. The levels are
 * removed while the bottom is held open (on Rill): its ".." is then a removed
 * directory too, and closing it lets the whole chain go. Then 800 nested
 * directories with 255-character names, and open(".") at the bottom until
 * RLIMIT_NOFILE: every open succeeds, and (on Rill) the kernel heap grows by
 * little per descriptor, as no descriptor holds a copy of its path. All is
 * removed; on Rill free memory and the kernel heap are back where they
 * started (all this runs in a child, so the measuring parent's own memory
 * stays as it was). With an argument "-v" it prints the timings to stderr. */
#include "rilltest.h"
#include <fcntl.h>
#include <sys/stat.h>

#define DEPTH 10000
#define LONG_DEPTH 800
#define STATS 1000

static char base[64];
static int verbose;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void timing(const char *what, double start)
{
	if (verbose)
		fprintf(stderr, "%s: %.3f s (heap %ld kB)\n", what, now_s() - start, heap_kb());
}

static int sys_cwd_is_base(void)
{
	char buf[256];
	return syscall(SYS_getcwd, buf, sizeof buf) > 0 && strcmp(buf, base) == 0;
}

static void deep_tree(void)
{
	char buf[8192];
	double t = now_s();
	for (int i = 0; i < DEPTH; i++) {
		if (mkdir("d", 0755) != 0 || chdir("d") != 0)
			FAIL("level %d: %s", i, errname(errno));
		if (i == 99) {
			long len = CHECK_OK(syscall(SYS_getcwd, buf, sizeof buf));
			CHECK_EQ(len, strlen(base) + 100 * 2 + 1);
			CHECK(strncmp(buf, base, strlen(base)) == 0);
			CHECK_ERR(syscall(SYS_getcwd, buf, len - 1), ERANGE);
		}
	}
	timing("mkdir + chdir 10000 levels", t);
	if (on_rill() && now_s() - t > 10)
		FAIL("10000 levels took %.1f s", now_s() - t);
	ok("10000 nested directories made with mkdir + chdir; getcwd at depth 100");

	t = now_s();
	struct stat st;
	for (int i = 0; i < STATS; i++)
		CHECK_EQ(stat(".", &st), 0);
	timing("1000 x stat(\".\") at depth 10000", t);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(st.st_nlink, 2);
	CHECK_EQ(stat("..", &st), 0);
	CHECK_EQ(st.st_nlink, 3);
	ok("stat(\".\") and stat(\"..\") at depth 10000");

	/* Linux's getcwd: past PATH_MAX it is ENAMETOOLONG even with room to spare.
	 * qemu-user answers the call with the host C library's getcwd, which finds
	 * long paths itself, so off Rill success with the full path is accepted. */
	static char big[DEPTH * 2 + 100];
	errno = 0;
	long r = syscall(SYS_getcwd, big, sizeof big);
	if (r != -1 || errno != ENAMETOOLONG) {
		if (on_rill() || r != (long)(strlen(base) + DEPTH * 2 + 1))
			FAIL("getcwd at depth 10000: %ld (%s), want ENAMETOOLONG", r, errname(errno));
	}
	errno = 0;
	r = syscall(SYS_getcwd, buf, 16);
	if (r != -1 || (errno != ENAMETOOLONG && (on_rill() || errno != ERANGE)))
		FAIL("getcwd at depth 10000 with 16 bytes: %ld (%s), want ENAMETOOLONG", r, errname(errno));
	ok("getcwd past PATH_MAX: ENAMETOOLONG");

	/* Under qemu-user "/" is the guest tree's, which glibc's walk up from /tmp
	 * never meets: there only Rill is checked (Linux 6.1 passes it). */
	t = now_s();
	errno = 0;
	char *cwd = getcwd(NULL, 0);
	timing("glibc getcwd() at depth 10000", t);
	if (cwd == NULL && on_rill())
		FAIL("glibc getcwd() at depth 10000 failed with %s", errname(errno));
	if (cwd != NULL) {
		CHECK_EQ(strlen(cwd), strlen(base) + DEPTH * 2);
		CHECK(strncmp(cwd, base, strlen(base)) == 0);
		for (int i = 0; i < DEPTH; i++)
			CHECK(cwd[strlen(base) + 2 * i] == '/' && cwd[strlen(base) + 2 * i + 1] == 'd');
		free(cwd);
	}
	ok("glibc's getcwd() walking \"..\" and getdents64 finds the 20,000-byte path");

	/* The bottom stays open while every level is removed: each removed directory
	 * keeps its ".." until the last one goes, then the chain goes at once. (Not
	 * under qemu-user: on the host's ext4 /tmp, letting go of 10,000 removed but
	 * open directories takes half a minute. Linux 6.1's tmpfs passes it.) */
	int bottom = on_rill() ? CHECK_OK(open(".", O_RDONLY | O_DIRECTORY)) : -1;
	t = now_s();
	for (int i = 0; i < DEPTH; i++) {
		if (chdir("..") != 0 || rmdir("d") != 0)
			FAIL("removing level %d: %s", DEPTH - i, errname(errno));
	}
	timing("chdir .. + rmdir 10000 levels", t);
	CHECK_EQ(sys_cwd_is_base(), 1);
	if (bottom >= 0) {
		CHECK_EQ(fstat(bottom, &st), 0);
		CHECK_EQ(st.st_nlink, 0);
		int up = CHECK_OK(openat(bottom, "..", O_RDONLY | O_DIRECTORY));
		CHECK_EQ(fstat(up, &st), 0);
		CHECK_EQ(st.st_nlink, 0);
		CHECK_ERR(openat(up, "d", O_RDONLY), ENOENT);
		CHECK_EQ(close(up), 0);
		t = now_s();
		CHECK_EQ(close(bottom), 0);
		timing("close of the last hold on 10000 removed levels", t);
	}
	ok("10000 levels removed; the open bottom's \"..\" still a removed directory until closed");
}

static void long_names(void)
{
	static char name[256];
	memset(name, 'n', 255);
	double t = now_s();
	for (int i = 0; i < LONG_DEPTH; i++) {
		name[0] = 'a' + i % 26;
		if (mkdir(name, 0755) != 0 || chdir(name) != 0)
			FAIL("level %d: %s", i, errname(errno));
	}
	timing("800 levels of 255-character names", t);
	/* 256 characters is one too many. */
	char longer[257];
	memset(longer, 'x', 256);
	longer[256] = 0;
	CHECK_ERR(mkdir(longer, 0755), ENAMETOOLONG);
	CHECK_ERR(open(longer, O_RDONLY), ENAMETOOLONG);
	ok("800 nested directories with 255-character names; a 256-character name ENAMETOOLONG");

	struct rlimit lim;
	CHECK_EQ(getrlimit(RLIMIT_NOFILE, &lim), 0);
	long heap_before = heap_kb();
	int first = -1, last = -1;
	t = now_s();
	for (;;) {
		int fd = open(".", O_RDONLY | O_DIRECTORY);
		if (fd < 0) {
			CHECK_EQ(errno, EMFILE);
			break;
		}
		if (first < 0)
			first = fd;
		last = fd;
	}
	CHECK_EQ(last, (long)lim.rlim_cur - 1);
	CHECK_EQ(close(last--), 0); /* room to read /proc/meminfo */
	timing("open(\".\") until EMFILE", t);
	long heap_grew = heap_kb() - heap_before;
	if (verbose)
		fprintf(stderr, "%d descriptors: kernel heap +%ld kB\n", last - first + 1, heap_grew);
	if (on_rill() && heap_grew > 512)
		FAIL("%d descriptors grew the kernel heap by %ld kB", last - first + 1, heap_grew);
	for (int fd = first; fd <= last; fd++)
		CHECK_EQ(close(fd), 0);
	ok("open(\".\") at depth 800 of 255-character names succeeds up to RLIMIT_NOFILE");

	for (int i = LONG_DEPTH - 1; i >= 0; i--) {
		name[0] = 'a' + i % 26;
		if (chdir("..") != 0 || rmdir(name) != 0)
			FAIL("removing level %d: %s", i, errname(errno));
	}
	CHECK_EQ(sys_cwd_is_base(), 1);
	ok("800 levels removed");
}

/* The trees are built in a child: the parent's own memory does not change
 * while it runs, so what the kernel has afterwards is comparable. */
static int build_and_remove(void)
{
	CHECK_EQ(mkdir(base, 0755), 0);
	CHECK_EQ(chdir(base), 0);
	deep_tree();
	long_names();
	CHECK_EQ(chdir("/"), 0);
	CHECK_EQ(rmdir(base), 0);
	return 0;
}

static int quietly_build_and_remove(void)
{
	int null = CHECK_OK(open("/dev/null", O_WRONLY));
	CHECK_OK(dup2(null, 1));
	CHECK_EQ(close(null), 0);
	return build_and_remove();
}

int main(int argc, char **argv)
{
	verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	snprintf(base, sizeof base, "/tmp/fs_deep.%d", (int)getpid());
	if (on_rill()) /* a warm-up: the kernel's caches settle (the checks are Rill's) */
		CHECK_EQ(wait_for(spawn(quietly_build_and_remove)), 0);
	long free_before = settled_free_kb();
	long heap_before = heap_kb();
	CHECK_EQ(wait_for(spawn(build_and_remove)), 0);
	long free_after = settled_free_kb();
	long heap_after = heap_settled_kb(heap_before);
	if (verbose)
		fprintf(stderr, "free %ld -> %ld kB, heap %ld -> %ld kB\n", free_before, free_after,
			heap_before, heap_after);
	if (on_rill() && (free_after != free_before || !heap_back_at(heap_after, heap_before)))
		FAIL("free memory %ld -> %ld kB, kernel heap %ld -> %ld kB", free_before, free_after,
		     heap_before, heap_after);
	ok("all removed; free memory and kernel heap as before (checked on Rill)");
	return 0;
}
