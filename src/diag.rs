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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    /// The blueprint as the user named it (`blueprints/odoo.yaml`).
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
    pub hint: String,
    /// JSON pointer of the offending value inside the blueprint.
    pub pointer: String,
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
        let _ = writeln!(out, "{pad} {}", style.paint("34", "|"));
        let _ = writeln!(out, "{} {} {shown}", style.paint("34", &number), style.paint("34", "|"));
        let _ = writeln!(out, "{pad} {} {}{}", style.paint("34", "|"), " ".repeat(caret_at), style.paint(color, "^"));
    }
    if !diag.hint.is_empty() {
        let _ = writeln!(out, "  {} {}", style.paint("1;36", "hint:"), diag.hint);
    }
    out
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
            message: "bad".into(),
            hint: "fix it".into(),
            pointer: "/a".into(),
        };
        let text = render(&d, Some("a:\n  b: c\n"), Style { color: false });
        assert_eq!(text, "error[E100]: bad\n  --> b.yaml:2:5\n  |\n2 |   b: c\n  |     ^\n  hint: fix it\n");
        assert!(render(&d, None, Style { color: true }).contains("\x1b[1;31m"));
    }
}
