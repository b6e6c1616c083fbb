//! The messages of one System V queue and the way `msgrcv` chooses among them.
//!
//! Messages keep arrival order across types; a receiver names what it wants with a
//! [`Selector`] built from `msgrcv`'s `msgtyp` and flags, exactly as Linux's `convert_mode`
//! and `find_msg` read them.

use crate::abi::{MSG_COPY, MSG_EXCEPT};
use alloc::collections::VecDeque;

/// Which message a receiver takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selector {
    /// `msgtyp == 0`: the first message.
    Any,
    /// `msgtyp > 0`: the first message of that type.
    Equal(i64),
    /// `msgtyp > 0` with `MSG_EXCEPT`: the first message of any other type.
    NotEqual(i64),
    /// `msgtyp < 0`: the first message of the lowest type not above `|msgtyp|`.
    LessEqual(i64),
    /// `MSG_COPY`: the message at position `msgtyp` (from 0), left in the queue.
    Nth(i64),
}

impl Selector {
    /// The selector for `msgrcv(…, msgtyp, msgflg)`.
    pub fn new(msgtyp: i64, flags: u32) -> Selector {
        if flags & MSG_COPY != 0 {
            Selector::Nth(msgtyp)
        } else if msgtyp == 0 {
            Selector::Any
        } else if msgtyp < 0 {
            // -i64::MIN does not exist; Linux reads it as i64::MAX.
            Selector::LessEqual(msgtyp.checked_neg().unwrap_or(i64::MAX))
        } else if flags & MSG_EXCEPT != 0 {
            Selector::NotEqual(msgtyp)
        } else {
            Selector::Equal(msgtyp)
        }
    }

    /// Whether a message of type `mtype` is one this receiver could take (for
    /// [`Selector::LessEqual`], any type in range, not only the lowest).
    pub fn accepts(self, mtype: i64) -> bool {
        match self {
            Selector::Any | Selector::Nth(_) => true,
            Selector::Equal(t) => mtype == t,
            Selector::NotEqual(t) => mtype != t,
            Selector::LessEqual(t) => mtype <= t,
        }
    }
}

/// One message: its type (at least 1), its text length and the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message<P> {
    /// The `mtype` it was sent with.
    pub mtype: i64,
    /// Bytes of text.
    pub size: usize,
    /// The text, however the kernel stores it.
    pub text: P,
}

/// The messages of a queue in arrival order, with their total size.
#[derive(Debug)]
pub struct MessageList<P> {
    messages: VecDeque<Message<P>>,
    bytes: usize,
}

impl<P> Default for MessageList<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P> MessageList<P> {
    /// An empty queue; allocates nothing.
    pub const fn new() -> Self {
        MessageList {
            messages: VecDeque::new(),
            bytes: 0,
        }
    }

    /// Messages queued (`msg_qnum`).
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Whether no message is queued.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// Bytes of text queued (`msg_cbytes`).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Whether a message of `size` bytes may join a queue limited to `qbytes`: both the
    /// bytes and the message count stay within it (Linux's `msg_fits_inqueue`).
    pub fn fits(&self, size: usize, qbytes: usize) -> bool {
        self.bytes.saturating_add(size) <= qbytes && self.messages.len() < qbytes
    }

    /// The position of the message `sel` picks, if any (Linux's `find_msg`).
    pub fn find(&self, sel: Selector) -> Option<usize> {
        // A receiver usually finds the queue empty (and then sleeps): answer that at once.
        if self.messages.is_empty() {
            return None;
        }
        let mut bound = match sel {
            Selector::LessEqual(t) => t,
            Selector::Nth(n) => return usize::try_from(n).ok().filter(|&n| n < self.len()),
            _ => 0,
        };
        let mut found = None;
        for (i, m) in self.messages.iter().enumerate() {
            match sel {
                Selector::LessEqual(_) if m.mtype <= bound => {
                    // Keep looking for a lower type; type 1 cannot be beaten.
                    found = Some(i);
                    if m.mtype == 1 {
                        break;
                    }
                    bound = m.mtype - 1;
                }
                Selector::LessEqual(_) => {}
                _ if sel.accepts(m.mtype) => return Some(i),
                _ => {}
            }
        }
        found
    }

    /// The message at `index`.
    pub fn get(&self, index: usize) -> Option<&Message<P>> {
        self.messages.get(index)
    }

    /// Removes and returns the message at `index`.
    pub fn take(&mut self, index: usize) -> Option<Message<P>> {
        let m = self.messages.remove(index)?;
        self.bytes -= m.size;
        Some(m)
    }

    /// Appends a message; gives it back if the queue cannot grow (no memory).
    pub fn push(&mut self, m: Message<P>) -> Result<(), Message<P>> {
        if self.messages.try_reserve(1).is_err() {
            return Err(m);
        }
        self.bytes += m.size;
        self.messages.push_back(m);
        Ok(())
    }

    /// Removes every message (the queue is being destroyed).
    pub fn clear(&mut self) {
        self.messages.clear();
        self.bytes = 0;
    }

    /// Every message in order.
    pub fn iter(&self) -> impl Iterator<Item = &Message<P>> {
        self.messages.iter()
    }
}
