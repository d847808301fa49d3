//! `gen init` and `gen new`: a project to start from, and a starter
//! blueprint in it.
//!
//! The starters (`starters/*.yaml`, embedded) are neutral: no customer, no
//! real keys or addresses, every value a placeholder under `example.com` or
//! a documentation range, each commented. They lint without a diagnostic
//! (a test keeps it so), and their first line points yaml-language-server at
//! `../schemas/blueprint.schema.json`, which `gen init` writes and `gen new`
//! writes too when it is missing, so completion works in the project.

use std::path::{Path, PathBuf};

use crate::cli::Template;
use crate::error::{Error, Result};

const ODOO_STARTER: &str = include_str!("../starters/odoo.yaml");
const WEBSITES_STARTER: &str = include_str!("../starters/websites.yaml");
const GITIGNORE: &str = include_str!("../starters/project/gitignore");
const WORKFLOW: &str = include_str!("../starters/project/github-workflow.yml");
const PRE_COMMIT: &str = include_str!("../starters/project/pre-commit-config.yaml");

/// The placeholder the starters carry for the blueprint's name.
const NAME: &str = "__NAME__";

/// The starter blueprint of a kind, named `name` (a valid blueprint name:
/// lower-case letters, digits and `-`, checked by the caller).
pub fn starter(from: Template, name: &str) -> String {
    let text = match from {
        Template::Odoo => ODOO_STARTER,
        Template::Websites => WEBSITES_STARTER,
    };
    text.replace(NAME, name)
}

/// What `gen init` did with one path.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Created,
    /// It existed; gen init never overwrites.
    Kept,
}

/// The files of a new project, relative to its directory, with their
/// contents: the blueprint and cost schemas (what the starters' `$schema`
/// line and editors read), a .gitignore that keeps secrets out of git, a
/// GitHub Actions workflow and a pre-commit configuration running `gen
/// check`, and out/ (kept by a `.gitkeep` until the first build fills it).
pub fn project_files() -> Vec<(PathBuf, String)> {
    let version = env!("CARGO_PKG_VERSION");
    vec![
        (PathBuf::from("schemas/blueprint.schema.json"), crate::schema::blueprint_schema_text()),
        (PathBuf::from("schemas/cost.schema.json"), crate::components::cost::plan::report::cost_schema_text()),
        (PathBuf::from(".gitignore"), GITIGNORE.to_string()),
        (PathBuf::from(".github/workflows/gen.yml"), WORKFLOW.replace("VERSION", version)),
        (PathBuf::from(".pre-commit-config.yaml"), PRE_COMMIT.replace("VERSION", version)),
        (PathBuf::from("blueprints/.gitkeep"), String::new()),
        (PathBuf::from("out/.gitkeep"), String::new()),
    ]
}

/// Writes the files of [`project_files`] under `dir` that do not exist yet;
/// returns each path with what happened. Errors: a directory or file that
/// cannot be created or written.
pub fn init(dir: &Path) -> Result<Vec<(PathBuf, Outcome)>> {
    let mut done = Vec::new();
    for (relative, text) in project_files() {
        let path = dir.join(&relative);
        if path.exists() {
            done.push((relative, Outcome::Kept));
            continue;
        }
        write_new(&path, &text)?;
        done.push((relative, Outcome::Created));
    }
    Ok(done)
}

/// Writes `text` to `path`, creating its directory; never overwrites.
fn write_new(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Error::io("create", path, e))?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| Error::io("write", path, e))
}

/// `gen new`: writes the starter to `<dir>/blueprints/<name>.yaml` (never
/// over an existing file) and the blueprint schema beside it when the
/// project has none, so the starter's `$schema` line resolves. Returns the
/// paths written.
pub fn new_blueprint(dir: &Path, from: Template, name: &str) -> Result<Vec<PathBuf>> {
    if !crate::blueprint::load::is_valid_name(name) {
        return Err(Error::Usage(format!("`{name}` cannot name a blueprint; use lower-case letters, digits and `-`")));
    }
    let path = dir.join("blueprints").join(format!("{name}.yaml"));
    if path.exists() {
        return Err(Error::Usage(format!("`{}` exists; gen new never overwrites", path.display())));
    }
    write_new(&path, &starter(from, name))?;
    let mut written = vec![path];
    let schema = dir.join("schemas/blueprint.schema.json");
    if !schema.exists() {
        write_new(&schema, &crate::schema::blueprint_schema_text())?;
        written.push(schema);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starters_are_named_and_neutral() {
        for from in [Template::Odoo, Template::Websites] {
            let text = starter(from, "acme");
            assert!(!text.contains(NAME), "every placeholder replaced");
            assert!(text.starts_with("# yaml-language-server: $schema=../schemas/blueprint.schema.json\n"));
            assert!(text.contains("\n  name: acme\n"), "the project is named");
            // No customer data from the seeds or the references.
            for word in ["becker", "Becker", "cled", "u123456", "10.8.0.2"] {
                assert!(!text.contains(word), "{word} in the starter");
            }
        }
    }
}
