//! Load: blueprint text → typed `Blueprint`, or every problem found on the way.
//!
//! Order: size and encoding limits, YAML syntax (serde_yaml, which also bounds
//! alias expansion and nesting), merge keys, the JSON Schema (all violations
//! at once, with places from the span index), then the typed model.

use std::path::Path;

use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use super::model::Blueprint;
use super::spans::{escape, SpanIndex};
use crate::diag::{Diagnostic, Finding, Severity};
use crate::schema;

/// Blueprints are hand-written; anything larger is a mistake or an attack.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// The deepest nesting of collections a blueprint may have (the document's
/// top-level mapping is level 1). The schema's deepest path is 7 levels and a
/// free-form value (an Odoo option) adds a few, so 32 refuses no real
/// blueprint (serde_yaml's own recursion limit is 128). The bound is checked
/// before libyaml parses, because libyaml's scanner walks its stack of
/// possible simple keys (one per open flow collection) on every token: a
/// 400 KB document of nested `[` took 65 s of CPU before serde_yaml's limit
/// refused it, and even at depth 128 each token of a 4 MiB document costs
/// 128 steps.
pub const MAX_DEPTH: usize = 32;

/// The most collections (lists and mappings) a blueprint may have. A 10,000-site
/// `gen synth` blueprint (1 MiB) has 31,117; one filling the size limit about
/// four times as many. Each costs serde_yaml, the JSON copy and the schema
/// validator a few hundred bytes: 4 MiB of `[[…]]` needed 1.1 GB before
/// this bound.
pub const MAX_COLLECTIONS: usize = 1 << 18;

const DEEP_HINT: &str = "the document nests or repeats (through aliases) too deeply; write it out plainly";
const SYNTAX_HINT: &str = "fix the YAML syntax; indentation and `:` after keys are the usual suspects";

/// A blueprint that parsed and matched the schema.
#[derive(Debug)]
pub struct Loaded {
    /// The file stem: names `out/<name>/`.
    pub name: String,
    /// The path as the user gave it, for diagnostics.
    pub file: String,
    pub source: String,
    pub blueprint: Blueprint,
    pub spans: SpanIndex,
}

