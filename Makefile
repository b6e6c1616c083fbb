# Rill's public commands. `make run` boots Rill to its shell; `make test` runs every
# test; `make exec PROG=path ARGS="..."` runs one Linux riscv64 static binary on Rill.
# Each installs what it needs first (see scripts/deps.sh).

BUILD       := build
KERNEL_ELF  := kernel/target/riscv64gc-unknown-none-elf/release/rill
XTASK       := cargo run -q --release -p xtask --
STAMP_DEPS  := $(BUILD)/.deps-ok

# SMP=N boots Rill on N harts (1-8) for run, exec, ltp and tests; 1 is the default (the
# fastest on a host with few free cores). guest-test runs each test's Rill side again
# on SMP_AGAIN harts (default 4; 0 skips that second run).
SMP         ?= 1
SMP_AGAIN   ?= 4
export SMP SMP_AGAIN

.PHONY: all deps kernel user cprogs rootfs run console2 exec ltp test host-test guest-test clean \
	bench bench-linux bench-doc linux-kernel profile

all: rootfs

$(STAMP_DEPS): scripts/deps.sh rust-toolchain.toml
	@scripts/deps.sh
	@mkdir -p $(BUILD) && touch $@

deps: $(STAMP_DEPS)

kernel: deps
	cd kernel && cargo build --release
	@mkdir -p $(BUILD)
	riscv64-linux-gnu-objcopy -O binary $(KERNEL_ELF) $(BUILD)/kernel.bin

# The hand-written programs, and uutils' multicall binary for the everyday tools (docs/tools.md).
user: deps
	cd user && cargo build --release
	cd user/coreutils && cargo build --release

cprogs: deps
	$(MAKE) -s -C user/c OUT=$(abspath $(BUILD)/c)
	$(MAKE) -s -C user/bench OUT=$(abspath $(BUILD)/c)

rootfs: kernel user cprogs
	$(XTASK) rootfs

run: rootfs
	$(XTASK) run

# The second terminal of a running `make run` (a virtio console on a unix socket).
console2: deps
	socat -,raw,echo=0,escape=0x1d UNIX-CONNECT:$(BUILD)/console2.sock

# make cannot pass a program's status on (a failing recipe is make's status 2, and make
# would print its own error line last), so the status is the last line printed:
# `exit status: N`. `cargo run -q --release -p xtask -- exec` exits with it.
# ROOTFS=dir merges a host directory into the image (a test suite, its data, /etc files).
exec: rootfs
	@test -n "$(PROG)" || { echo 'usage: make exec PROG=path/to/static-binary ARGS="..." [ROOTFS=dir]'; exit 2; }
	@$(XTASK) exec $(if $(ROOTFS),--rootfs $(ROOTFS)) -- $(PROG) $(ARGS) || true

# LTP's tests of xtask/ltp/tests.txt from the binaries in $(LTP), one boot each, J at a
# time; FILTER="a b" runs those whose names contain a or b (without it, docs/LTP.md is
# rewritten); LTP_TIMEOUT is the limit per test in seconds.
ltp: rootfs
	@test -n "$(LTP)" || { echo 'usage: make ltp LTP=dir-of-ltp-binaries [J=2] [FILTER="names"] [LTP_TIMEOUT=secs]'; exit 2; }
	$(XTASK) ltp -j $(or $(J),1) $(if $(LTP_TIMEOUT),--timeout $(LTP_TIMEOUT)) $(LTP) $(FILTER)

host-test: deps
	cargo test --workspace

guest-test: rootfs
	$(XTASK) test $(FILTER)

test: host-test guest-test

# Benchmarks (docs/BENCHMARKS.md): ipcbench on Rill under icount; with bench-linux also on
# Linux 6.1 (built once into build/linux by scripts/build-linux.sh) with ratios and goals.
# WALL=1: wall-clock time instead, median of RUNS (default 5) runs of each kernel.
# ARGS="-s 0.5 pipe" passes arguments to ipcbench (a scale, benchmark names).
RUNS        ?= 5
BENCH_MODE  := $(if $(WALL),--wall $(RUNS)) $(if $(ARGS),-- $(ARGS))

bench: rootfs
	$(XTASK) bench $(BENCH_MODE)

linux-kernel: deps
	scripts/build-linux.sh

bench-linux: rootfs linux-kernel
	$(XTASK) bench --linux $(BENCH_MODE)

bench-doc: rootfs linux-kernel
	$(XTASK) bench --linux --doc

# Where the kernel's instructions go for one program (a host file or a path in the image):
# `make profile PROG=/bin/ipcbench ARGS=pipe_rt`.
profile: rootfs
	@test -n "$(PROG)" || { echo 'usage: make profile PROG=path ARGS="..."'; exit 2; }
	$(XTASK) profile $(PROG) $(ARGS)

clean:
	rm -rf $(BUILD)
	cargo clean
	cd kernel && cargo clean
	cd user && cargo clean
