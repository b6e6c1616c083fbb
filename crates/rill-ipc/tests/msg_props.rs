//! msgrcv's selection against a plain model of Linux's rules.

use proptest::prelude::*;
use rill_ipc::abi::{MSG_COPY, MSG_EXCEPT};
use rill_ipc::{Message, MessageList, Selector};

fn list(types: &[i64]) -> MessageList<usize> {
    let mut l = MessageList::new();
    for (i, &t) in types.iter().enumerate() {
        l.push(Message {
            mtype: t,
            size: i + 1,
            text: i,
        })
        .unwrap();
    }
    l
}

/// The position the rules of msgrcv(2) name, computed the obvious way.
fn model(types: &[i64], msgtyp: i64, flags: u32) -> Option<usize> {
    if flags & MSG_COPY != 0 {
        return usize::try_from(msgtyp).ok().filter(|&n| n < types.len());
    }
    if msgtyp == 0 {
        return (!types.is_empty()).then_some(0);
    }
    if msgtyp < 0 {
        let bound = msgtyp.checked_neg().unwrap_or(i64::MAX);
        let lowest = types.iter().copied().filter(|&t| t <= bound).min()?;
        return types.iter().position(|&t| t == lowest);
    }
    if flags & MSG_EXCEPT != 0 {
        types.iter().position(|&t| t != msgtyp)
    } else {
        types.iter().position(|&t| t == msgtyp)
    }
}

#[test]
fn mixed_queue_examples() {
    let l = list(&[3, 1, 2, 1, 5]);
    assert_eq!(l.find(Selector::new(0, 0)), Some(0));
    assert_eq!(l.find(Selector::new(2, 0)), Some(2));
    assert_eq!(l.find(Selector::new(3, MSG_EXCEPT)), Some(1));
    assert_eq!(l.find(Selector::new(-2, 0)), Some(1));
    assert_eq!(l.find(Selector::new(-4, 0)), Some(1));
    assert_eq!(l.find(Selector::new(4, 0)), None);
    assert_eq!(l.find(Selector::new(4, MSG_COPY)), Some(4));
    assert_eq!(l.find(Selector::new(5, MSG_COPY)), None);
    assert_eq!(l.find(Selector::new(i64::MIN, 0)), Some(1));
    assert_eq!(l.bytes(), 15);
}

#[test]
fn fits_counts_bytes_and_messages() {
    let mut l = list(&[1, 1]); // 3 bytes, 2 messages
    assert!(l.fits(5, 8));
    assert!(!l.fits(6, 8));
    assert!(!l.fits(0, 2)); // a third message would exceed a 2-"byte" queue's count
    let m = l.take(0).unwrap();
    assert_eq!((m.mtype, m.size), (1, 1));
    assert_eq!((l.len(), l.bytes()), (1, 2));
}

proptest! {
    #[test]
    fn find_matches_model(
        types in prop::collection::vec(1..6i64, 0..20),
        msgtyp in -7..7i64,
        except in any::<bool>(),
        copy in any::<bool>(),
    ) {
        let flags = if except { MSG_EXCEPT } else { 0 } | if copy { MSG_COPY } else { 0 };
        prop_assert_eq!(list(&types).find(Selector::new(msgtyp, flags)), model(&types, msgtyp, flags));
    }

    /// Taking messages one by one with a selector keeps the others in arrival order.
    #[test]
    fn take_keeps_order(types in prop::collection::vec(1..4i64, 0..20), msgtyp in 1..4i64) {
        let mut l = list(&types);
        let mut taken = Vec::new();
        while let Some(i) = l.find(Selector::new(msgtyp, 0)) {
            taken.push(l.take(i).unwrap().text);
        }
        let want: Vec<usize> = (0..types.len()).filter(|&i| types[i] == msgtyp).collect();
        prop_assert_eq!(taken, want);
        let rest: Vec<usize> = l.iter().map(|m| m.text).collect();
        let want_rest: Vec<usize> = (0..types.len()).filter(|&i| types[i] != msgtyp).collect();
        prop_assert_eq!(rest, want_rest.clone());
        prop_assert_eq!(l.bytes(), want_rest.iter().map(|i| i + 1).sum::<usize>());
    }
}
