//! `gen explain CODE`, in the manner of `rustc --explain`: what a diagnostic
//! means, an example that triggers it, and the fix.
//!
//! The explanations are `docs/diagnostics.md`, embedded: one level-2 section
//! per code, `## E813: title`, each with a ```yaml example, the ```text
//! diagnostic it produces, and a `Fix:` paragraph (a test keeps every code
//! gen can emit explained, and the file's shape).

use crate::error::{Error, Result};

const DIAGNOSTICS: &str = include_str!("../docs/diagnostics.md");

/// One section of docs/diagnostics.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Explanation<'a> {
    /// `E813`.
    pub code: &'a str,
    /// The heading after the code: `a recurring product priced as one copy`.
    pub title: &'a str,
    /// Everything up to the next section, trimmed.
    pub body: &'a str,
}

/// The sections of a diagnostics document, in its order: each starts at a
/// line `## CODE: title` and runs to the next such line (or the end).
pub fn sections(text: &str) -> Vec<Explanation<'_>> {
    let mut starts: Vec<(usize, &str)> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(heading) = line.strip_prefix("## ") {
            starts.push((offset, heading.trim_end()));
        }
        offset += line.len();
    }
    starts
        .iter()
        .enumerate()
        .filter_map(|(i, &(at, heading))| {
            let (code, title) = heading.split_once(": ")?;
            let body_start = at + "## ".len() + heading.len();
            let end = starts.get(i + 1).map_or(text.len(), |&(next, _)| next);
            Some(Explanation { code: code.trim(), title: title.trim(), body: text[body_start..end].trim() })
        })
        .collect()
}

/// Every explanation gen ships.
pub fn all() -> Vec<Explanation<'static>> {
    sections(DIAGNOSTICS)
}

/// The explanation of `code` (any case: `e813` finds `E813`).
pub fn find(code: &str) -> Option<Explanation<'static>> {
    all().into_iter().find(|e| e.code.eq_ignore_ascii_case(code.trim()))
}

/// `gen explain [CODE]`: the explanation of CODE, or with no code the list
/// of every code and its title. An unknown code is a usage error (exit 2)
/// naming the nearest codes.
pub fn run(code: Option<&str>) -> Result<i32> {
    let Some(code) = code else {
        let mut out = String::new();
        for e in all() {
            out.push_str(&format!("{}  {}\n", e.code, e.title));
        }
        print!("{out}");
        return Ok(0);
    };
    match find(code) {
        Some(e) => {
            println!("{}: {}\n\n{}", e.code, e.title, e.body);
            Ok(0)
        }
        None => {
            let wanted = code.trim().to_ascii_uppercase();
            let mut near: Vec<&str> =
                all().into_iter().map(|e| e.code).filter(|c| strsim::levenshtein(c, &wanted) <= 1).collect();
            near.truncate(5);
            let hint = if near.is_empty() {
                "; `gen explain` lists every code".to_string()
            } else {
                format!("; did you mean {}?", near.join(", "))
            };
            Err(Error::Usage(format!("gen has no diagnostic `{}`{hint}", code.trim())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_split_on_level_two_headings() {
        let text = "# Diagnostics\n\nintro\n\n## E001: a file that is not UTF-8\n\nBody one.\n\n## W401: CPU limits over the machine\n\nBody two.\n";
        let s = sections(text);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].code, s[0].title, s[0].body), ("E001", "a file that is not UTF-8", "Body one."));
        assert_eq!((s[1].code, s[1].title, s[1].body), ("W401", "CPU limits over the machine", "Body two."));
    }
}
