//! The pipeline runs one way: load → resolve → check → plan → render → emit
//! (README, "Design, internals and the diagnostics"). No module of an earlier
//! stage may name a later one, so a rule never runs over half-made
//! artifacts and a derived value has one home that rules and templates
//! share. This test reads every `crate::…` path under src/ and fails on a
//! back-edge, naming the file and the line.

use std::collections::BTreeMap;
use std::path::Path;

/// Each top-level module of src/ and its stage; a module may name modules of
/// its own stage or earlier ones only. Stage 0 is the loaded blueprint and
/// the facts and helpers every stage shares.
const STAGES: &[(&str, u8)] = &[
    ("blueprint", 0),
    ("schema", 0),
    ("diag", 0),
    ("error", 0),
    ("catalog", 0),
    ("prices", 0),
    ("lifecycle", 0),
    ("clock", 0),
    ("parallel", 0),
    ("quote", 0),
    ("synth", 0),
    ("resolve", 1),
    // The component registry (src/components/mod.rs and each kind's mod.rs)
    // wires each kind's files into the stages; those files have the stage
    // of their name (see `component_file_stage`).
    ("components", 1),
    ("check", 2),
    ("plan", 3),
    ("render", 4),
    ("emit", 5),
    // The commands wire the stages together.
    ("compile", 6),
    ("preview", 6),
    ("describe", 6),
    ("cost_cmd", 6),
    ("explain", 6),
    ("init", 6),
    ("schema_doc", 6),
    ("cli", 6),
    ("commands", 6),
    ("lib", 6),
    ("main", 6),
];

fn stage(module: &str) -> Option<u8> {
    STAGES.iter().find(|(m, _)| *m == module).map(|(_, s)| *s)
}

/// A component's file, or the folder it is in, has the stage its name says:
/// `model` is the blueprint (load), `resolve` the resolve stage, `rules` the
/// check stage, `plan` the plan stage (`components/postgres/resolve/tune.rs`
/// is in the resolve stage).
fn component_file_stage(file: &str) -> Option<u8> {
    match file {
        "model" => Some(0),
        "resolve" => Some(1),
        "rules" => Some(2),
        "plan" => Some(3),
        _ => None,
    }
}

/// The stage of what a `crate::` path names: its top-level module's, or for
/// `crate::components::<kind>::<file>` that file's.
fn named_stage(path: &[String]) -> Option<u8> {
    if path.first().map(String::as_str) == Some("components") {
        if let Some(file_stage) = path.get(2).and_then(|f| component_file_stage(f)) {
            return Some(file_stage);
        }
    }
    path.first().and_then(|m| stage(m))
}

/// The paths a line names through `crate::`, as segments (up to three),
/// including each of a `crate::{a, b::c}` group.
fn named_paths(line: &str) -> Vec<Vec<String>> {
    let segments = |text: &str| -> Vec<String> {
        text.split("::")
            .take(3)
            .map(|s| s.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>())
            .take_while(|s| !s.is_empty())
            .collect()
    };
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            out.extend(group[..end].split(',').map(segments).filter(|s| !s.is_empty()));
        } else {
            let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
            out.push(segments(&rest[..end]));
        }
    }
    out
}

#[test]
fn no_stage_names_a_later_one() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut back_edges = Vec::new();
    let mut seen: BTreeMap<String, u8> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src).sort_by_file_name() {
        let entry = entry.expect("walk src/");
        if entry.path().extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = entry.path().strip_prefix(&src).expect("under src/");
        let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        let top = parts[0].trim_end_matches(".rs").to_string();
        let mut own = stage(&top).unwrap_or_else(|| panic!("src/{top}: add the module to STAGES with its stage"));
        if top == "components" && parts.len() >= 3 {
            let file = parts[2].trim_end_matches(".rs");
            // A component's mod.rs is its registry entry; its other files
            // (or folders of files) have a stage.
            if file != "mod" {
                own = component_file_stage(file).unwrap_or_else(|| {
                    panic!("src/{}: name a component's file (or folder) model, resolve, rules or plan", rel.display())
                });
            }
        }
        seen.insert(top.clone(), own);
        let text = std::fs::read_to_string(entry.path()).expect("read");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for named in named_paths(code) {
                let shown = named.join("::");
                let Some(theirs) = named_stage(&named) else {
                    back_edges.push(format!("src/{}:{}: `crate::{shown}` is not in STAGES", rel.display(), n + 1));
                    continue;
                };
                if theirs > own {
                    back_edges.push(format!(
                        "src/{}:{}: `{top}` (stage {own}) names `crate::{shown}` (stage {theirs})",
                        rel.display(),
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(seen.contains_key("resolve") && seen.contains_key("check"), "the walk found the stages: {seen:?}");
    assert!(back_edges.is_empty(), "back-edges in the pipeline:\n{}", back_edges.join("\n"));
}

#[test]
fn a_back_edge_is_found() {
    let names = |line: &str| -> Vec<String> { named_paths(line).into_iter().map(|p| p.join("::")).collect() };
    assert_eq!(names("use crate::plan::vhost;"), ["plan::vhost"]);
    assert_eq!(names("use crate::{plan, render::fileset::FileSet};"), ["plan", "render::fileset::FileSet"]);
    assert_eq!(names("let x = crate::resolve::pct(1, 2) + crate::check::f();"), ["resolve::pct", "check::f"]);
    assert!(stage("check") < stage("plan") && stage("resolve") < stage("check"));
    let path = |p: &str| -> Vec<String> { p.split("::").map(str::to_string).collect() };
    assert_eq!(named_stage(&path("components::redis::rules")), Some(2));
    assert_eq!(named_stage(&path("components::redis::model")), Some(0));
    assert_eq!(named_stage(&path("components::data_dirs")), Some(1));
    assert_eq!(named_stage(&path("components::postgres::plan")), Some(3));
}
