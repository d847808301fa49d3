//! Fuzzing load → check → plan → render with proptest (cargo-fuzz needs a
//! nightly toolchain that CI does not have).
//!
//! Two kinds of input:
//! - unstructured: arbitrary bytes, arbitrary text, and YAML-ish documents
//!   built from the schema's own keys and a pool of awkward scalars;
//! - structure-aware: the reference blueprints and a `gen synth` blueprint,
//!   parsed to YAML values and mutated (keys deleted, types swapped, numbers
//!   made 0, negative or huge, list items duplicated, lists emptied, strings
//!   given `/`, `..`, control characters, unicode);
//! - a corpus of bad inputs, the fixtures under `tests/fixtures/invalid` and
//!   hostile seeds (deep nesting, alias chains, a long line, many keys),
//!   mutated byte by byte: runs of YAML indicators inserted, slices
//!   repeated, the text cut short, bytes replaced. Every input stays under
//!   64 KiB, so each case is bounded; the hostile ones at the size limit are
//!   in `tests/invalid.rs`.
//!
//! The property: compiling never panics; a rejected blueprint gets
//! diagnostics, each with a stable code, a 1-based file:line:col and a hint;
//! an accepted one only writes relative paths without `..`, empty or
//! dot-dot components, or control characters.
//!
//! CI runs a modest number of cases (a few seconds). Run longer with, e.g.:
//! `PROPTEST_CASES=20000 cargo test --test main fuzz -- --nocapture`.
//! A failing input is shrunk and recorded in `tests/fuzz.proptest-regressions`
//! (commit it: proptest replays it first on every run); a crash fixed in src/
//! also gets an explicit test at the end of this file.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use gen::render::Renderer;
use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, TestCaseError};
use serde_yaml::Value;

use crate::common::repo;

/// `PROPTEST_CASES` when set, else `default` (kept small for CI).
fn config(default: u32) -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = default;
    }
    config.max_shrink_iters = 2048;
    config.failure_persistence = Some(Box::new(FileFailurePersistence::Direct("tests/fuzz.proptest-regressions")));
    config
}

fn renderer() -> &'static Renderer {
    static RENDERER: OnceLock<Renderer> = OnceLock::new();
    RENDERER.get_or_init(|| Renderer::new(None).expect("templates load"))
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

/// A path gen may write under out/<blueprint>/.
fn safe_output_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && path.split('/').all(|c| !c.is_empty() && c != "." && c != "..")
        && !path.chars().any(char::is_control)
}

