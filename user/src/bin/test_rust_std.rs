//! In-guest test: a Rust std program (Vec, HashMap, env::args, std::fs on /tmp,
//! formatting and a chosen exit code) behaves as on Linux.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    println!(
        "argc={} argv0_is_path={}",
        args.len(),
        args[0].contains("test_rust_std")
    );

    let squares: Vec<u64> = (1..=10).map(|x| x * x).collect();
    println!("squares={squares:?} sum={}", squares.iter().sum::<u64>());

    let mut words: HashMap<&str, usize> = HashMap::new();
    for w in "the quick brown fox jumps over the lazy dog the end".split(' ') {
        *words.entry(w).or_default() += 1;
    }
    let mut counted: Vec<_> = words.into_iter().collect();
    counted.sort();
    println!("words={counted:?}");

    let dir = format!("/tmp/test_rust_std.{}", std::process::id());
    fs::create_dir(&dir).expect("mkdir");
    let path = format!("{dir}/file.txt");
    {
        let mut f = fs::File::create(&path).expect("create");
        for i in 0..100 {
            writeln!(f, "line {i:03} {:>8.3}", i as f64 / 7.0).expect("write");
        }
    }
    let text = fs::read_to_string(&path).expect("read");
    let meta = fs::metadata(&path).expect("metadata");
    println!(
        "lines={} bytes={} len={} last={:?}",
        text.lines().count(),
        text.len(),
        meta.len(),
        text.lines().last()
    );
    let names: Vec<_> = fs::read_dir(&dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    println!("dir={names:?}");
    fs::rename(&path, format!("{dir}/moved.txt")).expect("rename");
    println!(
        "old_exists={} new_exists={}",
        fs::metadata(&path).is_ok(),
        fs::metadata(format!("{dir}/moved.txt")).is_ok()
    );
    fs::remove_file(format!("{dir}/moved.txt")).expect("remove");
    fs::remove_dir(&dir).expect("rmdir");
    let err = fs::read("/tmp/definitely/missing").unwrap_err();
    println!("missing={:?}", err.kind());
    println!(
        "float={:.5} hex={:#x} width=[{:^9}]",
        std::f64::consts::PI,
        48879,
        "mid"
    );
    ExitCode::SUCCESS
}
