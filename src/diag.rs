//! Diagnostics: every problem with a blueprint, in one shape.
//!
//! Schema errors, type errors and semantic checks all produce a `Diagnostic`
//! with a stable code, a place, a message and a hint. Rendering happens here
//! only: as text with the source line and a caret (like `just`), or as JSON.

use std::fmt::Write as _;

use serde::Serialize;

use crate::blueprint::spans::SpanIndex;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    /// The blueprint as the user named it (`blueprints/odoo.yaml`).
    pub file: String,
    /// Where the value (or key) the diagnostic is about starts: 1-based line
    /// and character column.
    pub line: usize,
    pub col: usize,
    /// Where it ends on `line`: the 1-based column just past it (at least
    /// `col + 1`; see [`place_ends`]).
    pub end_col: usize,
    pub message: String,
    pub hint: String,
    /// JSON pointer of the offending value inside the blueprint.
    pub pointer: String,
}

/// 1-based line and column, as `--format json` writes them.
#[derive(Serialize)]
struct Position {
    line: usize,
    col: usize,
}

/// `--format json`: `start` and `end` (exclusive) positions beside the
/// flat `line`/`col` of the start.
impl Serialize for Diagnostic {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut d = s.serialize_struct("Diagnostic", 10)?;
        d.serialize_field("code", self.code)?;
        d.serialize_field("severity", &self.severity)?;
        d.serialize_field("file", &self.file)?;
        d.serialize_field("line", &self.line)?;
        d.serialize_field("col", &self.col)?;
        d.serialize_field("start", &Position { line: self.line, col: self.col })?;
        d.serialize_field("end", &Position { line: self.line, col: self.end_col })?;
        d.serialize_field("message", &self.message)?;
        d.serialize_field("hint", &self.hint)?;
        d.serialize_field("pointer", &self.pointer)?;
        d.end()
    }
}

/// Sets each diagnostic's `end_col` from the blueprint text, so the caret
/// and `end` cover the whole value it is about
/// ([`crate::blueprint::spans::value_end`]). File-level (E001–E003) and YAML
/// syntax (E010) diagnostics keep one column: there is no value to cover.
/// One pass over the lines the diagnostics name.
pub fn place_ends(diags: &mut [Diagnostic], source: &str) {
    let mut wanted: Vec<usize> = diags.iter().map(|d| d.line).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut lines = std::collections::HashMap::new();
    let mut next = wanted.iter().peekable();
    for (i, text) in source.lines().enumerate() {
        let Some(&&want) = next.peek() else { break };
        if i + 1 == want {
            lines.insert(want, text);
            next.next();
        }
    }
    for d in diags.iter_mut() {
        let file_level = d.code.starts_with("E00") || d.code == "E010";
        d.end_col = match lines.get(&d.line) {
            Some(text) if !file_level => crate::blueprint::spans::value_end(text, d.col),
            _ => d.col + 1,
        };
    }
}

impl Diagnostic {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A diagnostic before it knows its place: checks build these from a pointer.
#[derive(Debug, Clone)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    pub pointer: String,
    pub message: String,
    pub hint: String,
    /// Point at the value rather than its key.
    pub at_value: bool,
}

impl Finding {
    pub fn error(code: &'static str, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            code,
            severity: Severity::Error,
            pointer: pointer.into(),
            message: message.into(),
            hint: String::new(),
            at_value: false,
        }
    }

    pub fn warning(code: &'static str, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Finding { severity: Severity::Warning, ..Finding::error(code, pointer, message) }
    }

    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }

    #[must_use]
    pub fn at_value(mut self) -> Self {
        self.at_value = true;
        self
    }

    pub fn locate(self, file: &str, spans: &SpanIndex) -> Diagnostic {
        let place = if self.at_value { spans.locate_value(&self.pointer) } else { spans.locate(&self.pointer) };
        Diagnostic {
            code: self.code,
            severity: self.severity,
            file: file.to_string(),
            line: place.line,
            col: place.col,
            end_col: place.col + 1,
            message: self.message,
            hint: self.hint,
            pointer: self.pointer,
        }
    }
}

/// Sorts diagnostics by place, then code, so output never depends on check order.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.file, a.line, a.col, a.code, &a.message).cmp(&(&b.file, b.line, b.col, b.code, &b.message))
    });
}

