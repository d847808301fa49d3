//! No secret ever lands in out/: a scanner over every generated tree (the
//! committed out/ of both references, and a `gen synth` blueprint compiled
//! here) for private keys, password or token values and high-entropy
//! strings. The scanner is tested on planted secrets, so it can fail.
//!
//! Allowed, because they are public by design (documented in docs/design.md, "Hardening"):
//! - sha256 digests in MANIFEST.sha256 (and `sha256:` image digests);
//! - WireGuard public keys on `PublicKey =` lines, SSH public keys after
//!   their algorithm (`ssh-ed25519 AAAA…`);
//! - secret *references*: `${NAME}`, `$(secret NAME)`, `$NAME`, upper-case
//!   placeholders such as `YOUR_PRIVATE_KEY`, and empty values in
//!   `.env.example`.

use std::fs;
use std::path::Path;

use gen::check::entropy::{entropy, looks_random as high_entropy};

use crate::common::repo;

/// One finding: file, 1-based line, what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leak {
    pub file: String,
    pub line: usize,
    pub what: String,
}

/// Words that make a key name a secret's.
const SECRET_WORDS: &[&str] =
    &["password", "passwd", "secret", "token", "api_key", "apikey", "private_key", "privatekey"];

/// Keys that contain a secret word but configure, not hold, a secret.
const NOT_SECRET_KEYS: &[&str] = &["password_encryption", "lock_passwd", "secrets_env", "password_command"];

/// Whether `value` (of a secret-named key) is a reference, not a secret.
fn is_reference(value: &str) -> bool {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    v.is_empty()
        || v.contains('$')
        || v.contains("%(")
        || v.contains('(')
        || v.starts_with('/')
        || v.starts_with('<')
        || (v.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
            && v.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'))
        || matches!(v.to_ascii_lowercase().as_str(), "true" | "false" | "yes" | "no" | "none" | "null" | "~")
}

/// `key = value` / `key: value` / `KEY=value` on a line, if the key names a secret.
fn secret_assignment(line: &str) -> Option<(String, String)> {
    let body = line.trim_start().trim_start_matches(['#', ';', '-', ' ']).trim_start();
    let body = ["export ", "ENV ", "set "].iter().find_map(|p| body.strip_prefix(p)).unwrap_or(body).trim_start();
    let end = body.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'))?;
    let (key, rest) = body.split_at(end);
    let rest = rest.trim_start_matches(['"', '\'']).trim_start();
    let value = rest.strip_prefix('=').or_else(|| rest.strip_prefix(':'))?;
    let lower = key.to_ascii_lowercase();
    if !SECRET_WORDS.iter().any(|w| lower.contains(w)) || NOT_SECRET_KEYS.iter().any(|k| lower.ends_with(k)) {
        return None;
    }
    // A trailing comment is not part of the value.
    let value = value.split(" #").next().unwrap_or(value).trim();
    Some((key.to_string(), value.to_string()))
}

/// Scans one file's text.
pub fn scan_text(file: &str, text: &str) -> Vec<Leak> {
    let mut leaks = Vec::new();
    let manifest = file.ends_with("MANIFEST.sha256");
    let mut in_pem = false;
    for (i, line) in text.lines().enumerate() {
        let mut leak = |what: String| leaks.push(Leak { file: file.to_string(), line: i + 1, what });
        if line.contains("-----BEGIN") && line.contains("PRIVATE KEY") {
            in_pem = true;
            leak("a PEM private key block".into());
            continue;
        }
        if in_pem {
            in_pem = !line.contains("-----END");
            continue;
        }
        let comment = line.trim_start().starts_with(['#', ';']);
        if let Some((key, value)) = secret_assignment(line) {
            // Prose in comments ("# PrivateKey: your own key, …") is not a value.
            let prose = comment && value.split_whitespace().count() > 1;
            if !prose && !is_reference(&value) {
                leak(format!("`{key}` has a literal value"));
            }
            if key.eq_ignore_ascii_case("PrivateKey")
                && data_encoding::BASE64.decode(value.trim().as_bytes()).is_ok_and(|k| k.len() == 32)
            {
                leak("a WireGuard private key".into());
            }
        }
        let public_key_line = line.trim_start().starts_with("PublicKey");
        let mut previous = "";
        for token in line.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '_' | '-'))) {
            let public = public_key_line
                || previous.starts_with("ssh-")
                || previous.starts_with("ecdsa-")
                || previous == "sha256"
                || (manifest && previous.is_empty());
            if !public && high_entropy(token) {
                leak(format!("a high-entropy string `{token}`"));
            }
            if !token.is_empty() {
                previous = token;
            }
        }
    }
    leaks
}

/// Scans every file below `root` (text files; a binary file is a finding).
fn scan_tree(root: &Path) -> Vec<Leak> {
    let mut leaks = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name().into_iter().filter_map(Result::ok) {
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path()).display().to_string();
        let bytes = fs::read(entry.path()).expect("read");
        match String::from_utf8(bytes) {
            Ok(text) => leaks.extend(scan_text(&rel, &text)),
            Err(_) => leaks.push(Leak { file: rel, line: 0, what: "a binary file".into() }),
        }
    }
    leaks
}

