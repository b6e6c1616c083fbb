//! Jobs: the pipelines the shell has started, the state of each of their
//! processes, and the table of background and stopped jobs that `jobs`, `fg`,
//! `bg` and `wait` work on.
//!
//! Every child state change arrives through waitpid(-1, WUNTRACED), whichever
//! job it belongs to, and is recorded where that process lives: in the job
//! running in the foreground (which is not in the table) or in the table.

use std::ffi::CStr;
use std::io;
use std::io::Write;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum State {
    Running,
    /// Stopped by a signal; holds the raw wait status.
    Stopped(libc::c_int),
    /// Exited or killed; holds the raw wait status.
    Done(libc::c_int),
}

pub struct Process {
    pub pid: libc::pid_t,
    pub state: State,
}

pub struct Job {
    /// The job number shown as `[N]`; 0 until the job enters the table.
    pub id: usize,
    /// The process group: the first process's pid (when there is job control).
    pub pgid: libc::pid_t,
    pub procs: Vec<Process>,
    /// The command as typed, shown by `jobs`.
    pub text: String,
    /// Terminal modes saved when the job stopped, restored by `fg`.
    pub modes: Option<libc::termios>,
    /// A state change not yet reported to the user.
    changed: bool,
}

impl Job {
    pub fn new(text: &str) -> Job {
        Job {
            id: 0,
            pgid: 0,
            procs: Vec::new(),
            text: text.to_string(),
            modes: None,
            changed: false,
        }
    }

    pub fn is_running(&self) -> bool {
        self.procs.iter().any(|p| p.state == State::Running)
    }

    pub fn is_stopped(&self) -> bool {
        !self.is_running() && self.stop_status().is_some()
    }

    pub fn is_done(&self) -> bool {
        self.procs.iter().all(|p| matches!(p.state, State::Done(_)))
    }

    fn stop_status(&self) -> Option<libc::c_int> {
        self.procs.iter().find_map(|p| match p.state {
            State::Stopped(raw) => Some(raw),
            _ => None,
        })
    }

    /// The job's status as `$?` shows it: for a stopped job 128 + the stop
    /// signal, otherwise the status of the last process of the pipeline.
    pub fn status(&self) -> i32 {
        if let Some(raw) = self.stop_status() {
            return rill_user::shell_status(raw);
        }
        match self.procs.last() {
            Some(Process {
                state: State::Done(raw),
                ..
            }) => rill_user::shell_status(*raw),
            // No process could be started (fork failed).
            _ => 1,
        }
    }

    /// The raw status of the last process if it was killed by a signal.
    pub fn killed_by(&self) -> Option<libc::c_int> {
        match self.procs.last()?.state {
            State::Done(raw) if libc::WIFSIGNALED(raw) => Some(libc::WTERMSIG(raw)),
            _ => None,
        }
    }

    /// Marks every process running again (after SIGCONT).
    pub fn mark_running(&mut self) {
        for p in &mut self.procs {
            if let State::Stopped(_) = p.state {
                p.state = State::Running;
            }
        }
    }

    /// Records a wait status if `pid` is one of this job's processes.
    fn record(&mut self, pid: libc::pid_t, raw: libc::c_int) -> bool {
        let Some(p) = self.procs.iter_mut().find(|p| p.pid == pid) else {
            return false;
        };
        p.state = if libc::WIFSTOPPED(raw) {
            State::Stopped(raw)
        } else {
            State::Done(raw)
        };
        true
    }

    /// "Running", "Stopped", "Done", "Exit 3", or a signal's description
    /// ("Killed"), as bash words it.
    fn state_text(&self) -> String {
        if self.is_running() {
            "Running".to_string()
        } else if self.is_stopped() {
            "Stopped".to_string()
        } else {
            match self.killed_by() {
                Some(sig) => signal_description(sig),
                None => match self.status() {
                    0 => "Done".to_string(),
                    n => format!("Exit {n}"),
                },
            }
        }
    }
}

/// The C library's description of a signal ("Killed", "Segmentation fault").
pub fn signal_description(sig: libc::c_int) -> String {
    // SAFETY: strsignal returns a pointer to a NUL-terminated string that stays
    // valid until the next call; we copy it at once. The shell is single-threaded.
    unsafe { CStr::from_ptr(libc::strsignal(sig)) }
        .to_string_lossy()
        .into_owned()
}

/// Background and stopped jobs, in job-number order.
#[derive(Default)]
pub struct JobTable {
    jobs: Vec<Job>,
}

