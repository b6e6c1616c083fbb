/* mem_maps: /proc/PID/maps in Linux's format: one line per area with its range, rights,
 * s for shared or p for private, the offset in the mapped object, device, inode and
 * name. A MAP_SHARED|MAP_ANONYMOUS area is "/dev/zero (deleted)" on device 00:01, and
 * mprotect of its second page splits it into two lines of the same inode at offsets
 * 0 and 0x1000; private anonymous areas are 00:00 0 without a name; the stack is
 * [stack]. The text is the same read in 7-byte pieces or at once, and a parent reads
 * its child's maps. qemu-user pads its own maps lines differently (and shows the host's
 * maps for other processes), so the lines are printed field by field; on Rill the
 * exact text is checked too (names from column 74, a trailing space where there is
 * none), [heap], and the child's lines. */
#include "rilltest.h"
#include <sys/mman.h>

#define PAGE 4096UL
#define MAPS_MAX 65536

static char text[MAPS_MAX], pieces[MAPS_MAX];
static unsigned char *w;
static int go[2];

static long read_all(const char *path, char *buf, size_t chunk)
{
	int fd = CHECK_OK(open(path, O_RDONLY));
	size_t n = 0;
	long r;
	while ((r = read(fd, buf + n, chunk < MAPS_MAX - 1 - n ? chunk : MAPS_MAX - 1 - n)) > 0)
		n += (size_t)r;
	CHECK_EQ(r, 0);
	close(fd);
	buf[n] = 0;
	return (long)n;
}

/* The lines of `maps` inside [w, w + 16 pages), one after another. */
static void ours(const char *maps, char *out, size_t size)
{
	size_t n = 0;
	for (const char *line = maps; *line; line = strchr(line, '\n') + 1) {
		unsigned long start, end;
		const char *eol = strchr(line, '\n');
		CHECK(eol != NULL);
		if (sscanf(line, "%lx-%lx", &start, &end) != 2)
			FAIL("maps line not in Linux's format: %.80s", line);
		if (start < (unsigned long)w || end > (unsigned long)w + 16 * PAGE)
			continue;
		size_t len = (size_t)(eol + 1 - line);
		CHECK(n + len < size);
		memcpy(out + n, line, len);
		n += len;
	}
	out[n] = 0;
}

/* Prints our lines field by field, addresses relative to w; the first shared line's
 * inode is "same-inode", and so are the others with the same one. */
static void print_ours(const char *maps)
{
	static char mine[4096];
	ours(maps, mine, sizeof mine);
	unsigned long first_ino = 0;
	for (const char *line = mine; *line; line = strchr(line, '\n') + 1) {
		unsigned long start, end, off, ino;
		unsigned major, minor;
		char rights[5];
		int name_at = 0;
		if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu%n", &start, &end, rights, &off, &major,
			   &minor, &ino, &name_at) != 7)
			FAIL("maps line not in Linux's format: %.80s", line);
		const char *name = line + name_at, *eol = strchr(line, '\n');
		while (*name == ' ')
			name++;
		if (rights[3] == 's' && first_ino == 0)
			first_ino = ino;
		printf("+%#lx-+%#lx %s %08lx %02x:%02x %s [%.*s]\n", start - (unsigned long)w,
		       end - (unsigned long)w, rights, off, major, minor,
		       ino == 0 ? "0" : ino == first_ino ? "same-inode" : "other-inode",
		       (int)(eol - name), name);
	}
	CHECK(first_ino != 0);
}

static int child(void)
{
	char c;
	return read(go[0], &c, 1) == 1 ? 0 : 2;
}

int main(void)
{
	w = mmap(NULL, 16 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(w != MAP_FAILED);
	CHECK(mmap(w, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1,
		   0) == w);
	CHECK(mmap(w + 2 * PAGE, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		   -1, 0) == w + 2 * PAGE);
	CHECK_EQ(mprotect(w + PAGE, PAGE, PROT_READ), 0);
	char *heap = malloc(200000);
	CHECK(heap != NULL);

	long n = read_all("/proc/self/maps", text, MAPS_MAX);
	CHECK(n > 0 && n < MAPS_MAX - 1);
	print_ours(text);
	CHECK(strstr(text, "[stack]\n") != NULL);
	ok("shared and private areas, split by mprotect, in Linux's fields; the stack is [stack]");

	CHECK_EQ(read_all("/proc/self/maps", pieces, 7), n);
	CHECK_STR(pieces, text);
	ok("read in 7-byte pieces, the text is the same");

	/* Another process's maps (qemu-user shows the host's for those: on Rill only). */
	CHECK_OK(pipe(go));
	pid_t c = spawn(child);
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/maps", (int)c);
	read_all(path, pieces, MAPS_MAX);
	CHECK_EQ(write(go[1], "x", 1), 1);
	CHECK_EQ(wait_for(c), 0);
	static char mine[4096], childs[4096];
	ours(text, mine, sizeof mine);
	ours(pieces, childs, sizeof childs);
	if (on_rill())
		CHECK_STR(childs, mine);
	ok("a parent reads its child's maps: the same areas (checked on Rill)");

	if (on_rill()) {
		char want[256];
		snprintf(want, sizeof want, "\n%08lx-%08lx r-xp 00000000 00:00 0 \n",
			 (unsigned long)w + 2 * PAGE, (unsigned long)w + 3 * PAGE);
		if (!strstr(text, want))
			FAIL("no line \"%s\" in /proc/self/maps", want + 1);
		snprintf(want, sizeof want, "\n%08lx-%08lx rw-s 00000000 00:01 ", (unsigned long)w,
			 (unsigned long)w + PAGE);
		const char *line = strstr(text, want);
		CHECK(line != NULL);
		const char *name = strstr(line + 1, "/dev/zero (deleted)\n");
		CHECK(name != NULL && name - (line + 1) == 73 && name[-1] == ' ' && name[-2] == ' ');
		CHECK(strstr(text, " [heap]\n") != NULL);
	}
	ok("on Rill: exact lines (names from column 74, a trailing space without one), [heap]");
	free(heap);
	CHECK_EQ(munmap(w, 16 * PAGE), 0);
	return 0;
}
