//! Render: Plan → in-memory file set. The artifact table (`artifacts.rs`)
//! says which template makes which file; this module owns the minijinja
//! environment: built once, strict about undefined values, templates
//! embedded in the binary unless `--templates` names a directory.

mod artifacts;
pub mod export;
pub mod filters;
mod ops;
mod provision;

use std::path::Path;

use include_dir::{include_dir, Dir};
use minijinja::{context, AutoEscape, Environment, UndefinedBehavior, Value};

pub use artifacts::artifacts;

use crate::emit::fileset::FileSet;
use crate::error::{Error, Result};
use crate::plan::Plan;

static TEMPLATES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/templates");

pub struct Renderer {
    env: Environment<'static>,
}

impl Renderer {
    /// The built-in templates, or those under `dir`.
    pub fn new(dir: Option<&Path>) -> Result<Self> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(true);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        // Only the HTML report is HTML; elsewhere escaping is each format's filter's job.
        env.set_auto_escape_callback(|name| {
            if name.trim_end_matches(".j2").ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        filters::register(&mut env);
        match dir {
            Some(dir) => {
                // Template ids have no `.j2` (`{% include "host/sshd.conf" %}`),
                // as with the embedded set; files on disk do.
                let plain = minijinja::path_loader(dir);
                let with_suffix = minijinja::path_loader(dir);
                env.set_loader(move |name| match with_suffix(&format!("{name}.j2"))? {
                    Some(text) => Ok(Some(text)),
                    None => plain(name),
                });
            }
            None => {
                for file in embedded_files(&TEMPLATES) {
                    let Some(text) = file.contents_utf8() else { continue };
                    let id = file.path().to_string_lossy().trim_end_matches(".j2").to_string();
                    env.add_template_owned(id, text.to_string()).map_err(|e| Error::Template {
                        template: file.path().display().to_string(),
                        message: format!("{e:#}"),
                    })?;
                }
            }
        }
        Ok(Renderer { env })
    }

    /// `plan` and `item` are minijinja values built once and shared (cheap
    /// clones): serializing the whole plan per file made builds quadratic.
    fn render(&self, template: &str, plan: &Value, header: &str, item: &Value) -> Result<String> {
        let fail = |e: minijinja::Error| Error::Template { template: template.to_string(), message: format!("{e:#}") };
        // Ids have no `.j2`: embedded templates are registered that way, and
        // the directory loader adds it.
        let tpl = self.env.get_template(template).map_err(fail)?;
        let text = tpl.render(context! { plan => plan, item => item, header => header }).map_err(fail)?;
        Ok(normalize(&text))
    }

    /// Every artifact of the plan, as files under `out/<blueprint>/`. The
    /// rows render on every core (a 1,000-site plan has 3,000 files); the
    /// result does not depend on how they were split.
    pub fn render_plan(&self, plan: &Plan) -> Result<FileSet> {
        let plan_value = Value::from_serialize(plan);
        let rows = artifacts(plan, &plan_value);
        let rendered = crate::parallel::map(&rows, |a| self.render(a.template, &plan_value, &plan.header, &a.item));
        let mut files = FileSet::default();
        for (a, text) in rows.into_iter().zip(rendered) {
            files.insert(a.path, text?.into_bytes(), a.mode);
        }
        Ok(files)
    }
}

fn embedded_files<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut out: Vec<_> = dir.files().collect();
    for sub in dir.dirs() {
        out.extend(embedded_files(sub));
    }
    out
}

/// LF only, no trailing spaces, exactly one final newline.
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    // `lines()` also drops the `\r` of a `\r\n`; `trim_end` any other.
    for line in text.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    while out.ends_with('\n') {
        out.pop();
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn normalize_ends_with_one_newline() {
        assert_eq!(super::normalize("a  \r\nb\n\n\n"), "a\nb\n");
        assert_eq!(super::normalize(""), "\n");
    }
}
