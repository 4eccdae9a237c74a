//! Runs a sandbox until Ctrl-C: `cargo run -p offerkit-sandbox --example serve -- [PORT] [STATIC_TOKEN]`.
//!
//! With a static token, every API accepts `Authorization: Bearer <token>` / `x-publisher-token: <token>`
//! without calling a token endpoint (handy for schemathesis and shell scripts).

use offerkit_sandbox::{Sandbox, SandboxConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let port = args.next().map(|p| p.parse()).transpose()?.unwrap_or(8080);
    let mut config = SandboxConfig {
        port,
        ..SandboxConfig::default()
    };
    if let Some(token) = args.next() {
        config.static_tokens.push(token);
    }
    let sandbox = Sandbox::start_with(config).await?;
    println!("offerkit sandbox listening on {}", sandbox.base_url());
    sandbox.wait().await?;
    Ok(())
}
