//! A System V semaphore set: values, the operations of `semop` applied all or nothing, the
//! per-process undo adjustments of `SEM_UNDO`, and the queue of callers waiting for their
//! operations to become possible.
//!
//! Waiters are served in arrival order: whenever the values change, the queue is scanned
//! from its head and every waiter whose operations can now complete has them applied on
//! its behalf (as Linux's `update_queue` does), so a process looping on the set cannot
//! overtake one that is already waiting.

use crate::abi::{IPC_NOWAIT, SEMAEM, SEMVMX, SEM_UNDO};
use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;

/// One operation of `semop`: `struct sembuf`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SemOp {
    /// Which semaphore of the set.
    pub num: u16,
    /// Added to the value; 0 waits for the value to be zero.
    pub op: i16,
    /// `IPC_NOWAIT` and `SEM_UNDO`.
    pub flags: i16,
}

impl SemOp {
    /// Size of `struct sembuf`.
    pub const SIZE: usize = 6;

    /// Reads a `struct sembuf` from its bytes.
    pub fn decode(b: &[u8; Self::SIZE]) -> SemOp {
        SemOp {
            num: u16::from_ne_bytes([b[0], b[1]]),
            op: i16::from_ne_bytes([b[2], b[3]]),
            flags: i16::from_ne_bytes([b[4], b[5]]),
        }
    }

    fn undo(self) -> bool {
        self.flags as u32 & SEM_UNDO != 0
    }

    fn nowait(self) -> bool {
        self.flags as u32 & IPC_NOWAIT != 0
    }
}

/// Why operations did not complete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SemError {
    /// A value or an undo adjustment would leave its range (`ERANGE`).
    Range,
    /// The operations must wait and one of the blocking ones has `IPC_NOWAIT` (`EAGAIN`).
    Again,
    /// No memory for the caller's undo adjustments (`ENOMEM`).
    NoMemory,
}

/// One semaphore.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Semaphore {
    /// The value, 0..=SEMVMX.
    pub value: i32,
    /// The process of the last operation (`GETPID`).
    pub pid: u32,
}

/// A caller waiting for its operations, with the operation that blocked it (for the
/// `GETNCNT`/`GETZCNT` counts) and the kernel's handle to wake it.
#[derive(Debug)]
pub struct Waiter<W> {
    /// The operations, applied together once possible.
    pub ops: Vec<SemOp>,
    /// The waiting process (its undo adjustments, and the pid recorded).
    pub pid: u32,
    /// The operation that blocked it.
    pub blocking: SemOp,
    /// The kernel's handle.
    pub handle: W,
}

/// The outcome of [`SemSet::apply`] for operations that did not complete now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocked {
    /// The operations must wait; `SemOp` is the one that blocked.
    Wait(SemOp),
    /// They failed.
    Failed(SemError),
}

/// A semaphore set and its waiters.
#[derive(Debug)]
pub struct SemSet<W> {
    sems: Vec<Semaphore>,
    /// `SEM_UNDO` adjustments, per process, one per semaphore.
    undo: BTreeMap<u32, Vec<i32>>,
    waiters: VecDeque<Waiter<W>>,
}

impl<W> SemSet<W> {
    /// A set of `n` semaphores, all zero; None if memory for it cannot be had.
    pub fn new(n: usize) -> Option<SemSet<W>> {
        let mut sems = Vec::new();
        sems.try_reserve_exact(n).ok()?;
        sems.resize(n, Semaphore::default());
        Some(SemSet {
            sems,
            undo: BTreeMap::new(),
            waiters: VecDeque::new(),
        })
    }

    /// Semaphores in the set.
    pub fn len(&self) -> usize {
        self.sems.len()
    }

    /// Whether the set has no semaphores (never, for a set made by `semget`).
    pub fn is_empty(&self) -> bool {
        self.sems.is_empty()
    }

    /// Semaphore `num`.
    pub fn get(&self, num: usize) -> Option<Semaphore> {
        self.sems.get(num).copied()
    }

