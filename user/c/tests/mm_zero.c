/* mm_zero: reads of untouched anonymous memory map the shared zero page.
 * Reading every page of a 2 GiB read-only mapping works and (on Rill) costs only page
 * tables: VmRSS does not grow (Linux does not count the zero page either) and free
 * memory drops by no more than the tables. A write after a read gets a private page
 * and leaves its neighbours zero; mprotect to writable keeps zero pages safe to write;
 * the kernel's own copies read untouched pages (write(2) from them) and write zero-page
 * pages (read(2) into them); fork keeps zero pages zero in both processes; madvise
 * DONTNEED and munmap of zero pages never free the shared frame (its contents stay
 * zero after memory is reused, and free memory comes back exactly). */
#include "rilltest.h"
#include <sys/mman.h>

#define PAGE 4096UL
#define MIB (1024UL * 1024)
#define BIG (2048 * MIB)

static long rss_kb(void)
{
	return proc_kb("/proc/self/status", "VmRSS:");
}

static long free_kb(void)
{
	return proc_kb("/proc/meminfo", "MemFree:");
}

/* Sum of one byte per page: forces a read fault on every page. */
static unsigned long read_pages(const unsigned char *p, unsigned long len)
{
	unsigned long sum = 0;
	for (unsigned long off = 0; off < len; off += PAGE)
		sum += ((const volatile unsigned char *)p)[off];
	return sum;
}

static unsigned char *big;

/* Bytes to fill to make the kernel reuse freed frames: 32 MiB, or what is free less
 * 8 MiB on a small machine (the frame allocator hands out the last freed frame first, so
 * a freed zero frame would be among the first reused either way). */
static unsigned long fill_size(void)
{
	unsigned long spare = (unsigned long)free_kb() * 1024;
	unsigned long fill = spare > 16 * MIB ? spare - 8 * MIB : 8 * MIB;
	return (fill < 32 * MIB ? fill : 32 * MIB) & ~(MIB - 1);
}

static int child_after_fork(void)
{
	/* Pages the parent only read are still zero here (one it wrote holds 0x22), and
	 * writes are the child's own. */
	if (read_pages(big, 64 * MIB) != 0x22 || read_pages(big + 64 * MIB, 64 * MIB) != 0)
		return 1;
	if (mprotect(big, PAGE, PROT_READ | PROT_WRITE) != 0)
		return 2;
	big[0] = 0x5a;
	return big[PAGE] == 0 && big[0] == 0x5a ? 0 : 3;
}

int main(void)
{
	int rill = on_rill();
	/* Warm up what the measurements below touch (stdio, the stack). */
	rss_kb();
	free_kb();
	heap_kb();
	long free0 = accounted_free_kb(), heap0 = heap_kb();

	big = mmap(NULL, BIG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(big != MAP_FAILED);
	long rss1 = rss_kb(), free1 = free_kb();
	CHECK_EQ(read_pages(big, BIG), 0);
	long rss2 = rss_kb(), free2 = free_kb();
	/* 2 GiB needs 1024 last-level tables (4 MiB); allow a little for the rest. */
	if (rill && (rss2 - rss1 > 16 || free1 - free2 > 4096 + 64))
		FAIL("reading 2 GiB: VmRSS %+ld kB, free memory %+ld kB", rss2 - rss1, free2 - free1);
	ok("every page of an untouched 2 GiB PROT_READ mapping reads 0 and uses no memory");

	/* A write needs write permission: make part of it writable, then write. */
	CHECK_EQ(mprotect(big, 64 * MIB, PROT_READ | PROT_WRITE), 0);
	CHECK_EQ(read_pages(big, 64 * MIB), 0);
	long rss3 = rss_kb();
	big[5 * PAGE + 7] = 0x11;
	big[9 * PAGE] = 0x22;
	CHECK_EQ(big[5 * PAGE + 7], 0x11);
	CHECK_EQ(big[9 * PAGE], 0x22);
	CHECK_EQ(big[5 * PAGE + 8], 0);
	CHECK_EQ(read_pages(big, 64 * MIB), 0x22); /* one byte per page: only 9*PAGE */
	if (rill && rss_kb() - rss3 != 8)
		FAIL("two written pages: VmRSS %+ld kB, want +8", rss_kb() - rss3);
	ok("after mprotect to writable, writing zero-page pages gives private pages; the rest stay 0");

	/* The kernel reads untouched pages and writes pages that map the zero page. */
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_EQ(write(p[1], big + 100 * MIB, PAGE), PAGE);
	static unsigned char buf[PAGE];
	memset(buf, 0xee, sizeof buf);
	CHECK_EQ(read(p[0], buf, PAGE), PAGE);
	for (unsigned long i = 0; i < PAGE; i++)
		if (buf[i] != 0)
			FAIL("byte %lu of a page written from an untouched page is %d", i, buf[i]);
	memset(buf, 0x77, sizeof buf);
	CHECK_EQ(write(p[1], buf, 16), 16);
	CHECK_EQ(read(p[0], big + 20 * PAGE + 8, 16), 16); /* read-faulted above: zero page */
	CHECK_EQ(big[20 * PAGE + 8], 0x77);
	CHECK_EQ(big[20 * PAGE + 24], 0);
	CHECK_EQ(big[21 * PAGE + 8], 0);
	CHECK_EQ(write(p[1], buf, 1), 1);
	CHECK_ERR(read(p[0], big + 200 * MIB, 1), EFAULT); /* read-only part: no write */
	close(p[0]);
	close(p[1]);
	ok("write(2) from untouched memory sends zeros; read(2) into a zero-page page works");

	/* fork: the child sees the zero pages as zero and its writes stay its own. */
	CHECK_EQ(wait_for(spawn(child_after_fork)), 0);
	CHECK_EQ(big[0], 0);
	CHECK_EQ(read_pages(big, 64 * MIB), 0x22);
	ok("fork: zero pages stay zero in parent and child; writes stay private");

	/* DONTNEED drops written pages back to zero; zero pages go without freeing it. */
	CHECK_EQ(madvise(big, 64 * MIB, MADV_DONTNEED), 0);
	CHECK_EQ(read_pages(big, 64 * MIB), 0);
	CHECK_EQ(big[5 * PAGE + 7], 0);
	/* Reuse memory: if the zero frame had been freed, it would now hold 0xab. */
	unsigned long fill_len = fill_size();
	unsigned char *fill = mmap(NULL, fill_len, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(fill != MAP_FAILED);
	memset(fill, 0xab, fill_len);
	CHECK_EQ(read_pages(big + 64 * MIB, 64 * MIB), 0);
	CHECK_EQ(munmap(fill, fill_len), 0);
	ok("madvise DONTNEED: pages read 0 again; the shared zero page is never freed");

	CHECK_EQ(munmap(big, BIG), 0);
	fill_len = fill_size();
	fill = mmap(NULL, fill_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(fill != MAP_FAILED);
	memset(fill, 0xcd, fill_len);
	CHECK_EQ(munmap(fill, fill_len), 0);
	unsigned char *again = mmap(NULL, 64 * MIB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(again != MAP_FAILED);
	CHECK_EQ(read_pages(again, 64 * MIB), 0);
	CHECK_EQ(munmap(again, 64 * MIB), 0);
	long heap3 = heap_settled_kb(heap0), free3 = accounted_free_kb();
	if (rill && (free3 != free0 || !heap_back_at(heap3, heap0)))
		FAIL("free memory %+ld kB, kernel heap %+ld kB after munmap", free3 - free0,
		     heap3 - heap0);
	ok("munmap: zero pages are still zero for new mappings; memory and heap are back");
	return 0;
}
