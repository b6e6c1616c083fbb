//! `sleep SECONDS...`: pause for the sum of the given durations. Each may be
//! fractional ("0.5"). Uses nanosleep through `std::thread::sleep`.

use std::time::Duration;

fn main() {
    let args = rill_user::args();
    if args.is_empty() {
        eprintln!("sleep: missing operand");
        std::process::exit(2);
    }
    let mut total = Duration::ZERO;
    for arg in &args {
        match arg.parse::<f64>() {
            Ok(secs) if secs >= 0.0 && secs.is_finite() => {
                total += Duration::from_secs_f64(secs);
            }
            _ => {
                eprintln!("sleep: invalid time interval '{arg}'");
                std::process::exit(1);
            }
        }
    }
    std::thread::sleep(total);
}
