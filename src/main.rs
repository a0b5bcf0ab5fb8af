//! `fauxlambda`: starts the Lambda API on `--listen` and serves until Ctrl-C.

use clap::Parser;
use fauxlambda::api::Api;
use fauxlambda::config::Config;
use fauxlambda::context::RequestContext;
use fauxlambda::state::{State, StateHandle};
use fauxlambda::store::Store;
use std::sync::Arc;

#[tokio::main]
async fn main() {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&config.log_level).unwrap_or_else(|_| "info".into()))
        .with_target(false)
        .init();
    if let Err(e) = run(config).await {
        tracing::error!("{e}");
        std::process::exit(1);
    }
}

async fn run(config: Config) -> Result<(), String> {
    // A temporary data directory lives as long as the server.
    let (_tmp, data_dir) = match &config.data_dir {
        Some(d) => (None, d.clone()),
        None => {
            let t = tempfile::Builder::new().prefix("fauxlambda-").tempdir().map_err(|e| format!("creating a data directory: {e}"))?;
            let p = t.path().to_path_buf();
            (Some(t), p)
        }
    };
    let store = Store::open(&data_dir).map_err(|e| format!("opening {}: {e}", data_dir.display()))?;
    let listener = tokio::net::TcpListener::bind(config.listen).await.map_err(|e| format!("listening on {}: {e}", config.listen))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let mut exec_config = fauxlambda::runtime::ExecutorConfig::new(data_dir.clone());
    for rc in &config.runtime_commands {
        let (runtime, command) = rc.split_once('=').ok_or_else(|| format!("--runtime-command {rc:?}: expected RUNTIME=COMMAND"))?;
        exec_config.runtime_commands.insert(runtime.to_string(), command.to_string());
    }
    exec_config.node_ric = config.node_ric.clone();
    exec_config.force_own_clients = config.own_runtime_clients;
    // Functions reach fauxlambda (and, through it, their siblings) without extra setup.
    exec_config.extra_env.insert("AWS_ENDPOINT_URL".into(), format!("http://{local}"));
    let pool = fauxlambda::runtime::Pool::new(
        fauxlambda::runtime::ProcessExecutor::new(exec_config),
        fauxlambda::runtime::PoolConfig {
            max_environments: config.max_environments.max(1),
            keepalive: std::time::Duration::from_secs(config.keepalive),
            ..Default::default()
        },
    );
    let execution = fauxlambda::execution::Execution::new(pool);
    let api = Api {
        execution: execution.clone(),
        state: StateHandle::spawn(State::default()),
        store,
        defaults: RequestContext {
            region: Arc::from(config.region.as_str()),
            account: Arc::from(config.account_id.as_str()),
            base_url: Arc::from(format!("http://{local}").as_str()),
        },
        s3_endpoint: config.s3_endpoint(),
    };
    // Both executor choices run local processes until the Docker executor lands.
    let _ = config.executor;
    tracing::info!(
        "fauxlambda listening on http://{local} (region {}, account {}, data {}, functions run as local processes)",
        config.region,
        config.account_id,
        data_dir.display()
    );
    fauxlambda::server::serve(listener, api, async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    })
    .await
    .map_err(|e| e.to_string())?;
    execution.pool.shutdown().await;
    Ok(())
}
