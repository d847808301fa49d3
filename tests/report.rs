//! The cost report (issue 6): cost.json against its schema, index.html in
//! Debian's chromium, `gen cost` and `gen cost --base` in a real git repository.
//! The report a customer reads (issue 16): its summary, at a phone's and a
//! desktop's width and printed to PDF (chromium `--print-to-pdf`, then
//! poppler's pdfinfo, pdftoppm and pdftotext) in `report_print.rs`.

use std::path::Path;
use std::process::Command;

use gen::compile::compile;
use gen::render::Renderer;

use crate::common::{project, repo, Gen};

/// The report files of a reference blueprint, compiled in memory.
pub(crate) fn report_file(name: &str, file: &str) -> String {
    let renderer = Renderer::new(None).expect("templates load");
    let path = repo().join("blueprints").join(format!("{name}.yaml"));
    let compiled = compile(&path, &renderer).expect("no I/O error").expect("reference blueprint compiles");
    let bytes = &compiled.files.files.get(&format!("report/{file}")).expect("report file is an artifact").bytes;
    String::from_utf8(bytes.clone()).expect("text")
}

#[test]
fn cost_schema_matches_the_committed_copy() {
    let path = repo().join("schemas/cost.schema.json");
    let generated = gen::components::cost::plan::report::cost_schema_text();
    if std::env::var_os("GEN_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).expect("write schema");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "schemas/cost.schema.json is stale; run `GEN_UPDATE_SCHEMA=1 cargo test --test main cost_schema` and commit it"
    );
}

#[test]
fn cost_json_is_valid_against_its_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("schemas/cost.schema.json")).expect("schema"))
            .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for name in ["odoo-dedicated", "hetzner-websites"] {
        let doc: serde_json::Value = serde_json::from_str(&report_file(name, "cost.json")).expect("cost.json is JSON");
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| format!("{}: {e}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
        // The validator can fail: a negative amount written as a number is rejected.
        let mut bad = doc.clone();
        bad["cost"]["monthly"] = serde_json::json!(-1);
        assert!(!validator.is_valid(&bad), "{name}: the schema accepts a number where an amount string belongs");
    }
}

/// Headless chromium: a screenshot (decoded, must not be blank) and the DOM
/// after rendering (must hold the monthly total and the budget variance).
fn browse(html: &str) -> (Vec<[u8; 3]>, u32, u32, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("index.html");
    std::fs::write(&page, html).expect("write page");
    let png = dir.path().join("page.png");
    let url = format!("file://{}", page.display());
    let chromium = |extra: &[&str]| {
        let out = Command::new("chromium")
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1200,1600"])
            .arg(format!("--user-data-dir={}", dir.path().join("profile").display()))
            .args(extra)
            .arg(&url)
            .output()
            .expect("chromium runs (Debian package `chromium`)");
        assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    chromium(&[&format!("--screenshot={}", png.display())]);
    let dom = chromium(&["--dump-dom"]);
    let (pixels, width, height) = decode_png(&png);
    (pixels, width, height, dom)
}

/// The pixels (RGB) of an 8-bit PNG, with its width and height.
pub(crate) fn decode_png(path: &Path) -> (Vec<[u8; 3]>, u32, u32) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).expect("PNG written")));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("PNG decodes");
    assert_eq!(info.bit_depth, png::BitDepth::Eight, "an 8-bit PNG");
    buf.truncate(info.buffer_size());
    // Grey, RGB or RGBA: grey is repeated, else the first three samples of each pixel.
    let stride = info.color_type.samples();
    let pixels = buf.chunks_exact(stride).map(|p| if stride >= 3 { [p[0], p[1], p[2]] } else { [p[0]; 3] }).collect();
    (pixels, info.width, info.height)
}

/// Share of pixels (per mille) that are not white, and the number of distinct colours.
pub(crate) fn ink(pixels: &[[u8; 3]]) -> (usize, usize) {
    let inked = pixels.iter().filter(|p| p.iter().any(|&c| c < 240)).count();
    let mut colours = pixels.to_vec();
    colours.sort_unstable();
    colours.dedup();
    (inked * 1000 / pixels.len().max(1), colours.len())
}

