//! Arithmetic expansion `$((...))`: signed 64-bit integers with the C operators
//! POSIX lists (no `++`/`--`), variables by name, and assignments (`x += 2`).
//! A recursive-descent parser that evaluates as it goes; `skip` turns off side
//! effects and errors in the branch `&&`, `||` or `?:` does not take.

use crate::expand::{ExpandError, Result};
use crate::Shell;

pub fn eval(shell: &mut Shell, text: &str) -> Result<i64> {
    let mut p = Arith {
        shell,
        s: text.as_bytes(),
        pos: 0,
        skip: false,
    };
    let v = p.assign()?;
    p.blanks();
    if p.pos < p.s.len() {
        return Err(p.error("syntax error"));
    }
    Ok(v)
}

struct Arith<'a> {
    shell: &'a mut Shell,
    s: &'a [u8],
    pos: usize,
    skip: bool,
}

/// Binary operators by precedence level, lowest first.
const LEVELS: [&[&str]; 10] = [
    &["||"],
    &["&&"],
    &["|"],
    &["^"],
    &["&"],
    &["==", "!="],
    &["<=", ">=", "<", ">"],
    &["<<", ">>"],
    &["+", "-"],
    &["*", "/", "%"],
];

impl Arith<'_> {
    fn error(&self, what: &str) -> ExpandError {
        let text = String::from_utf8_lossy(self.s);
        ExpandError(format!("arithmetic expression: {what}: \"{text}\""))
    }

    fn blanks(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn eat(&mut self, op: &str) -> bool {
        self.blanks();
        if self.s[self.pos..].starts_with(op.as_bytes()) {
            // `<` must not be the start of `<<` or `<=`, `&` of `&&`, and so on.
            let next = self.s.get(self.pos + op.len()).copied();
            let longer = match op {
                "<" | ">" => matches!(next, Some(b'<' | b'>' | b'=')),
                "&" => matches!(next, Some(b'&' | b'=')),
                "|" => matches!(next, Some(b'|' | b'=')),
                "=" => next == Some(b'='),
                "!" => next == Some(b'='),
                "<<" | ">>" | "+" | "-" | "*" | "/" | "%" | "^" => next == Some(b'='),
                _ => false,
            };
            if !longer {
                self.pos += op.len();
                return true;
            }
        }
        false
    }

    /// assignment: NAME op= assign | conditional
    fn assign(&mut self) -> Result<i64> {
        self.blanks();
        let start = self.pos;
        let name = self.name();
        if !name.is_empty() {
            self.blanks();
            for op in [
                "=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=", "|=",
            ] {
                if self.eat(op) {
                    let rhs = self.assign()?;
                    let v = if op == "=" {
                        rhs
                    } else {
                        let old = self.var(&name)?;
                        self.apply(&op[..op.len() - 1], old, rhs)?
                    };
                    if !self.skip {
                        self.shell.vars.set(&name, &v.to_string());
                    }
                    return Ok(v);
                }
            }
        }
        self.pos = start;
        self.conditional()
    }

    fn conditional(&mut self) -> Result<i64> {
        let c = self.binary(0)?;
        if !self.eat("?") {
            return Ok(c);
        }
        let saved = self.skip;
        self.skip = saved || c == 0;
        let a = self.assign()?;
        if !self.eat(":") {
            return Err(self.error("expecting ':'"));
        }
        self.skip = saved || c != 0;
        let b = self.conditional()?;
        self.skip = saved;
        Ok(if c != 0 { a } else { b })
    }

    fn binary(&mut self, level: usize) -> Result<i64> {
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut v = self.binary(level + 1)?;
        'outer: loop {
            for op in LEVELS[level] {
                if self.eat(op) {
                    let saved = self.skip;
                    if (*op == "&&" && v == 0) || (*op == "||" && v != 0) {
                        self.skip = true;
                    }
                    let rhs = self.binary(level + 1)?;
                    self.skip = saved;
                    v = self.apply(op, v, rhs)?;
                    continue 'outer;
                }
            }
            return Ok(v);
        }
    }

    fn apply(&self, op: &str, a: i64, b: i64) -> Result<i64> {
        Ok(match op {
            "||" => (a != 0 || b != 0) as i64,
            "&&" => (a != 0 && b != 0) as i64,
            "|" => a | b,
            "^" => a ^ b,
            "&" => a & b,
            "==" => (a == b) as i64,
            "!=" => (a != b) as i64,
            "<=" => (a <= b) as i64,
            ">=" => (a >= b) as i64,
            "<" => (a < b) as i64,
            ">" => (a > b) as i64,
            "<<" => a.wrapping_shl(b as u32),
            ">>" => a.wrapping_shr(b as u32),
            "+" => a.wrapping_add(b),
            "-" => a.wrapping_sub(b),
            "*" => a.wrapping_mul(b),
            "/" | "%" if b == 0 => {
                if self.skip {
                    return Ok(0);
                }
                return Err(self.error("division by zero"));
            }
            "/" => a.wrapping_div(b),
            _ => a.wrapping_rem(b),
        })
    }

    fn unary(&mut self) -> Result<i64> {
        if self.eat("!") {
            return Ok((self.unary()? == 0) as i64);
        }
        if self.eat("~") {
            return Ok(!self.unary()?);
        }
        if self.eat("-") {
            return Ok(self.unary()?.wrapping_neg());
        }
        if self.eat("+") {
            return self.unary();
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<i64> {
        self.blanks();
        if self.eat("(") {
            let v = self.assign()?;
            if !self.eat(")") {
                return Err(self.error("expecting ')'"));
            }
            return Ok(v);
        }
        let name = self.name();
        if !name.is_empty() {
            return self.var(&name);
        }
        let start = self.pos;
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_alphanumeric() {
            self.pos += 1;
        }
        let digits = std::str::from_utf8(&self.s[start..self.pos]).unwrap_or("");
        if digits.is_empty() {
            return Err(self.error("syntax error"));
        }
        number(digits).ok_or_else(|| self.error("bad number"))
    }

    fn name(&mut self) -> String {
        let start = self.pos;
        if self
            .s
            .get(self.pos)
            .is_some_and(|b| *b == b'_' || b.is_ascii_alphabetic())
        {
            while self
                .s
                .get(self.pos)
                .is_some_and(|b| *b == b'_' || b.is_ascii_alphanumeric())
            {
                self.pos += 1;
            }
        }
        String::from_utf8_lossy(&self.s[start..self.pos]).into_owned()
    }

    /// A variable's value as a number: unset or empty is 0.
    fn var(&self, name: &str) -> Result<i64> {
        match self.shell.vars.get(name) {
            None if self.shell.options.nounset && !self.skip => {
                Err(ExpandError(format!("{name}: parameter not set")))
            }
            None => Ok(0),
            Some(v) if v.trim().is_empty() => Ok(0),
            Some(v) => match number(v.trim()) {
                Some(n) => Ok(n),
                None if self.skip => Ok(0),
                None => Err(self.error(&format!("bad number '{v}'"))),
            },
        }
    }
}

/// A decimal, octal (`0NN`) or hexadecimal (`0xNN`) constant, optionally signed.
fn number(s: &str) -> Option<i64> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let v = if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16).ok()? as i64
    } else if s.len() > 1 && s.starts_with('0') {
        u64::from_str_radix(&s[1..], 8).ok()? as i64
    } else {
        s.parse::<u64>().ok()? as i64
    };
    Some(if neg { v.wrapping_neg() } else { v })
}
