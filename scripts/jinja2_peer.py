#!/usr/bin/python3
"""The pipeline a user would write without gen: PyYAML + Jinja2.

It renders gen's templates from the render context `gen build
--export-context DIR` wrote, and writes the same tree gen writes
(out/<blueprint>/..., file modes, MODES, MANIFEST.sha256). The README's
"Performance: gen against a Jinja2 pipeline" times it against `gen build`;
tests/jinja2_peer.rs proves the two trees byte-identical.

The peer pays for what such a pipeline does: parsing the blueprint YAML
(PyYAML, with libyaml when present: the fastest a user would get), loading the
context, rendering, writing. It does not re-derive the plan (the context
holds it): that part is gen's alone, so the comparison flatters the peer.

usage: jinja2_peer.py PROJECT CONTEXT_DIR OUT_DIR [TEMPLATES]
  PROJECT      a project directory with blueprints/*.yaml
  CONTEXT_DIR  where `gen build --export-context` wrote <blueprint>.json
  OUT_DIR      where the trees go (OUT_DIR/<blueprint>/)
  TEMPLATES    gen's templates/ (default: the one beside this script)
"""

import hashlib
import json
import math
import os
import shutil
import sys

import jinja2
import markupsafe
import yaml

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def text(value):
    """A value as minijinja prints it: `true`, `none`, `1.0`."""
    if value is None:
        return "none"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value):
            return f"{int(value)}.0"
        return repr(value)
    return str(value)


HTML_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;", "/": "&#x2f;"}
)


@jinja2.pass_eval_context
def finalize(eval_ctx, value):
    """Prints values as minijinja does; in HTML, escapes as minijinja does
    (markupsafe writes `&#39;` and leaves `/` alone)."""
    if isinstance(value, markupsafe.Markup):
        return value
    if eval_ctx.autoescape:
        return markupsafe.Markup(text(value).translate(HTML_ESCAPES))
    if value is None or isinstance(value, (bool, float)):
        return text(value)
    return value


def yaml_str(value):
    """A YAML double-quoted scalar: JSON string syntax, `$` left alone."""
    return json.dumps(text(value), ensure_ascii=False)


def nginx_str(value):
    return '"' + text(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def sh_str(value):
    return "'" + text(value).replace("'", "'\\''") + "'"


class Loader(jinja2.FileSystemLoader):
    """Templates by gen's id: `host/sshd.conf` is templates/host/sshd.conf.j2."""

    def get_source(self, environment, template):
        return super().get_source(environment, template + ".j2")


def environment(templates):
    env = jinja2.Environment(
        loader=Loader(templates),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Only the HTML report is HTML, as in gen.
        autoescape=lambda name: (name or "").endswith(".html"),
        finalize=finalize,
    )
    env.filters.update(yaml_str=yaml_str, nginx_str=nginx_str, sh_str=sh_str)
    # gen's tojson keeps the context's key order and writes UTF-8.
    env.policies["json.dumps_kwargs"] = {"sort_keys": False, "ensure_ascii": False}
    return env


def normalize(rendered):
    """LF only, no trailing spaces, exactly one final newline (as gen)."""
    lines = rendered.replace("\r\n", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).rstrip("\n") + "\n"


def write(root, rel, data, mode):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def part(plan, values, ref):
    """An item field: a JSON pointer into the plan, or an index into values."""
    if isinstance(ref, int):
        return values[ref]
    node = plan
    for step in ref.split("/")[1:]:
        node = node[int(step)] if isinstance(node, list) else node[step.replace("~1", "/").replace("~0", "~")]
    return node


def build(env, blueprint_path, context_path, out):
    with open(blueprint_path, encoding="utf-8") as f:
        blueprint = yaml.load(f, Loader=YAML_LOADER)
    if not isinstance(blueprint, dict) or "hosts" not in blueprint:
        sys.exit(f"{blueprint_path}: not a blueprint")
    with open(context_path, encoding="utf-8") as f:
        ctx = json.load(f)
    plan, header, values = ctx["plan"], ctx["header"], ctx["values"]
    files = {}
    for a in ctx["artifacts"]:
        item = {key: part(plan, values, ref) for key, ref in a["item"].items()}
        rendered = env.get_template(a["template"]).render(plan=plan, item=item, header=header)
        files[a["path"]] = (normalize(rendered).encode("utf-8"), int(a["mode"], 8))
    modes = f"# {header}\n# generator: {plan['generator']}\n# mode path (install.sh and operators apply these)\n"
    modes += "".join(f"{mode:04o} {path}\n" for path, (_, mode) in sorted(files.items()))
    files["MODES"] = (modes.encode("utf-8"), 0o644)
    manifest = "".join(f"{hashlib.sha256(data).hexdigest()}  {path}\n" for path, (data, _) in sorted(files.items()))
    files["MANIFEST.sha256"] = (manifest.encode("utf-8"), 0o644)
    root = os.path.join(out, ctx["blueprint"])
    shutil.rmtree(root, ignore_errors=True)
    for rel, (data, mode) in files.items():
        write(root, rel, data, mode)
    return len(files)


def main(argv):
    if len(argv) not in (4, 5):
        sys.exit(__doc__)
    project, contexts, out = argv[1:4]
    here = os.path.dirname(os.path.abspath(__file__))
    templates = argv[4] if len(argv) == 5 else os.path.join(here, "..", "templates")
    env = environment(templates)
    bp_dir = os.path.join(project, "blueprints")
    names = sorted(n for n in os.listdir(bp_dir) if n.endswith((".yaml", ".yml")))
    for name in names:
        stem = name.rsplit(".", 1)[0]
        count = build(env, os.path.join(bp_dir, name), os.path.join(contexts, stem + ".json"), out)
        print(f"peer wrote {out}/{stem}: {count} files", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
