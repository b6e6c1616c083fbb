//! Word expansion: substitutes parameters (`$x`, `$1`, `$?`...) and splits the
//! results of unquoted substitutions into fields at spaces, tabs and newlines (the
//! default IFS; the IFS variable itself is not consulted). There is no pathname
//! (`*`) expansion, tilde expansion or command substitution.

use crate::lexer::{Part, Word};
use crate::Shell;

/// Expands command words into the argument list (zero or more fields per word).
pub fn expand_words(shell: &Shell, words: &[Word]) -> Vec<String> {
    let mut fields = Fields::default();
    for word in words {
        for part in &word.parts {
            match part {
                Part::Text { text, .. } => fields.push(text),
                Part::Param { name, quoted: true } if name == "@" => {
                    // "$@" is the one quoted expansion that makes several fields:
                    // one per positional parameter, exactly as given.
                    for (i, arg) in shell.positional.iter().enumerate() {
                        if i > 0 {
                            fields.end();
                        }
                        fields.push(arg);
                    }
                }
                Part::Param { name, quoted } => {
                    let value = param(shell, name).unwrap_or_default();
                    if *quoted {
                        fields.push(&value);
                    } else {
                        fields.push_split(&value);
                    }
                }
            }
        }
        fields.end();
    }
    fields.done
}

/// Expands a word into exactly one string, without field splitting: used for
/// assignment values and redirection targets.
pub fn expand_single(shell: &Shell, word: &Word) -> String {
    word.parts
        .iter()
        .map(|part| match part {
            Part::Text { text, .. } => text.clone(),
            Part::Param { name, .. } => param(shell, name).unwrap_or_default(),
        })
        .collect()
}

/// The value of a parameter, or None if it is unset.
fn param(shell: &Shell, name: &str) -> Option<String> {
    match name {
        "?" => Some(shell.last_status.to_string()),
        "$" => Some(shell.pid.to_string()),
        "!" => shell.last_background.map(|pid| pid.to_string()),
        "#" => Some(shell.positional.len().to_string()),
        "@" | "*" => Some(shell.positional.join(" ")),
        "0" => Some(shell.name.clone()),
        _ => match name.parse::<usize>() {
            Ok(n) => shell.positional.get(n - 1).cloned(),
            Err(_) => shell.vars.get(name).map(str::to_string),
        },
    }
}

/// Fields being assembled. A field exists as soon as anything (even an empty
/// quoted string) was pushed into it; an unquoted empty expansion adds nothing.
#[derive(Default)]
struct Fields {
    done: Vec<String>,
    current: Option<String>,
}

impl Fields {
    fn push(&mut self, s: &str) {
        self.current.get_or_insert_with(String::new).push_str(s);
    }

    /// Appends an unquoted expansion: whitespace in it separates fields.
    fn push_split(&mut self, mut s: &str) {
        let is_ifs = |c: char| c == ' ' || c == '\t' || c == '\n';
        loop {
            let trimmed = s.trim_start_matches(is_ifs);
            if trimmed.len() != s.len() {
                self.end();
            }
            if trimmed.is_empty() {
                return;
            }
            let len = trimmed.find(is_ifs).unwrap_or(trimmed.len());
            self.push(&trimmed[..len]);
            s = &trimmed[len..];
        }
    }

    fn end(&mut self) {
        self.done.extend(self.current.take());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse;
    use crate::vars::Vars;

    /// Expands the words of the first command of `input`.
    fn expand(input: &str) -> Vec<String> {
        let mut vars = Vars::default();
        vars.set("x", " a  b ");
        vars.set("empty", "");
        let shell = Shell {
            vars,
            name: "sh".to_string(),
            positional: vec!["one".to_string(), "two words".to_string()],
            last_status: 3,
            pid: 42,
            last_background: None,
            jobs: Default::default(),
            interactive: false,
            terminal: None,
        };
        let items = parse(input).unwrap();
        expand_words(&shell, &items[0].and_or.first.commands[0].words)
    }

    #[test]
    fn unquoted_expansions_are_split() {
        assert_eq!(expand("echo p${x}q"), ["echo", "p", "a", "b", "q"]);
        assert_eq!(expand("echo \"p${x}q\""), ["echo", "p a  b q"]);
    }

    #[test]
    fn empty_expansions_vanish_unless_quoted() {
        assert_eq!(expand("echo $empty $unset"), ["echo"]);
        assert_eq!(expand("echo \"$empty\" ''"), ["echo", "", ""]);
    }

    #[test]
    fn special_parameters() {
        assert_eq!(
            expand("echo $? $$ $# $0 $1 $3"),
            ["echo", "3", "42", "2", "sh", "one"]
        );
        assert_eq!(expand("echo \"$@\""), ["echo", "one", "two words"]);
        assert_eq!(expand("echo \"$*\""), ["echo", "one two words"]);
        assert_eq!(expand("echo $@"), ["echo", "one", "two", "words"]);
    }
}
