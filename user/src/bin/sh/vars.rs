//! Shell variables. Each has a value and "exported" and "read-only" marks;
//! exported variables form the environment of the commands the shell runs.
//! Assignments before a builtin or function call (`X=1 f`) and `local`
//! variables last only while it runs: what they replaced is saved and put back.

use std::collections::BTreeMap;
use std::ffi::CString;

#[derive(Clone)]
pub struct Var {
    /// None for a name that was exported (`export NAME`) but never given a value.
    value: Option<String>,
    exported: bool,
    readonly: bool,
}

/// What temporary assignments replaced: each name with its earlier variable.
pub type Replaced = Vec<(String, Option<Var>)>;

#[derive(Default)]
pub struct Vars {
    map: BTreeMap<String, Var>,
}

impl Vars {
    /// The shell's initial variables: its own environment, all exported.
    pub fn from_environment() -> Vars {
        let mut vars = Vars::default();
        for (name, value) in std::env::vars_os() {
            vars.map.insert(
                name.to_string_lossy().into_owned(),
                Var {
                    value: Some(value.to_string_lossy().into_owned()),
                    exported: true,
                    readonly: false,
                },
            );
        }
        vars
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name)?.value.as_deref()
    }

    /// Sets a variable, keeping its marks; read-only variables stay unchanged.
    pub fn set(&mut self, name: &str, value: &str) {
        let _ = self.set_checked(name, value);
    }

    /// Sets a variable, or says why it cannot be.
    pub fn set_checked(&mut self, name: &str, value: &str) -> Result<(), String> {
        let var = self.map.entry(name.to_string()).or_insert(Var {
            value: None,
            exported: false,
            readonly: false,
        });
        if var.readonly {
            return Err(format!("{name}: is read only"));
        }
        var.value = Some(value.to_string());
        Ok(())
    }

    /// Marks a variable exported, setting its value too if one is given.
    pub fn export(&mut self, name: &str, value: Option<&str>) -> Result<(), String> {
        if let Some(value) = value {
            self.set_checked(name, value)?;
        }
        let var = self.map.entry(name.to_string()).or_insert(Var {
            value: None,
            exported: true,
            readonly: false,
        });
        var.exported = true;
        Ok(())
    }

    pub fn make_readonly(&mut self, name: &str, value: Option<&str>) -> Result<(), String> {
        if let Some(value) = value {
            self.set_checked(name, value)?;
        }
        let var = self.map.entry(name.to_string()).or_insert(Var {
            value: None,
            exported: false,
            readonly: true,
        });
        var.readonly = true;
        Ok(())
    }

    pub fn unset(&mut self, name: &str) -> Result<(), String> {
        if self.map.get(name).is_some_and(|v| v.readonly) {
            return Err(format!("{name}: is read only"));
        }
        self.map.remove(name);
        Ok(())
    }

    /// `(name, value)` of every variable with a value, sorted by name.
    pub fn all(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map
            .iter()
            .filter_map(|(name, v)| Some((name.as_str(), v.value.as_deref()?)))
    }

    /// `(name, value)` of the exported (or read-only) variables, sorted by name;
    /// the value is None for a name never given one.
    pub fn marked(&self, readonly: bool) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.map
            .iter()
            .filter(move |(_, v)| if readonly { v.readonly } else { v.exported })
            .map(|(name, v)| (name.as_str(), v.value.as_deref()))
    }

    /// Assignments that last until [`pop_temporary`]: exported, as they form the
    /// environment of the command they precede.
    pub fn push_temporary(&mut self, assigns: &[(String, String)]) -> Replaced {
        let mut replaced = Vec::new();
        for (name, value) in assigns {
            replaced.push((name.clone(), self.map.get(name).cloned()));
            if self.set_checked(name, value).is_ok() {
                let _ = self.export(name, None);
            }
        }
        replaced
    }

    /// Saves a variable for `local`, to be put back by [`pop_temporary`].
    pub fn save(&self, name: &str, into: &mut Replaced) {
        if !into.iter().any(|(n, _)| n == name) {
            into.push((name.to_string(), self.map.get(name).cloned()));
        }
    }

    pub fn pop_temporary(&mut self, replaced: Replaced) {
        for (name, old) in replaced.into_iter().rev() {
            match old {
                Some(var) => {
                    self.map.insert(name, var);
                }
                None => {
                    self.map.remove(&name);
                }
            }
        }
    }

    /// The environment for a program: the exported variables, overridden by
    /// the command's own assignments (`X=1 cmd`), as `NAME=value` C strings.
    pub fn environment(&self, assigns: &[(String, String)]) -> Vec<CString> {
        let mut env: BTreeMap<&str, &str> = self
            .map
            .iter()
            .filter(|(_, v)| v.exported)
            .filter_map(|(name, v)| Some((name.as_str(), v.value.as_deref()?)))
            .collect();
        for (name, value) in assigns {
            env.insert(name, value);
        }
        env.iter()
            .map(|(name, value)| crate::cstring(&format!("{name}={value}")))
            .collect()
    }
}
