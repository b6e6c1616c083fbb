//! Property tests of `SigSet` against plain bit arithmetic (signal n is bit n - 1), of
//! `MaskHow`, and of the name parser.

use proptest::prelude::*;
use rill_signal::{MaskHow, SigSet, Signal};

fn signal() -> impl Strategy<Value = Signal> {
    (1u32..=64).prop_map(|n| Signal::new(n).unwrap())
}

proptest! {
    #[test]
    fn bits_round_trip_and_layout(bits in any::<u64>()) {
        let set = SigSet::from_bits(bits);
        prop_assert_eq!(set.bits(), bits);
        prop_assert_eq!(set.len(), bits.count_ones() as usize);
        prop_assert_eq!(set.is_empty(), bits == 0);
        for n in 1..=64u32 {
            prop_assert_eq!(set.contains(Signal::new(n).unwrap()), bits & (1 << (n - 1)) != 0);
        }
        let listed: Vec<u32> = set.iter().map(Signal::number).collect();
        let expected: Vec<u32> = (1..=64).filter(|n| bits & (1 << (n - 1)) != 0).collect();
        prop_assert_eq!(listed, expected);
        prop_assert_eq!(set.iter().collect::<SigSet>(), set);
    }

    #[test]
    fn algebra_is_bit_arithmetic(a in any::<u64>(), b in any::<u64>()) {
        let (x, y) = (SigSet::from_bits(a), SigSet::from_bits(b));
        prop_assert_eq!((x | y).bits(), a | b);
        prop_assert_eq!((x & y).bits(), a & b);
        prop_assert_eq!(x.difference(y).bits(), a & !b);
        prop_assert_eq!((!x).bits(), !a);
        prop_assert_eq!(x.without_unblockable().bits(), a & !((1 << 8) | (1 << 18)));
    }

    #[test]
    fn add_and_remove(bits in any::<u64>(), s in signal()) {
        let mut set = SigSet::from_bits(bits);
        set.add(s);
        prop_assert!(set.contains(s));
        prop_assert_eq!(set.bits(), bits | (1 << (s.number() - 1)));
        set.remove(s);
        prop_assert!(!set.contains(s));
        prop_assert_eq!(set.bits(), bits & !(1 << (s.number() - 1)));
    }

    #[test]
    fn next_to_deliver(bits in any::<u64>()) {
        let set = SigSet::from_bits(bits);
        let synchronous = set & SigSet::SYNCHRONOUS;
        let expected = if synchronous.is_empty() { set.iter().next() } else { synchronous.iter().next() };
        prop_assert_eq!(set.next_to_deliver(), expected);
    }

    #[test]
    fn mask_never_blocks_kill_or_stop(how in 0u32..3, old in any::<u64>(), set in any::<u64>()) {
        let how = MaskHow::from_raw(how).unwrap();
        let new = how.apply(SigSet::from_bits(old).without_unblockable(), SigSet::from_bits(set));
        prop_assert!(!new.contains(Signal::SIGKILL));
        prop_assert!(!new.contains(Signal::SIGSTOP));
    }

    #[test]
    fn realtime_offsets_parse(k in 0u32..100) {
        prop_assert_eq!(Signal::from_name(&format!("RTMIN+{k}")), Signal::new(32 + k));
        prop_assert_eq!(
            Signal::from_name(&format!("SIGRTMAX-{k}")),
            64u32.checked_sub(k).filter(|&n| n >= 32).and_then(Signal::new)
        );
    }

    #[test]
    fn names_parse_back_in_any_case(s in signal(), lower in any::<bool>()) {
        let name = if lower { s.name().to_ascii_lowercase() } else { s.name().to_owned() };
        prop_assert_eq!(Signal::from_name(&name), Some(s));
    }

    #[test]
    fn parser_never_panics(text in "\\PC{0,16}") {
        let _ = Signal::from_name(&text);
    }
}
