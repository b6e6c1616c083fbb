//! smpscale: how Rill's throughput grows with harts. It runs the same work once with
//! one worker and once with N (default 4) at the same time, on the wall clock, and
//! prints the ratio of total throughput:
//!   pipes:   N independent writer/reader process pairs, each moving MB megabytes
//!            through a pipe of its own, against one pair;
//!   threads: N threads of one process, each doing the same arithmetic, against one.
//! Usage: smpscale [N] [MB] [ROUNDS]. The ratio can only reach N when the machine has N
//! harts and the host N free cores for them.

use std::time::Instant;

fn arg(i: usize, default: u64) -> u64 {
    std::env::args()
        .nth(i)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

/// Moves `bytes` through a new pipe from a writer child to a reader child; returns the
/// two children's pids.
fn pipe_pair(bytes: u64) -> [libc::pid_t; 2] {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors.
    if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
        panic!("pipe failed");
    }
    let writer = fork_child(|| {
        let buf = [0x5au8; 65536];
        let mut left = bytes;
        while left > 0 {
            let n = left.min(buf.len() as u64) as usize;
            // SAFETY: writes from a live buffer of at least n bytes.
            let w = unsafe { libc::write(fds[1], buf.as_ptr().cast(), n) };
            if w <= 0 {
                return 1;
            }
            left -= w as u64;
        }
        0
    });
    let reader = fork_child(|| {
        // SAFETY: closing the child's copy of the write end, so EOF arrives.
        unsafe { libc::close(fds[1]) };
        let mut buf = [0u8; 65536];
        let mut got = 0u64;
        loop {
            // SAFETY: reads into a live buffer of its length.
            let r = unsafe { libc::read(fds[0], buf.as_mut_ptr().cast(), buf.len()) };
            if r <= 0 {
                break;
            }
            got += r as u64;
        }
        i32::from(got != bytes)
    });
    // SAFETY: the parent keeps no end of the pipe.
    unsafe {
        libc::close(fds[0]);
        libc::close(fds[1]);
    }
    [writer, reader]
}

fn fork_child(body: impl FnOnce() -> i32) -> libc::pid_t {
    // SAFETY: the program is single-threaded while it forks; the child only runs
    // `body` and exits.
    match unsafe { libc::fork() } {
        0 => {
            let status = body();
            // SAFETY: ends the child without running the parent's exit handlers.
            unsafe { libc::_exit(status) }
        }
        pid if pid > 0 => pid,
        _ => panic!("fork failed"),
    }
}

fn wait_all(pids: &[libc::pid_t]) {
    for &pid in pids {
        let mut status = 0;
        // SAFETY: waits for our own child.
        unsafe { libc::waitpid(pid, &mut status, 0) };
        if status != 0 {
            panic!("child {pid} failed with status {status:#x}");
        }
    }
}

/// Seconds for `workers` pipe pairs moving `bytes` each.
fn time_pipes(workers: u64, bytes: u64) -> f64 {
    let start = Instant::now();
    let pids: Vec<_> = (0..workers).flat_map(|_| pipe_pair(bytes)).collect();
    wait_all(&pids);
    start.elapsed().as_secs_f64()
}

/// Some arithmetic the compiler cannot fold away.
fn spin(rounds: u64) -> u64 {
    let mut x = rounds;
    for i in 0..rounds {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(i) ^ (x >> 29);
    }
    x
}

/// Seconds for `workers` threads doing `rounds` each.
fn time_threads(workers: u64, rounds: u64) -> f64 {
    let start = Instant::now();
    let handles: Vec<_> = (0..workers)
        .map(|_| std::thread::spawn(move || spin(std::hint::black_box(rounds))))
        .collect();
    for h in handles {
        std::hint::black_box(h.join().expect("worker panicked"));
    }
    start.elapsed().as_secs_f64()
}

fn main() {
    let n = arg(1, 4).max(1);
    let mb = arg(2, 16);
    let rounds = arg(3, 20_000_000);
    let bytes = mb << 20;
    // A warm-up of each kind first: the first fork and the first thread fault in the
    // program's pages and stacks, which would count against the single worker.
    time_pipes(n, bytes / 16);
    time_threads(n, rounds / 16);
    let one = time_pipes(1, bytes);
    let many = time_pipes(n, bytes);
    println!(
        "pipes: 1 pair {:.1} MB/s, {n} pairs {:.1} MB/s in total: {:.2}x",
        mb as f64 / one,
        (n * mb) as f64 / many,
        n as f64 * one / many
    );
    let one = time_threads(1, rounds);
    let many = time_threads(n, rounds);
    println!(
        "threads: 1 thread {one:.2} s, {n} threads {many:.2} s for {n}x the work: {:.2}x",
        n as f64 * one / many
    );
}
