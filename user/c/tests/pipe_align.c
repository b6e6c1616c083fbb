/* pipe_align: bytes written to a pipe from every offset within a word and read back into
 * every offset, in lengths around the kernel copy loop's steps (8, 64, 512 bytes) and
 * across pages, come back exactly, and the bytes around the reader's buffer stay as they
 * were. The pipe's own position moves along too, so every pairing of alignments between
 * user memory and the pipe's pages is met. */
#include "rilltest.h"

static unsigned char src[12000], dst[12000];

static const int lengths[] = { 0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 100, 127,
			       128, 129, 255, 256, 257, 511, 512, 513, 575, 1000, 4095, 4096,
			       4097, 8191, 9000 };

int main(void)
{
	int p[2];
	CHECK_OK(pipe(p));
	for (size_t i = 0; i < sizeof src; i++)
		src[i] = (unsigned char)(i * 31 + (i >> 9) + 1);
	long rounds = 0;
	for (int s = 0; s < 8; s++) {
		for (int d = 0; d < 8; d++) {
			for (size_t k = 0; k < sizeof lengths / sizeof lengths[0]; k++) {
				int len = lengths[k];
				memset(dst, 0xee, sizeof dst);
				CHECK_EQ(write(p[1], src + s + k, len), len);
				int got = 0;
				while (got < len) {
					ssize_t n = read(p[0], dst + d + got, len - got);
					CHECK(n > 0);
					got += (int)n;
				}
				if (memcmp(dst + d, src + s + k, len))
					FAIL("src offset %d, dst offset %d, %d bytes differ", s, d, len);
				for (int i = 0; i < d; i++)
					CHECK_EQ(dst[i], 0xee);
				CHECK_EQ(dst[d + len], 0xee);
				rounds++;
			}
		}
	}
	CHECK_EQ(rounds, 8L * 8 * (long)(sizeof lengths / sizeof lengths[0]));
	ok("every alignment pairing and length comes back exactly through a pipe");
	return 0;
}
