//! MANIFEST.sha256 (`sha256sum -c` format, sorted) and MODES (file modes and
//! the generator version), added to every blueprint tree.

use sha2::{Digest, Sha256};

use super::fileset::FileSet;
use crate::plan::Plan;

pub const MANIFEST: &str = "MANIFEST.sha256";
pub const MODES: &str = "MODES";

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Adds MODES, then MANIFEST.sha256 over every other file (MODES included).
pub fn seal(files: &mut FileSet, plan: &Plan) {
    let mut modes = format!(
        "# {}\n# generator: {}\n# mode path (install.sh and operators apply these)\n",
        plan.header, plan.generator
    );
    for (path, file) in &files.files {
        modes.push_str(&format!("{:04o} {path}\n", file.mode));
    }
    files.insert(MODES.into(), modes.into_bytes(), 0o644);
    // Hashing is most of sealing a large tree; it runs on every core.
    let entries: Vec<(&String, &[u8])> = files.files.iter().map(|(p, f)| (p, f.bytes.as_slice())).collect();
    let digests = crate::parallel::map(&entries, |(_, bytes)| sha256_hex(bytes));
    let mut manifest = String::new();
    for ((path, _), digest) in entries.iter().zip(&digests) {
        manifest.push_str(&format!("{digest}  {path}\n"));
    }
    files.insert(MANIFEST.into(), manifest.into_bytes(), 0o644);
}

/// The generator that wrote a MODES file, if it says.
pub fn generator_of(modes: &str) -> Option<&str> {
    modes.lines().find_map(|l| l.strip_prefix("# generator: "))
}
