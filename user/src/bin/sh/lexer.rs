//! The lexer: splits shell input into words, operators and redirection operators.
//!
//! Quoting is resolved here (quotes and backslashes disappear) but what was quoted
//! is remembered in each [`Part`], because it matters later: a quoted `$x` is not
//! split into fields, and `"a"=1` is not an assignment.

/// A piece of a word.
#[derive(Debug, Clone)]
pub enum Part {
    /// Literal characters. `quoted` is false only for plain, unquoted text.
    Text { text: String, quoted: bool },
    /// A parameter to substitute: `$NAME`, `${NAME}`, `$1`, `$?`, `$@`...
    Param { name: String, quoted: bool },
}

/// A shell word before expansion: `a"$b"'c'` is three parts.
#[derive(Debug, Clone, Default)]
pub struct Word {
    pub parts: Vec<Part>,
}

/// Control operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Pipe,
    AndIf,
    OrIf,
    Semi,
    Amp,
    Newline,
}

/// Redirection operators: `<`, `>`, `>>`, `>&` and `<&`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirOp {
    In,
    Out,
    Append,
    DupOut,
    DupIn,
}

#[derive(Debug, Clone)]
pub enum Token {
    Word(Word),
    Op(Op),
    /// A redirection operator, with the descriptor number written before it
    /// (`2>`), if any.
    Redir(RedirOp, Option<i32>),
    /// `(` or `)`: operators in sh, but subshells and functions are not
    /// supported, so the parser rejects them (rather than taking them as text).
    Paren(char),
}

/// A token and the byte range of the input it came from (to show job commands).
#[derive(Debug, Clone)]
pub struct Spanned {
    pub token: Token,
    pub start: usize,
    pub end: usize,
}

/// The input stops inside a quote, `${...}` or after a trailing backslash: more
/// lines are needed.
#[derive(Debug)]
pub struct Incomplete;

/// Splits `input` into tokens.
pub fn tokenize(input: &str) -> Result<Vec<Spanned>, Incomplete> {
    Lexer {
        chars: input.char_indices().collect(),
        len: input.len(),
        pos: 0,
        tokens: Vec::new(),
        word: None,
    }
    .run()
}

struct Lexer {
    /// The input's characters and their byte offsets.
    chars: Vec<(usize, char)>,
    /// The input's length in bytes.
    len: usize,
    /// Index in `chars` of the next character to look at.
    pos: usize,
    tokens: Vec<Spanned>,
    /// The word being built and the byte offset where it started.
    word: Option<(Word, usize)>,
}

