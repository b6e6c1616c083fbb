//! The parser: turns tokens into the syntax tree (see `ast`), following the
//! POSIX shell grammar:
//!
//! ```text
//! complete = list (newline | EOF)
//! list     = and_or { (";" | "&" | newline) and_or } [";" | "&"]
//! and_or   = pipeline { ("&&" | "||") newline* pipeline }
//! pipeline = ["!"] command { "|" newline* command }
//! command  = simple | compound redirect* | NAME "(" ")" newline* compound redirect*
//! compound = "{" list "}" | "(" list ")" | if | while | until | for | case
//! ```
//!
//! Reserved words (`if`, `then`, `done`...) are only recognised where a command
//! may start, and only when unquoted, as POSIX says.

use crate::ast::*;
use crate::lexer::{Lexer, Tok};
use std::rc::Rc;

#[derive(Debug)]
pub enum ParseError {
    /// The input ends where more is needed (open quote, trailing `|`, no `fi`).
    Incomplete,
    /// What is wrong, e.g. "syntax error near unexpected token 'done'".
    Syntax(String),
}

const RESERVED: [&str; 16] = [
    "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for", "{",
    "}", "!", "in",
];

pub struct Parser<'a> {
    lx: Lexer<'a>,
    /// The next token, its start offset and the line it is on, once looked at.
    peeked: Option<(Tok, usize, usize)>,
    /// Where the last consumed token ended (for the text of a job).
    last_end: usize,
}

