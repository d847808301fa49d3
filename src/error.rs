//! Tool failures (I/O, usage, template bugs) and blueprint problems, with
//! the exit code each one maps to.

use std::path::PathBuf;

use crate::blueprint::LoadFailure;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot {action} `{}`: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
    /// A template failed to render: always a bug in gen or in `--templates`.
    #[error("template `{template}` failed; this is a bug in gen (or in --templates): {message}")]
    Template { template: String, message: String },
    /// One or more blueprints have errors; they have been printed.
    #[error("{count} blueprint(s) have errors")]
    Blueprint { count: usize, failures: Vec<LoadFailure> },
    /// `gen check` found that out/ differs from what the blueprints compile to.
    #[error("out/ is not what the blueprints compile to")]
    Drift,
}

impl Error {
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { action, path: path.into(), source }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Blueprint { .. } | Error::Drift => 1,
            Error::Io { .. } | Error::Usage(_) | Error::Template { .. } => 2,
        }
    }
}
