/* bench-exit: the smallest program ipcbench's fork_exec can run: no libc, one page of code,
 * exits at once with status 42 so the parent can tell the new image ran. */
void _start(void) {
    register long a0 __asm__("a0") = 42;
    register long a7 __asm__("a7") = 93; /* exit */
    __asm__ volatile("ecall" : : "r"(a0), "r"(a7));
    for (;;) {}
}
