//! Command-line types (clap). Behaviour lives in `lib.rs` and `commands`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// The exit codes every command shares (README, "Commands", has the table
/// per command).
const EXIT_STATUS: &str = "Exit status: 0 success; 1 the blueprints have errors (or warnings with \
--deny warnings), out/ drifted (check), or a server would be replaced (plan --base); \
2 usage, input/output or a bad git revision.";

#[derive(Debug, Parser)]
#[command(
    name = "gen",
    version,
    about = "Compile a typed blueprint of a self-hosted stack into every file its hosts need",
    after_long_help = EXIT_STATUS
)]
pub struct Cli {
    /// Project directory holding blueprints/ and out/.
    #[arg(long, short = 'C', global = true, default_value = ".")]
    pub dir: PathBuf,
    /// Render with templates from this directory instead of the built-in ones.
    #[arg(long, global = true)]
    pub templates: Option<PathBuf>,
    /// Colour: auto (only on a terminal and without NO_COLOR), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    Warnings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Template {
    Odoo,
    Websites,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile blueprints (default: every blueprints/*.yaml) and write out/.
    Build {
        blueprints: Vec<PathBuf>,
        /// Also write each blueprint's render context (every artifact's
        /// template, path, mode and `plan`/`item`/`header`) to DIR/<blueprint>.json.
        #[arg(long, value_name = "DIR")]
        export_context: Option<PathBuf>,
    },
    /// Compile in memory and compare with out/; exit 1 on any drift.
    Check {
        blueprints: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Report diagnostics only.
    Lint {
        blueprints: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Fail on warnings too.
        #[arg(long, value_enum)]
        deny: Option<Deny>,
    },
    /// Show derived values: hosts, allocations, ports, with their reasons;
    /// with --base, what deploying the change since a git revision does.
    Plan {
        blueprint: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Predict the deploy from the blueprint as committed at this git
        /// revision: per host the files, install.sh's restarts and reloads,
        /// the compose services recreated, and servers Terraform replaces.
        #[arg(long, value_name = "GIT-REV")]
        base: Option<String>,
    },
    /// Print the cost summary (default: every blueprint), or with --base the
    /// cost difference since a git revision.
    Cost {
        blueprints: Vec<PathBuf>,
        /// Compare with the blueprint as committed at this git revision.
        #[arg(long, value_name = "GIT-REV")]
        base: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print the blueprint JSON Schema.
    Schema,
    /// Create a project in the directory (-C DIR, default the current one):
    /// blueprints/, schemas/ with the blueprint and cost schemas, out/, a
    /// .gitignore, a GitHub Actions workflow and a pre-commit configuration
    /// running `gen check`. Existing files are kept, never overwritten.
    Init,
    /// Write a neutral, commented starter blueprint to blueprints/NAME.yaml
    /// (and schemas/blueprint.schema.json when the project has none).
    New {
        #[arg(long, value_enum)]
        from: Template,
        name: String,
    },
    /// Explain a diagnostic code (`gen explain E813`): what it means, an
    /// example that triggers it, and the fix; without a code, list them all.
    Explain { code: Option<String> },
    /// Print a completion script for SHELL (bash, zsh, fish, elvish,
    /// powershell), generated from these definitions. Install for bash:
    /// `gen completions bash > /etc/bash_completion.d/gen`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page gen(1) in roff, generated from these
    /// definitions (`gen man | man -l -`); with --out DIR, write gen.1 and a
    /// page per command (gen-build.1 and so on) into DIR, e.g.
    /// /usr/local/share/man/man1.
    Man {
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Print a synthetic blueprint for benchmarks and fuzzing (hidden).
    #[command(hide = true)]
    Synth {
        #[arg(long, default_value_t = 1000)]
        sites: usize,
        /// Web hosts; each site runs on a pair of them.
        #[arg(long, default_value_t = 50)]
        hosts: usize,
        #[arg(long, default_value = "synth")]
        name: String,
        /// The websites' phase-2 shape instead: the phase-1 reference with
        /// the hosts split over two regions, a network and a load balancer
        /// each (phase 2 is --sites 100 --hosts 4).
        #[arg(long)]
        phase2: bool,
    },
}
