//! The provisioning component's records: what install.sh and cloud-init do
//! on a host (`provision`) and Robot's installimage config (`installimage`).

pub mod installimage;
pub mod provision;