/// Compiles `bytes` as `<tmp>/fuzz.yaml` and checks the property.
pub(crate) fn compile_bytes(bytes: &[u8]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let path = dir.path().join("fuzz.yaml");
    std::fs::write(&path, bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let outcome = catch_unwind(AssertUnwindSafe(|| gen::compile::compile(&path, renderer())))
        .map_err(|p| TestCaseError::fail(format!("compile panicked: {}", panic_message(p.as_ref()))))?;
    match outcome {
        Err(e) => Err(TestCaseError::fail(format!("an error that is not a diagnostic: {e}"))),
        Ok(Err(failure)) => {
            let lines = String::from_utf8_lossy(bytes).lines().count().max(1);
            prop_assert!(failure.diagnostics.iter().any(gen::diag::Diagnostic::is_error), "no error diagnostic");
            for d in &failure.diagnostics {
                let code = d.code.as_bytes();
                prop_assert!(
                    code.len() == 4 && matches!(code[0], b'E' | b'W') && code[1..].iter().all(u8::is_ascii_digit),
                    "code `{}` is not like E101",
                    d.code
                );
                prop_assert!(d.file.ends_with("fuzz.yaml"), "file `{}`", d.file);
                prop_assert!(d.line >= 1 && d.line <= lines + 1, "{}: line {} of {lines}", d.code, d.line);
                prop_assert!(d.col >= 1, "{}: column {}", d.code, d.col);
                prop_assert!(!d.message.is_empty() && !d.hint.is_empty(), "message and hint: {d:?}");
            }
            Ok(())
        }
        Ok(Ok(compiled)) => {
            for path in compiled.files.files.keys() {
                prop_assert!(safe_output_path(path), "unsafe output path {path:?}");
            }
            Ok(())
        }
    }
}

fn compile_value(value: &Value) -> Result<(), TestCaseError> {
    let text = serde_yaml::to_string(value).map_err(|e| TestCaseError::fail(format!("serialize: {e}")))?;
    compile_bytes(text.as_bytes())
}

// Inputs -------------------------------------------------------------------

/// Strings that have broken parsers, paths and templates elsewhere.
const ODD_STRINGS: &[&str] = &[
    "",
    " ",
    "/",
    "..",
    "../../etc/passwd",
    "a/b",
    ".hidden",
    "-leading-dash",
    "trailing-",
    "UPPER",
    "a\u{0}b",
    "a\nb",
    "tab\there",
    "\u{1b}[31m",
    "ünïcødé",
    "名前",
    "😀",
    "\u{202e}rtl",
    "${SECRET}",
    "{{ 7*7 }}",
    "{% raw %}",
    "'\"`$(id)`;",
    "%s%n",
    "*",
    "0",
    "-1",
    "1e999",
    "NaN",
    "0x10",
    "0G",
    "-8G",
    "99999999999999999999T",
    "8.5.5G",
    "0.0001",
    "00:00",
    "99h",
    "0s",
    "256.256.256.256/33",
    "10.0.0.0/0",
    "::1/129",
    "latest",
    "odoo:",
    ":17.0",
    "nginx:999999999999999999999.0",
    "https://",
];

fn odd_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::from(0)),
        Just(Value::from(-1)),
        Just(Value::from(1)),
        Just(Value::from(i64::MIN)),
        Just(Value::from(i64::MAX)),
        Just(Value::from(u64::MAX)),
        Just(Value::from(65_536)),
        Just(Value::from(0.0001)),
        Just(Value::from(-0.5)),
        Just(Value::from(1e308)),
        Just(Value::from(f64::INFINITY)),
        Just(Value::from(f64::NAN)),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
    ]
}

fn odd_string() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(ODD_STRINGS).prop_map(str::to_string),
        1 => "\\PC{0,12}",
        1 => any::<String>(),
        1 => (1usize..5000).prop_map(|n| "x".repeat(n)),
    ]
}

fn odd_scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        odd_number(),
        odd_string().prop_map(Value::from),
    ]
}

/// Every property name in the schema, so YAML-ish documents reach past the
/// unknown-key check.
fn schema_keys() -> &'static [String] {
    static KEYS: OnceLock<Vec<String>> = OnceLock::new();
    KEYS.get_or_init(|| {
        fn walk(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
            match v {
                serde_json::Value::Object(map) => {
                    if let Some(serde_json::Value::Object(props)) = map.get("properties") {
                        out.extend(props.keys().cloned());
                    }
                    map.values().for_each(|v| walk(v, out));
                }
                serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
                _ => {}
            }
        }
        let text = std::fs::read_to_string(repo().join("schemas/blueprint.schema.json")).expect("schema");
        let mut keys = std::collections::BTreeSet::new();
        walk(&serde_json::from_str(&text).expect("schema is JSON"), &mut keys);
        keys.into_iter().collect()
    })
}

/// A YAML document of schema keys and awkward scalars, a few levels deep.
fn yamlish() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        8 => proptest::sample::select(schema_keys()).prop_map(Value::from),
        1 => odd_scalar(),
    ];
    odd_scalar().prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Sequence),
            proptest::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|pairs| Value::Mapping(pairs.into_iter().collect())),
        ]
    })
}

