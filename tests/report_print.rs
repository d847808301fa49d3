//! The report a customer reads (issue 16, part 5): index.html at a phone's
//! width (390 px) and a desktop's (1200 px) in Debian's headless chromium,
//! and printed (`--print-to-pdf`, then poppler's pdfinfo, pdftoppm and
//! pdftotext): the summary comes first, nothing overflows a phone's width,
//! the PDF's pages are not blank, page 1 holds the totals, and no page ends
//! with a heading.

use std::path::Path;
use std::process::Command;

use crate::common::require;
use crate::report::{decode_png, ink, report_file};

/// Appended to a page laid out in an iframe: writes the document's width and
/// the rightmost edge of any element or text outside a `.wide` scroller (which may
/// scroll sideways by design) into attributes of the outer page's `<html>`.
const MEASURE: &str = r#"<script>
(() => {
  const root = document.documentElement;
  let right = 0;
  for (const e of document.body.querySelectorAll("*")) {
    if (e.closest(".wide") && !e.classList.contains("wide")) continue;
    right = Math.max(right, Math.ceil(e.getBoundingClientRect().right));
  }
  // Text can overflow the box it is in (a long URL that does not wrap).
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let t; (t = texts.nextNode()); ) {
    if (t.parentElement.closest(".wide")) continue;
    const range = document.createRange();
    range.selectNodeContents(t);
    right = Math.max(right, Math.ceil(range.getBoundingClientRect().right));
  }
  const outer = parent.document.documentElement.dataset;
  outer.scrollWidth = root.scrollWidth;
  outer.right = right;
})();
</script>"#;

fn chromium(dir: &Path, args: &[&str], page: &Path) -> String {
    require("chromium");
    let out = Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs (Debian package `chromium`)");
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// `(scrollWidth, rightmost edge)` of `html` laid out `width` px wide. The
/// page is an iframe of that width: headless chromium's `--dump-dom` lays
/// out no narrower than 500 px, whatever `--window-size` says.
fn measure(html: &str, width: u32) -> (u32, u32) {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("page.html");
    let inner = html.replace("</body>", &format!("{MEASURE}</body>")).replace('&', "&amp;").replace('"', "&quot;");
    let outer = format!(
        "<!DOCTYPE html><html><body style=\"margin:0\"><iframe style=\"width:{width}px;height:900px;border:0\" srcdoc=\"{inner}\"></iframe></body></html>"
    );
    std::fs::write(&page, outer).expect("write page");
    let dom = chromium(dir.path(), &["--window-size=1300,1000", "--dump-dom"], &page);
    let attr = |name: &str| -> u32 {
        let start = dom.find(&format!("{name}=\"")).unwrap_or_else(|| panic!("no {name} in the DOM")) + name.len() + 2;
        dom[start..].split('"').next().and_then(|v| v.parse().ok()).expect("a number")
    };
    (attr("data-scroll-width"), attr("data-right"))
}

#[test]
fn the_report_fits_a_phone_and_a_desktop_with_the_summary_first() {
    for name in ["hetzner-websites", "odoo-dedicated"] {
        let html = report_file(name, "index.html");
        // The summary comes first: totals net and gross, the budget, three
        // risks in words, before any table; the warnings come last.
        let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("{name}: no `{needle}`"));
        assert!(at("<h2>Summary</h2>") < at("<table"), "{name}: a table before the summary");
        assert!(at("id=\"monthly-total\"") < at("<h2>Monthly cost</h2>"));
        assert!(at("<h2>Appendix: warnings</h2>") > at("<h2>Capacity per host</h2>"));
        assert!(html.contains("gross EUR ") && html.contains("19 % VAT"), "{name}: no gross amounts");
        let risks = &html[at("<ol class=\"risks\">")..];
        assert_eq!(risks[..risks.find("</ol>").expect("list ends")].matches("<li>").count(), 3, "{name}: three risks");
        assert!(html.contains("Report date <b id=\"report-date\">2026-11-30</b>"), "{name}: the report's date");
        assert!(html.contains(&format!("<span id=\"generator\">{}</span>", gen::plan::GENERATOR)));
        for width in [390, 1200] {
            let (scroll, right) = measure(&html, width);
            assert!(scroll <= width, "{name} at {width} px: the page is {scroll} px wide");
            assert!(right <= width, "{name} at {width} px: an element reaches {right} px");
        }
        // And the phone's picture has ink: text and the chart, not a blank page.
        let dir = tempfile::tempdir().expect("tempdir");
        let (page, png) = (dir.path().join("index.html"), dir.path().join("phone.png"));
        std::fs::write(&page, &html).expect("write page");
        chromium(dir.path(), &["--window-size=390,2400", &format!("--screenshot={}", png.display())], &page);
        let (pixels, width, _) = decode_png(&png);
        assert_eq!(width, 390);
        let (per_mille, colours) = ink(&pixels);
        assert!(
            per_mille >= 20 && colours >= 16,
            "{name}: the phone's page is blank ({per_mille}‰, {colours} colours)"
        );
    }
    // The measure can fail: a 1000 px wide box overflows a phone.
    let (scroll, right) = measure("<!DOCTYPE html><html><body><div style=\"width:1000px\">x</div></body></html>", 390);
    assert!(scroll > 390 && right > 390, "an overflowing page measured {scroll}/{right} px");
}

