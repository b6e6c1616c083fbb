/* thread_clone_share: what clone shares beyond memory, as Linux's copy_files,
 * copy_fs and copy_sighand. A CLONE_FILES child's open and close are the parent's
 * too, a child without it changes only its own table; a CLONE_FS child's chdir and
 * umask are the parent's too; a CLONE_SIGHAND|CLONE_VM child's sigaction is the
 * parent's too, a CLONE_VM child's is not; execve gives a CLONE_FILES child a table
 * of its own (its close-on-exec descriptors close there only); a thread without
 * CLONE_FILES and CLONE_FS has its own descriptors and cwd; unshare(CLONE_FILES)
 * ends the sharing, and unshare(CLONE_SIGHAND) is EINVAL while the table is shared;
 * rounds of sharing and copying children give back all kernel heap (Rill only).
 * qemu-user refuses CLONE_FILES, CLONE_FS and CLONE_SIGHAND outside its thread
 * flag set (see xtask's divergences). */
#include "rilltest.h"
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>

#define STACK_SIZE (64 * 1024)
static char stack[STACK_SIZE] __attribute__((aligned(16)));

static pid_t clone_arg(int (*fn)(void *), int flags, void *arg)
{
	pid_t pid = clone(fn, stack + STACK_SIZE, flags | SIGCHLD, arg);
	if (pid < 0)
		FAIL("clone(%#x) failed with %s", flags, errname(errno));
	return pid;
}

static pid_t clone_child(int (*fn)(void *), int flags)
{
	return clone_arg(fn, flags, NULL);
}

static int exit_code(pid_t pid)
{
	int st = wait_for(pid);
	if (!WIFEXITED(st))
		FAIL("child status %#x", st);
	return WEXITSTATUS(st);
}

