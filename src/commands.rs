//! The commands: each wires the pipeline stages to one sink (terminal, out/,
//! drift report) and returns the exit code DESIGN.md specifies.

use std::collections::BTreeMap;
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use crate::blueprint::LoadFailure;
use crate::cli::{Cli, ColorChoice, Command, Deny, Format, Template};
use crate::compile::{lint, Compiled};
use crate::diag::{self, Diagnostic, Style};
use crate::emit::{drift, manifest, write};
use crate::error::{Error, Result};
use crate::render::Renderer;
use crate::{plan, schema};

/// Runs a command and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let style = Style { color: use_color(cli.color) };
    match (dispatch(&cli, style), json_mode(&cli)) {
        (Ok(code), _) => code,
        // With --format json, failures are the same one document on stdout.
        (Err(err), Some((command, key))) => {
            let (diags, failure): (Vec<Diagnostic>, Option<String>) = match &err {
                Error::Blueprint { failures, .. } => {
                    (failures.iter().flat_map(|f| f.diagnostics.iter().cloned()).collect(), None)
                }
                other => (Vec::new(), Some(other.to_string())),
            };
            let result = key.map(|k| (k, serde_json::Value::Null));
            println!("{}", diag::json_document(command, false, &diags, result, failure));
            err.exit_code()
        }
        (Err(Error::Blueprint { failures, .. }), None) => {
            report_failures(&failures, style);
            1
        }
        (Err(err), None) => {
            eprintln!("{}: {err}", if style.color { "\x1b[1;31merror\x1b[0m" } else { "error" });
            err.exit_code()
        }
    }
}

/// The command's name and the key of its payload when it reports in JSON
/// (`--format json`); none for text.
fn json_mode(cli: &Cli) -> Option<(&'static str, Option<&'static str>)> {
    match &cli.command {
        Command::Lint { format: Format::Json, .. } => Some(("lint", None)),
        Command::Check { format: Format::Json, .. } => Some(("check", Some("drift"))),
        Command::Plan { format: Format::Json, base: None, .. } => Some(("plan", Some("plan"))),
        Command::Plan { format: Format::Json, base: Some(_), .. } => Some(("plan", Some("preview"))),
        Command::Cost { format: Format::Json, base: None, .. } => Some(("cost", Some("cost"))),
        Command::Cost { format: Format::Json, base: Some(_), .. } => Some(("cost", Some("changes"))),
        _ => None,
    }
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
        }
    }
}

fn dispatch(cli: &Cli, style: Style) -> Result<i32> {
    match &cli.command {
        Command::Build { blueprints, export_context } => build(cli, blueprints, export_context.as_deref(), style),
        Command::Check { blueprints, format } => check(cli, blueprints, *format, style),
        Command::Lint { blueprints, format, deny } => lint_cmd(cli, blueprints, *format, *deny, style),
        Command::Plan { blueprint, format, base: None } => plan_cmd(cli, blueprint, *format, style),
        Command::Plan { blueprint, format, base: Some(rev) } => preview_cmd(cli, blueprint, rev, *format, style),
        Command::Cost { blueprints, base, format } => {
            let (paths, _) = blueprint_paths(cli, blueprints)?;
            crate::cost_cmd::run(&paths, base.as_deref(), *format)
        }
        Command::Schema => {
            print!("{}", schema::blueprint_schema_text());
            Ok(0)
        }
        Command::Init => init(cli),
        Command::Explain { code } => crate::explain::run(code.as_deref()),
        Command::New { from, name } => new(cli, *from, name),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut command, "gen", &mut std::io::stdout());
            Ok(0)
        }
        Command::Man { out: Some(dir) } => {
            let dir = in_project(cli, dir);
            std::fs::create_dir_all(&dir).map_err(|e| Error::io("create", &dir, e))?;
            clap_mangen::generate_to(<Cli as clap::CommandFactory>::command(), &dir)
                .map_err(|e| Error::io("write manual pages to", &dir, e))?;
            Ok(0)
        }
        Command::Man { out: None } => {
            let command = <Cli as clap::CommandFactory>::command();
            let mut page = Vec::new();
            clap_mangen::Man::new(command).render(&mut page).map_err(|e| Error::io("render", "gen.1", e))?;
            std::io::Write::write_all(&mut std::io::stdout(), &page).map_err(|e| Error::io("write", "stdout", e))?;
            Ok(0)
        }
        Command::Synth { sites, hosts, name, phase2 } => {
            let synth = if *phase2 { crate::synth::phase2 } else { crate::synth::blueprint };
            print!("{}", synth(name, *sites, *hosts)?);
            Ok(0)
        }
    }
}

