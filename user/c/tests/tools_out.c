/* tools_out: the everyday tools (uutils' multicall binary, and the hand-written free)
 * print what their Linux counterparts print: `ls -l` names owner and group from
 * /etc/passwd and /etc/group and shows dates, `id` the user and groups, `free` the
 * memory of /proc/meminfo in procps' layout, `uptime` the time and load averages, `df`
 * the file system of a path. The tools are found by PATH, so on Linux (qemu-user) the
 * guest's own binaries run too. */
#include "rilltest.h"
#include <sys/stat.h>

static int is_month(const char *m)
{
	static const char *months = "JanFebMarAprMayJunJulAugSepOctNovDec";
	for (int i = 0; i < 12; i++)
		if (strncmp(m, months + 3 * i, 3) == 0)
			return 1;
	return 0;
}

static void ls_long(void)
{
	const char *out = run_output((char *[]){ "ls", "-l", "/bin/ls", "/etc/passwd", NULL });
	char mode[16], owner[16], group[16], month[8], time[8], name[64];
	unsigned links, day;
	unsigned long size;
	const char *line = out;
	for (int i = 0; i < 2; i++) {
		CHECK_EQ(sscanf(line, "%15s %u %15s %15s %lu %7s %u %7s %63s", mode, &links, owner,
				group, &size, month, &day, time, name),
			 9);
		CHECK_STR(owner, "root");
		CHECK_STR(group, "root");
		CHECK(is_month(month) && day >= 1 && day <= 31);
		/* A recent file shows hh:mm, an older one its year. */
		CHECK((strlen(time) == 5 && time[2] == ':') || strlen(time) == 4);
		CHECK_STR(name, i == 0 ? "/bin/ls" : "/etc/passwd");
		CHECK_STR(mode, i == 0 ? "-rwxr-xr-x" : "-rw-r--r--");
		line = strchr(line, '\n') + 1;
	}
	CHECK_EQ(*line, 0);
	ok("ls -l: mode, links, owner and group root root, size, date and name");

	struct stat st;
	CHECK_EQ(stat("/bin/ls", &st), 0);
	if (on_rill()) {
		/* One multicall binary: ls, cat, ... are links to /bin/coreutils. */
		struct stat cu;
		CHECK_EQ(stat("/bin/coreutils", &cu), 0);
		CHECK_EQ(cu.st_ino, st.st_ino);
		CHECK(st.st_nlink > 20);
	}
	ok("ls is a link to the multicall binary");
}

static void id(void)
{
	const char *out = run_output((char *[]){ "id", NULL });
	if (on_rill())
		CHECK_STR(out, "uid=0(root) gid=0(root) groups=0(root)\n");
	else
		CHECK(strncmp(out, "uid=", 4) == 0);
	ok("id: uid=0(root) gid=0(root) groups=0(root)");
}

static void free_(void)
{
	const char *out = run_output((char *[]){ "free", NULL });
	const char *head =
		"               total        used        free      shared  buff/cache   available\n";
	CHECK(strncmp(out, head, strlen(head)) == 0);
	unsigned long total, used, free_kb, shared, cache, avail;
	CHECK_EQ(sscanf(out + strlen(head), "Mem: %lu %lu %lu %lu %lu %lu", &total, &used, &free_kb,
			&shared, &cache, &avail),
		 6);
	CHECK_EQ((long)total, proc_kb("/proc/meminfo", "MemTotal:"));
	CHECK_EQ(used + avail, total);
	CHECK(strstr(out, "\nSwap: ") != NULL);
	ok("free: procps' columns, total from /proc/meminfo, used = total - available");
}

static void uptime(void)
{
	const char *out = run_output((char *[]){ "uptime", NULL });
	unsigned h, m, s;
	CHECK_EQ(sscanf(out, " %u:%u:%u up ", &h, &m, &s), 3);
	CHECK(h < 24 && m < 60 && s < 60);
	const char *load = strstr(out, "load average: ");
	CHECK(load != NULL);
	double a, b, c;
	CHECK_EQ(sscanf(load, "load average: %lf, %lf, %lf", &a, &b, &c), 3);
	ok("uptime: the time, how long up, and the three load averages");
}

static void df(void)
{
	/* /dev/shm: the root is "rootfs", which df leaves out as Linux's does. */
	const char *out = run_output((char *[]){ "df", "/dev/shm", NULL });
	CHECK(strncmp(out, "Filesystem", 10) == 0);
	CHECK(strstr(out, "Mounted on\n") != NULL);
	const char *row = strchr(out, '\n') + 1;
	char fs[64], mounted[64];
	unsigned long blocks, used, avail;
	CHECK_EQ(sscanf(row, "%63s %lu %lu %lu %*s %63s", fs, &blocks, &used, &avail, mounted), 5);
	CHECK(blocks > 0 && used + avail <= blocks + blocks / 10);
	CHECK_STR(mounted, "/dev/shm");
	ok("df: the file system a path is on, with its size, use and mount point");
}

int main(void)
{
	ls_long();
	id();
	free_();
	uptime();
	df();
	return 0;
}
