//! Drift: what differs between `out/<blueprint>` on disk and what the
//! blueprint compiles to. `gen check` prints it and fails on any difference.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use serde::Serialize;
use similar::TextDiff;

use super::manifest::{generator_of, MODES};
use crate::error::{Error, Result};
use crate::render::fileset::{File, FileSet};

#[derive(Debug, Default, Serialize)]
pub struct Drift {
    pub blueprint: String,
    /// Files the blueprint makes that out/ lacks.
    pub missing: Vec<String>,
    /// Files in out/ that the blueprint does not make.
    pub stray: Vec<String>,
    /// Files whose bytes differ, each with a unified diff.
    pub changed: Vec<Changed>,
    /// Files whose mode differs: (path, on disk, expected).
    pub modes: Vec<(String, String, String)>,
    /// The generator that built out/, when it is not this one.
    pub other_generator: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Changed {
    pub path: String,
    pub diff: String,
}

impl Drift {
    pub fn is_clean(&self) -> bool {
        self.missing.is_empty() && self.stray.is_empty() && self.changed.is_empty() && self.modes.is_empty()
    }
}

/// Reads a generated tree from disk without following symlinks.
pub fn read_tree(root: &Path) -> Result<FileSet> {
    let mut set = FileSet::default();
    // walkdir follows a symlinked root; a tree that lives elsewhere is not out/.
    super::write::refuse_symlink(root)?;
    if !root.exists() {
        return Ok(set);
    }
    for entry in walkdir::WalkDir::new(root).follow_links(false).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::io("read", root, e.into()))?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path()).to_string_lossy().to_string();
        let meta = entry.path().symlink_metadata().map_err(|e| Error::io("read", entry.path(), e))?;
        // A symlink is never ours: report it as a stray with no content.
        let bytes = if entry.file_type().is_file() {
            fs::read(entry.path()).map_err(|e| Error::io("read", entry.path(), e))?
        } else {
            Vec::new()
        };
        set.insert(rel, bytes, meta.mode() & 0o7777);
    }
    Ok(set)
}

/// Git keeps only the executable bit of a committed file (a clone writes
/// 0600 files as 0644), so that is the part of a mode `check` compares; the
/// full mode is in MODES, which install.sh applies on the host.
fn executable(mode: u32) -> bool {
    mode & 0o111 != 0
}

pub fn compare(blueprint: &str, expected: &FileSet, actual: &FileSet) -> Drift {
    let mut drift = Drift { blueprint: blueprint.to_string(), ..Drift::default() };
    for (path, want) in &expected.files {
        match actual.files.get(path) {
            None => drift.missing.push(path.clone()),
            Some(have) => {
                if have.bytes != want.bytes {
                    drift.changed.push(Changed {
                        path: path.clone(),
                        diff: unified(&format!("{blueprint}/{path}"), have, want),
                    });
                } else if executable(have.mode) != executable(want.mode) {
                    drift.modes.push((path.clone(), format!("{:04o}", have.mode), format!("{:04o}", want.mode)));
                }
            }
        }
    }
    drift.stray = actual.files.keys().filter(|p| !expected.files.contains_key(*p)).cloned().collect();
    let generator = |set: &FileSet| {
        set.files.get(MODES).and_then(|f| std::str::from_utf8(&f.bytes).ok()).and_then(generator_of).map(str::to_string)
    };
    let (ours, theirs) = (generator(expected), generator(actual));
    if theirs.is_some() && theirs != ours {
        drift.other_generator = theirs;
    }
    drift
}

fn unified(path: &str, have: &File, want: &File) -> String {
    match (std::str::from_utf8(&have.bytes), std::str::from_utf8(&want.bytes)) {
        (Ok(old), Ok(new)) => TextDiff::configure()
            .algorithm(similar::Algorithm::Patience)
            .diff_lines(old, new)
            .unified_diff()
            .context_radius(3)
            .header(&format!("out/{path} (on disk)"), &format!("out/{path} (from blueprint)"))
            .to_string(),
        _ => format!("binary file out/{path} differs\n"),
    }
}