impl<'a> Parser<'a> {
    /// A parser reading `src` from byte `pos` (on line `line`). `more`: more input
    /// may follow, so running out means "incomplete" rather than an error.
    pub fn new(src: &'a str, pos: usize, line: usize, more: bool) -> Parser<'a> {
        Parser {
            lx: Lexer::new(src, pos, line, more),
            peeked: None,
            last_end: pos,
        }
    }

    /// Where parsing has got to in the source.
    pub fn position(&self) -> usize {
        self.lx.pos
    }

    pub fn line(&self) -> usize {
        self.lx.line
    }

    /// The line of the next token.
    fn next_line(&mut self) -> usize {
        let _ = self.peek();
        self.peeked.as_ref().map_or(self.lx.line, |p| p.2)
    }

    fn peek(&mut self) -> Result<&Tok, ParseError> {
        if self.peeked.is_none() {
            let start = self.lx.skip_blanks();
            let line = self.lx.line;
            let tok = self.lx.next_token()?;
            self.peeked = Some((tok, start, line));
        }
        Ok(&self.peeked.as_ref().expect("just filled").0)
    }

    fn take(&mut self) -> Result<Tok, ParseError> {
        self.peek()?;
        let (tok, _, _) = self.peeked.take().expect("just filled");
        self.last_end = self.lx.pos;
        Ok(tok)
    }

    fn start_offset(&mut self) -> Result<usize, ParseError> {
        self.peek()?;
        Ok(self.peeked.as_ref().map_or(self.lx.pos, |p| p.1))
    }

    /// Whether the next token is the unquoted reserved word `w`.
    fn at_word(&mut self, w: &str) -> Result<bool, ParseError> {
        Ok(matches!(self.peek()?, Tok::Word(s) if s == w))
    }

    fn at_op(&mut self, op: &str) -> Result<bool, ParseError> {
        Ok(matches!(self.peek()?, Tok::Op(o) if *o == op))
    }

    fn unexpected(&mut self) -> ParseError {
        let more = self.lx.more;
        match self.peek() {
            Err(e) => e,
            Ok(Tok::Eof) if more => ParseError::Incomplete,
            Ok(Tok::Eof) => ParseError::Syntax("syntax error: unexpected end of file".into()),
            Ok(tok) => {
                let shown = match tok {
                    Tok::Word(w) => w.clone(),
                    Tok::IoNumber(n) => n.to_string(),
                    Tok::Op(op) => op.to_string(),
                    Tok::Newline => "newline".to_string(),
                    Tok::Eof => unreachable!("handled above"),
                };
                ParseError::Syntax(format!("syntax error near unexpected token '{shown}'"))
            }
        }
    }

    fn expect_word(&mut self, w: &str) -> Result<(), ParseError> {
        if self.at_word(w)? {
            self.take()?;
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn skip_newlines(&mut self) -> Result<(), ParseError> {
        while *self.peek()? == Tok::Newline {
            self.take()?;
        }
        Ok(())
    }

    /// The next complete command (a list ended by a newline or the end of input),
    /// or None at the end of input.
    pub fn complete_command(&mut self) -> Result<Option<List>, ParseError> {
        self.skip_newlines()?;
        if *self.peek()? == Tok::Eof {
            return Ok(None);
        }
        let list = self.list(false)?;
        match self.take()? {
            Tok::Newline | Tok::Eof => Ok(Some(list)),
            tok => {
                self.peeked = Some((tok, self.last_end, self.lx.line));
                Err(self.unexpected())
            }
        }
    }

    /// The commands of `$(...)`, up to and including the closing `)`.
    pub fn list_until_paren(&mut self) -> Result<(), ParseError> {
        self.skip_newlines()?;
        if !self.at_op(")")? {
            self.list(true)?;
        }
        if self.at_op(")")? {
            self.take()?;
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    /// A list. With `multiline` (inside compound commands) newlines separate
    /// items too; otherwise the list ends at a newline, left for the caller.
    fn list(&mut self, multiline: bool) -> Result<List, ParseError> {
        let mut list = List::default();
        loop {
            if multiline {
                self.skip_newlines()?;
            }
            if !self.at_command_start()? {
                break;
            }
            let start = self.start_offset()?;
            let and_or = self.and_or()?;
            let text = self.lx.src()[start..self.last_end].trim_end().to_string();
            let background = self.at_op("&")?;
            let separated = background || self.at_op(";")?;
            if separated {
                self.take()?;
            }
            list.items.push(Item {
                and_or,
                background,
                text,
            });
            let more_lines = multiline && *self.peek()? == Tok::Newline;
            if !separated && !more_lines {
                break;
            }
        }
        if list.items.is_empty() {
            return Err(self.unexpected());
        }
        Ok(list)
    }

    /// Whether the next token can start a command (not a closing reserved word,
    /// `)`, `;;` or the end).
    fn at_command_start(&mut self) -> Result<bool, ParseError> {
        Ok(match self.peek()? {
            Tok::Word(w) => !matches!(
                w.as_str(),
                "then" | "else" | "elif" | "fi" | "do" | "done" | "esac" | "}"
            ),
            Tok::IoNumber(_) => true,
            Tok::Op(op) => {
                matches!(*op, "(" | "<" | ">" | ">>" | "<&" | ">&" | "<>" | ">|")
                    || op.starts_with("<<")
            }
            Tok::Newline | Tok::Eof => false,
        })
    }

    fn and_or(&mut self) -> Result<AndOr, ParseError> {
        let first = self.pipeline()?;
        let mut rest = Vec::new();
        loop {
            let connector = if self.at_op("&&")? {
                Connector::And
            } else if self.at_op("||")? {
                Connector::Or
            } else {
                break;
            };
            self.take()?;
            self.skip_newlines()?;
            rest.push((connector, self.pipeline()?));
        }
        Ok(AndOr { first, rest })
    }

    fn pipeline(&mut self) -> Result<Pipeline, ParseError> {
        let bang = self.at_word("!")?;
        if bang {
            self.take()?;
        }
        let mut commands = vec![self.command()?];
        while self.at_op("|")? {
            self.take()?;
            self.skip_newlines()?;
            commands.push(self.command()?);
        }
        Ok(Pipeline { bang, commands })
    }

    fn command(&mut self) -> Result<Command, ParseError> {
        if !self.at_command_start()? {
            return Err(self.unexpected());
        }
        let compound = match self.peek()?.clone() {
            Tok::Op("(") => {
                self.take()?;
                let list = self.list(true)?;
                if !self.at_op(")")? {
                    return Err(self.unexpected());
                }
                self.take()?;
                Some(Compound::Subshell(list))
            }
            Tok::Word(w) => match w.as_str() {
                "{" => {
                    self.take()?;
                    let list = self.list(true)?;
                    self.expect_word("}")?;
                    Some(Compound::Brace(list))
                }
                "if" => Some(self.if_clause()?),
                "while" | "until" => {
                    self.take()?;
                    let cond = self.list(true)?;
                    let body = self.do_group()?;
                    Some(Compound::Loop {
                        until: w == "until",
                        cond,
                        body,
                    })
                }
                "for" => Some(self.for_clause()?),
                "case" => Some(self.case_clause()?),
                _ => None,
            },
            _ => None,
        };
        if let Some(compound) = compound {
            let redirects = self.redirects()?;
            return Ok(Command::Compound(compound, redirects));
        }
        self.simple()
    }

    fn redirects(&mut self) -> Result<Vec<Redirect>, ParseError> {
        let mut redirects = Vec::new();
        while let Some(r) = self.redirect()? {
            redirects.push(r);
        }
        Ok(redirects)
    }

    /// A redirection, if one comes next.
    fn redirect(&mut self) -> Result<Option<Redirect>, ParseError> {
        let fd = match self.peek()? {
            Tok::IoNumber(n) => {
                let n = *n;
                self.take()?;
                Some(n)
            }
            _ => None,
        };
        let op = match self.peek()? {
            Tok::Op(op) => match *op {
                "<" => RedirOp::In,
                ">" | ">|" => RedirOp::Out,
                ">>" => RedirOp::Append,
                "<>" => RedirOp::ReadWrite,
                "<&" => RedirOp::DupIn,
                ">&" => RedirOp::DupOut,
                "<<" | "<<-" => RedirOp::HereDoc,
                _ if fd.is_some() => return Err(self.unexpected()),
                _ => return Ok(None),
            },
            _ if fd.is_some() => return Err(self.unexpected()),
            _ => return Ok(None),
        };
        let strip_tabs = self.at_op("<<-")?;
        self.take()?;
        let target = match self.take()? {
            Tok::Word(w) => w,
            tok => {
                self.peeked = Some((tok, self.last_end, self.lx.line));
                return Err(self.unexpected());
            }
        };
        let here = if op == RedirOp::HereDoc {
            let quoted = target.contains(['\'', '"', '\\']);
            let delimiter = crate::expand::remove_quotes(&target);
            Some((self.lx.add_here_doc(delimiter, strip_tabs), quoted))
        } else {
            None
        };
        Ok(Some(Redirect {
            fd,
            op,
            target,
            here,
        }))
    }

    fn simple(&mut self) -> Result<Command, ParseError> {
        let mut cmd = Simple {
            line: self.next_line(),
            ..Simple::default()
        };
        loop {
            if let Some(r) = self.redirect()? {
                cmd.redirects.push(r);
                continue;
            }
            let Tok::Word(word) = self.peek()? else {
                break;
            };
            let word = word.clone();
            self.take()?;
            if cmd.words.is_empty() {
                if let Some((name, value)) = assignment(&word) {
                    cmd.assigns.push((name, value));
                    continue;
                }
                // `name() body`: a function definition.
                if cmd.assigns.is_empty() && cmd.redirects.is_empty() && self.at_op("(")? {
                    self.take()?;
                    if !self.at_op(")")? || !is_name(&word) {
                        return Err(self.unexpected());
                    }
                    self.take()?;
                    self.skip_newlines()?;
                    let body = self.command()?;
                    if !matches!(body, Command::Compound(..)) {
                        return Err(ParseError::Syntax(format!(
                            "syntax error: the body of function '{word}' is not a compound command"
                        )));
                    }
                    return Ok(Command::Function(word, Rc::new(body)));
                }
            }
            cmd.words.push(word);
        }
        if cmd.assigns.is_empty() && cmd.words.is_empty() && cmd.redirects.is_empty() {
            return Err(self.unexpected());
        }
        if self.at_op("(")? {
            return Err(self.unexpected());
        }
        Ok(Command::Simple(cmd))
    }

    fn if_clause(&mut self) -> Result<Compound, ParseError> {
        self.take()?;
        let mut branches = Vec::new();
        let mut otherwise = None;
        loop {
            let cond = self.list(true)?;
            self.expect_word("then")?;
            let body = self.list(true)?;
            branches.push((cond, body));
            if self.at_word("elif")? {
                self.take()?;
                continue;
            }
            if self.at_word("else")? {
                self.take()?;
                otherwise = Some(self.list(true)?);
            }
            self.expect_word("fi")?;
            return Ok(Compound::If {
                branches,
                otherwise,
            });
        }
    }

    fn do_group(&mut self) -> Result<List, ParseError> {
        self.skip_newlines()?;
        self.expect_word("do")?;
        let body = self.list(true)?;
        self.expect_word("done")?;
        Ok(body)
    }

    fn for_clause(&mut self) -> Result<Compound, ParseError> {
        self.take()?;
        let name = match self.take()? {
            Tok::Word(w) if is_name(&w) => w,
            tok => {
                self.peeked = Some((tok, self.last_end, self.lx.line));
                return Err(self.unexpected());
            }
        };
        self.skip_newlines()?;
        let mut words = None;
        if self.at_word("in")? {
            self.take()?;
            let mut list = Vec::new();
            while let Tok::Word(w) = self.peek()? {
                list.push(w.clone());
                self.take()?;
            }
            words = Some(list);
            if self.at_op(";")? || *self.peek()? == Tok::Newline {
                self.take()?;
            } else {
                return Err(self.unexpected());
            }
        } else if self.at_op(";")? {
            self.take()?;
        }
        let body = self.do_group()?;
        Ok(Compound::For { name, words, body })
    }

    fn case_clause(&mut self) -> Result<Compound, ParseError> {
        self.take()?;
        let word = match self.take()? {
            Tok::Word(w) => w,
            tok => {
                self.peeked = Some((tok, self.last_end, self.lx.line));
                return Err(self.unexpected());
            }
        };
        self.skip_newlines()?;
        self.expect_word("in")?;
        let mut arms = Vec::new();
        loop {
            self.skip_newlines()?;
            if self.at_word("esac")? {
                self.take()?;
                return Ok(Compound::Case { word, arms });
            }
            if self.at_op("(")? {
                self.take()?;
            }
            let mut patterns = Vec::new();
            loop {
                match self.take()? {
                    Tok::Word(w) => patterns.push(w),
                    tok => {
                        self.peeked = Some((tok, self.last_end, self.lx.line));
                        return Err(self.unexpected());
                    }
                }
                if self.at_op("|")? {
                    self.take()?;
                } else if self.at_op(")")? {
                    self.take()?;
                    break;
                } else {
                    return Err(self.unexpected());
                }
            }
            self.skip_newlines()?;
            let body = if self.at_op(";;")? || self.at_word("esac")? {
                List::default()
            } else {
                self.list(true)?
            };
            arms.push(CaseArm { patterns, body });
            if self.at_op(";;")? {
                self.take()?;
            } else {
                self.skip_newlines()?;
                if !self.at_word("esac")? {
                    return Err(self.unexpected());
                }
            }
        }
    }
}

/// Splits `NAME=value` into the name and the value word, if `word` is one.
fn assignment(word: &str) -> Option<(String, String)> {
    let (name, value) = word.split_once('=')?;
    is_name(name).then(|| (name.to_string(), value.to_string()))
}

/// Whether `s` is a valid variable name: a letter or `_`, then letters, digits, `_`.
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Whether `w` is one of the shell's reserved words (for `command -v`).
pub fn is_reserved(w: &str) -> bool {
    RESERVED.contains(&w)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(src: &str) -> Result<Vec<List>, ParseError> {
        let mut p = Parser::new(src, 0, 1, false);
        let mut lists = Vec::new();
        while let Some(list) = p.complete_command()? {
            lists.push(list);
        }
        Ok(lists)
    }

    #[test]
    fn compound_commands_parse() {
        let src = "for i in 1 2; do echo $i; done\nif a; then b; elif c; then d; else e; fi\n\
                   case $x in (a|b) echo ab;; *) ;; esac\nf() { echo $(echo ')'); }\n\
                   while false; do :; done > out\n";
        assert_eq!(parse_all(src).unwrap().len(), 5);
    }

    #[test]
    fn here_document_bodies_are_read_after_the_line() {
        let lists = parse_all("cat <<E; echo x\nbody $y\nE\necho after\n").unwrap();
        assert_eq!(lists.len(), 2);
        let Command::Simple(cmd) = &lists[0].items[0].and_or.first.commands[0] else {
            panic!("not simple");
        };
        let (body, quoted) = cmd.redirects[0].here.as_ref().unwrap();
        assert_eq!(&*body.borrow(), "body $y\n");
        assert!(!quoted);
    }

    #[test]
    fn incomplete_and_errors() {
        for src in ["if true; then", "echo 'a", "a |", "for i in 1; do"] {
            let mut p = Parser::new(src, 0, 1, true);
            assert!(
                matches!(p.complete_command(), Err(ParseError::Incomplete)),
                "{src}"
            );
        }
        for src in ["fi", "a; ;", "echo (a)", "if; then fi"] {
            assert!(
                matches!(parse_all(src), Err(ParseError::Syntax(_))),
                "{src}"
            );
        }
    }
}