impl Lexer {
    fn run(mut self) -> Result<Vec<Spanned>, Incomplete> {
        while let Some(&(at, c)) = self.chars.get(self.pos) {
            self.pos += 1;
            match c {
                ' ' | '\t' => self.end_word(at),
                '\n' => {
                    self.end_word(at);
                    self.push(Token::Op(Op::Newline), at);
                }
                '#' if self.word.is_none() => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.pos += 1;
                    }
                }
                '\'' => {
                    let mut text = String::new();
                    loop {
                        match self.next().ok_or(Incomplete)? {
                            '\'' => break,
                            c => text.push(c),
                        }
                    }
                    self.add(at, Part::Text { text, quoted: true });
                }
                '"' => self.double_quoted(at)?,
                '\\' => match self.next().ok_or(Incomplete)? {
                    // Backslash-newline joins lines, so the next line must be read.
                    '\n' if self.peek().is_none() => return Err(Incomplete),
                    '\n' => {}
                    c => self.add(at, text(c, true)),
                },
                '$' => {
                    let part = self.dollar(false)?;
                    self.add(at, part);
                }
                '|' | '&' | ';' => {
                    self.end_word(at);
                    let op = match (c, self.peek()) {
                        ('|', Some('|')) => Op::OrIf,
                        ('&', Some('&')) => Op::AndIf,
                        ('|', _) => Op::Pipe,
                        ('&', _) => Op::Amp,
                        _ => Op::Semi,
                    };
                    if matches!(op, Op::OrIf | Op::AndIf) {
                        self.pos += 1;
                    }
                    self.push(Token::Op(op), at);
                }
                '<' | '>' => {
                    // Digits right before the operator name the descriptor: `2>err`.
                    let fd = self.word.as_ref().and_then(|(w, _)| io_number(w));
                    let start = match fd {
                        Some(_) => self.word.take().map_or(at, |(_, start)| start),
                        None => {
                            self.end_word(at);
                            at
                        }
                    };
                    let op = match (c, self.peek()) {
                        ('>', Some('>')) => RedirOp::Append,
                        ('>', Some('&')) => RedirOp::DupOut,
                        ('<', Some('&')) => RedirOp::DupIn,
                        ('>', _) => RedirOp::Out,
                        _ => RedirOp::In,
                    };
                    if !matches!(op, RedirOp::In | RedirOp::Out) {
                        self.pos += 1;
                    }
                    self.push(Token::Redir(op, fd), start);
                }
                '(' | ')' => {
                    self.end_word(at);
                    self.push(Token::Paren(c), at);
                }
                c => self.add(at, text(c, false)),
            }
        }
        self.end_word(self.len);
        Ok(self.tokens)
    }

    /// The inside of "...": only `$` and backslash stay special.
    fn double_quoted(&mut self, at: usize) -> Result<(), Incomplete> {
        let mut parts = Vec::new();
        loop {
            match self.next().ok_or(Incomplete)? {
                '"' => break,
                '\\' => match self.next().ok_or(Incomplete)? {
                    '\n' => {}
                    c @ ('$' | '`' | '"' | '\\') => parts.push(text(c, true)),
                    c => {
                        parts.push(text('\\', true));
                        parts.push(text(c, true));
                    }
                },
                '$' => parts.push(self.dollar(true)?),
                c => parts.push(text(c, true)),
            }
        }
        // An empty "" still makes an (empty) word.
        if parts.is_empty() {
            parts.push(Part::Text {
                text: String::new(),
                quoted: true,
            });
        }
        for part in parts {
            self.add(at, part);
        }
        Ok(())
    }

    /// What follows a `$`: a parameter, or just a literal `$`.
    fn dollar(&mut self, quoted: bool) -> Result<Part, Incomplete> {
        let name = match self.peek() {
            Some('{') => {
                self.pos += 1;
                let mut name = String::new();
                loop {
                    match self.next().ok_or(Incomplete)? {
                        '}' => break,
                        c => name.push(c),
                    }
                }
                name
            }
            Some(c @ ('?' | '$' | '#' | '!' | '@' | '*' | '0'..='9')) => {
                self.pos += 1;
                c.to_string()
            }
            Some(c) if c == '_' || c.is_ascii_alphabetic() => {
                let mut name = String::new();
                while let Some(c) = self
                    .peek()
                    .filter(|c| *c == '_' || c.is_ascii_alphanumeric())
                {
                    name.push(c);
                    self.pos += 1;
                }
                name
            }
            _ => return Ok(text('$', quoted)),
        };
        Ok(Part::Param { name, quoted })
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).map(|&(_, c)| c)
    }

    /// Byte offset of the next character.
    fn offset(&self) -> usize {
        self.chars.get(self.pos).map_or(self.len, |&(i, _)| i)
    }

    /// Appends `part` to the current word, starting a word at `at` if needed.
    fn add(&mut self, at: usize, part: Part) {
        let (word, _) = self.word.get_or_insert_with(|| (Word::default(), at));
        // Merge runs of literal text with the same quoting.
        if let (
            Some(Part::Text { text, quoted }),
            Part::Text {
                text: more,
                quoted: q,
            },
        ) = (word.parts.last_mut(), &part)
        {
            if quoted == q {
                text.push_str(more);
                return;
            }
        }
        word.parts.push(part);
    }

    fn end_word(&mut self, end: usize) {
        if let Some((word, start)) = self.word.take() {
            self.tokens.push(Spanned {
                token: Token::Word(word),
                start,
                end,
            });
        }
    }

    fn push(&mut self, token: Token, start: usize) {
        let end = self.offset();
        self.tokens.push(Spanned { token, start, end });
    }
}

fn text(c: char, quoted: bool) -> Part {
    Part::Text {
        text: c.to_string(),
        quoted,
    }
}

/// The descriptor number if `word` is made only of unquoted digits.
fn io_number(word: &Word) -> Option<i32> {
    match &word.parts[..] {
        [Part::Text {
            text,
            quoted: false,
        }] if text.bytes().all(|b| b.is_ascii_digit()) => text.parse().ok(),
        _ => None,
    }
}
