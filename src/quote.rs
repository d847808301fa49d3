//! Quoting for the languages gen writes (YAML, nginx, POSIX shell): small
//! pure functions the templates use as filters and the plan's shell tables
//! use directly.

/// A YAML double-quoted scalar (JSON string syntax is valid YAML). `$` is
/// left alone: compose interpolates `${NAME}` on purpose.
pub fn yaml_str(value: String) -> String {
    serde_json::to_string(&value).unwrap_or_else(|_| "\"\"".into())
}

/// An nginx double-quoted string.
pub fn nginx_str(value: String) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A POSIX shell single-quoted word: nothing inside is expanded.
pub fn sh_str(value: String) -> String {
    format!("'{}'", value.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_for_yaml() {
        assert_eq!(yaml_str("a\"b".into()), r#""a\"b""#);
        assert_eq!(yaml_str("${X}".into()), r#""${X}""#);
        assert_eq!(yaml_str("yes".into()), r#""yes""#);
    }

    #[test]
    fn quotes_for_shell() {
        assert_eq!(sh_str("odoo/prod.conf".into()), "'odoo/prod.conf'");
        assert_eq!(sh_str("it's $HOME".into()), r"'it'\''s $HOME'");
        assert_eq!(sh_str("it's".into()), r"'it'\''s'");
        assert_eq!(sh_str("$x".into()), "'$x'");
    }

    #[test]
    fn quotes_for_nginx() {
        assert_eq!(nginx_str("Test \"env\"".into()), r#""Test \"env\"""#);
    }
}
