//! Pattern matching (`*`, `?`, `[...]`) for `case`, `${x%pattern}` and
//! pathname expansion. A pattern is a list of characters, each marked quoted or
//! not: quoted characters always match themselves.

/// Whether `pat` matches all of `s`.
pub fn matches(pat: &[(char, bool)], s: &[char]) -> bool {
    // Backtracking over the last `*` only: enough for `*` since what a later
    // star matches can always absorb the difference.
    let (mut p, mut i) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if p < pat.len() {
            match pat[p] {
                ('*', false) => {
                    star = Some((p, i));
                    p += 1;
                    continue;
                }
                ('?', false) if i < s.len() => {
                    p += 1;
                    i += 1;
                    continue;
                }
                ('[', false) => {
                    if let Some((matched, len)) = bracket(&pat[p..], s.get(i).copied()) {
                        if matched {
                            p += len;
                            i += 1;
                            continue;
                        }
                    } else if s.get(i) == Some(&'[') {
                        // No closing `]`: a literal `[`.
                        p += 1;
                        i += 1;
                        continue;
                    }
                }
                (c, quoted) if s.get(i) == Some(&c) && (quoted || c != '?') => {
                    p += 1;
                    i += 1;
                    continue;
                }
                _ => {}
            }
        } else if i == s.len() {
            return true;
        }
        // Mismatch: let the last star take one more character.
        match star {
            Some((sp, si)) if si < s.len() => {
                star = Some((sp, si + 1));
                p = sp + 1;
                i = si + 1;
            }
            _ => return false,
        }
    }
}

/// Matches `c` against the bracket expression at the start of `pat`. Returns
/// whether it matched and the expression's length, or None if there is no
/// closing `]` (then `[` is an ordinary character).
fn bracket(pat: &[(char, bool)], c: Option<char>) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(pat.get(1), Some(('!' | '^', false)));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let (pc, quoted) = *pat.get(i)?;
        if pc == ']' && !quoted && !first {
            return Some((c.is_some() && matched != negate, i + 1));
        }
        first = false;
        // [:class:]
        if pc == '[' && !quoted && matches!(pat.get(i + 1), Some((':', false))) {
            let rest: String = pat[i + 2..].iter().map(|&(c, _)| c).collect();
            if let Some(end) = rest.find(":]") {
                let class = &rest[..end];
                if c.is_some_and(|c| in_class(class, c)) {
                    matched = true;
                }
                i += 2 + end + 2;
                continue;
            }
        }
        // a-z
        if matches!(pat.get(i + 1), Some(('-', false)))
            && pat.get(i + 2).is_some_and(|&(e, q)| e != ']' || q)
        {
            let hi = pat[i + 2].0;
            if c.is_some_and(|c| pc <= c && c <= hi) {
                matched = true;
            }
            i += 3;
            continue;
        }
        if c == Some(pc) {
            matched = true;
        }
        i += 1;
    }
}

fn in_class(class: &str, c: char) -> bool {
    match class {
        "alpha" => c.is_ascii_alphabetic(),
        "digit" => c.is_ascii_digit(),
        "alnum" => c.is_ascii_alphanumeric(),
        "upper" => c.is_ascii_uppercase(),
        "lower" => c.is_ascii_lowercase(),
        "space" => c.is_ascii_whitespace() || c == '\x0b',
        "blank" => c == ' ' || c == '\t',
        "punct" => c.is_ascii_punctuation(),
        "xdigit" => c.is_ascii_hexdigit(),
        "cntrl" => c.is_ascii_control(),
        "print" => (' '..='~').contains(&c),
        "graph" => ('!'..='~').contains(&c),
        _ => false,
    }
}

/// Pathname expansion: the paths that match `pat`, sorted (byte order, as in
/// the C locale). Each `/`-separated component is matched against the entries
/// of the directories found so far; a leading `.` must be matched explicitly.
pub fn glob(pat: &[(char, bool)]) -> Vec<String> {
    let absolute = matches!(pat.first(), Some(('/', _)));
    let components: Vec<&[(char, bool)]> = pat
        .split(|&(c, _)| c == '/')
        .filter(|c| !c.is_empty())
        .collect();
    let mut paths: Vec<String> = vec![if absolute { "/".into() } else { String::new() }];
    for (n, comp) in components.iter().enumerate() {
        let last = n + 1 == components.len();
        let literal = !comp
            .iter()
            .any(|&(c, q)| !q && matches!(c, '*' | '?' | '['));
        let mut next = Vec::new();
        for base in &paths {
            if literal {
                let name: String = comp.iter().map(|&(c, _)| c).collect();
                let path = format!("{base}{name}");
                if std::fs::symlink_metadata(&path).is_ok() {
                    next.push(path);
                }
                continue;
            }
            let dir = if base.is_empty() { "." } else { base.as_str() };
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut names: Vec<String> = entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| {
                    let chars: Vec<char> = name.chars().collect();
                    (!name.starts_with('.') || comp.first().is_some_and(|&(c, _)| c == '.'))
                        && matches(comp, &chars)
                })
                .collect();
            names.sort();
            for name in names {
                let path = format!("{base}{name}");
                if last || std::fs::metadata(&path).is_ok_and(|m| m.is_dir()) {
                    next.push(path);
                }
            }
        }
        paths = next
            .into_iter()
            .map(|p| if last { p } else { format!("{p}/") })
            .collect();
    }
    if pat.last().is_some_and(|&(c, _)| c == '/') {
        // `dir*/` names only directories, and keeps its slash (added above).
        return paths
            .into_iter()
            .map(|p| format!("{p}/"))
            .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.is_dir()))
            .collect();
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pat: &str, s: &str) -> bool {
        let pat: Vec<(char, bool)> = pat.chars().map(|c| (c, false)).collect();
        let s: Vec<char> = s.chars().collect();
        matches(&pat, &s)
    }

    #[test]
    fn wildcards_and_brackets() {
        assert!(m("*.c", "a.c") && !m("*.c", "a.h"));
        assert!(m("a?c", "abc") && !m("a?c", "ac"));
        assert!(m("[a-c]x", "bx") && !m("[!a-c]x", "bx"));
        assert!(m("[[:digit:]]*", "1abc") && m("*", ""));
        assert!(m("a*b*c", "aXbYbc") && !m("a*b*c", "aXbY"));
        assert!(m("[]]", "]") && m("[", "["));
    }
}
