/* klog_syslog: syslog(2) as dmesg uses it: the size of the kernel log, reading all of
 * it or its newest whole lines into a smaller buffer, and the errors. Reading is open to
 * everyone (kernel.dmesg_restrict 0), clearing needs privilege. */
#include "rilltest.h"
#include <sys/klog.h>

static char buf[1 << 17];

static int unprivileged(void)
{
	CHECK_OK(setuid(65534));
	CHECK(klogctl(3, buf, 100) >= 0);
	CHECK(klogctl(10, NULL, 0) > 0);
	CHECK_ERR(klogctl(5, NULL, 0), EPERM);
	CHECK_ERR(klogctl(2, buf, 10), EPERM);
	return 0;
}

int main(void)
{
	int size = CHECK_OK(klogctl(10, NULL, 0));
	CHECK(size >= 4096);
	int n = CHECK_OK(klogctl(3, buf, sizeof buf));
	CHECK(n > 0 && n <= size);
	CHECK_EQ(buf[0], '<');
	CHECK_EQ(buf[n - 1], '\n');
	for (int i = 0; i + 1 < n; i++)
		if (buf[i] == '\n')
			CHECK(buf[i + 1] == '<');
	ok("SIZE_BUFFER, READ_ALL: whole records, each <level>");

	int m = CHECK_OK(klogctl(3, buf, 100));
	CHECK(m <= 100);
	if (m > 0) {
		CHECK_EQ(buf[0], '<');
		CHECK_EQ(buf[m - 1], '\n');
	}
	CHECK_EQ(klogctl(3, buf, 0), 0);
	CHECK(klogctl(9, NULL, 0) >= 0);
	ok("READ_ALL into a small buffer gives the newest whole lines");

	CHECK_ERR(klogctl(99, buf, 10), EINVAL);
	CHECK_ERR(klogctl(-1, buf, 10), EINVAL);
	CHECK_ERR(klogctl(3, buf, -1), EINVAL);
	CHECK_ERR(klogctl(3, NULL, 10), EINVAL);
	CHECK_ERR(klogctl(8, NULL, 0), EINVAL);
	CHECK_EQ(wait_for(spawn(unprivileged)), 0);
	ok("errors: EINVAL, EPERM without privilege");
	return 0;
}
