//! Atomic writes of one blueprint tree.
//!
//! The new tree is staged beside the old one inside `out/` (same file
//! system): files whose bytes and mode are unchanged are hard-linked from the
//! old tree, so they are not rewritten; the rest are written (not synced:
//! see `stage`).
//! Then the staged tree and the old one swap places in one `renameat2`
//! (RENAME_EXCHANGE), and the old one is removed. An interruption leaves
//! either the old tree or the new one at `out/<blueprint>`, never a mix.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::fileset::FileSet;
use crate::error::{Error, Result};

const STAGING_PREFIX: &str = ".gen-staging-";

/// What a write changed, for the summary line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// Replaces `out/<name>` with exactly `files`.
pub fn write_tree(out: &Path, name: &str, files: &FileSet) -> Result<WriteStats> {
    refuse_symlink(out)?;
    fs::create_dir_all(out).map_err(|e| Error::io("create", out, e))?;
    let target = out.join(name);
    refuse_symlink(&target)?;
    let staging = out.join(format!("{STAGING_PREFIX}{name}"));
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(|e| Error::io("remove stale", &staging, e))?;
    }
    let mut stats = WriteStats::default();
    let result = stage(&target, &staging, files, &mut stats).and_then(|()| swap(&staging, &target));
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result?;
    // After the swap, `staging` holds the old tree (or nothing).
    stats.removed = count_strays(&staging, files);
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(|e| Error::io("remove old", &staging, e))?;
    }
    Ok(stats)
}

/// Errors when `path` is a symlink: out/ never writes through one.
pub fn refuse_symlink(path: &Path) -> Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(Error::Usage(format!(
            "`{}` is a symbolic link; gen writes only real directories inside out/",
            path.display()
        ))),
        _ => Ok(()),
    }
}

fn stage(old: &Path, staging: &Path, files: &FileSet, stats: &mut WriteStats) -> Result<()> {
    let mut real_dirs = BTreeSet::new();
    for (rel, file) in &files.files {
        let dest = staging.join(rel);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
        }
        let previous = old.join(rel);
        if reached_without_links(old, rel, &mut real_dirs)
            && unchanged(&previous, &file.bytes, file.mode)
            && fs::hard_link(&previous, &dest).is_ok()
        {
            stats.unchanged += 1;
            continue;
        }
        let mut f = fs::File::create(&dest).map_err(|e| Error::io("write", &dest, e))?;
        f.write_all(&file.bytes).map_err(|e| Error::io("write", &dest, e))?;
        f.set_permissions(fs::Permissions::from_mode(file.mode)).map_err(|e| Error::io("chmod", &dest, e))?;
        stats.written += 1;
    }
    // No fsync: out/ is reproducible from the blueprints and `gen check`
    // finds any file a power cut might tear, while an fsync per file (or one
    // syncfs, which also waits for every other writer on the disk) made a
    // 3,000-file build take seconds. The swap stays atomic for every reader.
    Ok(())
}

/// Whether every directory between `old` and `old/rel` is a real one: a file
/// reached through a symlinked directory lies outside out/, and hard-linking
/// it into the new tree would tie out/ to it.
fn reached_without_links(old: &Path, rel: &str, known: &mut BTreeSet<PathBuf>) -> bool {
    let mut dir = old.to_path_buf();
    for part in Path::new(rel).parent().into_iter().flat_map(Path::components) {
        dir.push(part);
        if known.contains(&dir) {
            continue;
        }
        match fs::symlink_metadata(&dir) {
            Ok(m) if m.is_dir() => {
                known.insert(dir.clone());
            }
            _ => return false,
        }
    }
    true
}

fn unchanged(path: &Path, bytes: &[u8], mode: u32) -> bool {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_file() && m.mode() & 0o7777 == mode && m.len() == bytes.len() as u64 => {
            fs::read(path).is_ok_and(|old| old == bytes)
        }
        _ => false,
    }
}

/// Puts `staging` at `target`; afterwards `staging` holds the old tree, if any.
fn swap(staging: &Path, target: &Path) -> Result<()> {
    if !target.exists() {
        return fs::rename(staging, target).map_err(|e| Error::io("move into place", target, e));
    }
    match rustix::fs::renameat_with(
        rustix::fs::CWD,
        staging,
        rustix::fs::CWD,
        target,
        rustix::fs::RenameFlags::EXCHANGE,
    ) {
        Ok(()) => Ok(()),
        // File systems without RENAME_EXCHANGE: two renames, a short window
        // in which the old tree sits under a temporary name.
        Err(_) => {
            let aside: PathBuf = target
                .with_file_name(format!(".gen-old-{}", target.file_name().and_then(|n| n.to_str()).unwrap_or("tree")));
            let _ = fs::remove_dir_all(&aside);
            fs::rename(target, &aside).map_err(|e| Error::io("move aside", target, e))?;
            fs::rename(staging, target).map_err(|e| Error::io("move into place", target, e))?;
            fs::rename(&aside, staging).map_err(|e| Error::io("move", &aside, e))
        }
    }
}

fn count_strays(old: &Path, files: &FileSet) -> usize {
    if !old.exists() {
        return 0;
    }
    walkdir::WalkDir::new(old)
        .follow_links(false)
        .into_iter()
        .filter_map(std::result::Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .filter(|e| {
            e.path().strip_prefix(old).ok().and_then(Path::to_str).is_none_or(|rel| !files.files.contains_key(rel))
        })
        .count()
}

/// Removes a whole generated tree (a blueprint that no longer exists).
pub fn remove_tree(out: &Path, name: &str) -> Result<()> {
    let target = out.join(name);
    refuse_symlink(&target)?;
    fs::remove_dir_all(&target).map_err(|e| Error::io("remove", &target, e))
}
