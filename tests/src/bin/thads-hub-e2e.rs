//! The hub binary, built inside the end-to-end test package so its tests can start, kill and
//! restart real hub processes (`CARGO_BIN_EXE_thads-hub-e2e`). Same code as `thads-hub`.

fn main() -> anyhow::Result<()> {
    thads_gateway::cli::main()
}
