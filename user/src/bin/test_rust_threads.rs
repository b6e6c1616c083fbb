//! In-guest test: Rust std threads (spawn and join, Mutex, Condvar, Barrier, channels,
//! scoped threads, thread-locals, RwLock, panics reported by join, child processes started
//! from several threads) behave as on Linux. Every line it prints is deterministic.

use std::cell::Cell;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier, Condvar, Mutex, RwLock};
use std::thread;

thread_local! {
    static LOCAL: Cell<u32> = const { Cell::new(1) };
}

fn main() {
    let total = Arc::new(Mutex::new(0u64));
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let total = total.clone();
            thread::spawn(move || {
                for _ in 0..10_000 {
                    *total.lock().unwrap() += 1;
                }
                i * 10
            })
        })
        .collect();
    let returned: Vec<u32> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    println!(
        "mutex total={} returned={returned:?}",
        total.lock().unwrap()
    );

    let (tx, rx) = mpsc::channel();
    for i in 0..3u32 {
        let tx = tx.clone();
        thread::spawn(move || {
            for j in 0..5 {
                tx.send(i * 100 + j).unwrap();
            }
        });
    }
    drop(tx);
    let mut got: Vec<u32> = rx.iter().collect();
    got.sort();
    println!(
        "channel received={} sum={}",
        got.len(),
        got.iter().sum::<u32>()
    );

    let pair = Arc::new((Mutex::new(false), Condvar::new()));
    let woken = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(Barrier::new(4));
    let waiters: Vec<_> = (0..3)
        .map(|_| {
            let (pair, woken, barrier) = (pair.clone(), woken.clone(), barrier.clone());
            thread::spawn(move || {
                let (lock, cv) = &*pair;
                barrier.wait();
                let mut ready = lock.lock().unwrap();
                while !*ready {
                    ready = cv.wait(ready).unwrap();
                }
                woken.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    barrier.wait();
    {
        let (lock, cv) = &*pair;
        *lock.lock().unwrap() = true;
        cv.notify_all();
    }
    for w in waiters {
        w.join().unwrap();
    }
    println!("condvar woken={}", woken.load(Ordering::SeqCst));

    let mut parts = [0u64; 4];
    thread::scope(|s| {
        for (i, p) in parts.iter_mut().enumerate() {
            s.spawn(move || {
                LOCAL.with(|l| l.set(l.get() + i as u32));
                *p = (0..1000u64).map(|x| x * (i as u64 + 1)).sum();
            });
        }
    });
    println!(
        "scoped parts={parts:?} main_local={}",
        LOCAL.with(|l| l.get())
    );

    many_producers();
    ping_pong();
    scoped_rwlock();
    panicking_thread();
    children_from_threads();
}

/// 8 producers send 10,000 numbers each through one channel: none is lost or duplicated
/// and each producer's numbers arrive in the order it sent them.
fn many_producers() {
    const PRODUCERS: u64 = 8;
    const EACH: u64 = 10_000;
    let (tx, rx) = mpsc::channel();
    for p in 0..PRODUCERS {
        let tx = tx.clone();
        thread::spawn(move || {
            for j in 0..EACH {
                tx.send(p * EACH + j).unwrap();
            }
        });
    }
    drop(tx);
    let mut next = [0u64; PRODUCERS as usize];
    let (mut count, mut sum, mut in_order) = (0u64, 0u64, true);
    for v in rx {
        let p = (v / EACH) as usize;
        in_order &= v % EACH == next[p];
        next[p] += 1;
        count += 1;
        sum += v;
    }
    println!("mpsc producers={PRODUCERS} received={count} sum={sum} in_order={in_order}");
}

/// Two threads hand a turn back and forth 1,000 times each through a Mutex and a Condvar;
/// every move must come from the thread whose turn it is.
fn ping_pong() {
    const ROUNDS: u32 = 1000;
    // (whose turn: 0 or 1, moves made, alternation held)
    let state = Arc::new((Mutex::new((0u32, 0u32, true)), Condvar::new()));
    let players: Vec<_> = (0..2u32)
        .map(|me| {
            let state = state.clone();
            thread::spawn(move || {
                let (lock, cv) = &*state;
                for _ in 0..ROUNDS {
                    let mut s = lock.lock().unwrap();
                    while s.0 != me {
                        s = cv.wait(s).unwrap();
                    }
                    s.2 &= s.1 % 2 == me;
                    s.1 += 1;
                    s.0 = 1 - me;
                    cv.notify_one();
                }
            })
        })
        .collect();
    for p in players {
        p.join().unwrap();
    }
    let s = state.0.lock().unwrap();
    println!("pingpong rounds={ROUNDS} moves={} alternated={}", s.1, s.2);
}

/// Scoped readers and a writer start together at a Barrier: readers never see the value go
/// back or past the end, and after the second Barrier (the writer is done) all see the end.
fn scoped_rwlock() {
    const READERS: usize = 4;
    const WRITES: u32 = 100;
    let value = RwLock::new(0u32);
    let barrier = Barrier::new(READERS + 1);
    let monotonic = AtomicUsize::new(0);
    let saw_end = AtomicUsize::new(0);
    thread::scope(|s| {
        for _ in 0..READERS {
            s.spawn(|| {
                barrier.wait();
                let mut last = 0;
                let mut ok = true;
                for _ in 0..200 {
                    let v = *value.read().unwrap();
                    ok &= v >= last && v <= WRITES;
                    last = v;
                }
                if ok {
                    monotonic.fetch_add(1, Ordering::SeqCst);
                }
                barrier.wait();
                if *value.read().unwrap() == WRITES {
                    saw_end.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
        s.spawn(|| {
            barrier.wait();
            for _ in 0..WRITES {
                *value.write().unwrap() += 1;
            }
            barrier.wait();
        });
    });
    println!(
        "rwlock final={} readers_monotonic={} readers_saw_end={}",
        value.into_inner().unwrap(),
        monotonic.load(Ordering::SeqCst),
        saw_end.load(Ordering::SeqCst)
    );
}

/// A thread that panics while holding a Mutex: join returns the panic's payload as Err and
/// the Mutex is poisoned. The hook writes one fixed line to stderr (the default hook's text
/// depends on RUST_BACKTRACE); main is blocked in join meanwhile, so the order is fixed.
fn panicking_thread() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .copied()
            .unwrap_or("?");
        let name = thread::current().name().unwrap_or("?").to_string();
        eprintln!("panic hook: thread {name}: {msg}");
    }));
    let shared = Arc::new(Mutex::new(0u32));
    let held = shared.clone();
    let worker = thread::Builder::new()
        .name("doomed".into())
        .spawn(move || {
            let _guard = held.lock().unwrap();
            panic!("deliberate panic");
        })
        .unwrap();
    let result = worker.join();
    std::panic::set_hook(default_hook);
    let payload = match &result {
        Err(p) => p.downcast_ref::<&str>().copied().unwrap_or("?"),
        Ok(()) => "none",
    };
    println!(
        "panic join_err={} payload={payload:?} poisoned={}",
        result.is_err(),
        shared.lock().is_err()
    );
}

/// 4 threads each run cat with its stdin and stdout piped and get their own text back.
fn children_from_threads() {
    let workers: Vec<_> = (0..4)
        .map(|i| {
            thread::spawn(move || {
                let text: String = (0..50).map(|l| format!("thread {i} line {l}\n")).collect();
                let mut child = Command::new("cat")
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .spawn()
                    .unwrap();
                let mut stdin = child.stdin.take().unwrap();
                let input = text.clone();
                let writer = thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
                let mut out = String::new();
                child
                    .stdout
                    .take()
                    .unwrap()
                    .read_to_string(&mut out)
                    .unwrap();
                writer.join().unwrap();
                let status = child.wait().unwrap();
                status.success() && out == text
            })
        })
        .collect();
    let ok = workers
        .into_iter()
        .filter_map(|w| w.join().ok())
        .filter(|&ok| ok)
        .count();
    println!("children cat_ok={ok}");
}
