//! The blueprint schema in an editor: every field and every enum value is
//! described, no `"default": null` trips yaml-language-server, and the real
//! yaml-language-server (pinned by tests/editor/package-lock.json, installed
//! from the npm registry by scripts/test.sh) completes keys at the top level
//! and three levels deep, shows descriptions on hover and reports typos,
//! driven over LSP (JSON-RPC with `Content-Length` framing on stdio).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::{project, repo, require};

/// How long any single answer from the server may take (startup included).
const WAIT: Duration = Duration::from_secs(60);

/// The first line of every blueprint an editor should check.
const MODELINE: &str = "# yaml-language-server: $schema=../schemas/blueprint.schema.json";

/// Every place in the schema that an editor shows nothing for: a property
/// without a description, an enum value without one, a `"default": null`.
fn gaps(node: &Value, at: &str, out: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if map.get("default").is_some_and(Value::is_null) {
                out.push(format!("{at}: \"default\": null"));
            }
            if let Some(Value::Object(props)) = map.get("properties") {
                for (key, prop) in props {
                    if prop.get("description").and_then(Value::as_str).is_none_or(|d| d.trim().is_empty()) {
                        out.push(format!("{at}/properties/{key}: no description"));
                    }
                }
            }
            // An undocumented Rust enum is a bare `enum` list; a documented one
            // is a `oneOf` of `const`s (or tagged objects), each with its own.
            if let Some(Value::Array(values)) = map.get("enum") {
                if values.len() > 1 {
                    out.push(format!("{at}: enum values {values:?} without descriptions"));
                }
            }
            if let Some(Value::Array(arms)) = map.get("oneOf") {
                for (i, arm) in arms.iter().enumerate() {
                    if arm.get("description").is_none() {
                        out.push(format!("{at}/oneOf/{i}: no description"));
                    }
                }
            }
            for (key, value) in map {
                gaps(value, &format!("{at}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                gaps(item, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn schema_describes_every_field_and_value_and_has_no_null_default() {
    let text = std::fs::read_to_string(repo().join("schemas/blueprint.schema.json")).expect("schema");
    let schema: Value = serde_json::from_str(&text).expect("schema JSON");
    let mut out = Vec::new();
    gaps(&schema, "#", &mut out);
    assert!(out.is_empty(), "{} places an editor shows nothing for:\n{}", out.len(), out.join("\n"));
    // Every type is described too, so hover has text on values as well.
    for (name, def) in schema["$defs"].as_object().expect("$defs") {
        assert!(def.get("description").is_some(), "$defs/{name} has no description");
    }
    // The walk saw the whole schema: the blueprint has well over 200 fields.
    let fields = text.matches("\"properties\"").count();
    assert!(fields > 50, "only {fields} objects with properties: the walk read the wrong file");

    // Every example an editor offers is valid where it is offered.
    let mut examples = Vec::new();
    collect_examples(&schema, "#", &mut examples);
    assert!(examples.len() > 50, "only {} examples", examples.len());
    for (at, node) in examples {
        let mut alone = node.clone();
        alone["$defs"] = schema["$defs"].clone();
        let validator = jsonschema::draft202012::new(&alone).unwrap_or_else(|e| panic!("{at}: {e}"));
        for example in node["examples"].as_array().into_iter().flatten() {
            let errors: Vec<String> = validator.iter_errors(example).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{at}: the example {example} is invalid: {errors:?}");
        }
    }
}

/// Every schema node with `examples`, with its place.
fn collect_examples<'a>(node: &'a Value, at: &str, out: &mut Vec<(String, &'a Value)>) {
    match node {
        Value::Object(map) => {
            if map.contains_key("examples") {
                out.push((at.to_string(), node));
            }
            for (key, value) in map {
                collect_examples(value, &format!("{at}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_examples(item, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// A JSON-RPC peer on the server's stdio. Server-to-client requests are
/// answered as they come; notifications are kept for the test to look at.
struct Lsp {
    child: Child,
    stdin: ChildStdin,
    inbox: Receiver<Value>,
    notes: Vec<Value>,
    next_id: i64,
}

impl Lsp {
    fn start(server: &Path, root: &Path) -> Lsp {
        let mut child = Command::new(server)
            .arg("--stdio")
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", server.display()));
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, inbox) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        Lsp { child, stdin, inbox, notes: Vec::new(), next_id: 0 }
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write to the server");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next message, answering the server's own requests on the way.
    fn next(&mut self, deadline: Instant, waiting_for: &str) -> Value {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self
                .inbox
                .recv_timeout(left)
                .unwrap_or_else(|e| panic!("no {waiting_for} from yaml-language-server within {WAIT:?}: {e}"));
            match (message.get("method").and_then(Value::as_str), message.get("id")) {
                (Some(method), Some(id)) => {
                    let result = answer(method, &message["params"]);
                    self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}));
                }
                _ => return message,
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + WAIT;
        loop {
            let message = self.next(deadline, method);
            if message.get("id").and_then(Value::as_i64) == Some(id) {
                assert!(message.get("error").is_none(), "{method} failed: {message}");
                return message["result"].clone();
            }
            self.notes.push(message);
        }
    }

    /// The diagnostics the server publishes for `uri` (the first set).
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let deadline = Instant::now() + WAIT;
        let is_for = |m: &Value| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri;
        loop {
            if let Some(i) = self.notes.iter().position(is_for) {
                let note = self.notes.remove(i);
                return note["params"]["diagnostics"].as_array().cloned().unwrap_or_default();
            }
            let message = self.next(deadline, "publishDiagnostics");
            self.notes.push(message);
        }
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
    }

    fn completion(&mut self, uri: &str, (line, character): (u32, u32)) -> Vec<String> {
        let result = self.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        );
        let items = result.get("items").unwrap_or(&result).as_array().cloned().unwrap_or_default();
        items.iter().filter_map(|i| i["label"].as_str().map(str::to_string)).collect()
    }

    fn hover(&mut self, uri: &str, (line, character): (u32, u32)) -> String {
        let result = self.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        );
        result["contents"]["value"].as_str().unwrap_or_default().replace('\\', "")
    }
}

impl Drop for Lsp {
    fn drop(&mut self) {
        // The server is ours alone: end it whether or not the test passed.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One `Content-Length`-framed message, or `None` at the end of the stream.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The settings a client gives: validation, completion and hover on, and no
/// schema store (no network here; the modeline names the schema).
fn settings() -> Value {
    json!({"validate": true, "completion": true, "hover": true, "schemaStore": {"enable": false}})
}

/// The answer to a request from the server (`workspace/configuration` asks
/// for the `yaml` section among others; registrations need no answer).
fn answer(method: &str, params: &Value) -> Value {
    match method {
        "workspace/configuration" => Value::Array(
            params["items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|item| if item["section"] == "yaml" { settings() } else { Value::Null })
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// yaml-language-server as scripts/test.sh installs it: the version pinned in
/// tests/editor/package.json, under the user's cache directory.
fn server() -> PathBuf {
    require("node");
    let manifest = std::fs::read_to_string(repo().join("tests/editor/package.json")).expect("package.json");
    let manifest: Value = serde_json::from_str(&manifest).expect("package.json is JSON");
    let version = manifest["dependencies"]["yaml-language-server"].as_str().expect("a pinned version");
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .expect("HOME or XDG_CACHE_HOME");
    let bin = cache.join(format!("gen/npm/yaml-language-server@{version}/node_modules/.bin/yaml-language-server"));
    assert!(bin.exists(), "{} is not installed; scripts/test.sh installs it from the npm registry", bin.display());
    bin
}

/// `text` without its `§` markers, and where each marker was (line, UTF-16 column).
fn marked(text: &str) -> (String, Vec<(u32, u32)>) {
    let mut clean = String::new();
    let mut marks = Vec::new();
    for (line, row) in text.split('\n').enumerate() {
        let mut column = 0u32;
        for c in row.chars() {
            if c == '§' {
                marks.push((u32::try_from(line).expect("line"), column));
            } else {
                clean.push(c);
                column += u32::try_from(c.len_utf16()).expect("column");
            }
        }
        clean.push('\n');
    }
    clean.pop();
    (clean, marks)
}

/// A blueprint with one cursor (`§`) at the top level.
const TOP: &str = "project:
  name: demo
  title: Demo
§
";

/// A blueprint with cursors (`§`), in order: inside `hosts[0].storage`, on
/// the key `proxy.max_body`, inside `applications[0].environments[0]`, on
/// that environment's `access` value, on its keys `data_dir` and
/// `odoo.limit_memory_hard`.
const NESTED: &str = "project: {name: demo, title: Demo}
hosts:
  - name: web
    kind: dedicated
    type: AX52
    location: fsn1
    os: ubuntu-24.04
    storage:
      disks:
        - {count: 2, size: 931G, kind: nvme}
      §
proxy:
  m§ax_body: 100M
applications:
  - name: odoo
    kind: odoo
    image: odoo:17.0
    host: web
    database: postgres
    admin_password_secret: ODOO_ADMIN_PASSWD
    environments:
      - name: prod
        §
        access: §
        da§ta_dir: /mnt/odoo-data/prod
        odoo:
          limit_memory_h§ard: 2G
";

const TYPOS: &str = "project: {name: demo, title: Demo}
hosts:
  - {name: web, kind: clod, type: cx33, location: nbg1, os: debian-12}
pruxy: {max_body: 100M}
";

#[test]
fn yaml_language_server_completes_describes_and_checks_blueprints() {
    let server = server();
    let dir = project();
    let root = dir.path();
    std::fs::create_dir_all(root.join("schemas")).expect("mkdir");
    std::fs::copy(repo().join("schemas/blueprint.schema.json"), root.join("schemas/blueprint.schema.json"))
        .expect("copy the schema");
    let uri = |name: &str| format!("file://{}/blueprints/{name}", root.display());

    let mut lsp = Lsp::start(&server, root);
    let root_uri = format!("file://{}", root.display());
    let init = lsp.request(
        "initialize",
        json!({
            "processId": std::process::id(),
            "rootUri": root_uri,
            "workspaceFolders": [{"uri": root_uri, "name": "gen"}],
            "capabilities": {
                "workspace": {"configuration": true},
                "textDocument": {
                    "completion": {"completionItem": {"snippetSupport": false}},
                    "hover": {"contentFormat": ["markdown", "plaintext"]},
                    "publishDiagnostics": {}
                }
            }
        }),
    );
    assert!(init["capabilities"]["completionProvider"].is_object(), "no completion provider: {init}");
    assert!(init["capabilities"]["hoverProvider"] == true, "no hover provider: {init}");
    lsp.notify("initialized", json!({}));
    lsp.notify("workspace/didChangeConfiguration", json!({"settings": {"yaml": settings()}}));

    // Completion at the top level, then three levels deep.
    let (top, top_marks) = marked(&format!("{MODELINE}\n{TOP}"));
    lsp.open(&uri("top.yaml"), &top);
    let keys = lsp.completion(&uri("top.yaml"), top_marks[0]);
    for key in ["hosts", "proxy", "applications", "postgres", "backup", "monitoring", "vpn", "firewall"] {
        assert!(keys.iter().any(|k| k == key), "top-level completion lacks `{key}`: {keys:?}");
    }
    assert!(!keys.iter().any(|k| k == "project"), "`project` is written already: {keys:?}");

    let (nested, m) = marked(&format!("{MODELINE}\n{NESTED}"));
    let nested_uri = uri("nested.yaml");
    lsp.open(&nested_uri, &nested);
    let storage = lsp.completion(&nested_uri, m[0]);
    for key in ["raid", "partitions", "volumes"] {
        assert!(storage.iter().any(|k| k == key), "hosts[0].storage completion lacks `{key}`: {storage:?}");
    }
    assert!(!storage.iter().any(|k| k == "disks"), "`disks` is written already: {storage:?}");
    let environment = lsp.completion(&nested_uri, m[2]);
    for key in ["domain", "resources", "basic_auth", "db_name", "backup", "mounts", "ports"] {
        assert!(
            environment.iter().any(|k| k == key),
            "applications[0].environments[0] completion lacks `{key}`: {environment:?}"
        );
    }
    for written in ["name", "access", "data_dir", "odoo"] {
        assert!(!environment.iter().any(|k| k == written), "`{written}` is written already: {environment:?}");
    }
    let access = lsp.completion(&nested_uri, m[3]);
    assert_eq!(
        {
            let mut a = access.clone();
            a.sort();
            a
        },
        ["basic_auth", "public", "vpn_only"],
        "the values of `access`"
    );

    // Hover shows the field's description: units, default, source terms.
    let max_body = lsp.hover(&nested_uri, m[1]);
    assert!(
        max_body.contains("Largest request body (uploads), nginx `client_max_body_size`")
            && max_body.contains("Left out: `16M`"),
        "hover on proxy.max_body: {max_body}"
    );
    let data_dir = lsp.hover(&nested_uri, m[4]);
    assert!(data_dir.contains("Host directory for Odoo's data dir"), "hover on data_dir: {data_dir}");
    let hard = lsp.hover(&nested_uri, m[5]);
    assert!(hard.contains("Left out: `2560M`, Odoo's default"), "hover on limit_memory_hard: {hard}");

    // A typo'd key and a wrong enum value, each reported where it is.
    let (typos, _) = marked(&format!("{MODELINE}\n{TYPOS}"));
    lsp.open(&uri("typos.yaml"), &typos);
    let found = lsp.diagnostics(&uri("typos.yaml"));
    let line_of = |needle: &str| typos.lines().position(|l| l.contains(needle)).expect("needle");
    let at = |d: &Value| {
        let (line, from, to) =
            (&d["range"]["start"]["line"], &d["range"]["start"]["character"], &d["range"]["end"]["character"]);
        let row = typos.lines().nth(usize::try_from(line.as_u64().unwrap_or(0)).unwrap_or(0)).unwrap_or_default();
        let (from, to) = (from.as_u64().unwrap_or(0), to.as_u64().unwrap_or(0));
        row.get(usize::try_from(from).unwrap_or(0)..usize::try_from(to).unwrap_or(0)).unwrap_or_default().to_string()
    };
    let messages: Vec<String> =
        found.iter().map(|d| format!("{}: {} ({})", d["range"]["start"]["line"], d["message"], at(d))).collect();
    assert_eq!(found.len(), 2, "exactly the two typos: {messages:?}");
    let key = found.iter().find(|d| d["message"].as_str().is_some_and(|m| m.contains("pruxy")));
    let key = key.unwrap_or_else(|| panic!("no diagnostic names `pruxy`: {messages:?}"));
    assert_eq!(key["range"]["start"]["line"], line_of("pruxy"), "{messages:?}");
    assert_eq!(at(key), "pruxy", "{messages:?}");
    let value = found.iter().find(|d| at(d) == "clod");
    let value = value.unwrap_or_else(|| panic!("no diagnostic on `clod`: {messages:?}"));
    let text = value["message"].as_str().unwrap_or_default();
    assert!(text.contains("\"cloud\"") && text.contains("\"dedicated\""), "the allowed kinds: {text}");

    // The reference blueprints (modeline included) are clean in the editor too.
    for name in ["odoo-dedicated.yaml", "hetzner-websites.yaml"] {
        let text = std::fs::read_to_string(root.join("blueprints").join(name)).expect("blueprint");
        assert!(text.starts_with(MODELINE), "{name} starts with the modeline");
        lsp.open(&uri(name), &text);
        let found = lsp.diagnostics(&uri(name));
        assert!(found.is_empty(), "{name} in yaml-language-server: {found:#?}");
    }

    // The server reports its own failures as telemetry (a null default made
    // every completion below the top level fail this way).
    while let Ok(message) = lsp.inbox.try_recv() {
        lsp.notes.push(message);
    }
    let errors: Vec<&Value> = lsp
        .notes
        .iter()
        .filter(|n| {
            n["method"] == "telemetry/event" && n["params"]["name"].as_str().is_some_and(|e| e.contains("error"))
        })
        .collect();
    assert!(errors.is_empty(), "yaml-language-server reported errors: {errors:#?}");
    let _ = lsp.request("shutdown", Value::Null);
    lsp.notify("exit", Value::Null);
}
