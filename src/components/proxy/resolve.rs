//! The proxy component's records: the nginx of a host (`nginx`) and its
//! vhosts with their certificates (`vhost`), which every serving kind
//! builds from one `VhostBase`.

pub mod nginx;
pub mod vhost;
