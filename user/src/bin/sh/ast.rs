//! The syntax tree the parser builds and `exec` walks: lists of and-or lists of
//! pipelines of commands, as in the POSIX shell grammar.
//!
//! Words are kept as their source text (quotes and `$...` included): expansion
//! reads them again when the command runs, because what a word means depends on
//! the shell's state at that moment.

use std::cell::RefCell;
use std::rc::Rc;

/// A sequence of and-or lists, each ending in `;`, newline or `&`.
#[derive(Debug, Default)]
pub struct List {
    pub items: Vec<Item>,
}

#[derive(Debug)]
pub struct Item {
    pub and_or: AndOr,
    /// Ended in `&`: runs as a background job.
    pub background: bool,
    /// The source text, shown by `jobs`.
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connector {
    And,
    Or,
}

/// `p1 && p2 || p3`.
#[derive(Debug)]
pub struct AndOr {
    pub first: Pipeline,
    pub rest: Vec<(Connector, Pipeline)>,
}

/// `[!] c1 | c2 | c3`.
#[derive(Debug)]
pub struct Pipeline {
    pub bang: bool,
    pub commands: Vec<Command>,
}

#[derive(Debug)]
pub enum Command {
    Simple(Simple),
    Compound(Compound, Vec<Redirect>),
    /// `name() compound-command [redirections]`; shared with the function table.
    Function(String, Rc<Command>),
}

/// Assignments, words and redirections: `X=1 ls -l >out`.
#[derive(Debug, Default)]
pub struct Simple {
    /// `NAME=value` assignments, as (name, value word).
    pub assigns: Vec<(String, String)>,
    pub words: Vec<String>,
    pub redirects: Vec<Redirect>,
    /// The line the command starts on, for error messages.
    pub line: usize,
}

#[derive(Debug)]
pub enum Compound {
    Brace(List),
    Subshell(List),
    /// `if c1; then b1; elif c2; then b2; else b3; fi`.
    If {
        branches: Vec<(List, List)>,
        otherwise: Option<List>,
    },
    /// `while`/`until cond; do body; done`.
    Loop {
        until: bool,
        cond: List,
        body: List,
    },
    /// `for name [in words]; do body; done`; None means `in "$@"`.
    For {
        name: String,
        words: Option<Vec<String>>,
        body: List,
    },
    Case {
        word: String,
        arms: Vec<CaseArm>,
    },
}

#[derive(Debug)]
pub struct CaseArm {
    pub patterns: Vec<String>,
    pub body: List,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirOp {
    /// `<`
    In,
    /// `>` and `>|`
    Out,
    /// `>>`
    Append,
    /// `<>`
    ReadWrite,
    /// `<&`
    DupIn,
    /// `>&`
    DupOut,
    /// `<<` and `<<-`
    HereDoc,
}

#[derive(Debug)]
pub struct Redirect {
    /// The descriptor written before the operator, if any.
    pub fd: Option<i32>,
    pub op: RedirOp,
    /// The target word; for a here-document its delimiter.
    pub target: String,
    /// A here-document's body, filled in when the lexer reaches the lines after
    /// the command, and whether its delimiter was quoted (then the body is
    /// taken literally).
    pub here: Option<(Rc<RefCell<String>>, bool)>,
}

impl Redirect {
    /// The descriptor this redirection changes.
    pub fn target_fd(&self) -> i32 {
        self.fd.unwrap_or(match self.op {
            RedirOp::In | RedirOp::ReadWrite | RedirOp::DupIn | RedirOp::HereDoc => 0,
            RedirOp::Out | RedirOp::Append | RedirOp::DupOut => 1,
        })
    }
}
