//! The proxy component's blueprint types: `proxy:`, the nginx reverse
//! proxy's settings.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::blueprint::model::Resources;
use crate::blueprint::units::{Image, Size};

/// Settings of the nginx reverse proxy.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Proxy {
    /// The nginx image; its tag decides which syntax the configs use
    /// (`http2 on;` from 1.25.1). Left out: `nginx:1.28.0-alpine`.
    #[serde(default)]
    #[schemars(example = &"nginx:1.28.0-alpine")]
    pub image: Option<Image>,
    /// CPU and memory of the nginx container. Left out: no limit.
    #[serde(default)]
    pub resources: Option<Resources>,
    /// Largest request body (uploads), nginx `client_max_body_size`, binary
    /// units. Left out: `16M`.
    #[serde(default)]
    #[schemars(example = &"100M")]
    pub max_body: Option<Size>,
}