#[test]
fn chromium_renders_the_report_with_total_and_variance() {
    for (name, total, variance) in
        [("hetzner-websites", "EUR 18.57", "-0.43 (-2.3 %)"), ("odoo-dedicated", "EUR 63.90", "-36.10 (-36.1 %)")]
    {
        let html = report_file(name, "index.html");
        assert!(
            !html.contains(" src=") && !html.contains("<link") && !html.contains("url("),
            "{name}: no external assets"
        );
        assert!(!html.contains("<script"), "{name}: the report needs no script");
        let (rgba, width, height, dom) = browse(&html);
        assert_eq!((width, height), (1200, 1600));
        let (per_mille, colours) = ink(&rgba);
        // Text, tables and the bar colours: well above a blank page's 0 and 1.
        assert!(per_mille >= 20, "{name}: only {per_mille}‰ of the page is inked");
        assert!(colours >= 16, "{name}: only {colours} colours");
        // The chart colours render (SVG fill of the first series, #4472c4).
        assert!(rgba.contains(&[0x44, 0x72, 0xc4]), "{name}: no chart bar");
        let text = dom.replace('\n', " ");
        assert!(text.contains(total), "{name}: DOM lacks the monthly total {total}");
        assert!(text.contains(variance), "{name}: DOM lacks the budget variance {variance}");
    }
    // And the blank check can fail: an empty page is blank.
    let (rgba, ..) = browse("<!DOCTYPE html><html><body></body></html>");
    let (per_mille, colours) = ink(&rgba);
    assert!(per_mille < 20 && colours < 16, "blank page measured as {per_mille}‰, {colours} colours");
}

#[test]
fn gen_cost_prints_the_summary() {
    let (stdout, _) = Gen::new(&repo()).args(["cost", "blueprints/hetzner-websites.yaml"]).succeeds();
    assert!(stdout.starts_with("hetzner-websites: EUR 18.57 a month, 222.84 a year, 0.00 one-time\n"), "{stdout}");
    assert!(stdout.contains("budget 19.00 a month: variance -0.43 (-2.3 % of the budget), within budget"), "{stdout}");
    assert!(stdout.contains("phase-2                166.78 a month (+148.21), TCO 1y 2001.36, 3y 6004.08"), "{stdout}");
    assert!(stdout.contains("per site: 0.74 a month (25 sites)"), "{stdout}");
    // Without a blueprint: every blueprint, sorted.
    let (all, _) = Gen::new(&repo()).args(["cost"]).succeeds();
    assert!(all.starts_with("agency: EUR 12.19 a month") && all.contains("\nhetzner-websites: "), "{all}");
    assert!(all.contains("\nodoo-dedicated: EUR 63.90 a month"), "{all}");
}

