//! Rules of a service's Redis: W222, an image other than the official one
//! (gen writes the official image's command line and its data owner).
//! Its name (E202), limits (capacity), data directory (E212, E228, W517)
//! come from the shared rules over its records.

use crate::blueprint::model::Blueprint;
use crate::diag::Finding;

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (i, s) in bp.services.iter().enumerate() {
        let Some(image) = s.redis.as_ref().and_then(|r| r.image.as_ref()) else { continue };
        let official = ["redis:", "docker.io/library/redis:", "library/redis:"].iter().any(|p| image.0.starts_with(p));
        if !official {
            out.push(
                Finding::warning("W222", format!("/services/{i}/redis/image"), format!("`{image}` is not the official redis image"))
                    .hint("gen writes the official image's command line (`redis-server …`) and its data owner (uid 999); use `redis:<version>` or check that this image takes both")
                    .at_value(),
            );
        }
    }
}
