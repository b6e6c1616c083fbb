//! The parser: turns tokens into the command structure the shell runs.
//!
//! Grammar (a subset of POSIX sh, without compound commands or functions):
//!
//! ```text
//! list     = and_or { (";" | "&" | newline) and_or } [";" | "&"]
//! and_or   = pipeline { ("&&" | "||") newline* pipeline }
//! pipeline = command { "|" newline* command }
//! command  = { NAME=value } word { word | redirection }     (at least one element)
//! ```

use crate::lexer::{self, Op, Part, RedirOp, Spanned, Token, Word};

/// `[fd]op target`, e.g. `2>&1` or `>> log`.
#[derive(Debug)]
pub struct Redirect {
    pub fd: i32,
    pub op: RedirOp,
    pub target: Word,
}

/// A simple command: assignments, words and redirections, e.g. `X=1 ls -l >out`.
#[derive(Debug, Default)]
pub struct Command {
    pub assigns: Vec<(String, Word)>,
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
}

/// `a | b | c`, and its source text (shown by `jobs`).
#[derive(Debug)]
pub struct Pipeline {
    pub commands: Vec<Command>,
    pub text: String,
}

#[derive(Debug, Clone, Copy)]
pub enum Connector {
    And,
    Or,
}

/// `p1 && p2 || p3`, and its source text.
#[derive(Debug)]
pub struct AndOr {
    pub first: Pipeline,
    pub rest: Vec<(Connector, Pipeline)>,
    pub text: String,
}

/// One entry of a list: an and-or list, run in the background if it ended in `&`.
#[derive(Debug)]
pub struct Item {
    pub and_or: AndOr,
    pub background: bool,
}

#[derive(Debug)]
pub enum ParseError {
    /// The input ends where more is needed (open quote, trailing `|` or `&&`).
    Incomplete,
    /// A token that cannot appear where it is, shown as the user wrote it.
    Unexpected(String),
}

/// Parses a complete piece of input into the items to run in order.
pub fn parse(input: &str) -> Result<Vec<Item>, ParseError> {
    let tokens = lexer::tokenize(input).map_err(|_| ParseError::Incomplete)?;
    let mut parser = Parser {
        input,
        tokens,
        pos: 0,
    };
    let mut items = Vec::new();
    loop {
        parser.skip_newlines();
        if parser.peek().is_none() {
            return Ok(items);
        }
        let and_or = parser.and_or()?;
        let background = match parser.peek() {
            None => false,
            Some(Token::Op(Op::Semi | Op::Newline)) => {
                parser.pos += 1;
                false
            }
            Some(Token::Op(Op::Amp)) => {
                parser.pos += 1;
                true
            }
            Some(other) => return Err(ParseError::Unexpected(describe(other))),
        };
        items.push(Item { and_or, background });
    }
}

struct Parser<'a> {
    input: &'a str,
    tokens: Vec<Spanned>,
    pos: usize,
}

impl Parser<'_> {
    fn and_or(&mut self) -> Result<AndOr, ParseError> {
        let start = self.pos;
        let first = self.pipeline()?;
        let mut rest = Vec::new();
        loop {
            let connector = match self.peek() {
                Some(Token::Op(Op::AndIf)) => Connector::And,
                Some(Token::Op(Op::OrIf)) => Connector::Or,
                _ => break,
            };
            self.pos += 1;
            self.continue_after_operator()?;
            rest.push((connector, self.pipeline()?));
        }
        Ok(AndOr {
            first,
            rest,
            text: self.text_since(start),
        })
    }

    fn pipeline(&mut self) -> Result<Pipeline, ParseError> {
        let start = self.pos;
        let mut commands = vec![self.command()?];
        while let Some(Token::Op(Op::Pipe)) = self.peek() {
            self.pos += 1;
            self.continue_after_operator()?;
            commands.push(self.command()?);
        }
        Ok(Pipeline {
            commands,
            text: self.text_since(start),
        })
    }

    fn command(&mut self) -> Result<Command, ParseError> {
        let mut cmd = Command::default();
        loop {
            match self.peek() {
                Some(Token::Word(word)) => {
                    let word = word.clone();
                    self.pos += 1;
                    match assignment(&word) {
                        Some(assign) if cmd.words.is_empty() => cmd.assigns.push(assign),
                        _ => cmd.words.push(word),
                    }
                }
                Some(&Token::Redir(op, fd)) => {
                    self.pos += 1;
                    let target = match self.peek() {
                        Some(Token::Word(word)) => word.clone(),
                        Some(other) => return Err(ParseError::Unexpected(describe(other))),
                        None => return Err(ParseError::Unexpected("newline".to_string())),
                    };
                    self.pos += 1;
                    let default_fd = if matches!(op, RedirOp::In | RedirOp::DupIn) {
                        0
                    } else {
                        1
                    };
                    cmd.redirects.push(Redirect {
                        fd: fd.unwrap_or(default_fd),
                        op,
                        target,
                    });
                }
                _ => break,
            }
        }
        if cmd.assigns.is_empty() && cmd.words.is_empty() && cmd.redirects.is_empty() {
            let found = self.peek().map_or("newline".to_string(), describe);
            return Err(ParseError::Unexpected(found));
        }
        Ok(cmd)
    }

    /// After `|`, `&&` or `||` a command must follow, possibly on later lines.
    fn continue_after_operator(&mut self) -> Result<(), ParseError> {
        self.skip_newlines();
        match self.peek() {
            None => Err(ParseError::Incomplete),
            Some(_) => Ok(()),
        }
    }

    fn skip_newlines(&mut self) {
        while let Some(Token::Op(Op::Newline)) = self.peek() {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|t| &t.token)
    }

    /// The source text of tokens `start..pos`.
    fn text_since(&self, start: usize) -> String {
        let from = self.tokens[start].start;
        let to = self.tokens[self.pos - 1].end;
        self.input[from..to].to_string()
    }
}

