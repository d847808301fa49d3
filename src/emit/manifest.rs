//! MANIFEST.sha256 (`sha256sum -c` format, sorted) and MODES (file modes and
//! the generator version), added to every blueprint tree.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use crate::plan::Plan;
use crate::render::fileset::FileSet;

pub const MANIFEST: &str = "MANIFEST.sha256";
pub const MODES: &str = "MODES";

/// The SHA-256 of `bytes` as 64 lower-case hex digits (`sha256sum`'s form).
pub fn sha256_hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(bytes))
}

/// Adds MODES, then MANIFEST.sha256 over every other file (MODES included).
pub fn seal(files: &mut FileSet, plan: &Plan) {
    let mut modes = format!(
        "# {}\n# generator: {}\n# mode path (install.sh and operators apply these)\n",
        plan.header, plan.generator
    );
    for (path, file) in &files.files {
        let _ = writeln!(modes, "{:04o} {path}", file.mode);
    }
    files.insert(MODES.into(), modes.into_bytes(), 0o644);
    // Hashing is most of sealing a large tree; it runs on every core.
    let entries: Vec<(&String, &[u8])> = files.files.iter().map(|(p, f)| (p, f.bytes.as_slice())).collect();
    let digests = crate::parallel::map(&entries, |(_, bytes)| sha256_hex(bytes));
    let mut manifest = String::with_capacity(entries.iter().map(|(p, _)| p.len() + 67).sum());
    for ((path, _), digest) in entries.iter().zip(&digests) {
        let _ = writeln!(manifest, "{digest}  {path}");
    }
    files.insert(MANIFEST.into(), manifest.into_bytes(), 0o644);
}

/// The generator that wrote a MODES file, if it says.
pub fn generator_of(modes: &str) -> Option<&str> {
    modes.lines().find_map(|l| l.strip_prefix("# generator: "))
}
