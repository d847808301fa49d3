//! Writes of one blueprint tree, `out/<blueprint>`, that never leave a
//! failed build's half behind.
//!
//! First a survey of the tree on disk (one directory walk and one `lstat`
//! per entry; no file is read but MANIFEST.sha256): a file is *unchanged*
//! when it is a regular file whose size and mode are the new ones, whose
//! hash in the old manifest is its new hash, and which was not modified
//! after that manifest (its mtime is not later: gen writes the manifest
//! last, and a hand edit, a `touch` or a half-finished commit of another
//! build makes a file newer). Unchanged files are neither read nor written.
//! The rest is written in one of two ways:
//!
//! - **Incremental** (a tree of plain files and directories where at most a
//!   quarter of the files change or go): the changed files are written into
//!   a staging directory beside the tree; the old versions of the files
//!   about to be replaced or removed are hard-linked into a backup
//!   directory; then each staged file is renamed over its place (one atomic
//!   `rename` per file, so a reader never sees a partial file), the removed
//!   files are unlinked, and MANIFEST.sha256 is renamed last. An error on
//!   the way puts every old version back from the backup, so a failed build
//!   leaves out/ as it was. A process killed during the renames (they take
//!   microseconds per file) leaves a mix that `gen check` reports and the
//!   next build repairs: the files it had renamed are newer than the old
//!   manifest, so they are not trusted.
//! - **Whole tree** (a fresh tree, many changes, or a tree holding symlinks
//!   or other odd entries): the new tree is staged beside the old one,
//!   unchanged files hard-linked from it, the rest written; the staged tree
//!   and the old one swap places in one `renameat2` (RENAME_EXCHANGE), and
//!   the old one is removed. An interruption leaves either the old tree or
//!   the new one at `out/<blueprint>`, never a mix.
//!
//! Nothing is synced: out/ is reproducible from the blueprints and `gen
//! check` finds any file a power cut might tear, while an fsync per file (or
//! one syncfs, which also waits for every other writer on the disk) made a
//! 3,000-file build take seconds.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::manifest::MANIFEST;
use crate::error::{Error, Result};
use crate::render::fileset::FileSet;

const STAGING_PREFIX: &str = ".gen-staging-";
const BACKUP_PREFIX: &str = ".gen-backup-";

/// What a write changed, for the summary line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// Replaces `out/<name>` with exactly `files` (which holds its
/// MANIFEST.sha256, as [`super::manifest::seal`] makes it). On an error,
/// `out/<name>` is as it was.
pub fn write_tree(out: &Path, name: &str, files: &FileSet) -> Result<WriteStats> {
    refuse_symlink(out)?;
    fs::create_dir_all(out).map_err(|e| Error::io("create", out, e))?;
    let target = out.join(name);
    refuse_symlink(&target)?;
    let staging = out.join(format!("{STAGING_PREFIX}{name}"));
    let backup = out.join(format!("{BACKUP_PREFIX}{name}"));
    // Left over from an interrupted build; the tree itself needs nothing
    // (see the module documentation).
    remove_if_present(&staging)?;
    remove_if_present(&backup)?;
    let survey = Survey::of(&target, files)?;
    let result = match &survey {
        Some(s) if s.plain && 4 * (s.changed(files) + s.strays.len()) <= files.len() => {
            incremental(&target, &staging, &backup, files, s)
        }
        _ => whole_tree(&target, &staging, files, survey.as_ref()),
    };
    // Best effort: what is left is removed by the next build.
    let _ = remove_if_present(&staging);
    let _ = remove_if_present(&backup);
    result
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

/// Removes a whole generated tree (a blueprint that no longer exists).
pub fn remove_tree(out: &Path, name: &str) -> Result<()> {
    let target = out.join(name);
    refuse_symlink(&target)?;
    fs::remove_dir_all(&target).map_err(|e| Error::io("remove", &target, e))
}

fn remove_if_present(dir: &Path) -> Result<()> {
    match fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io("remove stale", dir, e)),
        _ => Ok(()),
    }
}