impl JobTable {
    /// Adds a job, numbering it one above the highest number in use if it does
    /// not have a number yet. Returns its number.
    pub fn insert(&mut self, mut job: Job) -> usize {
        if job.id == 0 {
            job.id = self.jobs.last().map_or(1, |j| j.id + 1);
        }
        let id = job.id;
        let at = self.jobs.partition_point(|j| j.id < id);
        self.jobs.insert(at, job);
        id
    }

    pub fn remove(&mut self, id: usize) -> Option<Job> {
        let at = self.jobs.iter().position(|j| j.id == id)?;
        Some(self.jobs.remove(at))
    }

    pub fn get_mut(&mut self, id: usize) -> Option<&mut Job> {
        self.jobs.iter_mut().find(|j| j.id == id)
    }

    /// The number of the job with process `pid`.
    pub fn find_pid(&self, pid: libc::pid_t) -> Option<usize> {
        let job = self
            .jobs
            .iter()
            .find(|j| j.procs.iter().any(|p| p.pid == pid));
        job.map(|j| j.id)
    }

    pub fn any_running(&self) -> bool {
        self.jobs.iter().any(Job::is_running)
    }

    /// Forgets the jobs whose processes have all finished.
    pub fn remove_done(&mut self) {
        self.jobs.retain(|j| !j.is_done());
    }

    /// Resolves a job spec: none, `%%` or `%+` is the current job (the newest),
    /// `%-` the one before it, `%N` or `N` job N.
    pub fn resolve(&self, spec: Option<&str>) -> Option<usize> {
        let newest = |back: usize| self.jobs.iter().rev().nth(back).map(|j| j.id);
        match spec {
            None | Some("%%" | "%+") => newest(0),
            Some("%-") => newest(1),
            Some(s) => {
                let id = s.strip_prefix('%').unwrap_or(s).parse().ok()?;
                self.jobs.iter().any(|j| j.id == id).then_some(id)
            }
        }
    }

    /// Collects one child state change and records it: in `foreground` if the
    /// process belongs to it, otherwise in the table. Without `block`, returns
    /// false at once when no child has changed; also false when there are no
    /// children at all, and (with `interruptible`) when a trapped signal arrived.
    pub fn wait_one(
        &mut self,
        foreground: Option<&mut Job>,
        block: bool,
        interruptible: bool,
    ) -> bool {
        let flags = if block {
            libc::WUNTRACED
        } else {
            libc::WUNTRACED | libc::WNOHANG
        };
        let mut raw = 0;
        let pid = loop {
            // SAFETY: raw is a valid place for the status.
            let pid = unsafe { libc::waitpid(-1, &mut raw, flags) };
            if pid >= 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                break pid;
            }
            if interruptible && crate::trap::any_pending() {
                return false;
            }
        };
        if pid <= 0 {
            return false;
        }
        if let Some(job) = foreground {
            if job.record(pid, raw) {
                return true;
            }
        }
        for job in &mut self.jobs {
            if job.record(pid, raw) {
                job.changed = true;
                break;
            }
        }
        true
    }

    /// Records every state change that has already happened, without blocking.
    pub fn reap(&mut self) {
        while self.wait_one(None, false, false) {}
    }

    /// Reports jobs that finished or stopped since the last report (interactive
    /// shells do this before each prompt) and forgets the finished ones.
    pub fn notify(&mut self) {
        for i in 0..self.jobs.len() {
            if self.jobs[i].changed && !self.jobs[i].is_running() {
                eprintln!("{}", self.line(i, false));
                self.jobs[i].changed = false;
            }
        }
        self.remove_done();
    }

    /// The `jobs` builtin: lists every job, then forgets the finished ones.
    pub fn list(&mut self, out: &mut impl Write) {
        for i in 0..self.jobs.len() {
            let _ = writeln!(out, "{}", self.line(i, true));
            self.jobs[i].changed = false;
        }
        self.remove_done();
    }

    /// The line reporting job `id`, as printed when it stops.
    pub fn status_line(&self, id: usize) -> Option<String> {
        let index = self.jobs.iter().position(|j| j.id == id)?;
        Some(self.line(index, false))
    }

    /// `[N]+  State                   command`. `+` marks the current job and
    /// `-` the previous one; a running job listed by `jobs` ends in ` &`.
    fn line(&self, index: usize, ampersand: bool) -> String {
        let job = &self.jobs[index];
        let mark = match self.jobs.len() - index {
            1 => '+',
            2 => '-',
            _ => ' ',
        };
        let amp = if ampersand && job.is_running() {
            " &"
        } else {
            ""
        };
        format!(
            "[{}]{mark}  {:<24}{}{amp}",
            job.id,
            job.state_text(),
            job.text
        )
    }
}