static int open_fd(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/* Opens descriptor 70 and closes the parent's 71. */
static int files_child(void *arg)
{
	(void)arg;
	if (dup2(0, 70) != 70)
		return 1;
	close(71);
	return 0;
}

static void files(void)
{
	CHECK_OK(dup2(0, 71));
	CHECK_EQ(exit_code(clone_child(files_child, CLONE_FILES)), 0);
	CHECK(open_fd(70));
	CHECK_ERR(fcntl(71, F_GETFD), EBADF);
	close(70);

	CHECK_OK(dup2(0, 71));
	CHECK_EQ(exit_code(clone_child(files_child, 0)), 0);
	CHECK_ERR(fcntl(70, F_GETFD), EBADF);
	CHECK(open_fd(71));
	close(71);
	ok("CLONE_FILES: the child's open and close are the parent's; without it not");
}

static int fs_child(void *arg)
{
	(void)arg;
	if (chdir("/tmp") != 0)
		return 1;
	umask(077);
	return 0;
}

static void fs(void)
{
	char cwd[64];
	CHECK_OK(chdir("/"));
	CHECK_EQ(exit_code(clone_child(fs_child, CLONE_FS)), 0);
	CHECK(getcwd(cwd, sizeof cwd) != NULL);
	CHECK_STR(cwd, "/tmp");
	CHECK_EQ(umask(022), 077);

	CHECK_OK(chdir("/"));
	CHECK_EQ(exit_code(clone_child(fs_child, 0)), 0);
	CHECK(getcwd(cwd, sizeof cwd) != NULL);
	CHECK_STR(cwd, "/");
	CHECK_EQ(umask(022), 022);
	ok("CLONE_FS: the child's chdir and umask are the parent's; without it not");
}

static void on_usr1(int sig)
{
	(void)sig;
}

static int sighand_child(void *arg)
{
	(void)arg;
	return signal(SIGUSR1, on_usr1) == SIG_ERR;
}

static int unshare_sighand_child(void *arg)
{
	(void)arg;
	/* The parent still shares the table: nothing Rill or Linux can unshare. */
	return unshare(CLONE_SIGHAND) == -1 && errno == EINVAL ? 0 : 1;
}

static void sighand(void)
{
	struct sigaction sa;
	signal(SIGUSR1, SIG_DFL);
	CHECK_EQ(exit_code(clone_child(sighand_child, CLONE_VM | CLONE_SIGHAND)), 0);
	CHECK_OK(sigaction(SIGUSR1, NULL, &sa));
	CHECK(sa.sa_handler == on_usr1);

	signal(SIGUSR1, SIG_DFL);
	CHECK_EQ(exit_code(clone_child(sighand_child, CLONE_VM)), 0);
	CHECK_OK(sigaction(SIGUSR1, NULL, &sa));
	CHECK(sa.sa_handler == SIG_DFL);

	CHECK_EQ(exit_code(clone_child(unshare_sighand_child,
				       CLONE_VM | CLONE_SIGHAND)),
		 0);
	/* Alone again (the child's table reference went with it): nothing shared. */
	CHECK_OK(unshare(CLONE_SIGHAND));
	ok("CLONE_SIGHAND: the child's sigaction is the parent's; CLONE_VM alone not");
}

/* Opens 72 in the shared table, then execs the test again in "exec-child" mode. */
static int exec_child(void *arg)
{
	char **argv = arg;
	if (dup2(0, 72) != 72)
		return 1;
	char *args[] = { argv[0], "exec-child", NULL };
	execve("/proc/self/exe", args, environ);
	return 2;
}

/* After execve: the close-on-exec 73 is closed here, 72 is still open; 74 opened
 * here must not appear in the parent's table. */
static int after_exec(void)
{
	if (open_fd(73) || !open_fd(72))
		return 3;
	if (dup2(0, 74) != 74)
		return 4;
	close(72);
	return 0;
}

static void exec_unshares(char **argv)
{
	CHECK_OK(dup3(0, 73, O_CLOEXEC));
	CHECK_EQ(exit_code(clone_arg(exec_child, CLONE_FILES, argv)), 0);
	CHECK(open_fd(72)); /* opened before the exec, while shared */
	CHECK(open_fd(73)); /* close-on-exec applied to the child's own copy */
	CHECK_ERR(fcntl(74, F_GETFD), EBADF);
	close(72);
	close(73);
	ok("execve gives a CLONE_FILES child its own table");
}

static int thread_tid = 1;
static volatile int thread_result = -1;

/* A thread without CLONE_FILES and CLONE_FS: what it opens and where it goes are
 * its own. It ends with the exit system call (not exit(3), which would end all). */
static int own_thread(void *arg)
{
	(void)arg;
	int r = 0;
	if (dup2(0, 75) != 75 || chdir("/tmp") != 0)
		r = 1;
	if (close(76) != 0) /* the creator's, copied: closed here only */
		r = 2;
	thread_result = r;
	syscall(SYS_exit, 0);
	return 0;
}

static void thread_own_table(void)
{
	CHECK_OK(chdir("/"));
	int flags = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_CHILD_CLEARTID |
		    CLONE_PARENT_SETTID;
	CHECK_OK(dup2(0, 76));
	/* The tid is stored before the thread runs; CLEARTID zeroes it at its exit. */
	int tid = clone(own_thread, stack + STACK_SIZE, flags, NULL, &thread_tid,
			NULL, &thread_tid);
	if (tid < 0)
		FAIL("clone of a thread failed with %s", errname(errno));
	int seen;
	while ((seen = __atomic_load_n(&thread_tid, __ATOMIC_ACQUIRE)) != 0)
		syscall(SYS_futex, &thread_tid, FUTEX_WAIT, seen, NULL);
	CHECK_EQ(thread_result, 0);
	CHECK_ERR(fcntl(75, F_GETFD), EBADF);
	CHECK(open_fd(76));
	close(76);
	char cwd[64];
	CHECK(getcwd(cwd, sizeof cwd) != NULL);
	CHECK_STR(cwd, "/");
	ok("a thread without CLONE_FILES and CLONE_FS has its own table and cwd");
}

static int unshare_child(void *arg)
{
	(void)arg;
	if (unshare(CLONE_FILES | CLONE_FS) != 0)
		return 1;
	if (dup2(0, 77) != 77 || chdir("/tmp") != 0)
		return 2;
	return 0;
}

static void unshare_files(void)
{
	CHECK_OK(chdir("/"));
	CHECK_EQ(exit_code(clone_child(unshare_child, CLONE_FILES | CLONE_FS)), 0);
	CHECK_ERR(fcntl(77, F_GETFD), EBADF);
	char cwd[64];
	CHECK(getcwd(cwd, sizeof cwd) != NULL);
	CHECK_STR(cwd, "/");
	CHECK_ERR(unshare(0x80), EINVAL); /* an exit-signal bit: unknown to unshare */
	CHECK_OK(unshare(0));
	ok("unshare(CLONE_FILES|CLONE_FS) ends the sharing");
}

static int share_all_child(void *arg)
{
	(void)arg;
	return dup2(0, 79) == 79 ? 0 : 1;
}

/* Shared tables outlive no holder: rounds of children sharing everything, and of
 * children with copies, give back every byte of kernel heap (Rill only). The pipe's
 * read end sees EOF once the last table holding its write end is gone. */
static void no_leak(void)
{
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_OK(dup2(0, 79)); /* the table grows to its size before the measure */
	close(79);
	long before = heap_kb();
	for (int i = 0; i < 40; i++) {
		int flags = i % 2 ? CLONE_VM | CLONE_SIGHAND | CLONE_FILES | CLONE_FS : 0;
		CHECK_EQ(exit_code(clone_child(share_all_child, flags)), 0);
		close(79);
	}
	if (on_rill()) {
		long after = heap_settled_kb(before);
		if (!heap_back_at(after, before))
			FAIL("kernel heap %ld kB after sharing children, %ld before", after,
			     before);
	}
	pid_t pid = clone_child(share_all_child, CLONE_FILES);
	CHECK_EQ(exit_code(pid), 0);
	close(p[1]);
	char c;
	CHECK_EQ(read(p[0], &c, 1), 0);
	close(p[0]);
	close(79);
	ok("children sharing tables leave nothing behind; the last holder closes");
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "exec-child") == 0)
		return after_exec();
	setvbuf(stdout, NULL, _IONBF, 0);
	files();
	fs();
	sighand();
	exec_unshares(argv);
	thread_own_table();
	unshare_files();
	no_leak();
	return 0;
}
