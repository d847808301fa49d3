//! The blueprint type of a service's Redis (`services[].redis`).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::blueprint::units::{Image, Size};

/// A service's Redis.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceRedis {
    /// The Redis image, with a fixed tag. Left out: `redis:7.4.2-alpine`.
    #[serde(default)]
    #[schemars(example = &"redis:7.4.2-alpine")]
    pub image: Option<Image>,
    /// Redis's `maxmemory`, binary units. The container's memory limit is
    /// derived from it (1.5 ×, twice with `data_dir`: an append-only rewrite
    /// forks the process). Left out: `64M`.
    #[serde(default)]
    #[schemars(example = &"256M")]
    pub memory: Option<Size>,
    /// A host directory for an append-only file (`appendonly yes`, nothing
    /// evicted: queues and sessions that must survive a restart), created
    /// for the image's redis user and covered by backups like any data
    /// (W517). Left out: a cache, nothing on disk, the least recently used
    /// keys evicted at `memory`.
    #[serde(default)]
    #[schemars(example = &"/srv/app/redis")]
    pub data_dir: Option<String>,
}

impl ServiceRedis {
    pub const DEFAULT_IMAGE: &'static str = "redis:7.4.2-alpine";
    pub const DEFAULT_MEMORY: Size = Size(64 << 20);

    /// `maxmemory`: `memory`, else [`Self::DEFAULT_MEMORY`].
    pub fn max_memory(&self) -> Size {
        self.memory.unwrap_or(Self::DEFAULT_MEMORY)
    }
}
