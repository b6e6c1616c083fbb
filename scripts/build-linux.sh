#!/usr/bin/env bash
# Builds, once, the Linux kernel `make bench-linux` compares Rill with: Debian's
# linux-source-6.1 for QEMU `virt` (riscv64) with a minimal configuration (serial console,
# initramfs, ELF, System V IPC, POSIX message queues, tmpfs, futex, Unix sockets), cross-built
# with riscv64-linux-gnu-gcc. About 10-30 minutes on 2 cores. Also builds the tiny init that
# runs ipcbench there (user/bench/linux-init.c). Everything goes to build/linux/:
#   build/linux/Image   the kernel        build/linux/init   its init
# Installs what it needs with apt-get (as scripts/deps.sh does) when run as root.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${LINUX_BUILD_DIR:-$ROOT/build/linux}
mkdir -p "$OUT"

need=()
for p in linux-source-6.1 flex bison bc libssl-dev libelf-dev gcc-riscv64-linux-gnu \
         libc6-dev-riscv64-cross qemu-system-misc xz-utils make gcc; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  else
    echo "build-linux: install first: sudo apt-get install ${need[*]}" >&2; exit 1
  fi
fi

if [ ! -x "$OUT/init" ] || [ "$ROOT/user/bench/linux-init.c" -nt "$OUT/init" ]; then
  riscv64-linux-gnu-gcc -static -s -O2 -Wall -Wextra -Werror -o "$OUT/init" "$ROOT/user/bench/linux-init.c"
fi
if [ -f "$OUT/Image" ]; then exit 0; fi

SRC=$OUT/linux-source-6.1
if [ ! -d "$SRC" ]; then
  echo "build-linux: unpacking /usr/src/linux-source-6.1.tar.xz into $OUT" >&2
  tar -xf /usr/src/linux-source-6.1.tar.xz -C "$OUT"
fi
cd "$SRC"
export ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu-
make allnoconfig >/dev/null
# One hart's worth of virt machine, the console on the 8250 UART, and the kernel services
# ipcbench uses; optimised for speed, as a distribution kernel is.
scripts/config -e 64BIT -e MMU -e SOC_VIRT -e FPU -e RISCV_ISA_C -e SMP --set-val NR_CPUS 8 \
  -e NO_HZ_IDLE -d HZ_PERIODIC -e HIGH_RES_TIMERS -e PRINTK -e BUG -e TTY -e UNIX98_PTYS \
  -e SERIAL_8250 -e SERIAL_8250_CONSOLE -e SERIAL_OF_PLATFORM -e SERIAL_EARLYCON \
  -e RISCV_SBI_V01 -e HVC_RISCV_SBI -e SERIAL_EARLYCON_RISCV_SBI \
  -e BLK_DEV_INITRD -e RD_GZIP -d RD_BZIP2 -d RD_LZMA -d RD_XZ -d RD_LZO -d RD_LZ4 -d RD_ZSTD \
  -e BINFMT_ELF -e BINFMT_SCRIPT -e SYSVIPC -e POSIX_MQUEUE -e SHMEM -e TMPFS -e PROC_FS -e SYSFS \
  -e DEVTMPFS -e DEVTMPFS_MOUNT -e FUTEX -e EPOLL -e SIGNALFD -e TIMERFD -e EVENTFD -e AIO \
  -e NET -e UNIX -e MULTIUSER -e FILE_LOCKING -e POSIX_TIMERS -e SIFIVE_PLIC -e RISCV_TIMER \
  -e POWER_RESET -e POWER_RESET_SYSCON -e POWER_RESET_SYSCON_POWEROFF \
  -e CC_OPTIMIZE_FOR_PERFORMANCE -d CC_OPTIMIZE_FOR_SIZE
make olddefconfig >/dev/null
echo "build-linux: building the kernel in $SRC (10-30 minutes)" >&2
make -j"$(nproc)" Image >/dev/null
cp arch/riscv/boot/Image "$OUT/Image.tmp" && mv "$OUT/Image.tmp" "$OUT/Image"
echo "build-linux: $OUT/Image is ready" >&2
