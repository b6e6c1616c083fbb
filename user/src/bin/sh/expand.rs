//! Word expansion, in the POSIX order: tilde, parameter, command substitution
//! and arithmetic expansion (left to right, as the word reads), then field
//! splitting by IFS, pathname expansion and quote removal.
//!
//! The first stage turns a word's source text into characters that each
//! remember whether they were quoted (quoted characters are never split or
//! taken as pattern characters) and whether they came from an unquoted
//! expansion (only those are split at IFS characters).

use crate::lexer::Lexer;
use crate::{arith, param, pattern, Shell};

/// A character of a word being expanded.
#[derive(Clone, Copy, Debug)]
pub struct Ch {
    pub c: char,
    pub quoted: bool,
    /// Came from an unquoted expansion: subject to field splitting.
    pub split: bool,
}

#[derive(Clone, Copy, Debug)]
pub enum Piece {
    Ch(Ch),
    /// A field boundary that is there whatever IFS is (between the fields of "$@").
    Break,
    /// A field exists here even if it stays empty (`""`, `"$empty"`).
    Mark,
}

/// An expansion that failed (`${x?}`, `set -u`, bad arithmetic): the message
/// to show. The command is not run.
#[derive(Debug)]
pub struct ExpandError(pub String);

pub type Result<T> = std::result::Result<T, ExpandError>;

/// Expands command words into fields: all the steps, including field splitting
/// and pathname expansion.
pub fn expand_words(shell: &mut Shell, words: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for word in words {
        let pieces = expand_pieces(shell, word, false)?;
        for field in split_fields(shell, &pieces) {
            glob_field(shell, &field, &mut out);
        }
    }
    Ok(out)
}

/// Expands a word into one string, without field splitting or pathname
/// expansion: assignment values, redirection targets, `case` words.
pub fn expand_single(shell: &mut Shell, word: &str) -> Result<String> {
    let pieces = expand_pieces(shell, word, false)?;
    Ok(join(&pieces))
}

/// Expands a word into a pattern (for `case`): quoted characters match literally.
pub fn expand_pattern(shell: &mut Shell, word: &str) -> Result<Vec<(char, bool)>> {
    let pieces = expand_pieces(shell, word, false)?;
    Ok(pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Ch(ch) => Some((ch.c, ch.quoted)),
            _ => None,
        })
        .collect())
}

/// The text of a here-document body with an unquoted delimiter: parameters,
/// command substitutions and arithmetic are expanded, `\` quotes only `$`, `` ` ``,
/// `\` and newline.
pub fn expand_here_doc(shell: &mut Shell, body: &str) -> Result<String> {
    let mut out = Vec::new();
    let mut e = Expander {
        shell,
        src: body,
        pos: 0,
        out: &mut out,
    };
    e.run(true, true)?;
    Ok(join(&out))
}

/// Quote removal alone (for here-document delimiters).
pub fn remove_quotes(word: &str) -> String {
    let mut out = String::new();
    let mut chars = word.chars();
    let mut in_dq = false;
    while let Some(c) = chars.next() {
        match c {
            '\'' if !in_dq => out.extend(chars.by_ref().take_while(|&c| c != '\'')),
            '"' => in_dq = !in_dq,
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

/// The characters of the pieces, fields joined by spaces.
pub fn join(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Ch(ch) => Some(ch.c),
            Piece::Break => Some(' '),
            Piece::Mark => None,
        })
        .collect()
}

/// The first stage: expansions done, quoting recorded. `in_dq`: the text is
/// inside double quotes.
pub fn expand_pieces(shell: &mut Shell, word: &str, in_dq: bool) -> Result<Vec<Piece>> {
    let mut out = Vec::new();
    let mut e = Expander {
        shell,
        src: word,
        pos: 0,
        out: &mut out,
    };
    e.tilde();
    e.run(in_dq, false)?;
    Ok(out)
}

struct Expander<'s, 'w, 'o> {
    shell: &'s mut Shell,
    src: &'w str,
    pos: usize,
    out: &'o mut Vec<Piece>,
}