/// The blueprints the structure-aware fuzzer mutates.
fn bases() -> &'static [Value] {
    static BASES: OnceLock<Vec<Value>> = OnceLock::new();
    BASES.get_or_init(|| {
        let mut texts: Vec<String> = ["odoo-dedicated", "hetzner-websites"]
            .iter()
            .map(|n| std::fs::read_to_string(repo().join(format!("blueprints/{n}.yaml"))).expect("reference"))
            .collect();
        texts.push(gen::synth::blueprint("fuzz", 6, 2).expect("synth"));
        texts.iter().map(|t| serde_yaml::from_str(t).expect("bases parse")).collect()
    })
}

/// One change at one node of the tree.
#[derive(Debug, Clone)]
enum Mutation {
    Delete,
    Replace(Value),
    /// Strings get `suffix` appended; other values become the string.
    Append(String),
    /// A list item twice; any other value wrapped in a list of two.
    Duplicate,
    /// `[]`, `{}` or `""` in place of the value.
    Empty,
    /// A number becomes a string and back; a list becomes a mapping.
    SwapType,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => Just(Mutation::Delete),
        3 => odd_scalar().prop_map(Mutation::Replace),
        3 => odd_string().prop_map(Mutation::Append),
        2 => Just(Mutation::Duplicate),
        2 => Just(Mutation::Empty),
        2 => Just(Mutation::SwapType),
    ]
}

#[derive(Debug, Clone)]
enum Step {
    Key(Value),
    Index(usize),
}