/// The blueprints named, or every `blueprints/*.yaml` (sorted) when none is.
/// Like `git -C` and `make -C`, `-C DIR` applies to the paths given too: a
/// relative blueprint path is read from DIR (found by the deployment
/// harness, which built the reference from the current directory instead of
/// its own edited copy).
fn blueprint_paths(cli: &Cli, given: &[PathBuf]) -> Result<(Vec<PathBuf>, bool)> {
    if !given.is_empty() {
        return Ok((given.iter().map(|p| in_project(cli, p)).collect(), false));
    }
    // `blueprints/x.yaml` rather than `./blueprints/x.yaml` in diagnostics.
    let dir = if cli.dir == Path::new(".") { PathBuf::from("blueprints") } else { cli.dir.join("blueprints") };
    let entries = std::fs::read_dir(&dir).map_err(|e| Error::io("read", &dir, e))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(std::result::Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(Error::Usage(format!(
            "no blueprints in `{}`; create one with `gen new --from odoo NAME`",
            dir.display()
        )));
    }
    Ok((paths, true))
}

/// A path the user gave, relative to `-C DIR` unless it is absolute.
fn in_project(cli: &Cli, path: &Path) -> PathBuf {
    if path.is_absolute() || cli.dir == Path::new(".") {
        path.to_path_buf()
    } else {
        cli.dir.join(path)
    }
}

fn out_dir(cli: &Cli) -> PathBuf {
    cli.dir.join("out")
}

/// Compiles every blueprint; any blueprint error fails the whole set.
fn compile_all(cli: &Cli, paths: &[PathBuf], style: Style) -> Result<Vec<Compiled>> {
    let templates = cli.templates.as_deref().map(|t| in_project(cli, t));
    // The two fixed costs of a run, compiling the templates and the JSON
    // Schema validator, run on their own threads while the blueprints
    // (side by side) are read and parsed; a blueprint waits for each only
    // when it needs it (`schema::validator` blocks until it is built).
    let results = std::thread::scope(|scope| {
        scope.spawn(crate::schema::validator);
        let making = std::sync::Mutex::new(Some(scope.spawn(|| Renderer::new(templates.as_deref()))));
        let made: std::sync::OnceLock<Result<Renderer>> = std::sync::OnceLock::new();
        let renderer = || -> Result<&Renderer> {
            let made = made.get_or_init(|| match making.lock().ok().and_then(|mut h| h.take()) {
                Some(handle) => handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                None => Renderer::new(templates.as_deref()),
            });
            // Every blueprint that renders gets the error of bad user templates.
            made.as_ref().map_err(|e| match e {
                Error::Template { template, message } => {
                    Error::Template { template: template.clone(), message: message.clone() }
                }
                other => Error::Usage(other.to_string()),
            })
        };
        crate::parallel::map(paths, |path| crate::compile::compile_with(path, &renderer))
    });
    let mut compiled = Vec::new();
    let mut failures = Vec::new();
    for result in results {
        match result? {
            Ok(c) => compiled.push(c),
            Err(f) => failures.push(f),
        }
    }
    if json_mode(cli).is_none() {
        for c in &compiled {
            print_diags(&c.warnings, Some(&c.source), style);
        }
    }
    if failures.is_empty() {
        Ok(compiled)
    } else {
        Err(Error::Blueprint { count: failures.len(), failures })
    }
}

fn print_diags(diags: &[Diagnostic], source: Option<&str>, style: Style) {
    let mut err = std::io::stderr().lock();
    for d in diags {
        let _ = writeln!(err, "{}", diag::render(d, source, style));
    }
}

fn report_failures(failures: &[LoadFailure], style: Style) {
    let mut all = Vec::new();
    for f in failures {
        print_diags(&f.diagnostics, f.source.as_deref(), style);
        all.extend(f.diagnostics.iter().cloned());
    }
    eprintln!("{}; out/ was not changed", diag::summary(&all));
}

/// Generated trees in out/ (they hold a MODES file) without a blueprint.
fn orphan_trees(out: &Path, compiled: &[Compiled]) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(out) else { return Vec::new() };
    let mut names: Vec<String> = entries
        .filter_map(std::result::Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| e.path().join(manifest::MODES).is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| !n.starts_with('.') && !compiled.iter().any(|c| &c.name == n))
        .collect();
    names.sort();
    names
}