pub(crate) fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=gen test", "-c", "user.email=test@gen.invalid", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn gen_cost_base_prints_what_a_change_costs() {
    let p = project();
    let dir = p.path();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "base"]);
    // The change under review: app-2 becomes a cx43 at 9.49 (its Backups,
    // 20 % of the server, follow), app-1's Backups go.
    let path = dir.join("blueprints/hetzner-websites.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    let changed = text
        .replacen("    type: cx33\n    location: nbg1\n    os: ubuntu-24.04\n    timezone: Europe/Berlin\n    private_ip: 10.0.1.12\n    reserved: {cpus: 0.5, memory: 1G}\n    price: {monthly: 5.49,", "    type: cx43\n    location: nbg1\n    os: ubuntu-24.04\n    timezone: Europe/Berlin\n    private_ip: 10.0.1.12\n    reserved: {cpus: 0.5, memory: 1G}\n    price: {monthly: 9.49,", 1)
        .replacen("    # The provider's daily Backups, 7 kept (see the `sla` section).\n    backups: true\n", "", 1);
    assert_ne!(text, changed, "the test's edit applies");
    std::fs::write(&path, changed).expect("write");
    let (stdout, stderr) =
        Gen::new(dir).args(["cost", "--base", "HEAD", "blueprints/hetzner-websites.yaml"]).succeeds();
    assert_eq!(
        stdout,
        "cost change since blueprints/hetzner-websites.yaml at HEAD (EUR, per month):\n\
         \x20 - app-2 (cx33): 5.49 (-5.49)\n\
         \x20 - backups of app-1 (daily, 7 kept): 1.10 (-1.10)\n\
         \x20 ~ backups of app-2 (daily, 7 kept): 1.10 → 1.90 (+0.80)\n\
         \x20 + app-2 (cx43): 9.49 (+9.49)\n\
         \x20 total: 18.57 → 22.27 (+3.70, +19.9 %)\n\
         \x20 per year: +44.40\n\
         \x20 budget 19.00: variance now 3.27 (+17.2 %)\n",
        "{stderr}"
    );
    // A price change of a line that stays is that line (and the server's
    // Backups, 20 % of it: 1.998 → 2.00).
    git(dir, &["commit", "-q", "-am", "cx43"]);
    let text =
        std::fs::read_to_string(&path).expect("read").replace("price: {monthly: 9.49,", "price: {monthly: 9.99,");
    std::fs::write(&path, text).expect("write");
    let (stdout, _) = Gen::new(dir).args(["cost", "--base", "HEAD", "blueprints/hetzner-websites.yaml"]).succeeds();
    assert!(stdout.contains("  ~ app-2 (cx43): 9.49 → 9.99 (+0.50)\n"), "{stdout}");
    assert!(stdout.contains("  ~ backups of app-2 (daily, 7 kept): 1.90 → 2.00 (+0.10)\n"), "{stdout}");
    assert!(stdout.contains("  total: 22.27 → 22.87 (+0.60, +2.7 %)\n"), "{stdout}");
    // A blueprint that did not exist at the base costs everything it costs.
    std::fs::copy(dir.join("blueprints/odoo-dedicated.yaml"), dir.join("blueprints/odoo-two.yaml")).expect("copy");
    let (stdout, _) = Gen::new(dir).args(["cost", "--base", "HEAD", "blueprints/odoo-two.yaml"]).succeeds();
    assert!(
        stdout.contains("  + ax52 (AX52): 51.00 (+51.00)\n") && stdout.contains("  total: 0.00 → 63.90 (+63.90)\n"),
        "{stdout}"
    );
    // A revision that does not exist is a usage error.
    let (_, stderr) = Gen::new(dir).args(["cost", "--base", "no-such-rev", "blueprints/odoo-two.yaml"]).code(2);
    assert!(stderr.contains("`no-such-rev` is not a git revision"), "{stderr}");
}

/// cost.md through a CommonMark parser with GitHub's table extension: every
/// table the file means to have parses as a table, and each row has exactly
/// the header's number of cells (GitHub would silently drop or pad them).
#[test]
fn cost_md_tables_parse_as_github_tables() {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    for name in ["odoo-dedicated", "hetzner-websites"] {
        let md = report_file(name, "cost.md");
        let delimiter_rows = md.lines().filter(|l| l.starts_with("|---") || l.starts_with("|--:")).count();
        let mut tables = 0;
        let mut header_cells = 0;
        let mut cells = 0;
        let mut rows = 0;
        for event in Parser::new_ext(&md, Options::ENABLE_TABLES) {
            match event {
                Event::Start(Tag::Table(align)) => {
                    tables += 1;
                    header_cells = align.len();
                }
                Event::Start(Tag::TableHead | Tag::TableRow) => cells = 0,
                Event::Start(Tag::TableCell) => cells += 1,
                Event::End(TagEnd::TableHead | TagEnd::TableRow) => {
                    rows += 1;
                    assert_eq!(cells, header_cells, "{name}: a row of table {tables} has {cells} cells");
                }
                _ => {}
            }
        }
        assert!(tables >= 8, "{name}: only {tables} tables");
        assert_eq!(tables, delimiter_rows, "{name}: every `|---` row starts a table that parses");
        // Raw rows: the pipes (unescaped) agree with the header, so no cell is dropped or padded.
        let mut width = 0;
        for line in md.lines() {
            if !line.starts_with('|') {
                width = 0;
                continue;
            }
            let pipes = line.replace("\\|", "").matches('|').count();
            if width == 0 {
                width = pipes;
            }
            assert_eq!(pipes, width, "{name}: `{line}` has {} cells, its header {}", pipes - 1, width - 1);
        }
        assert!(rows > tables, "{name}: tables have rows");
    }
}