/// Every node below the root, as a path of steps, in document order.
fn nodes(value: &Value, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match value {
        Value::Mapping(map) => {
            for (k, v) in map {
                path.push(Step::Key(k.clone()));
                out.push(path.clone());
                nodes(v, path, out);
                path.pop();
            }
        }
        Value::Sequence(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(Step::Index(i));
                out.push(path.clone());
                nodes(v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn child<'a>(parent: &'a mut Value, step: &Step) -> Option<&'a mut Value> {
    match (parent, step) {
        (Value::Mapping(map), Step::Key(k)) => map.get_mut(k),
        (Value::Sequence(items), Step::Index(i)) => items.get_mut(*i),
        _ => None,
    }
}

fn swapped(value: &Value) -> Value {
    match value {
        Value::Number(n) => Value::from(n.to_string()),
        Value::String(s) => s
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| s.parse::<f64>().map(Value::from))
            .unwrap_or_else(|_| Value::from(s.len())),
        Value::Bool(b) => Value::from(if *b { "yes" } else { "no" }),
        Value::Null => Value::from(false),
        Value::Sequence(items) => {
            Value::Mapping(items.iter().enumerate().map(|(i, v)| (Value::from(i), v.clone())).collect())
        }
        Value::Mapping(map) => Value::Sequence(map.values().cloned().collect()),
        Value::Tagged(t) => t.value.clone(),
    }
}

/// Applies `mutation` at the node `pick` selects (modulo the node count).
fn mutate(root: &mut Value, pick: usize, mutation: &Mutation) {
    let mut all = Vec::new();
    nodes(root, &mut Vec::new(), &mut all);
    if all.is_empty() {
        return;
    }
    let path = &all[pick % all.len()];
    let (last, parents) = path.split_last().expect("paths are not empty");
    let mut parent = &mut *root;
    for step in parents {
        match child(parent, step) {
            Some(next) => parent = next,
            None => return,
        }
    }
    match mutation {
        Mutation::Delete => match (parent, last) {
            (Value::Mapping(map), Step::Key(k)) => {
                map.remove(k);
            }
            (Value::Sequence(items), Step::Index(i)) => {
                items.remove(*i);
            }
            _ => {}
        },
        Mutation::Duplicate => match (parent, last) {
            (Value::Sequence(items), Step::Index(i)) => {
                let copy = items[*i].clone();
                items.insert(*i, copy);
            }
            (parent, last) => {
                if let Some(v) = child(parent, last) {
                    *v = Value::Sequence(vec![v.clone(), v.clone()]);
                }
            }
        },
        other => {
            let Some(v) = child(parent, last) else { return };
            *v = match other {
                Mutation::Replace(new) => new.clone(),
                Mutation::Append(suffix) => match v {
                    Value::String(s) => Value::from(format!("{s}{suffix}")),
                    _ => Value::from(suffix.as_str()),
                },
                Mutation::Empty => match v {
                    Value::Mapping(_) => Value::Mapping(serde_yaml::Mapping::new()),
                    Value::String(_) => Value::from(""),
                    _ => Value::Sequence(Vec::new()),
                },
                Mutation::SwapType => swapped(v),
                Mutation::Delete | Mutation::Duplicate => unreachable!("handled above"),
            };
        }
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        compile_bytes(&bytes)?;
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        compile_bytes(text.as_bytes())?;
    }

    #[test]
    fn yamlish_documents_never_panic(doc in yamlish()) {
        compile_value(&doc)?;
    }
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn mutated_blueprints_never_panic(
        base in 0..3usize,
        changes in proptest::collection::vec((any::<usize>(), mutation()), 1..4),
    ) {
        let mut value = bases()[base].clone();
        for (pick, change) in &changes {
            mutate(&mut value, *pick, change);
        }
        compile_value(&value)?;
    }

    /// One change only: more of these still compile, so plan and render see
    /// odd but valid values (a zero, a huge number, a duplicated item).
    #[test]
    fn single_mutations_never_panic(base in 0..3usize, pick in any::<usize>(), change in mutation()) {
        let mut value = bases()[base].clone();
        mutate(&mut value, pick, &change);
        compile_value(&value)?;
    }
}

/// The byte-level corpus: every bad-input fixture, then hostile seeds.
fn corpus() -> &'static [Vec<u8>] {
    static CORPUS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let dir = repo().join("tests/fixtures/invalid");
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .expect("fixtures")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        paths.sort();
        let mut corpus: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).expect("fixture")).collect();
        let aliases: String = (1..20).map(|i| format!("a{i}: &a{i} [*a{}, *a{}]\n", i - 1, i - 1)).collect();
        corpus.extend([
            format!("project: {}{}\n", "[".repeat(40), "]".repeat(40)).into_bytes(),
            format!("project: {}1{}\n", "{a: ".repeat(40), "}".repeat(40)).into_bytes(),
            format!("a0: &a0 [x]\n{aliases}project: *a19\n").into_bytes(),
            format!("project:\n  name: {}\n", "x".repeat(20_000)).into_bytes(),
            (0..2000).map(|i| format!("k{i}: {i}\n")).collect::<String>().into_bytes(),
            format!("project:\n{}", "- - - - - - - - x\n".repeat(200)).into_bytes(),
        ]);
        corpus
    })
}