impl Expander<'_, '_, '_> {
    fn push(&mut self, c: char, quoted: bool) {
        self.out.push(Piece::Ch(Ch {
            c,
            quoted,
            split: false,
        }));
    }

    /// Pushes the result of an expansion: quoted inside double quotes, otherwise
    /// subject to field splitting and pathname expansion.
    fn push_expansion(&mut self, s: &str, in_dq: bool) {
        for c in s.chars() {
            self.out.push(Piece::Ch(Ch {
                c,
                quoted: in_dq,
                split: !in_dq,
            }));
        }
    }

    /// Where the construct starting at `pos` ends (the lexer knows the rules).
    fn construct_end(&self, in_dq: bool) -> Result<usize> {
        let mut lx = Lexer::new(self.src, self.pos, 1, false);
        lx.word_char(in_dq)
            .map_err(|_| ExpandError("bad substitution".to_string()))?;
        Ok(lx.pos)
    }

    /// `~` or `~/...` at the start of the word becomes $HOME (`~user` is left
    /// alone: there is no user database to ask).
    fn tilde(&mut self) {
        let rest = &self.src[self.pos..];
        if rest.starts_with('~') && matches!(rest[1..].chars().next(), None | Some('/')) {
            self.pos += 1;
            let home = self.shell.vars.get("HOME").unwrap_or("").to_string();
            for c in home.chars() {
                self.push(c, true);
            }
        }
    }

    /// Expands `src[pos..]` into `out`. `here_doc`: only `\$`, `` \` ``, `\\` and
    /// backslash-newline are escapes, and quotes are ordinary characters.
    fn run(&mut self, in_dq: bool, here_doc: bool) -> Result<()> {
        while let Some(c) = self.src[self.pos..].chars().next() {
            match c {
                '\'' if !in_dq => {
                    let end = self.construct_end(false)?;
                    let inner = &self.src[self.pos + 1..end - 1];
                    self.out.push(Piece::Mark);
                    for c in inner.chars() {
                        self.push(c, true);
                    }
                    self.pos = end;
                }
                '"' if !in_dq => {
                    let end = self.construct_end(false)?;
                    let inner = &self.src[self.pos + 1..end - 1];
                    // "$@" with no parameters makes no field at all.
                    if inner != "$@" && inner != "${@}" {
                        self.out.push(Piece::Mark);
                    }
                    let mut sub = Expander {
                        shell: self.shell,
                        src: inner,
                        pos: 0,
                        out: self.out,
                    };
                    sub.run(true, false)?;
                    self.pos = end;
                }
                // Inside double quotes a `"` can only be one that groups part of
                // a `${x-word}` word: it goes, and what it encloses stays quoted.
                '"' if !here_doc => self.pos += 1,
                '\\' => {
                    self.pos += 1;
                    let Some(next) = self.src[self.pos..].chars().next() else {
                        self.push('\\', in_dq);
                        continue;
                    };
                    self.pos += next.len_utf8();
                    if next == '\n' {
                        continue;
                    }
                    let escapes = if here_doc {
                        "$`\\"
                    } else if in_dq {
                        "$`\"\\"
                    } else {
                        ""
                    };
                    if in_dq && !escapes.contains(next) {
                        self.push('\\', true);
                    }
                    self.push(next, true);
                }
                '$' => self.dollar(in_dq)?,
                '`' => {
                    let end = self.construct_end(in_dq)?;
                    let inner = unescape_backquoted(&self.src[self.pos + 1..end - 1], in_dq);
                    self.pos = end;
                    let output = crate::process::command_output(self.shell, &inner);
                    self.push_expansion(&output, in_dq);
                }
                c => {
                    self.pos += c.len_utf8();
                    self.push(c, in_dq);
                }
            }
        }
        Ok(())
    }

    /// `$name`, `${...}`, `$(...)` or `$((...))`, with `pos` at the `$`.
    fn dollar(&mut self, in_dq: bool) -> Result<()> {
        let rest = &self.src[self.pos + 1..];
        if rest.starts_with("((") {
            let end = self.construct_end(in_dq)?;
            let inner = self.src[self.pos + 3..end - 2].to_string();
            self.pos = end;
            let text = join(&expand_pieces_here(self.shell, &inner)?);
            let value = arith::eval(self.shell, &text)?;
            self.push_expansion(&value.to_string(), in_dq);
        } else if rest.starts_with('(') {
            let end = self.construct_end(in_dq)?;
            let inner = self.src[self.pos + 2..end - 1].to_string();
            self.pos = end;
            let output = crate::process::command_output(self.shell, &inner);
            self.push_expansion(&output, in_dq);
        } else if rest.starts_with('{') {
            let end = self.construct_end(in_dq)?;
            let inner = self.src[self.pos + 2..end - 1].to_string();
            self.pos = end;
            let pieces = param::braced(self.shell, &inner, in_dq)?;
            self.out.extend(pieces);
        } else {
            let name_len = match rest.chars().next() {
                Some('@' | '*' | '#' | '?' | '-' | '$' | '!' | '0'..='9') => 1,
                Some(c) if c == '_' || c.is_ascii_alphabetic() => rest
                    .find(|c: char| c != '_' && !c.is_ascii_alphanumeric())
                    .unwrap_or(rest.len()),
                _ => {
                    self.pos += 1;
                    self.push('$', in_dq);
                    return Ok(());
                }
            };
            let name = rest[..name_len].to_string();
            self.pos += 1 + name_len;
            let pieces = param::simple(self.shell, &name, in_dq)?;
            self.out.extend(pieces);
        }
        Ok(())
    }
}