fn assert_clean(leaks: &[Leak]) {
    let listed: Vec<String> = leaks.iter().take(20).map(|l| format!("{}:{}: {}", l.file, l.line, l.what)).collect();
    assert!(leaks.is_empty(), "{} possible secrets in generated files:\n{}", leaks.len(), listed.join("\n"));
}

#[test]
fn committed_out_trees_hold_no_secrets() {
    let out = repo().join("out");
    let trees = fs::read_dir(&out).expect("out/").count();
    assert!(trees >= 2, "both references are built");
    assert_clean(&scan_tree(&out));
}

#[test]
fn a_synthetic_fleet_holds_no_secrets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("synth.yaml");
    fs::write(&path, gen::synth::blueprint("synth", 40, 4).expect("synth")).expect("write");
    let renderer = gen::render::Renderer::new(None).expect("templates");
    let compiled = gen::compile::compile(&path, &renderer).expect("io").expect("synth compiles");
    let mut leaks = Vec::new();
    for (file, content) in &compiled.files.files {
        let text = String::from_utf8(content.bytes.clone()).expect("text");
        leaks.extend(scan_text(file, &text));
    }
    assert!(compiled.files.files.len() > 100, "a fleet, not a toy");
    assert_clean(&leaks);
}

// The scanner finds what it must find -----------------------------------------

fn finds(file: &str, text: &str, what: &str) {
    let leaks = scan_text(file, text);
    assert!(leaks.iter().any(|l| l.what.contains(what)), "`{what}` not found in {text:?}: {leaks:?}");
}

#[test]
fn planted_secrets_are_found() {
    finds(
        "id",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
        "PEM",
    );
    finds("k.pem", "x\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n", "PEM");
    // `wg genkey` output: base64 of 32 bytes.
    finds(
        "wg0.conf",
        "[Interface]\nPrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n",
        "WireGuard private key",
    );
    finds("odoo.conf", "[options]\nadmin_passwd = hunter2\n", "literal value");
    finds(".env", "POSTGRES_PASSWORD=correct-horse\n", "literal value");
    finds("compose.yml", "    environment:\n      API_TOKEN: \"abc123\"\n", "literal value");
    finds("restic.sh", "export RESTIC_PASSWORD='s3cr3t'\n", "literal value");
    finds("notes.md", "token: 4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a\n", "literal value");
    finds("app.env", "X_HEADER=Zm9vYmFyQmF6UXV4MTIzNDU2Nzg5MGFiY2RlZg\n", "high-entropy");
    finds("curl.sh", "curl -H 'Authorization: Bearer ghp_9fK2xQ7mLpR4tZ8wB1nV6cY3hJ0sD5eA' x\n", "high-entropy");
    finds("hex.txt", "key 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n", "high-entropy");
}

#[test]
fn references_and_public_things_are_not_secrets() {
    let clean = "admin_passwd = ${ODOO_ADMIN_PASSWD}\n\
                 POSTGRES_PASSWORD=\n\
                 token=$(secret TELEGRAM_BOT_TOKEN)\n\
                 PrivateKey = YOUR_PRIVATE_KEY\n\
                 PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\n\
                 password_encryption = 'scram-sha-256'\n\
                 # PrivateKey: your own key, the one whose public half the blueprint lists\n\
                 \"public_key\": \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN+qjizSnuuoecBTqNzx04mm0Hc51Nrc8p1zfpi0py2n ops\"\n\
                 image: nginx@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n\
                 path: hosts/ax52/rootfs/etc/systemd/system/odoo-backup.timer\n";
    assert_eq!(scan_text("x.conf", clean), Vec::new());
    let manifest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08  hosts/a/x\n";
    assert_eq!(scan_text("MANIFEST.sha256", manifest), Vec::new());
}

#[test]
fn entropy_separates_words_from_keys() {
    assert!(entropy("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=") > 4.5);
    assert!(!high_entropy("ExampleSiteConfiguration2024"));
    assert!(high_entropy("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="));
}

/// End to end: a secret planted in a blueprint's `environment` stops gen
/// before anything is written: by its name (E702) or by its look (E703).
#[test]
fn a_secret_planted_in_a_blueprint_is_caught() {
    let text = fs::read_to_string(repo().join("blueprints/hetzner-websites.yaml")).expect("reference");
    let renderer = gen::render::Renderer::new(None).expect("templates");
    for (planted, code) in
        [("SESSION_SIGNING: \"Zm9vYmFyQmF6UXV4MTIzNDU2Nzg5MGFiY2RlZg\"", "E703"), ("DB_PASSWORD: hunter2", "E702")]
    {
        let edited =
            text.replacen("        MODULE_NAME: main\n", &format!("        MODULE_NAME: main\n        {planted}\n"), 1);
        assert_ne!(edited, text, "planted");
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("hetzner-websites.yaml");
        fs::write(&path, edited).expect("write");
        let failure = gen::compile::compile(&path, &renderer).expect("io").expect_err(planted);
        assert!(failure.diagnostics.iter().any(|d| d.code == code && d.line > 0), "{planted}: {code}");
    }
}