/// A PDF's pages: their text (pdftotext, one string per page) and pictures
/// (pdftoppm at 40 dpi), and the page count pdfinfo states.
fn print(html: &str) -> (Vec<String>, Vec<Vec<[u8; 3]>>, usize) {
    require("pdftoppm");
    require("pdftotext");
    require("pdfinfo");
    let dir = tempfile::tempdir().expect("tempdir");
    let (page, pdf) = (dir.path().join("index.html"), dir.path().join("report.pdf"));
    std::fs::write(&page, html).expect("write page");
    chromium(dir.path(), &["--no-pdf-header-footer", &format!("--print-to-pdf={}", pdf.display())], &page);
    let run = |tool: &str, args: &[&str]| -> String {
        let out = Command::new(tool).args(args).output().unwrap_or_else(|e| panic!("{tool}: {e}"));
        assert!(out.status.success(), "{tool}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let pdf_path = pdf.to_str().expect("utf-8 path");
    let info = run("pdfinfo", &[pdf_path]);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo states the pages");
    let text = run("pdftotext", &["-layout", pdf_path, "-"]);
    let mut texts: Vec<String> = text.split('\x0c').map(str::to_string).collect();
    texts.truncate(pages);
    let prefix = dir.path().join("page");
    run("pdftoppm", &["-r", "40", "-png", pdf_path, prefix.to_str().expect("utf-8 path")]);
    let mut pngs: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    pngs.sort();
    let pictures = pngs.iter().map(|p| decode_png(p).0).collect();
    (texts, pictures, pages)
}

/// The headings of a page (`<h1>`–`<h3>`) as text.
fn headings(html: &str) -> Vec<String> {
    html.split("<h")
        .skip(1)
        .filter(|s| s.starts_with(['1', '2', '3']))
        .filter_map(|s| s.get(3..)?.split("</h").next())
        .map(|h| h.replace("&#x2f;", "/").replace("&#x27;", "'").replace("&amp;", "&"))
        .collect()
}

/// The pages whose last line of text is a heading (an orphaned heading).
fn orphans(texts: &[String], headings: &[String]) -> Vec<(usize, String)> {
    texts
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let last = t.lines().map(str::trim).rfind(|l| !l.is_empty())?;
            headings.iter().any(|h| h == last).then(|| (i + 1, last.to_string()))
        })
        .collect()
}

#[test]
fn the_report_prints_with_the_summary_on_page_one_and_no_orphaned_heading() {
    for (name, total, gross, risk) in [
        ("hetzner-websites", "EUR 18.57", "gross EUR 22.10", "Prices may be EUR 9.10 a month higher"),
        ("odoo-dedicated", "EUR 63.90", "gross EUR 76.04", "A disk fills up in 2030"),
    ] {
        let html = report_file(name, "index.html");
        let (texts, pictures, pages) = print(&html);
        assert!((2..=12).contains(&pages), "{name}: {pages} pages");
        assert_eq!((texts.len(), pictures.len()), (pages, pages), "{name}: a text and a picture per page");
        for (i, p) in pictures.iter().enumerate() {
            let (per_mille, _) = ink(p);
            assert!(per_mille >= 10, "{name}: page {} is blank ({per_mille}‰ inked)", i + 1);
        }
        let first = texts[0].split_whitespace().collect::<Vec<_>>().join(" ");
        for want in [total, gross, "The biggest risks", risk, "Report date 2026-11-30"] {
            assert!(first.contains(want), "{name}: page 1 lacks `{want}`:\n{first}");
        }
        let all = texts.concat();
        assert!(all.contains("Appendix: warnings") && all.contains("What to do:"), "{name}: the appendix prints");
        let heads = headings(&html);
        assert!(heads.len() >= 8, "{name}: {heads:?}");
        assert_eq!(orphans(&texts, &heads), [], "{name}: a page ends with a heading");
    }
    // Both checks can fail: a blank page is blank, and a heading forced to
    // the end of its page is an orphan.
    let (texts, pictures, pages) = print(
        "<!DOCTYPE html><html><body><p>text</p><h2>Alone</h2><p style=\"break-before: page\">more</p><div style=\"break-before: page\"></div></body></html>",
    );
    assert_eq!(pages, 3);
    assert!(ink(&pictures[2]).0 < 10, "an empty page measured as inked");
    assert_eq!(orphans(&texts, &["Alone".to_string()]), [(1, "Alone".to_string())]);
}
