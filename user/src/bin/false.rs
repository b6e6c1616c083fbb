//! `false`: do nothing, unsuccessfully (exit status 1).

fn main() {
    std::process::exit(1);
}