fn build(cli: &Cli, given: &[PathBuf], export: Option<&Path>, style: Style) -> Result<i32> {
    let (paths, all) = blueprint_paths(cli, given)?;
    let compiled = compile_all(cli, &paths, style)?;
    if let Some(dir) = export {
        let dir = in_project(cli, dir);
        for c in &compiled {
            crate::render::export::write(&dir, &c.name, &c.plan)?;
        }
    }
    let out = out_dir(cli);
    // Refuse before the first write, so a refusal leaves out/ as it was.
    write::refuse_symlink(&out)?;
    for c in &compiled {
        write::refuse_symlink(&out.join(&c.name))?;
    }
    for c in &compiled {
        let stats = write::write_tree(&out, &c.name, &c.files)?;
        eprintln!(
            "built out/{}: {} files ({} written, {} unchanged, {} removed)",
            c.name,
            c.files.len(),
            stats.written,
            stats.unchanged,
            stats.removed
        );
    }
    if all {
        for orphan in orphan_trees(&out, &compiled) {
            write::remove_tree(&out, &orphan)?;
            eprintln!("removed out/{orphan}: its blueprint is gone");
        }
    }
    // The process ends next: freeing a large plan and its files one
    // allocation at a time would only cost time.
    std::mem::forget(compiled);
    Ok(0)
}

