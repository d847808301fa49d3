//! Check: every website container has an application to run (E214, E215),
//! and every site's containers have one shape (E235).
//!
//! Found running the generated websites stack: `node:22-alpine` with
//! `npm run start` and no package.json crash-loops, and
//! `tiangolo/uvicorn-gunicorn-fastapi` without code serves its sample app,
//! which has no `/health`. A generic runtime image (gen's table,
//! `components::docker::resolve::images::code_path`) carries no application, so its component needs
//! an `app_dir` (mounted at the image's code path) or a command that names a
//! script; any other image is taken to be the site's own build, with its code.

use std::collections::BTreeMap;

use crate::blueprint::model::{Blueprint, Component, SitePart, Websites};
use crate::components::docker::resolve::images::code_path;
use crate::diag::Finding;

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
    part: &'a str,
    component: &'a Component,
    sites: Vec<&'a str>,
}

/// Runs the website rules (E214, E215, E235) over `bp`, appending each
/// finding to `out`.
pub fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    let Some(web) = &bp.websites else { return };
    shapes(web, out);
    // Keyed by the pointer the component was written at: the defaults once,
    // with every site that uses them.
    let mut uses: BTreeMap<String, Use> = BTreeMap::new();
    for (i, site) in web.sites.iter().enumerate() {
        for part in web.parts(i) {
            uses.entry(part.pointer)
                .or_insert_with(|| Use { part: part.name, component: part.component, sites: Vec::new() })
                .sites
                .push(&site.name.0);
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

/// E235: the defaults are the complete pair or `parts`, never both or
/// neither; a site overrides only what the defaults have, and its own
/// `parts` replace the pair or the defaults' parts whole; parts have names
/// and path prefixes of their own, each prefix starting with `/`.
fn shapes(web: &Websites, out: &mut Vec<Finding>) {
    let e235 = |at: String, what: String, hint: &str| Finding::error("E235", at, what).hint(hint.to_string());
    const SHAPES: &str = "write `backend` and `frontend` (an API under /api/ and a frontend for the rest), or `parts: [{name, paths, container}]` for any containers, not both";
    let d = &web.defaults;
    match (d.backend.is_some(), d.frontend.is_some(), d.parts.is_empty()) {
        (true, true, true) | (false, false, false) => {}
        (false, false, true) => {
            out.push(e235("/websites/defaults".into(), "the websites' defaults name no container".into(), SHAPES))
        }
        (_, _, false) => out.push(e235(
            "/websites/defaults/parts".into(),
            "the websites' defaults have both the backend + frontend pair and `parts`".into(),
            SHAPES,
        )),
        (b, _, true) => out.push(e235(
            format!("/websites/defaults/{}", if b { "backend" } else { "frontend" }),
            format!(
                "the websites' defaults have a {} but no {}",
                if b { "backend" } else { "frontend" },
                if b { "frontend" } else { "backend" }
            ),
            SHAPES,
        )),
    }
    parts_of(&d.parts, "/websites/defaults", out);
    for (i, site) in web.sites.iter().enumerate() {
        let at = format!("/websites/sites/{i}");
        let halves = [("backend", site.backend.is_some()), ("frontend", site.frontend.is_some())];
        for (half, _) in halves.iter().filter(|(_, own)| *own) {
            if site.parts.is_some() {
                out.push(e235(
                    format!("{at}/{half}"),
                    format!("site `{}` has its own `parts` and a {half}", site.name),
                    SHAPES,
                ));
            } else if !d.is_pair() {
                out.push(e235(
                    format!("{at}/{half}"),
                    format!("site `{}` overrides the {half}, but the defaults have `parts`, not the pair", site.name),
                    "give the site its own `parts` (they replace the defaults' whole), or make the defaults the pair",
                ));
            }
        }
        if let Some(parts) = &site.parts {
            parts_of(parts, &at, out);
        }
    }
}

/// E235 within one `parts` list written at `at`: not empty, names and path
/// prefixes once each, every prefix absolute.
fn parts_of(parts: &[SitePart], at: &str, out: &mut Vec<Finding>) {
    if parts.is_empty() {
        if at != "/websites/defaults" {
            out.push(
                Finding::error(
                    "E235",
                    format!("{at}/parts"),
                    "`parts` is empty: the site would run no container".to_string(),
                )
                .hint("list the site's containers, or leave `parts` out to run the defaults'"),
            );
        }
        return;
    }
    let mut paths: BTreeMap<&str, &str> = BTreeMap::new();
    for (j, part) in parts.iter().enumerate() {
        if parts[..j].iter().any(|p| p.name == part.name) {
            out.push(
                Finding::error(
                    "E235",
                    format!("{at}/parts/{j}/name"),
                    format!("two parts are named `{}`: their containers would be one", part.name),
                )
                .hint("give each part its own name; the container is `<site>-<name>`")
                .at_value(),
            );
        }
        if part.paths.is_empty() {
            out.push(
                Finding::error(
                    "E235",
                    format!("{at}/parts/{j}/paths"),
                    format!("part `{}` has no path: nginx would send it nothing", part.name),
                )
                .hint("list the path prefixes nginx routes to it, `/` for everything no other part takes"),
            );
        }
        for (k, path) in part.paths.iter().enumerate() {
            let pointer = format!("{at}/parts/{j}/paths/{k}");
            if !path.starts_with('/') {
                out.push(
                    Finding::error(
                        "E235",
                        pointer,
                        format!("`{path}` is not a path prefix: nginx's `location` needs one starting with `/`"),
                    )
                    .hint(format!("write `/{}`", path.trim_start_matches('/')))
                    .at_value(),
                );
            } else if let Some(c) =
                path.chars().find(|c| c.is_whitespace() || c.is_control() || "{};\"'\\#".contains(*c))
            {
                out.push(
                    Finding::error(
                        "E235",
                        pointer,
                        format!(
                            "`{path}` holds {c:?}, which ends or splits nginx's `location` line: the configuration would not load"
                        ),
                    )
                    .hint("use a prefix of plain URL characters (letters, digits, `/`, `-`, `_`, `.`, `~`)")
                    .at_value(),
                );
            } else if let Some(first) = paths.insert(path, &part.name.0) {
                out.push(
                    Finding::error(
                        "E235",
                        pointer,
                        format!(
                            "`{path}` goes to both `{first}` and `{}`: nginx refuses a duplicate location",
                            part.name
                        ),
                    )
                    .hint("route each path prefix to one part")
                    .at_value(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::names_script;

    /// A site in the general form: one container under `/`, one under `/api/`.
    const PARTS: &str = "websites:
  hosts: [ax52]
  defaults:
    parts:
      - {name: app, paths: [/], container: {image: \"ghcr.io/acme/app:1.0.0\", port: 8080}}
      - {name: api, paths: [/api/], container: {image: \"ghcr.io/acme/api:1.0.0\", port: 8000}}
  sites:
    - {name: shop, domains: [shop.example.com]}
";

    fn codes(extra: &str) -> Vec<&'static str> {
        crate::check::codes_on_base(super::check, extra)
    }

    #[test]
    fn any_containers_under_their_paths() {
        assert_eq!(codes(PARTS), Vec::<&str>::new());
        let both = PARTS
            .replace("  defaults:\n", "  defaults:\n    backend: {image: \"ghcr.io/acme/api:1.0.0\", port: 8000}\n");
        assert_eq!(codes(&both), ["E235"], "the pair and parts at once");
        let twice = PARTS.replace("name: api, paths: [/api/]", "name: app, paths: [/api/]");
        assert_eq!(codes(&twice), ["E235"], "two parts named alike");
        let clash = PARTS.replace("paths: [/api/]", "paths: [/]");
        assert_eq!(codes(&clash), ["E235"], "one prefix to two parts");
        let relative = PARTS.replace("paths: [/api/]", "paths: [api/]");
        assert_eq!(codes(&relative), ["E235"], "a prefix without its /");
        for odd in ["\"/my api/\"", "\"/x { return 200; }\"", "\"/a;b\"", "\"/a#b\""] {
            let line = PARTS.replace("paths: [/api/]", &format!("paths: [{odd}]"));
            assert_eq!(codes(&line), ["E235"], "{odd} would break nginx's location line");
        }
        let plain = PARTS.replace("paths: [/api/]", "paths: [/api, /v1.2/~user-x_y/]");
        assert_eq!(codes(&plain), Vec::<&str>::new(), "plain URL characters");
        let override_half = PARTS.replace(
            "shop.example.com]}",
            "shop.example.com], frontend: {image: \"ghcr.io/acme/web:1.0.0\", port: 3000}}",
        );
        assert_eq!(codes(&override_half), ["E235"], "a half of a pair the defaults do not have");
        let own = PARTS.replace("shop.example.com]}", "shop.example.com], parts: []}");
        assert_eq!(codes(&own), ["E235"], "a site's own empty parts");
    }

    #[test]
    fn the_pair_needs_both_halves() {
        let half = "websites:
  hosts: [ax52]
  defaults:
    backend: {image: \"ghcr.io/acme/api:1.0.0\", port: 8000}
  sites:
    - {name: shop, domains: [shop.example.com]}
";
        assert_eq!(codes(half), ["E235"]);
        let empty = half.replace("    backend: {image: \"ghcr.io/acme/api:1.0.0\", port: 8000}\n", "    parts: []\n");
        assert_eq!(codes(&empty), ["E235"], "defaults naming no container");
    }

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
