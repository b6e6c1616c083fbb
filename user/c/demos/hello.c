/* hello: the classic first C program, a static glibc binary. */
#include <stdio.h>

int main(void)
{
	printf("hello, world\n");
	return 0;
}
