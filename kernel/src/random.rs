//! getrandom's source: a SplitMix64 generator seeded from the timer and wall clock at
//! boot. It is unpredictable enough for hash seeds and AT_RANDOM, not for cryptography.

use core::sync::atomic::{AtomicU64, Ordering};

static STATE: AtomicU64 = AtomicU64::new(0x9e37_79b9_7f4a_7c15);

pub fn seed(s: u64) {
    STATE.fetch_xor(s, Ordering::Relaxed);
}

fn next() -> u64 {
    let mut z = STATE
        .fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed)
        .wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

pub fn fill(buf: &mut [u8]) {
    for chunk in buf.chunks_mut(8) {
        let v = next().to_ne_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
}
