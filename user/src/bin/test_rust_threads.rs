//! In-guest test: Rust std threads (spawn and join, Mutex, Condvar, Barrier, channels,
//! scoped threads, thread-locals) behave as on Linux.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier, Condvar, Mutex};
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
}
