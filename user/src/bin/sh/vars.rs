//! Shell variables. Each has a value and an "exported" mark; exported variables
//! form the environment of the commands the shell runs.

use std::collections::BTreeMap;
use std::ffi::CString;

struct Var {
    /// None for a name that was exported (`export NAME`) but never given a value.
    value: Option<String>,
    exported: bool,
}

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
                },
            );
        }
        vars
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name)?.value.as_deref()
    }

    /// Sets a variable, keeping its exported mark if it already had one.
    pub fn set(&mut self, name: &str, value: &str) {
        let var = self.map.entry(name.to_string()).or_insert(Var {
            value: None,
            exported: false,
        });
        var.value = Some(value.to_string());
    }

    /// Marks a variable exported, setting its value too if one is given.
    pub fn export(&mut self, name: &str, value: Option<&str>) {
        let var = self.map.entry(name.to_string()).or_insert(Var {
            value: None,
            exported: true,
        });
        var.exported = true;
        if let Some(value) = value {
            var.value = Some(value.to_string());
        }
    }

    pub fn unset(&mut self, name: &str) {
        self.map.remove(name);
    }

    /// `(name, value)` of every exported variable that has a value, sorted by name.
    pub fn exported(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map
            .iter()
            .filter(|(_, v)| v.exported)
            .filter_map(|(name, v)| Some((name.as_str(), v.value.as_deref()?)))
    }

    /// The environment for a command: the exported variables, overridden by the
    /// command's own assignments (`X=1 cmd`), as `NAME=value` C strings.
    pub fn environment(&self, assigns: &[(String, String)]) -> Vec<CString> {
        let mut env: BTreeMap<&str, &str> = self.exported().collect();
        for (name, value) in assigns {
            env.insert(name, value);
        }
        env.iter()
            .map(|(name, value)| crate::cstring(&format!("{name}={value}")))
            .collect()
    }
}
