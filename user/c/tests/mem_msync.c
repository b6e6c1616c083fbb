/* mem_msync: msync's checks as Linux 6.1 makes them (mm/msync.c). Rill keeps shared
 * memory in RAM, so a valid msync has nothing to write and succeeds; what matters is
 * the errors: EINVAL for unknown flags, MS_SYNC with MS_ASYNC, or a misaligned address;
 * ENOMEM for a range with unmapped parts (at once for MS_ASYNC alone, after the mapped
 * parts otherwise) or one that wraps; EBUSY for MS_INVALIDATE on locked memory; 0 for
 * a length of 0 (or one that rounds up to 0). */
#include "rilltest.h"
#include <sys/mman.h>

#define PAGE 4096UL

int main(void)
{
	unsigned char *w = mmap(NULL, 8 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(w != MAP_FAILED);
	CHECK(mmap(w, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1,
		   0) == w);
	CHECK(mmap(w + 2 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == w + 2 * PAGE);
	CHECK_EQ(munmap(w + 4 * PAGE, PAGE), 0); /* a hole, then a page, then free */
	CHECK_EQ(munmap(w + 6 * PAGE, 2 * PAGE), 0);
	w[0] = 1;
	w[2 * PAGE] = 2;

	int good[] = { MS_SYNC, MS_ASYNC, MS_INVALIDATE, MS_SYNC | MS_INVALIDATE,
		       MS_ASYNC | MS_INVALIDATE, 0 };
	for (unsigned i = 0; i < sizeof good / sizeof good[0]; i++)
		CHECK_EQ(msync(w, 4 * PAGE, good[i]), 0);
	CHECK_EQ(w[0], 1);
	CHECK_EQ(w[2 * PAGE], 2);
	CHECK_EQ(msync(w + PAGE, 100, MS_SYNC), 0);
	ok("every flag combination succeeds on shared and private memory; the data stays");

	CHECK_ERR(msync(w, PAGE, 8), EINVAL);
	CHECK_ERR(msync(w, PAGE, -1), EINVAL);
	CHECK_ERR(msync(w, PAGE, MS_SYNC | MS_ASYNC), EINVAL);
	CHECK_ERR(msync(w + 1, PAGE, MS_SYNC), EINVAL);
	CHECK_ERR(msync(w + 4 * PAGE + 1, 0, MS_ASYNC), EINVAL);
	ok("unknown flags, SYNC with ASYNC, a misaligned address: EINVAL");

	CHECK_EQ(msync(w + 4 * PAGE, 0, MS_SYNC), 0);
	CHECK_EQ(msync(w + 4 * PAGE, (size_t)-1, MS_SYNC), 0); /* rounds up to 0 */
	CHECK_ERR(msync(w, (size_t)-1 - 2 * PAGE, MS_SYNC), ENOMEM); /* wraps */
	ok("a length of 0, or one that rounds up to 0, is 0; one that wraps is ENOMEM");

	CHECK_ERR(msync(w + 4 * PAGE, PAGE, MS_SYNC), ENOMEM);
	CHECK_ERR(msync(w + 6 * PAGE, 2 * PAGE, MS_ASYNC), ENOMEM);
	CHECK_ERR(msync(w, 6 * PAGE, MS_SYNC), ENOMEM);
	CHECK_ERR(msync(w, 6 * PAGE, MS_ASYNC), ENOMEM);
	CHECK_ERR(msync(w, 6 * PAGE, MS_INVALIDATE), ENOMEM);
	CHECK_ERR(msync(w + 3 * PAGE, 4 * PAGE, 0), ENOMEM);
	ok("unmapped parts of the range: ENOMEM");

	unsigned char *locked = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	CHECK(locked != MAP_FAILED);
	CHECK_ERR(msync(locked, PAGE, MS_INVALIDATE), EBUSY);
	CHECK_ERR(msync(locked, PAGE, MS_SYNC | MS_INVALIDATE), EBUSY);
	CHECK_EQ(msync(locked, PAGE, MS_SYNC), 0);
	CHECK_EQ(munmap(locked, PAGE), 0);
	ok("MS_INVALIDATE on locked memory (MAP_LOCKED): EBUSY");

	CHECK_EQ(munmap(w, 8 * PAGE), 0);
	return 0;
}
