//! Text that reaches config files: no control characters anywhere.
//!
//! Templates write blueprint strings into nginx, compose, shell scripts,
//! INI files and comments. A newline in a title, a domain or a description
//! would end the comment or directive it sits in and start a new one of the
//! blueprint's choosing (`server_name a.example;\n include /etc/passwd`), so
//! every string and key is single-line printable text, checked once here
//! before the typed model sees it.

use serde_json::Value;

use super::spans::escape;
use crate::diag::Finding;

/// E107 for each string value or key with a control character.
pub fn control_characters(json: &Value) -> Vec<Finding> {
    let mut out = Vec::new();
    walk(json, "", &mut out);
    out
}

fn finding(pointer: String, what: &str, text: &str) -> Finding {
    Finding::error("E107", pointer, format!("{what} `{}` contains a control character", text.escape_debug()))
        .hint("write it on one line without tabs or other control characters; gen copies it into config files")
        .at_value()
}

fn walk(value: &Value, pointer: &str, out: &mut Vec<Finding>) {
    match value {
        Value::String(s) if s.chars().any(char::is_control) => out.push(finding(pointer.to_string(), "text", s)),
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk(v, &format!("{pointer}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                let here = format!("{pointer}/{}", escape(k));
                if k.chars().any(char::is_control) {
                    out.push(finding(here.clone(), "key", k));
                }
                walk(v, &here, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_newlines_tabs_and_escapes_in_values_and_keys() {
        let json = serde_json::json!({"a": "ok", "b": ["x\ny"], "c": {"k\t": "v", "d": "\u{1b}[31m"}});
        let pointers: Vec<String> = control_characters(&json).into_iter().map(|f| f.pointer).collect();
        assert_eq!(pointers, ["/b/0", "/c/k\t", "/c/d"]);
        assert!(control_characters(&serde_json::json!({"t": "ünïcødé 名前 😀"})).is_empty());
    }
}