/// The tree on disk, compared with the new file set.
struct Survey {
    /// New files already on disk as they should be (relative paths).
    unchanged: HashSet<String>,
    /// Entries on disk that the new set does not have, directories after
    /// what they hold: `(relative path, is a directory)`.
    strays: Vec<(String, bool)>,
    /// Only regular files and real directories, and every directory the new
    /// files need is one or is missing: the incremental way applies.
    plain: bool,
}

impl Survey {
    /// `None` when there is no tree (or no directory) at `target`.
    fn of(target: &Path, files: &FileSet) -> Result<Option<Survey>> {
        match fs::symlink_metadata(target) {
            Ok(m) if m.is_dir() => {}
            _ => return Ok(None),
        }
        // rel → (size, mode, mtime) of every regular file; directories; the rest.
        let mut on_disk: HashMap<String, (u64, u32, (i64, i64))> = HashMap::new();
        let mut dirs: Vec<String> = Vec::new();
        let mut plain = true;
        let mut odd: Vec<String> = Vec::new();
        for entry in walkdir::WalkDir::new(target).follow_links(false).min_depth(1) {
            let entry = entry.map_err(|e| Error::io("read", target, e.into()))?;
            let Some(rel) = entry.path().strip_prefix(target).ok().and_then(Path::to_str).map(str::to_string) else {
                // A name that is not UTF-8 is no file of ours.
                plain = false;
                continue;
            };
            let kind = entry.file_type();
            if kind.is_dir() {
                dirs.push(rel);
            } else if kind.is_file() {
                let m = entry.metadata().map_err(|e| Error::io("read", entry.path(), e.into()))?;
                on_disk.insert(rel, (m.len(), m.mode() & 0o7777, (m.mtime(), m.mtime_nsec())));
            } else {
                plain = false;
                odd.push(rel);
            }
        }
        let old_manifest = match on_disk.get(MANIFEST) {
            Some(&(_, _, mtime)) => fs::read(target.join(MANIFEST)).ok().map(|text| (text, mtime)),
            None => None,
        };
        let new_hashes = files.files.get(MANIFEST).map(|m| hashes(&m.bytes)).unwrap_or_default();
        let mut unchanged = HashSet::new();
        if let Some((old_text, manifest_mtime)) = &old_manifest {
            let old_hashes = hashes(old_text);
            for (rel, file) in &files.files {
                let Some(&(len, mode, mtime)) = on_disk.get(rel) else { continue };
                let same_bytes = if rel == MANIFEST {
                    old_text == &file.bytes
                } else {
                    matches!((old_hashes.get(rel.as_str()), new_hashes.get(rel.as_str())), (Some(a), Some(b)) if a == b)
                };
                if same_bytes && len == file.bytes.len() as u64 && mode == file.mode && mtime <= *manifest_mtime {
                    unchanged.insert(rel.clone());
                }
            }
        }
        // A file rewritten for its mode or mtime alone gets a manifest newer
        // than it, so the next build trusts it again.
        if unchanged.len() < files.len() {
            unchanged.remove(MANIFEST);
        }
        let needed: HashSet<&str> = files.files.keys().flat_map(|rel| ancestors(rel)).collect();
        // A file where a directory must go, or the other way round.
        let is_dir: HashSet<&str> = dirs.iter().map(String::as_str).collect();
        if needed.iter().any(|d| on_disk.contains_key(*d) || odd.iter().any(|o| o == d))
            || files.files.keys().any(|rel| is_dir.contains(rel.as_str()))
        {
            plain = false;
        }
        let mut strays: Vec<(String, bool)> =
            on_disk.into_keys().chain(odd).filter(|rel| !files.files.contains_key(rel)).map(|r| (r, false)).collect();
        strays.sort();
        // walkdir lists a directory before its entries: reversed, each comes after them.
        strays.extend(dirs.into_iter().rev().filter(|d| !needed.contains(d.as_str())).map(|d| (d, true)));
        Ok(Some(Survey { unchanged, strays, plain }))
    }

    fn changed(&self, files: &FileSet) -> usize {
        files.len() - self.unchanged.len()
    }

