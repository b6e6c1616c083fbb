//! `uname [-asnrvm]`: print system information from the uname system call.
//!
//! -s kernel name, -n node name, -r release, -v version, -m machine; -a all of
//! them. With no flag it prints the kernel name. Fields always come out in the
//! order s n r v m, whatever the order of the flags.

use std::ffi::CStr;

fn main() {
    rill_user::reset_sigpipe();
    let (flags, operands) = rill_user::parse_flags("uname", &rill_user::args(), "asnrvm");
    if let Some(extra) = operands.first() {
        eprintln!("uname: extra operand '{extra}'");
        std::process::exit(2);
    }

    // SAFETY: utsname is plain bytes, so all-zero is a valid value to fill in.
    let mut uts: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: uts is a valid, writable utsname.
    if unsafe { libc::uname(&mut uts) } != 0 {
        rill_user::report("uname", "uname", &std::io::Error::last_os_error());
        std::process::exit(1);
    }
    let field = |f: &[libc::c_char]| {
        // SAFETY: the kernel NUL-terminates every utsname field.
        unsafe { CStr::from_ptr(f.as_ptr()) }
            .to_string_lossy()
            .into_owned()
    };

    let all = flags.has('a');
    let wanted = [
        ('s', &uts.sysname[..]),
        ('n', &uts.nodename[..]),
        ('r', &uts.release[..]),
        ('v', &uts.version[..]),
        ('m', &uts.machine[..]),
    ];
    let mut parts: Vec<String> = wanted
        .iter()
        .filter(|(flag, _)| all || flags.has(*flag))
        .map(|(_, value)| field(value))
        .collect();
    if parts.is_empty() {
        parts.push(field(&uts.sysname));
    }
    println!("{}", parts.join(" "));
}