/// Everything `load` found wrong, with the source text for rendering.
#[derive(Debug)]
pub struct LoadFailure {
    pub file: String,
    pub source: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn load(path: &Path, bytes: &[u8]) -> Result<Loaded, LoadFailure> {
    let file = path.display().to_string();
    let fail = |source: Option<String>, mut diagnostics: Vec<Diagnostic>| {
        if let Some(text) = &source {
            crate::diag::place_ends(&mut diagnostics, text);
        }
        LoadFailure { file: file.clone(), source, diagnostics }
    };
    let at_start = |code, message: String, hint: &str| Diagnostic {
        code,
        severity: Severity::Error,
        file: file.clone(),
        line: 1,
        col: 1,
        end_col: 2,
        message,
        hint: hint.to_string(),
        pointer: String::new(),
    };

    let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if !is_valid_name(name) {
        return Err(fail(
            None,
            vec![at_start(
                "E004",
                format!("the file name `{name}` cannot name an output directory"),
                "name blueprints with lower-case letters, digits and `-`, like `odoo-dedicated.yaml`",
            )],
        ));
    }
    if bytes.len() > MAX_BYTES {
        return Err(fail(
            None,
            vec![at_start(
                "E002",
                format!("the blueprint is larger than the limit of {MAX_BYTES} bytes"),
                "a blueprint describes a stack, not its data; split it or remove generated content",
            )],
        ));
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(fail(
            None,
            vec![at_start("E001", "the blueprint is not UTF-8 text".into(), "save the file as UTF-8 YAML")],
        ));
    };
    let source = text.to_string();
    if text.contains('\0') {
        return Err(fail(
            Some(source),
            vec![at_start(
                "E001",
                "the blueprint contains NUL bytes; it is binary, not YAML".into(),
                "save the file as UTF-8 YAML",
            )],
        ));
    }

    let invalid_yaml = |line, col, message: &str, hint: &str| Diagnostic {
        line,
        col,
        message: format!("invalid YAML: {message}"),
        ..at_start("E010", String::new(), hint)
    };
    if let Some((line, col, message, hint)) = too_deep(text) {
        return Err(fail(Some(source), vec![invalid_yaml(line, col, &message, hint)]));
    }
    let mut yaml: serde_yaml::Value = match serde_yaml::from_str(text) {
        Ok(v) => v,
        Err(err) => {
            let message = err.to_string();
            // "… at line 8 column 5, while scanning a simple key at line 7 column 5":
            // the context's place is where the operator has to look.
            let (line, col) =
                last_place(&message).or_else(|| err.location().map(|l| (l.line(), l.column()))).unwrap_or((1, 1));
            let message = message.split(" at line ").next().unwrap_or(&message).to_string();
            let hint = if message.contains("recursion limit") || message.contains("repetition limit") {
                DEEP_HINT
            } else {
                SYNTAX_HINT
            };
            return Err(fail(Some(source), vec![invalid_yaml(line, col, &message, hint)]));
        }
    };
    if yaml.is_null() {
        return Err(fail(
            Some(source),
            vec![at_start(
                "E003",
                "the blueprint is empty".into(),
                "start from `gen new --from odoo NAME` or `gen new --from websites NAME`",
            )],
        ));
    }
    if let Err(err) = yaml.apply_merge() {
        return Err(fail(
            Some(source),
            vec![at_start(
                "E010",
                format!("invalid YAML merge key: {err}"),
                "`<<` takes a mapping or a list of mappings",
            )],
        ));
    }
    // The span index (a second parse, for line:col) is built only when a
    // diagnostic needs a place.
    let spans = SpanIndex::build(text);
    {
        let json = to_json(&yaml);
        let schema_findings: Vec<Finding> = schema::validator()
            .iter_errors(&json)
            .map(|e| schema_finding(&e))
            .chain(super::text::control_characters(&json))
            .collect();
        let typed = schema_findings.is_empty().then(|| serde_path_to_error::deserialize::<_, Blueprint>(&json));
        let mut diagnostics: Vec<Diagnostic> = schema_findings.into_iter().map(|f| f.locate(&file, &spans)).collect();
        match typed {
            Some(Ok(blueprint)) => Ok(Loaded { name: name.to_string(), file: file.clone(), source, blueprint, spans }),
            Some(Err(err)) => {
                let pointer = path_to_pointer(err.path());
                let message = err.inner().to_string();
                let finding = Finding::error("E103", pointer, message.clone())
                    .hint("see the field's description in schemas/blueprint.schema.json")
                    .at_value();
                Err(fail(Some(source), vec![finding.locate(&file, &spans)]))
            }
            // Not typed: the schema found errors.
            None => {
                crate::diag::sort(&mut diagnostics);
                diagnostics.dedup_by(|a, b| a.pointer == b.pointer && a.message == b.message);
                Err(fail(Some(source), diagnostics))
            }
        }
    }
}

/// Where `text` first nests deeper than [`MAX_DEPTH`] or opens more than
/// [`MAX_COLLECTIONS`] collections (1-based line and column, a message and a
/// hint), found in time linear in its length.
///
/// Two byte counts bound both without parsing: flow nesting never exceeds
/// the number of `[` and `{`, and every collection starts at one of
/// `[{:-?` (a block mapping has a `:` or `?`, a block list a `-`). `gen
/// synth` blueprints pass them (10,000 sites included); the reference
/// blueprints write lists in flow style (`[80, 443]`) past 32 brackets, and
/// pay a fraction of a millisecond. Any other document is streamed through
/// yaml-rust2's parser, stopped at
/// the first collection past a bound: its scanner also keeps a simple key
/// per open flow collection, so stopping early is what keeps it linear. A
/// document yaml-rust2 cannot read is refused here too (with its message):
/// otherwise a construct it rejects and libyaml accepts could hide a deep
/// nest behind it.
fn too_deep(text: &str) -> Option<(usize, usize, String, &'static str)> {
    use yaml_rust2::parser::{Event, Parser};
    let flow = bytecount(text, b'[') + bytecount(text, b'{');
    if flow <= MAX_DEPTH
        && flow + bytecount(text, b':') + bytecount(text, b'-') + bytecount(text, b'?') <= MAX_COLLECTIONS
    {
        return None;
    }
    let mut parser = Parser::new_from_str(text);
    let (mut depth, mut collections) = (0usize, 0usize);
    loop {
        match parser.next_token() {
            Ok((Event::SequenceStart(..) | Event::MappingStart(..), mark)) => {
                depth += 1;
                collections += 1;
                let place = (mark.line().max(1), mark.col() + 1);
                if depth > MAX_DEPTH {
                    return Some((
                        place.0,
                        place.1,
                        format!("the document nests deeper than {MAX_DEPTH} levels"),
                        DEEP_HINT,
                    ));
                }
                if collections > MAX_COLLECTIONS {
                    let message = format!("the document has more than {MAX_COLLECTIONS} lists and mappings");
                    let hint = "a blueprint describes a stack, not its data; split it or remove generated content";
                    return Some((place.0, place.1, message, hint));
                }
            }
            Ok((Event::SequenceEnd | Event::MappingEnd, _)) => depth = depth.saturating_sub(1),
            Ok((Event::StreamEnd, _)) => return None,
            Ok(_) => {}
            Err(err) => {
                let mark = err.marker();
                let place = (mark.line().max(1), mark.col() + 1);
                // The scanner reads ahead of the parser (up to 1,024
                // characters for a possible key) and has a recursion limit of
                // its own, which a deep nest can reach first.
                if err.info().contains("recursion limit") {
                    return Some((
                        place.0,
                        place.1,
                        format!("the document nests deeper than {MAX_DEPTH} levels"),
                        DEEP_HINT,
                    ));
                }
                return Some((place.0, place.1, err.info().to_string(), SYNTAX_HINT));
            }
        }
    }
}

fn bytecount(text: &str, byte: u8) -> usize {
    text.bytes().filter(|&b| b == byte).count()
}

fn last_place(message: &str) -> Option<(usize, usize)> {
    let (_, rest) = message.rsplit_once("at line ")?;
    let (line, rest) = rest.split_once(" column ")?;
    let col: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.parse().ok()?, col.parse().ok()?))
}

