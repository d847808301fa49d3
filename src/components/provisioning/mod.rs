//! Provisioning: the machines (`hosts:`) made real and set up. Hetzner
//! Cloud through Terraform (`infra/main.tf.json`: servers, networks, load
//! balancers, volumes, placement groups) and the blue-green switch,
//! dedicated servers through Robot's installimage, every host through
//! cloud-init and the generated install.sh (packages, admins, sshd, the
//! stack's files and their owners, restarts on change), and the rollout
//! over many hosts with Ansible.
//!
//! Its rules cover what cloud-init, Terraform and installimage need (E6xx),
//! what the Hetzner Cloud API refuses (`limits`) and products that do not
//! match their description (`products`).

pub mod plan;
pub mod resolve;
pub mod rules;

/// Its entry of [`super::COMPONENTS`].
pub(super) const COMPONENT: super::Component = super::Component {
    name: "provisioning",
    folder: "provisioning",
    templates: &[
        "host/cloud-init.yaml.j2",
        "host/install.sh.j2",
        "host/installimage.j2",
        "host/gen-admins.j2",
        "host/sshd.conf.j2",
        "host/logrotate.j2",
        "infra/main.tf.json.j2",
        "infra/blue-green.sh.j2",
        "ansible/inventory.yml.j2",
        "ansible/rollout.yml.j2",
    ],
};
