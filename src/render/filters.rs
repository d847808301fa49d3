//! Template filters: one per quoting job, each a function of [`crate::quote`].

use minijinja::Environment;

use crate::quote::{nginx_str, sh_str, yaml_str};

pub fn register(env: &mut Environment<'_>) {
    env.add_filter("yaml_str", yaml_str);
    env.add_filter("nginx_str", nginx_str);
    env.add_filter("sh_str", sh_str);
}
