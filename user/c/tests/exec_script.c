/* exec_script: execve of "#!" scripts, as Linux's binfmt_script runs them.
 * Scripts are written into a fresh directory under /tmp; their interpreter is
 * /bin/echo, which prints the argv it gets, so the output shows the
 * rewriting: argv becomes [interpreter, optional argument, the script's path
 * as passed to execve, argv[1..]].
 * - the optional argument is the rest of the line, trimmed, as ONE argument
 *   (inner spaces kept); a NUL ends the interpreter path and drops the rest;
 * - a relative script path is passed on as written;
 * - a script may name a script: up to 5 levels run, a 6th is ELOOP;
 * - only the first 256 bytes count: a longer line runs with its argument cut,
 *   but an interpreter path that may be cut short is ENOEXEC;
 * - an empty argv still gets the script's path;
 * - errors: missing interpreter ENOENT, interpreter not executable or a
 *   directory EACCES, script without execute permission EACCES, "#!" without
 *   a path or a text file without "#!" ENOEXEC.
 * On Rill free memory and kernel heap are back where they started after a few
 * more rounds. Under qemu-riscv64 execve runs on the host kernel, whose
 * /bin/echo prints the same. */
#include "rilltest.h"
#include <fcntl.h>
#include <sys/stat.h>

static char dir[64];
static char out[1024];

static const char *in_dir(const char *name)
{
	return path_in(dir, name);
}

static void write_script(const char *name, const char *text, size_t len, mode_t mode)
{
	int fd = CHECK_OK(open(in_dir(name), O_WRONLY | O_CREAT | O_TRUNC, mode));
	CHECK_EQ(write(fd, text, len), (long)len);
	CHECK_OK(close(fd));
	CHECK_OK(chmod(in_dir(name), mode));
}

static void script(const char *name, const char *text)
{
	write_script(name, text, strlen(text), 0755);
}

/* Execs path with argv in a child whose stdout is a pipe. Returns the errno of a
 * failed execve (0 if it ran); the program's output is left in out. */
static int run(const char *path, char *const argv[])
{
	int fds[2];
	CHECK_OK(pipe(fds));
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		char *envp[] = { NULL };
		syscall(SYS_execve, path, argv, envp);
		_exit(100 + errno);
	}
	close(fds[1]);
	size_t n = 0;
	long r;
	while (n < sizeof out - 1 && (r = read(fds[0], out + n, sizeof out - 1 - n)) > 0)
		n += r;
	out[n] = 0;
	close(fds[0]);
	int st = wait_for(pid);
	CHECK(WIFEXITED(st));
	return WEXITSTATUS(st) >= 100 ? WEXITSTATUS(st) - 100 : 0;
}

/* The script must run and print want (with "$D" standing for the directory). */
static void expect_output(const char *what, const char *path, char *const argv[], const char *want)
{
	char full[1024];
	size_t n = 0;
	for (const char *w = want; *w && n < sizeof full - 64; w++) {
		if (w[0] == '$' && w[1] == 'D') {
			n += snprintf(full + n, sizeof full - n, "%s", dir);
			w++;
		} else {
			full[n++] = *w;
		}
	}
	full[n] = 0;
	int err = run(path, argv);
	if (err)
		FAIL("%s: execve failed with %s", what, errname(err));
	if (strcmp(out, full) != 0)
		FAIL("%s: printed \"%s\", want \"%s\"", what, out, full);
	ok(what);
}

static void expect_error(const char *what, const char *path, int want)
{
	char *argv[] = { "x", NULL };
	int err = run(path, argv);
	if (err != want)
		FAIL("%s: execve gave %s, want %s", what, errname(err), errname(want));
	printf("ok: %s: %s\n", what, errname(want));
}

