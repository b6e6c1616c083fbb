//! Signal dispositions (struct sigaction as the kernel stores it).

use linux_raw_sys::general as g;
use rill_signal::SigSet;

#[derive(Clone, Copy, Debug, Default)]
pub struct SigAction {
    /// SIG_DFL (0), SIG_IGN (1) or the handler's address.
    pub handler: usize,
    pub flags: u64,
    pub mask: SigSet,
}

impl SigAction {
    pub fn is_default(&self) -> bool {
        self.handler == 0
    }
    pub fn is_ignore(&self) -> bool {
        self.handler == 1
    }
    pub fn is_handler(&self) -> bool {
        !self.is_default() && !self.is_ignore()
    }
    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag as u64 != 0
    }
    /// The user-space struct for rt_sigaction's `oldact`.
    pub fn to_user(self) -> g::kernel_sigaction {
        let mut k = g::kernel_sigaction {
            sa_handler_kernel: None,
            sa_flags: self.flags,
            sa_mask: g::kernel_sigset_t {
                sig: [self.mask.bits()],
            },
        };
        // A handler address is only ever handed back to user space, never called.
        k.sa_handler_kernel = crate::mm::uaccess::handler_from_addr(self.handler);
        k
    }

    pub fn from_user(k: &g::kernel_sigaction) -> SigAction {
        SigAction {
            handler: k.sa_handler_kernel.map_or(0, |f| f as usize),
            flags: k.sa_flags,
            mask: SigSet::from_bits(k.sa_mask.sig[0]).without_unblockable(),
        }
    }
}