    /// Every semaphore's value (`GETALL`).
    pub fn values(&self) -> impl Iterator<Item = i32> + '_ {
        self.sems.iter().map(|s| s.value)
    }

    /// Applies `ops` for `pid` all or nothing: on any failure no value or adjustment has
    /// changed. Operations run in order, so a semaphore named twice sees the first change.
    /// The caller checked that every `num` is in range.
    pub fn apply(&mut self, ops: &[SemOp], pid: u32) -> Result<(), Blocked> {
        let n = self.sems.len();
        let needs_undo = ops.iter().any(|o| o.undo());
        if needs_undo && !self.undo.contains_key(&pid) {
            let mut adj = Vec::new();
            adj.try_reserve_exact(n)
                .map_err(|_| Blocked::Failed(SemError::NoMemory))?;
            adj.resize(n, 0);
            self.undo.insert(pid, adj);
        }
        let mut done = 0;
        let mut outcome = Ok(());
        for op in ops {
            let num = op.num as usize;
            let current = self.sems[num].value;
            if op.op == 0 {
                if current != 0 {
                    outcome = Err(self.would_block(*op));
                    break;
                }
            } else {
                let result = current + op.op as i32;
                if result < 0 {
                    outcome = Err(self.would_block(*op));
                    break;
                }
                if result > SEMVMX {
                    outcome = Err(Blocked::Failed(SemError::Range));
                    break;
                }
                if op.undo() {
                    let adj = self.undo.get_mut(&pid).map_or(0, |a| a[num]);
                    let new_adj = adj - op.op as i32;
                    if !(-SEMAEM - 1..=SEMAEM).contains(&new_adj) {
                        outcome = Err(Blocked::Failed(SemError::Range));
                        break;
                    }
                    if let Some(a) = self.undo.get_mut(&pid) {
                        a[num] = new_adj;
                    }
                }
                self.sems[num].value = result;
            }
            done += 1;
        }
        if outcome.is_err() {
            // Take back what the first `done` operations changed.
            for op in ops[..done].iter().rev() {
                let num = op.num as usize;
                self.sems[num].value -= op.op as i32;
                if op.undo() {
                    if let Some(a) = self.undo.get_mut(&pid) {
                        a[num] += op.op as i32;
                    }
                }
            }
            return outcome;
        }
        for op in ops {
            self.sems[op.num as usize].pid = pid;
        }
        Ok(())
    }

    fn would_block(&self, op: SemOp) -> Blocked {
        if op.nowait() {
            Blocked::Failed(SemError::Again)
        } else {
            Blocked::Wait(op)
        }
    }

    /// Queues a waiter (its operations blocked on `blocking`); gives it back if the queue
    /// cannot grow.
    pub fn wait(&mut self, w: Waiter<W>) -> Result<(), Waiter<W>> {
        if self.waiters.try_reserve(1).is_err() {
            return Err(w);
        }
        self.waiters.push_back(w);
        Ok(())
    }

    /// Takes a waiter out of the queue (its wait was interrupted); None if it is no longer
    /// there because its operations completed or failed meanwhile.
    pub fn cancel(&mut self, is_it: impl Fn(&W) -> bool) -> Option<Waiter<W>> {
        let at = self.waiters.iter().position(|w| is_it(&w.handle))?;
        self.waiters.remove(at)
    }

    /// After the values changed: completes, in arrival order, every waiter whose
    /// operations can now be applied (or now fail), handing each to `finish` with its
    /// outcome.
    pub fn update(&mut self, mut finish: impl FnMut(W, Result<(), SemError>)) {
        let mut i = 0;
        while i < self.waiters.len() {
            let pid = self.waiters[i].pid;
            let ops = core::mem::take(&mut self.waiters[i].ops);
            match self.apply(&ops, pid) {
                Err(Blocked::Wait(op)) => {
                    let w = &mut self.waiters[i];
                    w.ops = ops;
                    w.blocking = op;
                    i += 1;
                }
                outcome => {
                    let changed = outcome.is_ok() && ops.iter().any(|o| o.op != 0);
                    if let Some(w) = self.waiters.remove(i) {
                        finish(
                            w.handle,
                            outcome.map_err(|b| match b {
                                Blocked::Failed(e) => e,
                                Blocked::Wait(_) => SemError::Again,
                            }),
                        );
                    }
                    // A change may let an earlier waiter through: look again from the top.
                    if changed {
                        i = 0;
                    }
                }
            }
        }
    }

    /// `GETNCNT`: waiters blocked decrementing semaphore `num`.
    pub fn ncnt(&self, num: u16) -> usize {
        self.waiters
            .iter()
            .filter(|w| w.blocking.num == num && w.blocking.op < 0)
            .count()
    }

    /// `GETZCNT`: waiters blocked waiting for semaphore `num` to be zero.
    pub fn zcnt(&self, num: u16) -> usize {
        self.waiters
            .iter()
            .filter(|w| w.blocking.num == num && w.blocking.op == 0)
            .count()
    }

    /// `SETVAL`: sets one value (0..=SEMVMX, checked by the caller) and forgets every
    /// process's adjustment for it.
    pub fn set_value(&mut self, num: usize, value: i32, pid: u32) {
        if let Some(s) = self.sems.get_mut(num) {
            *s = Semaphore { value, pid };
        }
        for adj in self.undo.values_mut() {
            adj[num] = 0;
        }
    }

    /// `SETALL`: sets every value and forgets every adjustment.
    pub fn set_all(&mut self, values: &[i32], pid: u32) {
        for (s, &v) in self.sems.iter_mut().zip(values) {
            *s = Semaphore { value: v, pid };
        }
        self.undo.clear();
    }

    /// Whether `pid` holds undo adjustments here.
    pub fn has_undo(&self, pid: u32) -> bool {
        self.undo.contains_key(&pid)
    }

    /// At the exit of `pid`: applies its adjustments, each value clamped to 0..=SEMVMX
    /// as Linux does, and records `pid` as the last to operate on what changed.
    pub fn exit(&mut self, pid: u32) {
        let Some(adj) = self.undo.remove(&pid) else {
            return;
        };
        for (s, a) in self.sems.iter_mut().zip(adj) {
            if a != 0 {
                s.value = (s.value + a).clamp(0, SEMVMX);
                s.pid = pid;
            }
        }
    }

    /// Ends every wait (the set is being removed); the kernel wakes them with EIDRM.
    pub fn drain_waiters(&mut self) -> Vec<W> {
        self.waiters.drain(..).map(|w| w.handle).collect()
    }
}
