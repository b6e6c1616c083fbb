//! The id table against a model, and the rules of `*get`.

use proptest::prelude::*;
use rill_ipc::abi::{IPC_CREAT, IPC_EXCL, IPC_PRIVATE};
use rill_ipc::{Cred, IpcIds, Lookup, IPCMNI};
use std::collections::BTreeMap;

const ROOT: Cred = Cred {
    euid: 0,
    egid: 0,
    privileged: true,
    in_supplementary: |_| false,
};

fn create(ids: &mut IpcIds<u32>, key: i32, obj: u32) -> Result<i32, Lookup<()>> {
    ids.get_or_create(key, IPC_CREAT | 0o600, ROOT, 32000, |_| Ok(()), || Ok(obj))
}

#[test]
fn first_ids_count_up_from_zero_like_linux() {
    let mut ids = IpcIds::new();
    assert_eq!(create(&mut ids, IPC_PRIVATE, 1), Ok(0));
    assert_eq!(create(&mut ids, IPC_PRIVATE, 2), Ok(1));
    assert_eq!(ids.remove(0), Some(1));
    // The index does not go back to 0 at once: allocation cycles.
    assert_eq!(create(&mut ids, IPC_PRIVATE, 3), Ok(2));
}

#[test]
fn a_stale_id_names_nothing_after_the_index_is_reused() {
    let mut ids = IpcIds::new();
    let first = create(&mut ids, IPC_PRIVATE, 0).unwrap();
    ids.remove(first);
    let mut last = first;
    for n in 1..=64 {
        last = create(&mut ids, IPC_PRIVATE, n).unwrap();
        ids.remove(last);
    }
    // 64 allocations later the window wraps to index 0 with the next sequence number.
    assert_eq!(last & (IPCMNI as i32 - 1), 0);
    assert_ne!(last, first);
    assert!(ids.get(first).is_none());
}

#[test]
fn the_window_shrinks_below_the_cursor() {
    let mut ids = IpcIds::new();
    let made: Vec<i32> = (0..500)
        .map(|n| create(&mut ids, IPC_PRIVATE, n).unwrap())
        .collect();
    for id in made {
        ids.remove(id);
    }
    // The cursor is at 500 but the window is back to 64: allocation wraps to index 0.
    let id = create(&mut ids, IPC_PRIVATE, 0).unwrap();
    assert_eq!(id & (IPCMNI as i32 - 1), 0);
    assert_eq!(id >> 15, 1);
}

#[test]
fn get_rules() {
    let mut ids: IpcIds<u32> = IpcIds::new();
    let user = Cred::new(1000, 1000);
    let other = Cred::new(2000, 2000);
    let no_check = |_: &u32| Ok::<(), ()>(());
    assert_eq!(
        ids.get_or_create(7, 0o600, user, 10, no_check, || Ok(1)),
        Err(Lookup::NotFound)
    );
    let id = ids
        .get_or_create(7, IPC_CREAT | 0o640, user, 10, no_check, || Ok(1))
        .unwrap();
    assert_eq!(
        ids.get_or_create(7, IPC_CREAT | IPC_EXCL, user, 10, no_check, || Ok(2)),
        Err(Lookup::Exists)
    );
    assert_eq!(
        ids.get_or_create(7, 0, user, 10, no_check, || Ok(2)),
        Ok(id)
    );
    assert_eq!(
        ids.get_or_create(7, 0o400, other, 10, no_check, || Ok(2)),
        Err(Lookup::Denied)
    );
    assert_eq!(
        ids.get_or_create(7, 0o400, ROOT, 10, no_check, || Ok(2)),
        Ok(id)
    );
    assert_eq!(
        ids.get_or_create(7, 0, user, 10, |_| Err(5), || Ok(2)),
        Err(Lookup::Other(5))
    );
    assert_eq!(
        ids.get_or_create(IPC_PRIVATE, 0, user, 1, no_check, || Ok(2)),
        Err(Lookup::Full)
    );
    ids.make_private(id);
    assert_eq!(
        ids.get_or_create(7, 0, user, 10, no_check, || Ok(2)),
        Err(Lookup::NotFound)
    );
    assert!(ids.get(id).is_some());
}

#[test]
fn permission_bits_by_owner_group_other() {
    let mut ids: IpcIds<u32> = IpcIds::new();
    let owner = Cred::new(1, 10);
    let id = ids
        .get_or_create(
            IPC_PRIVATE,
            0o640,
            owner,
            10,
            |_| Ok::<(), ()>(()),
            || Ok(0),
        )
        .unwrap();
    let perm = ids.get(id).unwrap().perm;
    use rill_ipc::Access;
    assert!(perm.permits(owner, Access::READ_WRITE));
    assert!(perm.permits(Cred::new(2, 10), Access::READ));
    assert!(!perm.permits(Cred::new(2, 10), Access::WRITE));
    assert!(!perm.permits(Cred::new(2, 20), Access::READ));
    // A supplementary group counts as the effective gid does (Linux's in_group_p).
    let member = Cred {
        in_supplementary: |g| g == 10,
        ..Cred::new(2, 20)
    };
    assert!(perm.permits(member, Access::READ));
    assert!(!perm.permits(member, Access::WRITE));
    assert!(!perm.may_control(member));
    assert!(perm.may_control(owner));
    assert!(!perm.may_control(Cred::new(2, 10)));
}

#[derive(Clone, Debug)]
enum Op {
    Create(i32),
    Remove(usize),
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        prop_oneof![
            (0..4i32).prop_map(Op::Create),
            (0..64usize).prop_map(Op::Remove),
        ],
        0..300,
    )
}

proptest! {
    /// Ids of live objects are unique and find their object; removed ids find nothing;
    /// a key finds the one live object created with it.
    #[test]
    fn table_matches_model(ops in ops()) {
        let mut ids: IpcIds<u32> = IpcIds::new();
        let mut live: BTreeMap<i32, (i32, u32)> = BTreeMap::new();
        let mut dead: Vec<i32> = Vec::new();
        let mut next = 0u32;
        for op in ops {
            match op {
                Op::Create(key) => {
                    let existing = live.iter().find(|(_, (k, _))| *k == key && key != IPC_PRIVATE);
                    let want_existing = existing.map(|(&id, _)| id);
                    let got = create(&mut ids, key, next);
                    match want_existing {
                        Some(id) => prop_assert_eq!(got, Ok(id)),
                        None => {
                            let id = got.unwrap();
                            prop_assert!(id >= 0 && !live.contains_key(&id));
                            live.insert(id, (key, next));
                            next += 1;
                        }
                    }
                }
                Op::Remove(n) => {
                    if let Some(&id) = live.keys().nth(n % live.len().max(1)) {
                        prop_assert_eq!(ids.remove(id), Some(live[&id].1));
                        live.remove(&id);
                        dead.push(id);
                    }
                }
            }
            prop_assert_eq!(ids.in_use(), live.len());
        }
        for (&id, &(_, obj)) in &live {
            prop_assert_eq!(ids.get(id).map(|s| s.obj), Some(obj));
        }
        for id in dead {
            if !live.contains_key(&id) {
                prop_assert!(ids.get(id).is_none());
            }
        }
    }
}
