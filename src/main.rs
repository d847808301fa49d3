use clap::Parser;

fn main() {
    let cli = gen::cli::Cli::parse();
    std::process::exit(gen::run(cli));
}