/// One byte-level change to a corpus entry.
#[derive(Debug, Clone)]
enum ByteMutation {
    /// `count` copies of a YAML indicator (or other troublemaker) at a place.
    Insert { at: usize, what: &'static str, count: usize },
    /// A slice repeated in place.
    Repeat { at: usize, len: usize, times: usize },
    /// The text cut short.
    Truncate { at: usize },
    /// One byte replaced.
    Replace { at: usize, byte: u8 },
}

fn byte_mutation() -> impl Strategy<Value = ByteMutation> {
    const PIECES: &[&str] = &[
        "[",
        "{",
        "]",
        "}",
        "- ",
        ": ",
        "? ",
        "*a0 ",
        "&a0 ",
        "<<: ",
        "\n",
        "  ",
        "'",
        "\"",
        "#",
        "!!binary ",
        ",",
        "\t",
    ];
    prop_oneof![
        (any::<usize>(), proptest::sample::select(PIECES), 1..400usize)
            .prop_map(|(at, what, count)| ByteMutation::Insert { at, what, count }),
        (any::<usize>(), 1..64usize, 1..64usize).prop_map(|(at, len, times)| ByteMutation::Repeat { at, len, times }),
        any::<usize>().prop_map(|at| ByteMutation::Truncate { at }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| ByteMutation::Replace { at, byte }),
    ]
}

fn mutate_bytes(bytes: &mut Vec<u8>, change: &ByteMutation) {
    let place = |at: usize, len: usize| if len == 0 { 0 } else { at % (len + 1) };
    match *change {
        ByteMutation::Insert { at, what, count } => {
            let at = place(at, bytes.len());
            bytes.splice(at..at, what.repeat(count).into_bytes());
        }
        ByteMutation::Repeat { at, len, times } => {
            let start = place(at, bytes.len());
            let end = (start + len).min(bytes.len());
            let slice = bytes[start..end].to_vec();
            bytes.splice(end..end, slice.repeat(times));
        }
        ByteMutation::Truncate { at } => bytes.truncate(place(at, bytes.len())),
        ByteMutation::Replace { at, byte } => {
            if !bytes.is_empty() {
                let at = at % bytes.len();
                bytes[at] = byte;
            }
        }
    }
    bytes.truncate(64 * 1024);
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn mutated_bad_inputs_never_panic(
        seed in any::<usize>(),
        changes in proptest::collection::vec(byte_mutation(), 1..4),
    ) {
        let mut bytes = corpus()[seed % corpus().len()].clone();
        for change in &changes {
            mutate_bytes(&mut bytes, change);
        }
        compile_bytes(&bytes)?;
    }
}

/// Every corpus entry holds the property as it is.
#[test]
fn the_corpus_holds_the_property() {
    assert!(corpus().len() > 50, "the fixtures are found");
    for (i, bytes) in corpus().iter().enumerate() {
        compile_bytes(bytes).unwrap_or_else(|e| panic!("corpus entry {i}: {e}"));
    }
}

/// The property holds for the unmutated bases (so a failure above is the
/// mutation's doing, and the harness itself can accept a blueprint).
#[test]
fn the_bases_compile() {
    for base in bases() {
        let text = serde_yaml::to_string(base).expect("serialize");
        compile_bytes(text.as_bytes()).expect("property");
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("fuzz.yaml");
        std::fs::write(&path, text).expect("write");
        assert!(gen::compile::compile(&path, renderer()).expect("io").is_ok(), "base compiles");
    }
}

/// The checker itself fails on a bad output path (so it can fail).
#[test]
fn unsafe_output_paths_are_caught() {
    for bad in ["", "/etc/passwd", "hosts/../x", "a//b", "./a", "a/\nb"] {
        assert!(!safe_output_path(bad), "{bad:?}");
    }
    assert!(safe_output_path("hosts/web-1/rootfs/opt/x/.env.example"));
}

/// A mutation that the harness can apply reaches the compiler (the mutator
/// is not a no-op).
#[test]
fn mutations_change_the_blueprint() {
    let base = &bases()[0];
    for m in [Mutation::Delete, Mutation::Empty, Mutation::SwapType, Mutation::Duplicate] {
        let mut v = base.clone();
        mutate(&mut v, 3, &m);
        assert_ne!(&v, base, "{m:?}");
    }
}

// Crashes the fuzzer found, kept as explicit cases -------------------------

/// Found by `mutated_blueprints_never_panic` (seed in
/// tests/fuzz.proptest-regressions): a null in place of a value the schema
/// types with `oneOf`/`anyOf` gave an E100 without a hint. Every schema
/// diagnostic now carries one.
#[test]
fn regression_null_in_a_one_of_has_a_hint() {
    let mut value = bases()[1].clone();
    mutate(&mut value, 2_423_755_907_787_022_169, &Mutation::Replace(Value::Null));
    assert_ne!(&value, &bases()[1]);
    compile_value(&value).expect("the property holds");
}