static void all_cases(void)
{
	char *a[] = { "x", "a", "b", NULL };
	script("plain", "#!/bin/echo\n");
	expect_output("no argument: [interpreter, script, args]", in_dir("plain"), a,
		      "$D/plain a b\n");

	script("arg", "#!  /bin/echo   one  two  \t\nignored\n");
	expect_output("the rest of the line is one argument, trimmed", in_dir("arg"), a,
		      "one  two $D/arg a b\n");

	write_script("nul", "#!/bin/echo\0 dropped\n", 21, 0755);
	expect_output("a NUL ends the interpreter path", in_dir("nul"), a, "$D/nul a b\n");

	CHECK_OK(chdir(dir));
	char *rel[] = { "x", "r", NULL };
	expect_output("a relative script path is passed as written", "./arg", rel,
		      "one  two ./arg r\n");
	CHECK_OK(chdir("/"));

	char nested[128];
	snprintf(nested, sizeof nested, "#!%s zz\n", in_dir("arg"));
	script("nested", nested);
	expect_output("a script as interpreter", in_dir("nested"), a,
		      "one  two $D/arg zz $D/nested a b\n");

	script("c1", "#!/bin/echo\n");
	for (int i = 2; i <= 6; i++) {
		char name[8], prev[8], text[128];
		snprintf(name, sizeof name, "c%d", i);
		snprintf(prev, sizeof prev, "c%d", i - 1);
		snprintf(text, sizeof text, "#!%s\n", in_dir(prev));
		script(name, text);
	}
	expect_output("5 levels of scripts run", in_dir("c5"), a,
		      "$D/c1 $D/c2 $D/c3 $D/c4 $D/c5 a b\n");
	expect_error("6 levels of scripts", in_dir("c6"), ELOOP);

	char long_line[400] = "#!/bin/echo ";
	memset(long_line + 12, 'x', 300);
	strcpy(long_line + 312, "\n");
	script("long", long_line);
	char want[400];
	memset(want, 'x', 243);
	snprintf(want + 243, sizeof want - 243, " $D/long a b\n");
	expect_output("a line past 256 bytes runs with its argument cut", in_dir("long"), a,
		      want);

	char long_path[400] = "#!/";
	memset(long_path + 3, 'p', 300);
	strcpy(long_path + 303, "\n");
	script("longpath", long_path);
	expect_error("an interpreter path past 256 bytes", in_dir("longpath"), ENOEXEC);

	char *none[] = { NULL };
	expect_output("an empty argv", in_dir("plain"), none, "$D/plain\n");

	script("missing", "#!/nonexistent/interpreter\n");
	expect_error("missing interpreter", in_dir("missing"), ENOENT);
	write_script("data", "not a program\n", 14, 0644);
	script("noexec", "#!/tmp/\n");
	char text[128];
	snprintf(text, sizeof text, "#!%s\n", in_dir("data"));
	script("interp_data", text);
	expect_error("interpreter without execute permission", in_dir("interp_data"), EACCES);
	expect_error("interpreter is a directory", in_dir("noexec"), EACCES);
	write_script("private", "#!/bin/echo\n", 12, 0644);
	expect_error("script without execute permission", in_dir("private"), EACCES);
	script("empty_line", "#!\n");
	expect_error("\"#!\" and nothing else", in_dir("empty_line"), ENOEXEC);
	script("blank", "#!  \t \n/bin/echo\n");
	expect_error("\"#!\" and blanks", in_dir("blank"), ENOEXEC);
	script("text", "echo hello\n");
	expect_error("a text file without \"#!\"", in_dir("text"), ENOEXEC);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/exec_script.%d", (int)getpid());
	CHECK_OK(mkdir(dir, 0755));
	all_cases();
	long free_before = settled_free_kb(), heap_before = heap_kb();
	for (int i = 0; i < 3; i++) {
		int saved = dup(1);
		CHECK_OK(saved);
		int null = CHECK_OK(open("/dev/null", O_WRONLY));
		dup2(null, 1);
		close(null);
		all_cases();
		dup2(saved, 1);
		close(saved);
	}
	long free_after = settled_free_kb(), heap_after = heap_settled_kb(heap_before);
	if (on_rill() && (free_after != free_before || !heap_back_at(heap_after, heap_before)))
		FAIL("free memory %ld -> %ld kB, kernel heap %ld -> %ld kB", free_before,
		     free_after, heap_before, heap_after);
	const char *names[] = { "plain", "arg", "nul", "nested", "c1", "c2", "c3", "c4", "c5",
				"c6", "long", "longpath", "missing", "data", "noexec",
				"interp_data", "private", "empty_line", "blank", "text" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		CHECK_OK(unlink(in_dir(names[i])));
	CHECK_OK(rmdir(dir));
	ok("three more rounds; free memory and kernel heap unchanged (checked on Rill)");
	return 0;
}
