//! Does a string look like a key, password or token? Used by the secrets
//! check (a random-looking value in a blueprint's `environment`) and by the
//! secrets scan over every generated tree (tests/secrets_scan.rs).
//!
//! Shannon entropy alone flags CamelCase names and paths; random base64
//! also changes character class (upper, lower, digit) between most
//! neighbours, words and paths rarely do.

/// Shannon entropy in bits per byte.
pub fn entropy(s: &str) -> f64 {
    let mut counts = [0usize; 256];
    for b in s.bytes() {
        counts[usize::from(b)] += 1;
    }
    #[allow(clippy::cast_precision_loss)]
    let len = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            #[allow(clippy::cast_precision_loss)]
            let p = c as f64 / len;
            -p * p.log2()
        })
        .sum()
}

/// How often consecutive letters and digits change class (upper, lower,
/// digit): about 0.6 in random base64, under 0.25 in words, paths and
/// CamelCase names.
pub fn class_switches(token: &str) -> f64 {
    let classes: Vec<u8> = token
        .bytes()
        .filter_map(|b| match b {
            b'A'..=b'Z' => Some(0),
            b'a'..=b'z' => Some(1),
            b'0'..=b'9' => Some(2),
            _ => None,
        })
        .collect();
    let switches = classes.windows(2).filter(|w| w[0] != w[1]).count();
    #[allow(clippy::cast_precision_loss)]
    let ratio = switches as f64 / classes.len().saturating_sub(1).max(1) as f64;
    ratio
}

/// One token (no spaces) that looks random enough to be a secret: at least
/// 32 hex digits, or at least 20 characters of mixed case and digits.
pub fn looks_random(token: &str) -> bool {
    let hex = token.len() >= 32 && token.bytes().all(|b| b.is_ascii_hexdigit());
    if hex {
        return token.bytes().any(|b| b.is_ascii_digit())
            && token.bytes().any(|b| b.is_ascii_alphabetic())
            && entropy(token) >= 3.0
            && class_switches(token) >= 0.3;
    }
    token.len() >= 20
        && token.bytes().any(|b| b.is_ascii_uppercase())
        && token.bytes().any(|b| b.is_ascii_lowercase())
        && token.bytes().any(|b| b.is_ascii_digit())
        && entropy(token) >= 3.5
        && class_switches(token) >= 0.4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_look_random_names_do_not() {
        assert!(entropy("aaaaaaaaaaaaaaaaaaaa") < 0.1);
        assert!(looks_random("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="));
        assert!(looks_random("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"));
        for name in
            ["ExampleSiteConfiguration2024", "oldroot/nfs/images/Ubuntu-2404-noble-amd64-base", "OnUnitActiveSec"]
        {
            assert!(!looks_random(name), "{name}");
        }
    }
}
