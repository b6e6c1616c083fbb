//! The lexer: splits shell input into words and operators, one token at a time
//! as the parser asks for them, and reads here-document bodies when it reaches
//! the end of the line that asked for them.
//!
//! A word is returned as its source text: quotes, backslashes and `$(...)`,
//! `${...}`, `$((...))` and backquotes stay in it (expansion reads them later).
//! The lexer only has to find where each word ends, which for `$(...)` means
//! parsing the commands inside.

use crate::parser::{ParseError, Parser};
use std::cell::RefCell;
use std::rc::Rc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    Word(String),
    /// Digits right before `<` or `>`: `2>err`.
    IoNumber(i32),
    /// A control or redirection operator: `&&`, `;;`, `(`, `>>`, `<<-`...
    Op(&'static str),
    Newline,
    Eof,
}

/// Operators, longest first so that the first match is the right one.
const OPERATORS: [&str; 17] = [
    "<<-", "&&", "||", ";;", "<<", "<&", "<>", ">>", ">&", ">|", ";", "&", "|", "(", ")", "<", ">",
];

/// A here-document whose body has not been read yet.
struct Pending {
    delimiter: String,
    strip_tabs: bool,
    body: Rc<RefCell<String>>,
}

pub struct Lexer<'a> {
    src: &'a str,
    pub pos: usize,
    /// More input may follow `src` (interactive or piped input): running out in
    /// the middle of something asks for more instead of being an error.
    pub more: bool,
    pending: Vec<Pending>,
    /// Line number of `pos`.
    pub line: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str, pos: usize, line: usize, more: bool) -> Lexer<'a> {
        Lexer {
            src,
            pos,
            more,
            pending: Vec::new(),
            line,
        }
    }

    pub fn src(&self) -> &'a str {
        self.src
    }

    fn peek_byte(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn byte_at(&self, at: usize) -> Option<u8> {
        self.src.as_bytes().get(at).copied()
    }

    /// Out of input inside a construct: incomplete if more can come.
    fn end_inside(&self, what: &str) -> ParseError {
        if self.more {
            ParseError::Incomplete
        } else {
            ParseError::Syntax(format!(
                "syntax error: unexpected end of file (no closing {what})"
            ))
        }
    }

    /// Registers a here-document; its body is read after the next newline.
    pub fn add_here_doc(&mut self, delimiter: String, strip_tabs: bool) -> Rc<RefCell<String>> {
        let body = Rc::new(RefCell::new(String::new()));
        self.pending.push(Pending {
            delimiter,
            strip_tabs,
            body: body.clone(),
        });
        body
    }

    /// Skips blanks, comments and backslash-newlines, and returns where the next
    /// token starts.
    pub fn skip_blanks(&mut self) -> usize {
        loop {
            match self.peek_byte() {
                Some(b' ' | b'\t') => self.pos += 1,
                Some(b'\\') if self.byte_at(self.pos + 1) == Some(b'\n') => {
                    self.pos += 2;
                    self.line += 1;
                }
                Some(b'#') => {
                    while self.peek_byte().is_some_and(|b| b != b'\n') {
                        self.pos += 1;
                    }
                }
                _ => return self.pos,
            }
        }
    }

    pub fn next_token(&mut self) -> Result<Tok, ParseError> {
        self.skip_blanks();
        let Some(b) = self.peek_byte() else {
            self.read_here_docs()?;
            return Ok(Tok::Eof);
        };
        if b == b'\n' {
            self.pos += 1;
            self.line += 1;
            self.read_here_docs()?;
            return Ok(Tok::Newline);
        }
        let rest = &self.src[self.pos..];
        if let Some(op) = OPERATORS.iter().find(|op| rest.starts_with(**op)) {
            self.pos += op.len();
            return Ok(Tok::Op(op));
        }
        let word = self.word()?;
        if word.bytes().all(|b| b.is_ascii_digit()) && matches!(self.peek_byte(), Some(b'<' | b'>'))
        {
            if let Ok(n) = word.parse() {
                return Ok(Tok::IoNumber(n));
            }
        }
        Ok(Tok::Word(word))
    }

    /// Reads a word up to the first unquoted blank or operator character.
    fn word(&mut self) -> Result<String, ParseError> {
        let start = self.pos;
        while let Some(b) = self.peek_byte() {
            match b {
                b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>' => break,
                _ => self.word_char(false)?,
            }
        }
        Ok(self.src[start..self.pos].to_string())
    }

    /// Consumes one character (or quoted/substituted construct) of a word.
    /// Inside double quotes only `\`, `$` and backquote are special. Expansion
    /// uses it too, to find where a construct it meets in a word ends.
    pub fn word_char(&mut self, in_dquotes: bool) -> Result<(), ParseError> {
        let b = self.peek_byte().unwrap_or(0);
        self.pos += 1;
        match b {
            b'\\' => match self.peek_byte() {
                Some(b'\n') => {
                    self.pos += 1;
                    self.line += 1;
                }
                Some(_) => self.skip_char(),
                None if self.more => return Err(ParseError::Incomplete),
                None => {}
            },
            b'\'' if !in_dquotes => loop {
                match self.peek_byte() {
                    None => return Err(self.end_inside("'")),
                    Some(b'\'') => {
                        self.pos += 1;
                        break;
                    }
                    Some(_) => self.skip_char(),
                }
            },
            b'"' if !in_dquotes => loop {
                match self.peek_byte() {
                    None => return Err(self.end_inside("\"")),
                    Some(b'"') => {
                        self.pos += 1;
                        break;
                    }
                    Some(_) => self.word_char(true)?,
                }
            },
            b'`' => loop {
                match self.peek_byte() {
                    None => return Err(self.end_inside("`")),
                    Some(b'`') => {
                        self.pos += 1;
                        break;
                    }
                    Some(b'\\') => {
                        self.pos += 1;
                        if self.peek_byte().is_some() {
                            self.skip_char();
                        }
                    }
                    Some(_) => self.skip_char(),
                }
            },
            b'$' => match self.peek_byte() {
                Some(b'(') if self.byte_at(self.pos + 1) == Some(b'(') => self.arithmetic()?,
                Some(b'(') => {
                    self.pos += 1;
                    self.command_substitution()?;
                }
                Some(b'{') => {
                    self.pos += 1;
                    loop {
                        match self.peek_byte() {
                            None => return Err(self.end_inside("${")),
                            Some(b'}') => {
                                self.pos += 1;
                                break;
                            }
                            Some(_) => self.word_char(in_dquotes)?,
                        }
                    }
                }
                _ => {}
            },
            b'\n' => self.line += 1,
            _ => {
                // The rest of a multi-byte character.
                while self.peek_byte().is_some_and(|b| b & 0xc0 == 0x80) {
                    self.pos += 1;
                }
            }
        }
        Ok(())
    }

    /// Consumes one whole (possibly multi-byte) character.
    fn skip_char(&mut self) {
        if self.peek_byte() == Some(b'\n') {
            self.line += 1;
        }
        self.pos += 1;
        while self.peek_byte().is_some_and(|b| b & 0xc0 == 0x80) {
            self.pos += 1;
        }
    }

    /// `$((...))`, from the first `(`: counts parentheses to the closing `))`.
    fn arithmetic(&mut self) -> Result<(), ParseError> {
        self.pos += 2;
        let mut depth = 0;
        loop {
            match self.peek_byte() {
                None => return Err(self.end_inside("$((")),
                Some(b'(') => {
                    depth += 1;
                    self.pos += 1;
                }
                Some(b')') if depth == 0 => {
                    if self.byte_at(self.pos + 1) != Some(b')') {
                        return Err(ParseError::Syntax("missing '))'".to_string()));
                    }
                    self.pos += 2;
                    return Ok(());
                }
                Some(b')') => {
                    depth -= 1;
                    self.pos += 1;
                }
                Some(_) => self.word_char(true)?,
            }
        }
    }

    /// `$(...)` after the `(`: the commands inside are parsed, which finds the
    /// closing parenthesis even past a `case` pattern's `)`.
    fn command_substitution(&mut self) -> Result<(), ParseError> {
        let mut inner = Parser::new(self.src, self.pos, self.line, self.more);
        inner.list_until_paren()?;
        self.pos = inner.position();
        self.line = inner.line();
        Ok(())
    }

    /// Reads the bodies of the here-documents started on the line just ended.
    fn read_here_docs(&mut self) -> Result<(), ParseError> {
        for doc in std::mem::take(&mut self.pending) {
            let mut body = String::new();
            loop {
                if self.pos >= self.src.len() {
                    if self.more {
                        return Err(ParseError::Incomplete);
                    }
                    break;
                }
                let rest = &self.src[self.pos..];
                let (line, len) = match rest.find('\n') {
                    Some(i) => (&rest[..i], i + 1),
                    None => (rest, rest.len()),
                };
                if len == rest.len() && !rest.ends_with('\n') && self.more {
                    return Err(ParseError::Incomplete);
                }
                self.pos += len;
                self.line += 1;
                let line = if doc.strip_tabs {
                    line.trim_start_matches('\t')
                } else {
                    line
                };
                if line == doc.delimiter {
                    break;
                }
                body.push_str(line);
                body.push('\n');
            }
            *doc.body.borrow_mut() = body;
        }
        Ok(())
    }
}
