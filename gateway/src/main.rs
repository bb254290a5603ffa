//! The `thads-hub` binary.

fn main() -> anyhow::Result<()> {
    thads_gateway::cli::main()
}
