//! Rules of static sites: E218, an `expires` nginx does not take. Names
//! (E213, E220), the load balancer (E219), vhost files (E225) and the
//! directory (E212, E228) come from the shared rules.

use crate::blueprint::model::Blueprint;
use crate::diag::Finding;

/// The longest `expires` gen writes: 10 years, what nginx's own `max`
/// sends (`Cache-Control: max-age=315360000`); nginx refuses a time that
/// overflows its parser.
const MAX_EXPIRES_S: u64 = 315_360_000;

/// nginx's `expires` time (ngx_parse_time: numbers with `ms s m h d w M y`,
/// one unit each, at most [`MAX_EXPIRES_S`] in all) or one of its words.
fn is_expires(value: &str) -> bool {
    const UNITS: [(&str, u64); 8] = [
        ("ms", 0),
        ("s", 1),
        ("m", 60),
        ("h", 3600),
        ("d", 86_400),
        ("w", 604_800),
        ("M", 2_592_000),
        ("y", 31_536_000),
    ];
    if matches!(value, "max" | "off" | "epoch") {
        return true;
    }
    let mut rest = value;
    let mut total: u64 = 0;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let Some(n) = rest[..digits].parse::<u64>().ok().filter(|_| digits <= 12) else { return false };
        rest = &rest[digits..];
        let unit = UNITS.iter().find(|(u, _)| rest.starts_with(u));
        total = total.saturating_add(n.saturating_mul(unit.map_or(1, |(_, s)| *s)));
        match unit {
            Some((u, _)) => rest = &rest[u.len()..],
            None if rest.is_empty() => break,
            None => return false,
        }
    }
    total <= MAX_EXPIRES_S
}

fn expires(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (i, site) in bp.static_sites.iter().enumerate() {
        if let Some(value) = site.expires.as_deref().filter(|v| !is_expires(v)) {
            out.push(
                Finding::error("E218", format!("/static_sites/{i}/expires"), format!("`{value}` is not an nginx `expires` time"))
                    .hint("write a number with a unit, like `1h`, `7d` or `1d12h` (units ms, s, m, h, d, w, M, y), at most 10 years, or `max`, `off`, `epoch`")
                    .at_value(),
            );
        }
    }
}

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    expires(bp, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_takes_nginx_times() {
        for ok in ["1h", "7d", "1d12h", "30", "500ms", "max", "off", "epoch", "1M"] {
            assert!(is_expires(ok), "{ok}");
        }
        for bad in ["", "1 h", "h", "1x", "-1h", "7days", "99999999999999999999d", "11y"] {
            assert!(!is_expires(bad), "{bad}");
        }
    }
}