/// Terminal styling; empty strings when colour is off.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// Renders one diagnostic with its source line and a caret.
pub fn render(diag: &Diagnostic, source: Option<&str>, style: Style) -> String {
    let mut out = String::new();
    let (label, color) = match diag.severity {
        Severity::Error => ("error", "1;31"),
        Severity::Warning => ("warning", "1;33"),
    };
    let _ = writeln!(
        out,
        "{}: {}",
        style.paint(color, &format!("{label}[{}]", diag.code)),
        style.paint("1", &diag.message)
    );
    let _ = writeln!(out, "  {} {}:{}:{}", style.paint("34", "-->"), diag.file, diag.line, diag.col);
    if let Some(line) = source.and_then(|s| s.lines().nth(diag.line.saturating_sub(1))) {
        let number = diag.line.to_string();
        let pad = " ".repeat(number.len());
        let shown: String = line.chars().take(160).collect();
        let caret_at = diag.col.saturating_sub(1).min(shown.chars().count());
        let width =
            diag.end_col.saturating_sub(diag.col).clamp(1, (shown.chars().count() + 1).saturating_sub(caret_at).max(1));
        let _ = writeln!(out, "{pad} {}", style.paint("34", "|"));
        let _ = writeln!(out, "{} {} {shown}", style.paint("34", &number), style.paint("34", "|"));
        let _ = writeln!(
            out,
            "{pad} {} {}{}",
            style.paint("34", "|"),
            " ".repeat(caret_at),
            style.paint(color, &"^".repeat(width))
        );
    }
    if !diag.hint.is_empty() {
        let _ = writeln!(out, "  {} {}", style.paint("1;36", "hint:"), diag.hint);
    }
    out
}

/// The version of the `--format json` document: raised when a field changes
/// meaning or goes away (new fields may appear without a raise).
pub const JSON_FORMAT_VERSION: u32 = 1;

/// The one JSON document a reporting command (`lint`, `check`, `plan`,
/// `cost`) prints on stdout with `--format json`, also when a blueprint has
/// errors or the command fails:
///
/// ```json
/// {"format_version": 1, "command": "plan", "ok": false, "errors": 1, "warnings": 0,
///  "diagnostics": [{"code": "E301", "start": {"line": 9, "col": 5}, "end": {"line": 9, "col": 9}, …}],
///  "plan": null, "failure": null}
/// ```
///
/// `result` is the command's own payload under its name (`plan`, `drift`,
/// `cost`, `preview`; `null` when the blueprints did not compile); `failure`
/// the message of a usage or I/O failure (exit 2). `ok` is true when the
/// command exits 0.
pub fn json_document(
    command: &str,
    ok: bool,
    diags: &[Diagnostic],
    result: Option<(&str, serde_json::Value)>,
    failure: Option<String>,
) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let mut doc = serde_json::json!({
        "format_version": JSON_FORMAT_VERSION,
        "command": command,
        "ok": ok,
        "errors": errors,
        "warnings": diags.len() - errors,
        "diagnostics": diags,
    });
    if let Some((key, value)) = result {
        doc[key] = value;
    }
    doc["failure"] = failure.map_or(serde_json::Value::Null, serde_json::Value::String);
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// One line of counts: `2 errors, 1 warning`.
pub fn summary(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!("{}, {}", plural(errors, "error"), plural(warnings, "warning"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_source_line_and_caret() {
        let d = Diagnostic {
            code: "E100",
            severity: Severity::Error,
            file: "b.yaml".into(),
            line: 2,
            col: 5,
            end_col: 6,
            message: "bad".into(),
            hint: "fix it".into(),
            pointer: "/a".into(),
        };
        let text = render(&d, Some("a:\n  b: c\n"), Style { color: false });
        assert_eq!(text, "error[E100]: bad\n  --> b.yaml:2:5\n  |\n2 |   b: c\n  |     ^\n  hint: fix it\n");
        assert!(render(&d, None, Style { color: true }).contains("\x1b[1;31m"));
        // The caret covers the value once its end is placed.
        let mut wide = vec![Diagnostic { col: 6, ..d }];
        place_ends(&mut wide, "a:\n  b: cdef # c\n");
        assert_eq!(wide[0].end_col, 10);
        let text = render(&wide[0], Some("a:\n  b: cdef # c\n"), Style { color: false });
        assert!(text.contains("2 |   b: cdef # c\n  |      ^^^^\n"), "{text}");
    }
}
