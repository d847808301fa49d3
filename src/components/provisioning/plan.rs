//! What the provisioning templates see: Terraform's JSON and the blue-green
//! switch (`terraform`), and the Ansible inventory and playbook (`rollout`).

pub mod rollout;
pub mod terraform;
