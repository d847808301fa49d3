//! One blueprint through load → check → plan → render, in memory.

use std::path::Path;

use crate::blueprint::{self, LoadFailure, Loaded};
use crate::check;
use crate::diag::{self, Diagnostic};
use crate::emit::manifest;
use crate::error::{Error, Result};
use crate::plan::{self, Plan};
use crate::render::fileset::FileSet;
use crate::render::Renderer;

/// A blueprint that compiled: its files, its plan, and its warnings.
#[derive(Debug)]
pub struct Compiled {
    pub name: String,
    pub file: String,
    pub source: String,
    pub plan: Plan,
    pub files: FileSet,
    pub warnings: Vec<Diagnostic>,
}

/// Reads, loads and checks a blueprint: every diagnostic, errors first or not.
/// A blueprint without errors is also planned and rendered in memory (gen's
/// own templates) for the checks that need the rendered files
/// ([`check::rendered`], such as E610's user-data size); nothing is written.
pub fn lint(path: &Path) -> Result<std::result::Result<(Loaded, Vec<Diagnostic>), LoadFailure>> {
    let (loaded, mut diags) = match lint_bytes(path, &read_bounded(path)?) {
        Ok(ok) => ok,
        Err(failure) => return Ok(Err(failure)),
    };
    if !diags.iter().any(Diagnostic::is_error) {
        let files = Renderer::new(None)?.render_plan(&plan::plan(&loaded))?;
        diags.extend(rendered(&loaded, &files));
        diag::sort(&mut diags);
    }
    Ok(Ok((loaded, diags)))
}

/// The diagnostics of [`check::rendered`] on a blueprint's rendered files.
fn rendered(loaded: &Loaded, files: &FileSet) -> Vec<Diagnostic> {
    let mut diags: Vec<Diagnostic> =
        check::rendered(&loaded.blueprint, &|path| files.files.get(path).map(|f| f.bytes.len()))
            .into_iter()
            .map(|f| f.locate(&loaded.file, &loaded.spans))
            .collect();
    diag::place_ends(&mut diags, &loaded.source);
    diags
}

/// [`lint`] of a blueprint's text that is not (or not only) a file: `path`
/// names it in diagnostics and gives the blueprint its name (its stem).
pub fn lint_bytes(path: &Path, bytes: &[u8]) -> std::result::Result<(Loaded, Vec<Diagnostic>), LoadFailure> {
    let loaded = blueprint::load(path, bytes)?;
    let diags: Vec<Diagnostic> =
        check::check(&loaded.blueprint).into_iter().map(|f| f.locate(&loaded.file, &loaded.spans)).collect();
    let mut diags = collapse(diags);
    diag::place_ends(&mut diags, &loaded.source);
    Ok((loaded, diags))
}

/// One diagnostic per code and place: a shared default (say, the ports of
/// every site's backend) would otherwise repeat one mistake per use.
fn collapse(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diag::sort(&mut diags);
    let mut out: Vec<(Diagnostic, usize)> = Vec::new();
    for d in diags {
        match out.iter_mut().find(|(kept, _)| kept.code == d.code && kept.pointer == d.pointer && kept.line == d.line) {
            Some((_, more)) => *more += 1,
            None => out.push((d, 0)),
        }
    }
    out.into_iter()
        .map(|(mut d, more)| {
            if more > 0 {
                d.message.push_str(&format!(" (and {more} more like it)"));
            }
            d
        })
        .collect()
}

/// Compiles a blueprint; blueprint errors come back as a `LoadFailure`.
pub fn compile(path: &Path, renderer: &Renderer) -> Result<std::result::Result<Compiled, LoadFailure>> {
    compile_bytes(path, &read_bounded(path)?, renderer)
}

/// [`compile`] of a blueprint's text, named by `path` as in [`lint_bytes`]
/// (`gen plan --base` compiles the blueprint as committed at a revision).
pub fn compile_bytes(
    path: &Path,
    bytes: &[u8],
    renderer: &Renderer,
) -> Result<std::result::Result<Compiled, LoadFailure>> {
    compile_bytes_with(path, bytes, &|| Ok(renderer))
}

/// [`compile`] with the renderer asked for only when the plan is ready to
/// render: `gen build` compiles the templates on another core meanwhile.
pub(crate) fn compile_with<'r>(
    path: &Path,
    renderer: &(dyn Fn() -> Result<&'r Renderer> + Sync),
) -> Result<std::result::Result<Compiled, LoadFailure>> {
    compile_bytes_with(path, &read_bounded(path)?, renderer)
}

fn compile_bytes_with<'r>(
    path: &Path,
    bytes: &[u8],
    renderer: &(dyn Fn() -> Result<&'r Renderer> + Sync),
) -> Result<std::result::Result<Compiled, LoadFailure>> {
    let (loaded, diags) = match lint_bytes(path, bytes) {
        Ok(ok) => ok,
        Err(failure) => return Ok(Err(failure)),
    };
    if diags.iter().any(Diagnostic::is_error) {
        return Ok(Err(LoadFailure { file: loaded.file, source: Some(loaded.source), diagnostics: diags }));
    }
    let mut plan = plan::plan(&loaded);
    // The report in out/ lists the warnings, but not those that depend on
    // today's date (end of life): out/ never depends on the clock.
    let undated: Vec<Diagnostic> = diags.iter().filter(|d| !check::DATED.contains(&d.code)).cloned().collect();
    plan.report.set_diagnostics(&loaded.blueprint, &plan.hosts, &undated);
    let mut files = renderer()?.render_plan(&plan)?;
    // Checks on the rendered files run before emit; an error stops the build.
    let mut diags = diags;
    diags.extend(rendered(&loaded, &files));
    if diags.iter().any(Diagnostic::is_error) {
        diag::sort(&mut diags);
        return Ok(Err(LoadFailure { file: loaded.file, source: Some(loaded.source), diagnostics: diags }));
    }
    manifest::seal(&mut files, &plan);
    Ok(Ok(Compiled { name: loaded.name, file: loaded.file, source: loaded.source, plan, files, warnings: diags }))
}

/// Reads at most one byte more than the limit, so a huge file costs nothing.
fn read_bounded(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
    let mut bytes = Vec::new();
    let limit = u64::try_from(blueprint::load::MAX_BYTES).unwrap_or(u64::MAX) + 1;
    file.take(limit).read_to_end(&mut bytes).map_err(|e| Error::io("read", path, e))?;
    Ok(bytes)
}