    fn removed_files(&self) -> usize {
        self.strays.iter().filter(|(_, dir)| !dir).count()
    }
}

/// `path → hex digest` of a MANIFEST.sha256 text.
fn hashes(manifest: &[u8]) -> HashMap<&str, &str> {
    std::str::from_utf8(manifest)
        .unwrap_or("")
        .lines()
        .filter_map(|line| line.split_once("  "))
        .map(|(digest, path)| (path, digest))
        .collect()
}

/// The directories above a relative path, `a/b/c` → `a/b`, `a`.
fn ancestors(rel: &str) -> impl Iterator<Item = &str> {
    rel.match_indices('/').map(move |(i, _)| &rel[..i])
}

/// The process umask, read once from /proc (reading it with umask(2) would
/// change it for a moment under every other thread). `None` when unknown.
fn umask() -> Option<u32> {
    static UMASK: OnceLock<Option<u32>> = OnceLock::new();
    *UMASK.get_or_init(|| {
        let status = fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find_map(|l| l.strip_prefix("Umask:"))?;
        u32::from_str_radix(line.trim(), 8).ok()
    })
}

/// Creates `path` (which must not exist) with `bytes` and `mode`: one open
/// that sets the mode, one write, and a chmod only when the umask took bits
/// of the mode away.
fn create(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|e| Error::io("write", path, e))?;
    f.write_all(bytes).map_err(|e| Error::io("write", path, e))?;
    if umask().is_none_or(|mask| mode & mask != 0) {
        f.set_permissions(fs::Permissions::from_mode(mode)).map_err(|e| Error::io("chmod", path, e))?;
    }
    Ok(())
}

/// The files in writing order: MANIFEST.sha256 last, so no file is newer than it.
fn manifest_last(files: &FileSet) -> impl Iterator<Item = (&String, &crate::render::fileset::File)> {
    files.files.iter().filter(|(rel, _)| *rel != MANIFEST).chain(files.files.iter().filter(|(rel, _)| *rel == MANIFEST))
}

fn whole_tree(target: &Path, staging: &Path, files: &FileSet, survey: Option<&Survey>) -> Result<WriteStats> {
    fs::create_dir(staging).map_err(|e| Error::io("create", staging, e))?;
    // Every directory once, parents first; then the files, on one thread:
    // on ext4 two writers contend for the directory and inode locks (a
    // 1,000-site build took 4.5 × as long as `cp -r` with two, 1.6 × with one).
    let mut made: HashSet<&str> = HashSet::new();
    for rel in files.files.keys() {
        for dir in ancestors(rel) {
            if made.insert(dir) {
                let path = staging.join(dir);
                fs::create_dir(&path).map_err(|e| Error::io("create", &path, e))?;
            }
        }
    }
    let place = |(rel, file): &(&String, &crate::render::fileset::File)| -> Result<bool> {
        let dest = staging.join(rel);
        if survey.is_some_and(|s| s.unchanged.contains(*rel)) && fs::hard_link(target.join(rel), &dest).is_ok() {
            return Ok(false);
        }
        create(&dest, &file.bytes, file.mode).map(|()| true)
    };
    let (manifest, rest): (Vec<_>, Vec<_>) = files.files.iter().partition(|(rel, _)| *rel == MANIFEST);
    let mut stats = WriteStats::default();
    // MANIFEST.sha256 after the rest, so no file is newer than it.
    for written in rest.iter().chain(&manifest).map(place) {
        if written? {
            stats.written += 1;
        } else {
            stats.unchanged += 1;
        }
    }
    swap(staging, target)?;
    // After the swap, `staging` holds the old tree (or nothing).
    stats.removed = survey.map_or(0, Survey::removed_files);
    remove_if_present(staging)?;
    Ok(stats)
}

