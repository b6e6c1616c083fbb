/* hello: the smallest static glibc program. Checks that a C program starts,
 * writes to stdout through stdio and exits with status 0. */
#include <stdio.h>

int main(void)
{
	printf("hello, world\n");
	return 0;
}
