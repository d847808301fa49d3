//! Hetzner Cloud server types: what each offers and whether it can still be
//! ordered. Specs are the provider's published figures; prices belong to the
//! cost report and are not kept here.

use crate::blueprint::units::Size;

#[derive(Debug, Clone, Copy)]
pub struct ServerType {
    pub name: &'static str,
    pub vcpus: u32,
    pub memory: Size,
    pub disk: Size,
    pub dedicated_cpu: bool,
    /// The type that replaced this one, when it can no longer be ordered.
    pub replaced_by: Option<&'static str>,
    /// When the provider stopped offering it.
    pub removed: Option<&'static str>,
}

const fn t(name: &'static str, vcpus: u32, mem_gib: u64, disk_gib: u64, dedicated_cpu: bool) -> ServerType {
    ServerType {
        name,
        vcpus,
        memory: Size::gib(mem_gib),
        disk: Size::gib(disk_gib),
        dedicated_cpu,
        replaced_by: None,
        removed: None,
    }
}

const fn gone(mut st: ServerType, replaced_by: &'static str) -> ServerType {
    st.replaced_by = Some(replaced_by);
    // Deprecated 2025-10-16, no longer orderable from January 2026.
    st.removed = Some("2026-01");
    st
}

/// Hetzner Cloud locations and their network zones (Hetzner Cloud API,
/// `GET /v1/locations`, field `network_zone`). A private network's subnet
/// lives in one zone, and only servers and load balancers of that zone
/// attach to it; a load balancer's targets are in its own zone.
pub const NETWORK_ZONES: &[(&str, &str)] = &[
    ("fsn1", "eu-central"),
    ("nbg1", "eu-central"),
    ("hel1", "eu-central"),
    ("ash", "us-east"),
    ("hil", "us-west"),
    ("sin", "ap-southeast"),
];

/// The network zone of a Hetzner Cloud location (`nbg1` → `eu-central`);
/// `None` for a location the catalog does not know.
pub fn network_zone(location: &str) -> Option<&'static str> {
    NETWORK_ZONES.iter().find(|(l, _)| l.eq_ignore_ascii_case(location)).map(|(_, z)| *z)
}

/// Servers a spread placement group holds at most (Hetzner Cloud docs,
/// "Placement groups": each server of a group on another physical host).
pub const SPREAD_GROUP_SIZE: usize = 10;

/// Hetzner managed certificates (Let's Encrypt) take at most 100 names
/// (Hetzner Cloud API, `POST /v1/certificates`, `domain_names`).
pub const NAMES_PER_CERTIFICATE: usize = 100;

pub const CLOUD_TYPES: &[ServerType] = &[
    gone(t("cx22", 2, 4, 40, false), "cx23"),
    gone(t("cx32", 4, 8, 80, false), "cx33"),
    gone(t("cx42", 8, 16, 160, false), "cx43"),
    gone(t("cx52", 16, 32, 320, false), "cx53"),
    t("cx23", 2, 4, 40, false),
    t("cx33", 4, 8, 80, false),
    t("cx43", 8, 16, 160, false),
    t("cx53", 16, 32, 320, false),
    t("ccx13", 2, 8, 80, true),
    t("ccx23", 4, 16, 160, true),
    t("ccx33", 8, 32, 240, true),
    t("ccx43", 16, 64, 360, true),
    t("ccx53", 32, 128, 600, true),
    t("ccx63", 48, 192, 960, true),
];

pub fn cloud_type(name: &str) -> Option<&'static ServerType> {
    CLOUD_TYPES.iter().find(|t| t.name.eq_ignore_ascii_case(name))
}
