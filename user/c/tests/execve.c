/* execve: program loading and the initial stack.
 * The test re-executes itself through /proc/self/exe with a chosen argv and
 * envp (an empty string, a space, a 300-character value); the new image
 * prints them exactly and checks the auxiliary vector (AT_PAGESZ, AT_PHDR,
 * AT_PHNUM, AT_PHENT, AT_ENTRY, AT_RANDOM, AT_EXECFN, AT_UID/EUID/GID/EGID).
 * Then execve failures: missing file (ENOENT), a directory (EACCES), a text
 * file with execute permission (ENOEXEC), bad pointers (EFAULT).
 * Under qemu-riscv64 the re-exec needs binfmt_misc set up for riscv64, and
 * qemu 7.2 hands the environment to the program in reverse order. */
#include "rilltest.h"
#include <fcntl.h>
#include <sys/auxv.h>
#include <sys/stat.h>

extern char **environ;

/* "LONG=" and 300 characters: a..z a..z ... */
static char long_var[5 + 300 + 1] = "LONG=";

static void fill_long_var(void)
{
	for (int i = 0; i < 300; i++)
		long_var[5 + i] = 'a' + i % 26;
}

/* The re-executed image: argv[0] is "x". */
static int show_image(int argc, char **argv)
{
	printf("argc = %d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d] = \"%s\"\n", i, argv[i]);
	CHECK(argv[argc] == NULL);
	printf("argv[%d] = NULL\n", argc);
	int n = 0;
	for (char **e = environ; *e; e++, n++) {
		if (strncmp(*e, "LONG=", 5) == 0) {
			CHECK_STR(*e, long_var);
			printf("envp[%d] = \"LONG=<300 characters a..z a..z ...>\"\n", n);
		} else {
			printf("envp[%d] = \"%s\"\n", n, *e);
		}
	}
	printf("envp[%d] = NULL\n", n);
	CHECK_STR(getenv("A"), "1");
	CHECK_STR(getenv("EMPTY"), "");

	CHECK_EQ(getauxval(AT_PAGESZ), 4096);
	CHECK(getauxval(AT_PHDR) != 0);
	CHECK(getauxval(AT_PHNUM) != 0);
	CHECK_EQ(getauxval(AT_PHENT), 56);
	CHECK(getauxval(AT_ENTRY) != 0);
	CHECK(getauxval(AT_RANDOM) != 0);
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	CHECK(execfn != NULL && execfn[0] != '\0');
	CHECK_EQ(getauxval(AT_UID), getuid());
	CHECK_EQ(getauxval(AT_EUID), geteuid());
	CHECK_EQ(getauxval(AT_GID), getgid());
	CHECK_EQ(getauxval(AT_EGID), getegid());
	ok("auxv: PAGESZ 4096, PHDR, PHNUM, PHENT 56, ENTRY, RANDOM, EXECFN, ids");
	return 0;
}

static char *new_argv[] = { "x", "arg one", "", "third", NULL };
static char *new_envp[] = { "A=1", "EMPTY=", long_var, NULL };

static long do_execve(const char *path, char **argv, char **envp)
{
	return syscall(SYS_execve, path, argv, envp);
}

int main(int argc, char **argv)
{
	fill_long_var();
	if (argc == 4 && strcmp(argv[0], "x") == 0)
		return show_image(argc, argv);

	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		do_execve("/proc/self/exe", new_argv, new_envp);
		FAIL("execve(/proc/self/exe) failed with %s", errname(errno));
	}
	CHECK_EQ(wait_for(pid), 0);
	ok("execve(/proc/self/exe) with argv and envp");

	CHECK_ERR(do_execve("/no/such/file", new_argv, new_envp), ENOENT);
	ok("execve of a missing file: ENOENT");
	CHECK_ERR(do_execve("/tmp", new_argv, new_envp), EACCES);
	ok("execve of a directory: EACCES");

	const char *text = "/tmp/rilltest-execve.txt";
	umask(022);
	unlink(text);
	int fd = CHECK_OK(open(text, O_WRONLY | O_CREAT | O_EXCL, 0755));
	CHECK_EQ(write(fd, "echo not an ELF file\n", 21), 21);
	CHECK_EQ(close(fd), 0);
	CHECK_ERR(do_execve(text, new_argv, new_envp), ENOEXEC);
	CHECK_EQ(unlink(text), 0);
	ok("execve of an executable text file: ENOEXEC");

	CHECK_ERR(do_execve(BAD_LOW, new_argv, new_envp), EFAULT);
	CHECK_ERR(do_execve("/proc/self/exe", BAD_LOW, new_envp), EFAULT);
	CHECK_ERR(do_execve("/proc/self/exe", new_argv, BAD_KERNEL), EFAULT);
	char *bad_string_argv[] = { "x", BAD_LOW, NULL };
	CHECK_ERR(do_execve("/proc/self/exe", bad_string_argv, new_envp), EFAULT);
	ok("execve with a bad path, argv, envp or argv string: EFAULT");
	return 0;
}
