//! Check: every website container has an application to run (E214, E215).
//!
//! Found running the generated websites stack: `node:22-alpine` with
//! `npm run start` and no package.json crash-loops, and
//! `tiangolo/uvicorn-gunicorn-fastapi` without code serves its sample app,
//! which has no `/health`. A generic runtime image (gen's table,
//! `plan::images::code_path`) carries no application, so its component needs
//! an `app_dir` (mounted at the image's code path) or a command that names a
//! script; any other image is taken to be the site's own build, with its code.

use std::collections::BTreeMap;

use crate::blueprint::model::{Blueprint, Component};
use crate::diag::Finding;
use crate::plan::images::code_path;

/// Arguments that bring code of their own: inline code or a module
/// (`python -c`, `python -m http.server`, `node -e`, `php -r`).
const INLINE: &[&str] = &["-c", "-e", "--eval", "-p", "--print", "-m", "-r"];

/// File endings of a script the runtime runs directly.
const SCRIPTS: &[&str] = &[".js", ".mjs", ".cjs", ".ts", ".py", ".php", ".rb", ".sh"];

/// Whether a command names a script or inline code, rather than a package
/// manager's entry (`npm run start` needs the app's package.json) or nothing
/// (the image's own command).
pub(crate) fn names_script(command: &[String]) -> bool {
    command.iter().any(|arg| INLINE.contains(&arg.as_str()) || SCRIPTS.iter().any(|ext| arg.ends_with(ext)))
}

/// One written component and the sites that run it.
struct Use<'a> {
    part: &'static str,
    component: &'a Component,
    sites: Vec<&'a str>,
}

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    let Some(web) = &bp.websites else { return };
    // Keyed by the pointer the component was written at: the defaults once,
    // with every site that uses them.
    let mut uses: BTreeMap<String, Use> = BTreeMap::new();
    for (i, site) in web.sites.iter().enumerate() {
        for (part, own, default) in
            [("backend", &site.backend, &web.defaults.backend), ("frontend", &site.frontend, &web.defaults.frontend)]
        {
            let (at, component) = match own {
                Some(c) => (format!("/websites/sites/{i}/{part}"), c),
                None => (format!("/websites/defaults/{part}"), default),
            };
            uses.entry(at).or_insert_with(|| Use { part, component, sites: Vec::new() }).sites.push(&site.name.0);
        }
    }
    // BTreeMap order is not the file's; findings are sorted by place later.
    for (at, u) in &uses {
        let c = u.component;
        let image = &c.image.0;
        let first = u.sites[0];
        let others = match u.sites.len() - 1 {
            0 => String::new(),
            1 => " (and 1 other site with these settings)".to_string(),
            n => format!(" (and {n} other sites with these settings)"),
        };
        match (code_path(image), &c.app_dir) {
            (Some(_), Some(_)) => {}
            (Some(code), None) => {
                if c.command.as_deref().is_some_and(names_script) {
                    continue;
                }
                let runs = match c.command.as_deref() {
                    Some(cmd) if !cmd.is_empty() => format!("{image}'s `{}`", cmd.join(" ")),
                    _ => format!("{image}'s own start command"),
                };
                out.push(
                    Finding::error(
                        "E214",
                        format!("{at}/image"),
                        format!("{first}'s {} runs {runs} with no application{others}", u.part),
                    )
                    .hint(format!(
                        "set `app_dir` (e.g. /srv/websites/{{site}}/{}, mounted read-only at {}) or use the site's own image; {} images carry a runtime, not the site's code",
                        u.part, code.path, code.runtime
                    ))
                    .at_value(),
                );
            }
            (None, Some(_)) => out.push(
                Finding::error(
                    "E215",
                    format!("{at}/app_dir"),
                    format!("{first}'s {} sets `app_dir`, but gen does not know where {image} expects code{others}", u.part),
                )
                .hint("leave out `app_dir` when the image is the site's own build (it carries the code), or use a runtime image gen knows: node, python, tiangolo/*, php")
                .at_value(),
            ),
            (None, None) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::names_script;

    fn cmd(args: &[&str]) -> Vec<String> {
        args.iter().map(|a| (*a).to_string()).collect()
    }

    #[test]
    fn a_script_or_inline_code_is_an_application() {
        assert!(names_script(&cmd(&["node", "server.js"])));
        assert!(names_script(&cmd(&["python", "-m", "http.server"])));
        assert!(names_script(&cmd(&["sh", "-c", "exec node dist/main"])));
        assert!(!names_script(&cmd(&["npm", "run", "start"])));
        assert!(!names_script(&cmd(&["npm", "start"])));
        assert!(!names_script(&[]));
    }
}