/// Names that become paths: lower-case letters, digits and `-`, no dots or slashes.
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && name.len() <= 63
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// YAML → JSON for the schema check: keys become strings, tags are dropped.
fn to_json(yaml: &serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(*b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64().and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s.clone()),
        Y::Sequence(items) => Value::Array(items.iter().map(to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s.clone(),
                        other => serde_yaml::to_string(other).unwrap_or_default().trim_end().to_string(),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(tagged) => to_json(&tagged.value),
    }
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .map(|seg| match seg {
            Segment::Seq { index } => format!("/{index}"),
            Segment::Map { key } => format!("/{}", escape(key)),
            Segment::Enum { variant } => format!("/{}", escape(variant)),
            Segment::Unknown => String::new(),
        })
        .collect()
}

/// Turns one schema violation into a finding with our code, message and hint.
fn schema_finding(err: &jsonschema::ValidationError<'_>) -> Finding {
    let pointer = err.instance_path().as_str().to_string();
    // A list item is named by its path (`/hosts/0`), a key by its name.
    let last = pointer.rsplit('/').next().filter(|s| !s.is_empty()).unwrap_or("blueprint");
    let field = if last.chars().all(|c| c.is_ascii_digit()) { pointer.as_str() } else { last };
    let schema_path = err.schema_path().as_str().to_string();
    let parent_schema = schema_path.rsplit_once('/').map_or("", |(p, _)| p).to_string();
    match err.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let key = unexpected.first().cloned().unwrap_or_default();
            let known = known_properties(&parent_schema);
            let plural = format!("{key}s");
            let hint = if pointer.is_empty() && known.contains(&plural) {
                // `network:` and `load_balancer:` became lists when a stack
                // could have several (one per network zone).
                format!(
                    "`{key}` is now `{plural}`, a list: write `{plural}:` and put `- ` before the entry's first key"
                )
            } else {
                match nearest(&key, &known) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("known keys here: {}", known.join(", ")),
                }
            };
            Finding::error("E101", format!("{pointer}/{}", escape(&key)), format!("unknown key `{key}`")).hint(hint)
        }
        ValidationErrorKind::Required { property } => {
            let key = property.as_str().unwrap_or_default();
            Finding::error("E102", pointer.clone(), format!("`{field}` is missing the required key `{key}`"))
                .hint(format!("add `{key}:`; see its description in schemas/blueprint.schema.json"))
        }
        ValidationErrorKind::Type { kind } => {
            let expected =
                format!("{kind:?}").to_lowercase().replace("single(", "").replace("multiple(", "").replace(')', "");
            Finding::error(
                "E103",
                pointer.clone(),
                format!("`{field}` has the wrong type: expected {expected}, found {}", type_name(err.instance())),
            )
            .hint(
                describe(&schema_path)
                    .unwrap_or_else(|| "see the field's description in schemas/blueprint.schema.json".into()),
            )
            .at_value()
        }
        ValidationErrorKind::Enum { options } => {
            enum_finding(&pointer, field, err.instance(), options.as_array().cloned().unwrap_or_default())
        }
        ValidationErrorKind::OneOfNotValid { .. } | ValidationErrorKind::AnyOf { .. } => {
            let consts = schema::node_at(&schema_path)
                .and_then(Value::as_array)
                // A documented variant is a `const` arm; schemars groups the
                // undocumented ones in one `enum` arm: both are allowed values.
                .map(|arms| {
                    arms.iter()
                        .flat_map(|a| {
                            let listed = a.get("enum").and_then(Value::as_array).cloned().unwrap_or_default();
                            a.get("const").cloned().into_iter().chain(listed)
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            if consts.is_empty() {
                Finding::error("E100", pointer.clone(), format!("`{field}` does not match any allowed form"))
                    .hint(schema_hint(&parent_schema))
                    .at_value()
            } else {
                enum_finding(&pointer, field, err.instance(), consts)
            }
        }
        ValidationErrorKind::Pattern { .. } => {
            Finding::error("E105", pointer.clone(), format!("`{field}` is not in the right form: {}", err.instance()))
                .hint(
                    describe(&parent_schema)
                        .unwrap_or_else(|| "see the field's description in schemas/blueprint.schema.json".into()),
                )
                .at_value()
        }
        ValidationErrorKind::Minimum { .. }
        | ValidationErrorKind::Maximum { .. }
        | ValidationErrorKind::ExclusiveMinimum { .. }
        | ValidationErrorKind::ExclusiveMaximum { .. } => {
            Finding::error("E106", pointer.clone(), format!("`{field}` is out of range: {err}"))
                .hint("use a value inside the allowed range")
                .at_value()
        }
        _ => Finding::error("E100", pointer.clone(), format!("`{field}`: {err}"))
            .hint(schema_hint(&parent_schema))
            .at_value(),
    }
}

/// The field's description, or where to find it: every diagnostic has a hint.
fn schema_hint(schema_path: &str) -> String {
    describe(schema_path).unwrap_or_else(|| "see the field's description in schemas/blueprint.schema.json".into())
}

fn enum_finding(pointer: &str, field: &str, instance: &Value, options: Vec<Value>) -> Finding {
    let names: Vec<String> = options.iter().filter_map(|o| o.as_str().map(str::to_string)).collect();
    let given = instance.as_str().unwrap_or_default();
    let hint = match nearest(given, &names) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("write one of: {}", names.join(", ")),
    };
    Finding::error("E104", pointer, format!("`{field}` must be one of {}, not {instance}", names.join(", ")))
        .hint(hint)
        .at_value()
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// The `description` of the schema node, or of the `$ref` target it came through.
fn describe(schema_pointer: &str) -> Option<String> {
    let node = schema::node_at(schema_pointer)?;
    node.get("description").and_then(Value::as_str).map(|d| d.replace('\n', " "))
}

fn known_properties(object_schema: &str) -> Vec<String> {
    schema::node_at(object_schema)
        .and_then(|n| n.get("properties"))
        .and_then(Value::as_object)
        .map(|p| p.keys().filter(|k| !k.starts_with('$')).cloned().collect())
        .unwrap_or_default()
}

/// The closest candidate by edit distance, when it is close enough to be a typo.
pub fn nearest(given: &str, candidates: &[String]) -> Option<String> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(given, c), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min()
        .map(|(_, c)| c.clone())
}

#[cfg(test)]
mod depth_tests {
    use super::{too_deep, MAX_DEPTH};

    /// `project:` (level 1 is the top-level mapping) holding `n` nested lists.
    fn nested(n: usize) -> String {
        format!("project: {}{}\n# {}\n", "[".repeat(n), "]".repeat(n), "[".repeat(MAX_DEPTH))
    }

    #[test]
    fn the_bound_is_allowed_and_one_more_is_not() {
        assert_eq!(too_deep(&nested(MAX_DEPTH - 1)), None);
        let (line, col, message, _) = too_deep(&nested(MAX_DEPTH)).expect("too deep");
        assert_eq!((line, col), (1, 10 + MAX_DEPTH - 1));
        assert!(message.contains("deeper than 32"), "{message}");
    }

    #[test]
    fn few_brackets_skip_the_parse() {
        // Unbalanced, in a comment: only a parse would know it is harmless,
        // and with this few brackets none is needed.
        assert_eq!(too_deep("a: 1\n# [[[[\n"), None);
    }

    #[test]
    fn too_many_collections() {
        let text = format!("project: [{}0]\n", "[], ".repeat(super::MAX_COLLECTIONS));
        let (_, _, message, _) = too_deep(&text).expect("too many");
        assert!(message.contains("more than 262144 lists and mappings"), "{message}");
    }

    #[test]
    fn block_nesting_counts_too() {
        let mut text = String::new();
        for level in 0..=MAX_DEPTH {
            text.push_str(&format!("{}k{level}:\n", " ".repeat(level)));
        }
        text.push_str(&format!("# {}\n", "{".repeat(MAX_DEPTH + 1)));
        assert!(too_deep(&text).is_some());
    }
}
