use clap::Parser;

// mimalloc: gen allocates many small strings on two threads, where glibc's
// malloc took a fifth of a large build.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = gen::cli::Cli::parse();
    std::process::exit(gen::run(cli));
}