/// Puts `staging` at `target`; afterwards `staging` holds the old tree, if any.
fn swap(staging: &Path, target: &Path) -> Result<()> {
    if fs::symlink_metadata(target).is_err() {
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

/// One step of an incremental commit, kept to undo it.
enum Done {
    /// A new file renamed into place; `backup` holds the old version, if any.
    Placed { rel: String, backup: Option<PathBuf> },
    /// A directory created for new files.
    Made(PathBuf),
    /// A stray file unlinked; `backup` holds it.
    Removed { rel: String, backup: PathBuf },
    /// A stray directory removed.
    RemovedDir(PathBuf),
}

fn incremental(target: &Path, staging: &Path, backup: &Path, files: &FileSet, survey: &Survey) -> Result<WriteStats> {
    let changed: Vec<(&String, &crate::render::fileset::File)> =
        manifest_last(files).filter(|(rel, _)| !survey.unchanged.contains(*rel)).collect();
    fs::create_dir(staging).map_err(|e| Error::io("create", staging, e))?;
    fs::create_dir(backup).map_err(|e| Error::io("create", backup, e))?;
    // Staged files have flat names: no directories to make.
    for (i, (_, file)) in changed.iter().enumerate() {
        create(&staging.join(i.to_string()), &file.bytes, file.mode)?;
    }
    let mut done: Vec<Done> = Vec::new();
    let result = commit(target, staging, backup, &changed, survey, &mut done);
    if let Err(err) = result {
        undo(target, done);
        return Err(err);
    }
    Ok(WriteStats { written: changed.len(), unchanged: files.len() - changed.len(), removed: survey.removed_files() })
}

fn commit(
    target: &Path,
    staging: &Path,
    backup: &Path,
    changed: &[(&String, &crate::render::fileset::File)],
    survey: &Survey,
    done: &mut Vec<Done>,
) -> Result<()> {
    let mut kept = 0usize;
    let mut keep = |path: &Path| -> Result<PathBuf> {
        let copy = backup.join(format!("old-{kept}"));
        kept += 1;
        fs::hard_link(path, &copy).map(|()| copy).map_err(|e| Error::io("keep the old version of", path, e))
    };
    let (manifest, rest) = match changed.split_last() {
        Some((&(rel, _), rest)) if rel == MANIFEST => (Some(rel), rest),
        _ => (None, changed),
    };
    let place = |i: usize, rel: &String, done: &mut Vec<Done>, keep: &mut dyn FnMut(&Path) -> Result<PathBuf>| {
        let dest = target.join(rel);
        for dir in ancestors(rel) {
            let path = target.join(dir);
            match fs::create_dir(&path) {
                Ok(()) => done.push(Done::Made(path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(Error::io("create", &path, e)),
            }
        }
        let old = if fs::symlink_metadata(&dest).is_ok() { Some(keep(&dest)?) } else { None };
        let staged = staging.join(i.to_string());
        fs::rename(&staged, &dest).map_err(|e| Error::io("move into place", &dest, e))?;
        done.push(Done::Placed { rel: rel.clone(), backup: old });
        Ok(())
    };
    for (i, (rel, _)) in rest.iter().enumerate() {
        place(i, rel, done, &mut keep)?;
    }
    for (rel, is_dir) in &survey.strays {
        let path = target.join(rel);
        if *is_dir {
            fs::remove_dir(&path).map_err(|e| Error::io("remove", &path, e))?;
            done.push(Done::RemovedDir(path));
        } else {
            let copy = keep(&path)?;
            fs::remove_file(&path).map_err(|e| Error::io("remove", &path, e))?;
            done.push(Done::Removed { rel: rel.clone(), backup: copy });
        }
    }
    if let Some(rel) = manifest {
        place(rest.len(), rel, done, &mut keep)?;
    }
    Ok(())
}

/// Puts back what [`commit`] did, newest first (best effort: an error here
/// has no better answer than the error being reported).
fn undo(target: &Path, done: Vec<Done>) {
    for step in done.into_iter().rev() {
        let _ = match step {
            Done::Placed { rel, backup: Some(old) } => fs::rename(old, target.join(rel)),
            Done::Placed { rel, backup: None } => fs::remove_file(target.join(rel)),
            Done::Made(dir) => fs::remove_dir(dir),
            Done::Removed { rel, backup } => fs::rename(backup, target.join(rel)),
            Done::RemovedDir(dir) => fs::create_dir(dir),
        };
    }
}
