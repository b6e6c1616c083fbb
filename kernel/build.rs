//! Passes the linker script to the kernel link with an absolute path.
fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    println!("cargo:rustc-link-arg=-T{dir}/src/linker.ld");
    println!("cargo:rerun-if-changed=src/linker.ld");
}