/// Splits `NAME=value` into the name and the value word, if `word` is one.
fn assignment(word: &Word) -> Option<(String, Word)> {
    let Some(Part::Text {
        text,
        quoted: false,
    }) = word.parts.first()
    else {
        return None;
    };
    let (name, value) = text.split_once('=')?;
    if !is_name(name) {
        return None;
    }
    let mut parts = word.parts[1..].to_vec();
    if !value.is_empty() {
        parts.insert(
            0,
            Part::Text {
                text: value.to_string(),
                quoted: false,
            },
        );
    }
    Some((name.to_string(), Word { parts }))
}

/// Whether `s` is a valid variable name: a letter or `_`, then letters, digits, `_`.
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// A token as it appears in an error message.
fn describe(token: &Token) -> String {
    let s = match token {
        Token::Paren(c) => return c.to_string(),
        Token::Word(_) => "word",
        Token::Op(Op::Pipe) => "|",
        Token::Op(Op::AndIf) => "&&",
        Token::Op(Op::OrIf) => "||",
        Token::Op(Op::Semi) => ";",
        Token::Op(Op::Amp) => "&",
        Token::Op(Op::Newline) => "newline",
        Token::Redir(RedirOp::In, _) => "<",
        Token::Redir(RedirOp::Out, _) => ">",
        Token::Redir(RedirOp::Append, _) => ">>",
        Token::Redir(RedirOp::DupOut, _) => ">&",
        Token::Redir(RedirOp::DupIn, _) => "<&",
    };
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words of a command as plain strings (quoting removed, `$x` kept).
    fn words(cmd: &Command) -> Vec<String> {
        let show = |w: &Word| {
            w.parts
                .iter()
                .map(|p| match p {
                    Part::Text { text, .. } => text.clone(),
                    Part::Param { name, .. } => format!("${name}"),
                })
                .collect::<String>()
        };
        cmd.words.iter().map(show).collect()
    }

    #[test]
    fn quoting_and_comments() {
        let items = parse("echo 'a b' \"c $x\" d\\ e f#g # comment").unwrap();
        let cmd = &items[0].and_or.first.commands[0];
        assert_eq!(words(cmd), ["echo", "a b", "c $x", "d e", "f#g"]);
    }

    #[test]
    fn lists_pipelines_and_background() {
        let items = parse("a | b && c || d & e; f\n").unwrap();
        assert_eq!(items.len(), 3);
        assert!(items[0].background && !items[1].background);
        assert_eq!(items[0].and_or.text, "a | b && c || d");
        assert_eq!(items[0].and_or.first.commands.len(), 2);
        assert_eq!(items[0].and_or.rest.len(), 2);
    }

    #[test]
    fn redirections_and_assignments() {
        let items = parse("X=1 cmd a2>f 2>>log 2>&1 <in").unwrap();
        let cmd = &items[0].and_or.first.commands[0];
        assert_eq!(cmd.assigns[0].0, "X");
        assert_eq!(words(cmd), ["cmd", "a2"]);
        let redirects: Vec<(i32, RedirOp)> = cmd.redirects.iter().map(|r| (r.fd, r.op)).collect();
        assert_eq!(
            redirects,
            [
                (1, RedirOp::Out),
                (2, RedirOp::Append),
                (2, RedirOp::DupOut),
                (0, RedirOp::In)
            ]
        );
    }

    #[test]
    fn incomplete_input_asks_for_more() {
        for input in ["echo 'open", "echo \"open", "a |", "a &&\n", "echo a\\\n"] {
            assert!(
                matches!(parse(input), Err(ParseError::Incomplete)),
                "{input}"
            );
        }
    }

    #[test]
    fn syntax_errors_name_the_token() {
        for (input, token) in [
            ("; a", ";"),
            ("a | | b", "|"),
            ("a >", "newline"),
            ("(a)", "("),
        ] {
            match parse(input) {
                Err(ParseError::Unexpected(found)) => assert_eq!(found, token, "{input}"),
                other => panic!("{input}: {other:?}"),
            }
        }
    }
}
