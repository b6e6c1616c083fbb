//! `free [-b|-k|-m]`: memory in use and free, as procps' free prints it, from
//! /proc/meminfo (uutils has no free). Columns: total, used (total - available), free,
//! shared (Shmem), buff/cache (Buffers + Cached + SReclaimable) and available; a Swap row
//! with the swap totals (Rill has none). Sizes in KiB unless -b (bytes) or -m (MiB).

use std::fs;

/// A `Key: N kB` line of /proc/meminfo in KiB, 0 if the kernel does not give it.
fn kib(meminfo: &str, key: &str) -> u64 {
    meminfo
        .lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn main() {
    rill_user::reset_sigpipe();
    let (flags, operands) = rill_user::parse_flags("free", &rill_user::args(), "bkm");
    if !operands.is_empty() {
        eprintln!("usage: free [-b|-k|-m]");
        std::process::exit(1);
    }
    let scale = |kib: u64| {
        if flags.has('b') {
            kib * 1024
        } else if flags.has('m') {
            kib / 1024
        } else {
            kib
        }
    };
    let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_else(|e| {
        rill_user::report("free", "/proc/meminfo", &e);
        std::process::exit(1);
    });
    let m = |key| kib(&meminfo, key);
    let total = m("MemTotal");
    let available = m("MemAvailable");
    let cache = m("Buffers") + m("Cached") + m("SReclaimable");
    let mem = [
        total,
        total.saturating_sub(available),
        m("MemFree"),
        m("Shmem"),
        cache,
        available,
    ];
    let (swap_total, swap_free) = (m("SwapTotal"), m("SwapFree"));
    let swap = [
        swap_total,
        swap_total - swap_free.min(swap_total),
        swap_free,
    ];
    println!("               total        used        free      shared  buff/cache   available");
    for (name, row) in [("Mem:", &mem[..]), ("Swap:", &swap[..])] {
        let cells: String = row.iter().map(|&v| format!(" {:>11}", scale(v))).collect();
        println!("{name:<7}{cells}");
    }
}
