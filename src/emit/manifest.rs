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
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let chunk = entries.len().div_ceil(threads).max(1);
    let digests: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = entries
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|(_, bytes)| sha256_hex(bytes)).collect::<Vec<_>>()))
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
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
