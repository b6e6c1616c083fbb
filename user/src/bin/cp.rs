//! `cp SRC DST` or `cp SRC... DIR`: copy regular files. Directories are not copied
//! (there is no -r). The copy gets the source's permission bits.

fn main() {
    let (_, operands) = rill_user::parse_flags("cp", &rill_user::args(), "");
    let mut status = 0;
    for (src, dst) in rill_user::source_targets("cp", &operands) {
        if !rill_user::copy_file("cp", &src, &dst) {
            status = 1;
        }
    }
    std::process::exit(status);
}
