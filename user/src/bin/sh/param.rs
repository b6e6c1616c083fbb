//! Parameter expansion: `$name`, the special parameters, and the `${...}` forms
//! of POSIX (`${x:-w}`, `${x:=w}`, `${x:?w}`, `${x:+w}` with and without the
//! colon, `${#x}`, `${x%p}`, `${x%%p}`, `${x#p}`, `${x##p}`).

use crate::expand::{expand_pieces, Ch, ExpandError, Piece, Result};
use crate::{pattern, Shell};

/// The value of a parameter, or None if it is unset. `$@` and `$*` give the
/// positional parameters joined by spaces.
pub fn value(shell: &Shell, name: &str) -> Option<String> {
    match name {
        "?" => Some(shell.last_status.to_string()),
        "$" => Some(shell.pid.to_string()),
        "!" => shell.last_background.map(|pid| pid.to_string()),
        "#" => Some(shell.positional.len().to_string()),
        "-" => Some(shell.options.letters()),
        "@" | "*" => Some(shell.positional.join(" ")),
        "0" => Some(shell.name.clone()),
        _ => match name.parse::<usize>() {
            Ok(n) => shell.positional.get(n.checked_sub(1)?).cloned(),
            Err(_) => shell.vars.get(name).map(str::to_string),
        },
    }
}

/// A value for set -u: an error if the parameter is unset.
fn value_or_error(shell: &Shell, name: &str) -> Result<Option<String>> {
    let v = value(shell, name);
    if v.is_none() && shell.options.nounset && name != "@" && name != "*" {
        return Err(ExpandError(format!("{name}: parameter not set")));
    }
    Ok(v)
}

fn chars(s: &str, in_dq: bool) -> Vec<Piece> {
    s.chars()
        .map(|c| {
            Piece::Ch(Ch {
                c,
                quoted: in_dq,
                split: !in_dq,
            })
        })
        .collect()
}

/// `$name` (or `${name}`).
pub fn simple(shell: &Shell, name: &str, in_dq: bool) -> Result<Vec<Piece>> {
    if name == "@" || name == "*" {
        let mut out = Vec::new();
        if name == "*" && in_dq {
            // "$*": one field, joined by the first character of IFS.
            let sep = match shell.vars.get("IFS") {
                None => " ".to_string(),
                Some(ifs) => ifs.chars().next().map(String::from).unwrap_or_default(),
            };
            out.push(Piece::Mark);
            out.extend(chars(&shell.positional.join(&sep), true));
            return Ok(out);
        }
        for (i, arg) in shell.positional.iter().enumerate() {
            if i > 0 {
                out.push(Piece::Break);
            }
            if in_dq {
                out.push(Piece::Mark);
            }
            out.extend(chars(arg, in_dq));
        }
        return Ok(out);
    }
    let v = value_or_error(shell, name)?.unwrap_or_default();
    Ok(chars(&v, in_dq))
}

/// The inside of `${...}`.
pub fn braced(shell: &mut Shell, inner: &str, in_dq: bool) -> Result<Vec<Piece>> {
    let bad = || ExpandError(format!("${{{inner}}}: bad substitution"));
    if let Some(name) = inner.strip_prefix('#') {
        if !name.is_empty() {
            if name_len(name) != Some(name.len()) {
                return Err(bad());
            }
            let v = value_or_error(shell, name)?.unwrap_or_default();
            return Ok(chars(&v.chars().count().to_string(), in_dq));
        }
    }
    let len = name_len(inner).ok_or_else(bad)?;
    let (name, rest) = inner.split_at(len);
    if rest.is_empty() {
        return simple(shell, name, in_dq);
    }
    let (op, word) = [
        "%%", "##", ":-", ":=", ":?", ":+", "%", "#", "-", "=", "?", "+",
    ]
    .iter()
    .find_map(|op| rest.strip_prefix(op).map(|w| (*op, w)))
    .ok_or_else(bad)?;
    let v = value(shell, name);
    let colon = op.starts_with(':');
    let missing = match &v {
        None => true,
        Some(s) => colon && s.is_empty(),
    };
    match op.trim_start_matches(':') {
        "-" if missing => word_pieces(shell, word, in_dq),
        "+" if !missing => word_pieces(shell, word, in_dq),
        "+" => Ok(Vec::new()),
        "=" if missing => {
            if name_len(name).is_none() || !crate::parser::is_name(name) {
                return Err(ExpandError(format!("{name}: cannot assign in this way")));
            }
            let value = crate::expand::join(&expand_pieces(shell, word, true)?);
            shell.vars.set(name, &value);
            Ok(chars(&value, in_dq))
        }
        "?" if missing => {
            let msg = crate::expand::join(&expand_pieces(shell, word, true)?);
            let msg = if msg.is_empty() {
                "parameter null or not set".to_string()
            } else {
                msg
            };
            Err(ExpandError(format!("{name}: {msg}")))
        }
        "-" | "=" | "?" => simple(shell, name, in_dq),
        trim => {
            let v = value_or_error(shell, name)?.unwrap_or_default();
            let pieces = expand_pieces(shell, word, false)?;
            let pat: Vec<(char, bool)> = pieces
                .iter()
                .filter_map(|p| match p {
                    Piece::Ch(ch) => Some((ch.c, ch.quoted)),
                    _ => None,
                })
                .collect();
            Ok(chars(&remove_affix(&v, &pat, trim), in_dq))
        }
    }
}

/// The word of `${x-word}`: expanded in the same quoting context; in an
/// unquoted context its unquoted characters are split like any expansion.
fn word_pieces(shell: &mut Shell, word: &str, in_dq: bool) -> Result<Vec<Piece>> {
    let mut pieces = expand_pieces(shell, word, in_dq)?;
    if !in_dq {
        for p in &mut pieces {
            if let Piece::Ch(ch) = p {
                ch.split = !ch.quoted;
            }
        }
    }
    Ok(pieces)
}

/// Removes the shortest (`%`, `#`) or longest (`%%`, `##`) suffix or prefix of
/// `v` that matches `pat`.
fn remove_affix(v: &str, pat: &[(char, bool)], op: &str) -> String {
    let s: Vec<char> = v.chars().collect();
    let n = s.len();
    let text = |r: &[char]| r.iter().collect::<String>();
    match op {
        "#" => (0..=n)
            .find(|&i| pattern::matches(pat, &s[..i]))
            .map_or_else(|| v.to_string(), |i| text(&s[i..])),
        "##" => (0..=n)
            .rev()
            .find(|&i| pattern::matches(pat, &s[..i]))
            .map_or_else(|| v.to_string(), |i| text(&s[i..])),
        "%" => (0..=n)
            .rev()
            .find(|&i| pattern::matches(pat, &s[i..]))
            .map_or_else(|| v.to_string(), |i| text(&s[..i])),
        _ => (0..=n)
            .find(|&i| pattern::matches(pat, &s[i..]))
            .map_or_else(|| v.to_string(), |i| text(&s[..i])),
    }
}

/// The length of the parameter name at the start of `s`: a special character,
/// digits, or a variable name.
fn name_len(s: &str) -> Option<usize> {
    match s.chars().next()? {
        '@' | '*' | '#' | '?' | '-' | '$' | '!' => Some(1),
        '0'..='9' => Some(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len())),
        c if c == '_' || c.is_ascii_alphabetic() => Some(
            s.find(|c: char| c != '_' && !c.is_ascii_alphanumeric())
                .unwrap_or(s.len()),
        ),
        _ => None,
    }
}
