//! The `mailsetup-server` binary: reads the configuration, starts the server, waits for a
//! signal. Must not: hold any logic of its own (see `startup.rs`).

use std::process::ExitCode;

use clap::Parser;
use mailsetup_server::configuration::{Args, Configuration};
use mailsetup_server::startup::Application;
use mailsetup_server::telemetry;

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    telemetry::init(args.log_format);
    let result = async {
        let configuration = Configuration::from_args(args)?;
        let application = Application::build(configuration).await?;
        application.run_until_stopped().await
    }
    .await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            eprintln!("mailsetup-server: {error}");
            ExitCode::FAILURE
        }
    }
}
