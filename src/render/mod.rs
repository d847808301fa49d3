//! Render: Plan → in-memory file set. The artifact table (`artifacts.rs`)
//! says which template makes which file; this module owns the minijinja
//! environment: built once, strict about undefined values, templates
//! embedded in the binary unless `--templates` names a directory.

mod artifacts;
pub mod export;
pub mod fileset;
pub mod filters;
mod ops;
mod provision;

use std::path::Path;

use include_dir::{include_dir, Dir};
use minijinja::{context, AutoEscape, Environment, UndefinedBehavior, Value};

pub use artifacts::artifacts;

use crate::error::{Error, Result};
use crate::plan::Plan;
use fileset::FileSet;

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
        let mut text = normalize(text);
        // The output grew by doubling; every file is kept until the build
        // ends, so its slack (a third of a large build's text) goes back.
        text.shrink_to_fit();
        Ok(text)
    }

    /// Every artifact of the plan, as files under `out/<blueprint>/`. The
    /// rows render on every core (a 1,000-site plan has 3,000 files); the
    /// result does not depend on how they were split.
    pub fn render_plan(&self, plan: &Plan) -> Result<FileSet> {
        let plan_value = plan_value(plan);
        let rows = artifacts(plan, &plan_value);
        let rendered = crate::parallel::map(&rows, |a| self.render(a.template, &plan_value, &plan.header, &a.item));
        let mut files = FileSet::default();
        for (a, text) in rows.into_iter().zip(rendered) {
            files.insert(a.path, text?.into_bytes(), a.mode);
        }
        Ok(files)
    }
}

/// `plan` as a template value, the same as `Value::from_serialize(plan)`
/// (a test compares them), with the hosts, most of a large plan, serialized
/// on every core.
fn plan_value(plan: &Plan) -> Value {
    /// [`Plan`]'s fields in its order, the hosts already template values
    /// (minijinja takes a `Value` inside a serialized struct as it is).
    #[derive(serde::Serialize)]
    struct Shared<'a> {
        name: &'a str,
        source: &'a str,
        header: &'a str,
        generator: &'a str,
        project: &'a crate::plan::ProjectPlan,
        hosts: Vec<Value>,
        terraform: &'a Option<serde_json::Value>,
        blue_green: &'a [crate::components::provisioning::plan::terraform::BlueGreen],
        rollout: &'a crate::components::provisioning::plan::rollout::Rollout,
        report: &'a crate::components::cost::plan::report::ReportPlan,
    }
    // Destructured, so a new field of `Plan` fails to compile here until it is added.
    let Plan { name, source, header, generator, project, hosts, terraform, blue_green, rollout, report } = plan;
    Value::from_serialize(Shared {
        name,
        source,
        header,
        generator,
        project,
        hosts: crate::parallel::map(hosts, |host| Value::from_serialize(host)),
        terraform,
        blue_green,
        rollout,
        report,
    })
}

fn embedded_files<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut out: Vec<_> = dir.files().collect();
    for sub in dir.dirs() {
        out.extend(embedded_files(sub));
    }
    out
}

/// LF only, no trailing spaces, exactly one final newline.
fn normalize(text: String) -> String {
    // Most rendered files are already normal: keep them without a copy.
    if is_normal(&text) {
        return text;
    }
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

/// Whether `normalize` would return `text` unchanged: it ends in exactly one
/// `\n`, and no line ends in whitespace (a `\r` included). One pass over
/// the bytes; a line's last character is whitespace exactly when the byte
/// before its `\n` is an ASCII blank or the last byte of a Unicode space.
fn is_normal(text: &str) -> bool {
    let bytes = text.as_bytes();
    if !bytes.ends_with(b"\n") || bytes.ends_with(b"\n\n") {
        return false;
    }
    if !text.is_ascii() {
        // Unicode whitespace at a line's end is rare; check it the slow way.
        return text.lines().all(|l| l.trim_end().len() == l.len()) && !text.contains('\r');
    }
    let mut prev = b'\n';
    for &b in bytes {
        if b == b'\n' && matches!(prev, b' ' | b'\t' | b'\r' | b'\x0b' | b'\x0c') {
            return false;
        }
        if b == b'\r' {
            return false;
        }
        prev = b;
    }
    true
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shared_plan_value_is_the_plan() {
        for (name, text) in [
            ("odoo-dedicated", include_str!("../../blueprints/odoo-dedicated.yaml")),
            ("hetzner-websites", include_str!("../../blueprints/hetzner-websites.yaml")),
        ] {
            let path = std::path::PathBuf::from(format!("blueprints/{name}.yaml"));
            let loaded = crate::blueprint::load(&path, text.as_bytes()).expect("loads");
            let plan = crate::plan::plan(&loaded);
            let (shared, whole) = (super::plan_value(&plan), minijinja::Value::from_serialize(&plan));
            assert_eq!(shared, whole, "{name}");
            // The same order of keys, too.
            assert_eq!(serde_json::to_string(&shared).ok(), serde_json::to_string(&whole).ok(), "{name}");
        }
    }

    #[test]
    fn normalize_ends_with_one_newline() {
        assert_eq!(super::normalize("a  \r\nb\n\n\n".into()), "a\nb\n");
        assert_eq!(super::normalize(String::new()), "\n");
        assert_eq!(super::normalize("\n".into()), "\n");
        assert_eq!(super::normalize("a\t\nb\u{3000}\n".into()), "a\nb\n");
        assert_eq!(super::normalize("a\rb\n".into()), "a\rb\n");
        assert_eq!(super::normalize("x\n".into()), "x\n");
    }
}
