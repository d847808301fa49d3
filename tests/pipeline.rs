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

/// The top-level modules a line names through `crate::`, including those
/// in a `crate::{a, b::c}` group.
fn named_modules(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            out.push(name);
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
        let top = rel.components().next().expect("a path").as_os_str().to_string_lossy();
        let top = top.trim_end_matches(".rs").to_string();
        let own = stage(&top).unwrap_or_else(|| panic!("src/{top}: add the module to STAGES with its stage"));
        seen.insert(top.clone(), own);
        let text = std::fs::read_to_string(entry.path()).expect("read");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for named in named_modules(code) {
                let Some(theirs) = stage(&named) else {
                    back_edges.push(format!("src/{}:{}: `crate::{named}` is not in STAGES", rel.display(), n + 1));
                    continue;
                };
                if theirs > own {
                    back_edges.push(format!(
                        "src/{}:{}: `{top}` (stage {own}) names `crate::{named}` (stage {theirs})",
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
    assert_eq!(named_modules("use crate::plan::vhost;"), ["plan"]);
    assert_eq!(named_modules("use crate::{plan, render::fileset::FileSet};"), ["plan", "render"]);
    assert_eq!(named_modules("let x = crate::resolve::pct(1, 2) + crate::check::f();"), ["resolve", "check"]);
    assert!(stage("check") < stage("plan") && stage("resolve") < stage("check"));
}
