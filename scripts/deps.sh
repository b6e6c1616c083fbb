#!/usr/bin/env bash
# Installs the host tools Rill's build and tests need (Debian/Ubuntu), or says exactly
# what to install. The Rust toolchain and targets come from rust-toolchain.toml.
set -euo pipefail

packages=()
command -v qemu-system-riscv64 >/dev/null || packages+=(qemu-system-misc)
command -v qemu-riscv64 >/dev/null || packages+=(qemu-user)
command -v riscv64-linux-gnu-gcc >/dev/null || packages+=(gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu)
[ -f /usr/riscv64-linux-gnu/lib/libc.a ] || packages+=(libc6-dev-riscv64-cross)
command -v socat >/dev/null || packages+=(socat)

if [ ${#packages[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "deps: installing ${packages[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq "${packages[@]}" >/dev/null
    else
        echo "deps: missing host packages; install them with:" >&2
        echo "  sudo apt-get install ${packages[*]}" >&2
        exit 1
    fi
fi

if ! command -v rustup >/dev/null; then
    echo "deps: rustup is required (https://rustup.rs); it reads rust-toolchain.toml" >&2
    exit 1
fi
# rustup installs the pinned toolchain on first use; make sure its targets are there too.
toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
installed=$(rustup +"$toolchain" target list --installed 2>/dev/null || true)
for t in riscv64gc-unknown-none-elf riscv64gc-unknown-linux-gnu; do
    grep -qx "$t" <<<"$installed" || rustup +"$toolchain" target add "$t"
done