fn check(cli: &Cli, given: &[PathBuf], format: Format, style: Style) -> Result<i32> {
    let (paths, all) = blueprint_paths(cli, given)?;
    let out = out_dir(cli);
    write::refuse_symlink(&out)?;
    // The trees on disk are read while the blueprints compile: one is I/O,
    // the other CPU. A tree is named after its blueprint's file stem.
    let names: Vec<String> =
        paths.iter().filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().to_string())).collect();
    let (compiled, mut trees) = std::thread::scope(|scope| {
        let reader = scope
            .spawn(|| names.iter().map(|n| (n.clone(), drift::read_tree(&out.join(n)))).collect::<BTreeMap<_, _>>());
        let compiled = compile_all(cli, &paths, style);
        (compiled, reader.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    let compiled = compiled?;
    let mut drifts = Vec::new();
    for c in &compiled {
        let actual = match trees.remove(&c.name) {
            Some(tree) => tree?,
            None => drift::read_tree(&out.join(&c.name))?,
        };
        drifts.push(drift::compare(&c.name, &c.files, &actual));
    }
    let orphans = if all { orphan_trees(&out, &compiled) } else { Vec::new() };
    let clean = drifts.iter().all(drift::Drift::is_clean) && orphans.is_empty();
    match format {
        Format::Json => {
            let report = serde_json::json!({ "clean": clean, "blueprints": drifts, "stray_trees": orphans });
            let warnings: Vec<Diagnostic> = compiled.iter().flat_map(|c| c.warnings.iter().cloned()).collect();
            println!("{}", diag::json_document("check", clean, &warnings, Some(("drift", report)), None));
        }
        Format::Text => print_drift(&drifts, &orphans, style),
    }
    Ok(i32::from(!clean))
}

fn print_drift(drifts: &[drift::Drift], orphans: &[String], style: Style) {
    let mut stdout = std::io::stdout().lock();
    let paint =
        |code: &str, text: &str| if style.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() };
    for d in drifts {
        if d.is_clean() {
            let _ = writeln!(stdout, "out/{}: up to date", d.blueprint);
            continue;
        }
        let _ = writeln!(stdout, "out/{}: differs from what blueprints/{}.yaml compiles to", d.blueprint, d.blueprint);
        if let Some(other) = &d.other_generator {
            let _ = writeln!(stdout, "  built by {other}; this is {}", plan::GENERATOR);
        }
        for c in &d.changed {
            for line in c.diff.lines() {
                let colored = match line.chars().next() {
                    Some('+') if !line.starts_with("+++") => paint("32", line),
                    Some('-') if !line.starts_with("---") => paint("31", line),
                    Some('@') => paint("36", line),
                    _ => line.to_string(),
                };
                let _ = writeln!(stdout, "{colored}");
            }
        }
        for p in &d.changed {
            let _ = writeln!(stdout, "  changed: out/{}/{}", d.blueprint, p.path);
        }
        for (p, have, want) in &d.modes {
            let _ = writeln!(stdout, "  mode:    out/{}/{p} is {have}, should be {want}", d.blueprint);
        }
        for p in &d.missing {
            let _ = writeln!(stdout, "  missing: out/{}/{p}", d.blueprint);
        }
        for p in &d.stray {
            let _ = writeln!(stdout, "  stray:   out/{}/{p}", d.blueprint);
        }
    }
    for o in orphans {
        let _ = writeln!(stdout, "out/{o}: stray tree, no blueprints/{o}.yaml compiles to it");
    }
    if !(drifts.iter().all(drift::Drift::is_clean) && orphans.is_empty()) {
        let _ = writeln!(stdout, "hint: run `gen build` and commit out/");
    }
}

fn lint_cmd(cli: &Cli, given: &[PathBuf], format: Format, deny: Option<Deny>, style: Style) -> Result<i32> {
    let (paths, _) = blueprint_paths(cli, given)?;
    let mut all: Vec<Diagnostic> = Vec::new();
    for path in &paths {
        let (diags, source) = match lint(path)? {
            Ok((loaded, diags)) => (diags, Some(loaded.source)),
            Err(f) => (f.diagnostics, f.source),
        };
        if format == Format::Text {
            print_diags(&diags, source.as_deref(), style);
        }
        all.extend(diags);
    }
    let errors = all.iter().any(Diagnostic::is_error);
    let warnings = all.iter().any(|d| !d.is_error());
    let code = i32::from(errors || (deny == Some(Deny::Warnings) && warnings));
    match format {
        Format::Json => println!("{}", diag::json_document("lint", code == 0, &all, None, None)),
        Format::Text => eprintln!("{}", diag::summary(&all)),
    }
    Ok(code)
}

fn plan_cmd(cli: &Cli, path: &Path, format: Format, style: Style) -> Result<i32> {
    let compiled = compile_all(cli, &[in_project(cli, path)], style)?;
    let Some(c) = compiled.first() else { return Ok(2) };
    match format {
        Format::Json => {
            let plan = serde_json::to_value(&c.plan).unwrap_or_default();
            println!("{}", diag::json_document("plan", true, &c.warnings, Some(("plan", plan)), None));
        }
        Format::Text => print!("{}", crate::describe::describe(&c.plan)),
    }
    Ok(0)
}

/// `gen plan BLUEPRINT --base REV`: exit 1 when the deploy replaces or
/// destroys a server (an error line), else 0.
fn preview_cmd(cli: &Cli, path: &Path, rev: &str, format: Format, style: Style) -> Result<i32> {
    let path = in_project(cli, path);
    let compiled = compile_all(cli, std::slice::from_ref(&path), style)?;
    let Some(now) = compiled.first() else { return Ok(2) };
    let templates = cli.templates.as_deref().map(|t| in_project(cli, t));
    let renderer = Renderer::new(templates.as_deref())?;
    let before = match crate::cost_cmd::show_at_revision(&path, rev)? {
        None => None,
        Some((label, bytes)) => match crate::compile::compile_bytes(&label, &bytes, &renderer)? {
            Ok(c) => Some(c),
            Err(failure) => return Err(Error::Blueprint { count: 1, failures: vec![failure] }),
        },
    };
    let preview = crate::preview::preview(&path.display().to_string(), rev, before.as_ref(), now);
    let code = i32::from(preview.errors > 0);
    match format {
        Format::Json => {
            let value = serde_json::to_value(&preview).unwrap_or_default();
            println!("{}", diag::json_document("plan", code == 0, &now.warnings, Some(("preview", value)), None));
        }
        Format::Text => print!("{}", crate::preview::text(&preview)),
    }
    Ok(code)
}

fn new(cli: &Cli, from: Template, name: &str) -> Result<i32> {
    let written = crate::init::new_blueprint(&cli.dir, from, name)?;
    for path in &written {
        eprintln!("wrote {}", path.display());
    }
    eprintln!("next: edit it (every `example` value), then `gen lint` and `gen build`");
    Ok(0)
}

fn init(cli: &Cli) -> Result<i32> {
    for (path, outcome) in crate::init::init(&cli.dir)? {
        let verb = match outcome {
            crate::init::Outcome::Created => "created",
            crate::init::Outcome::Kept => "kept   ",
        };
        eprintln!("{verb} {}", cli.dir.join(path).display());
    }
    eprintln!("next: `gen new --from odoo NAME` or `gen new --from websites NAME` writes a starter blueprint");
    Ok(0)
}
