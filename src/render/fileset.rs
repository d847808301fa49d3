//! A set of files in memory: relative path → bytes and mode. Ordered, so
//! every walk over it is deterministic.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub bytes: Vec<u8>,
    pub mode: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSet {
    pub files: BTreeMap<String, File>,
}

impl FileSet {
    pub fn insert(&mut self, path: String, bytes: Vec<u8>, mode: u32) {
        self.files.insert(path, File { bytes, mode });
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}