/// Expands the text of `$((...))` as if in double quotes.
fn expand_pieces_here(shell: &mut Shell, text: &str) -> Result<Vec<Piece>> {
    let mut out = Vec::new();
    Expander {
        shell,
        src: text,
        pos: 0,
        out: &mut out,
    }
    .run(true, false)?;
    Ok(out)
}

/// Inside backquotes a backslash quotes only `$`, `` ` ``, `\` (and `"` inside
/// double quotes); those backslashes go before the command is parsed.
fn unescape_backquoted(s: &str, in_dq: bool) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&n) = chars.peek() {
                if n == '$' || n == '`' || n == '\\' || (in_dq && n == '"') {
                    out.push(n);
                    chars.next();
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

/// Field splitting: characters from unquoted expansions that are in IFS
/// separate fields. IFS white space (space, tab, newline) around a separator
/// counts as part of it, and runs of it separate once.
fn split_fields(shell: &Shell, pieces: &[Piece]) -> Vec<Vec<Ch>> {
    let ifs: String = shell.vars.get("IFS").unwrap_or(" \t\n").to_string();
    let mut fields = Vec::new();
    let mut cur: Vec<Ch> = Vec::new();
    let mut exists = false;
    // The last thing was IFS white space that ended a field: a non-white
    // separator right after it belongs to the same separation.
    let mut after_white = false;
    for piece in pieces {
        match piece {
            Piece::Ch(ch) if ch.split && ifs.contains(ch.c) => {
                if matches!(ch.c, ' ' | '\t' | '\n') {
                    if exists {
                        fields.push(std::mem::take(&mut cur));
                        exists = false;
                        after_white = true;
                    }
                } else {
                    if exists || !after_white {
                        fields.push(std::mem::take(&mut cur));
                    }
                    exists = false;
                    after_white = false;
                }
            }
            Piece::Ch(ch) => {
                cur.push(*ch);
                exists = true;
                after_white = false;
            }
            Piece::Break => {
                if exists {
                    fields.push(std::mem::take(&mut cur));
                }
                exists = false;
                after_white = false;
            }
            Piece::Mark => exists = true,
        }
    }
    if exists {
        fields.push(cur);
    }
    fields
}

/// Pathname expansion of one field: if it has unquoted pattern characters
/// and matches files, the sorted names replace it; otherwise it stays as it is.
fn glob_field(shell: &Shell, field: &[Ch], out: &mut Vec<String>) {
    let has_pattern = field
        .iter()
        .any(|ch| !ch.quoted && matches!(ch.c, '*' | '?' | '['));
    if has_pattern && !shell.options.noglob {
        let pat: Vec<(char, bool)> = field.iter().map(|ch| (ch.c, ch.quoted)).collect();
        let matches = pattern::glob(&pat);
        if !matches.is_empty() {
            out.extend(matches);
            return;
        }
    }
    out.push(field.iter().map(|ch| ch.c).collect());
}
