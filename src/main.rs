//! `fauxlambda`: starts the Lambda API on `--listen` and serves until Ctrl-C or SIGTERM, then
//! stops its execution environments (and removes its containers).

use clap::Parser;
use fauxlambda::api::async_invocation::{schedule::Schedule, AsyncQueue};
use fauxlambda::api::restart::Loaded;
use fauxlambda::api::Api;
use fauxlambda::config::{self, Config};
use fauxlambda::context::RequestContext;
use fauxlambda::data_dir::DataDir;
use fauxlambda::execution::bubblewrap::{Bubblewrap, Unavailable};
use fauxlambda::execution::{AutoExecutor, DockerConfig, DockerExecutor, Executor, ExecutorConfig, ProcessExecutor};
use fauxlambda::services::Services;
use fauxlambda::state::database::Database;
use fauxlambda::state::{Namespaces, StateHandle};
use fauxlambda::store::Store;
use std::sync::Arc;

fn main() {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&config.log_level).unwrap_or_else(|_| "info".into()))
        .with_target(false)
        // Colours only on a terminal: a log redirected to a file stays plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    let event_loop = match config.worker_threads {
        1 => tokio::runtime::Builder::new_current_thread().enable_all().build(),
        n => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(n.into())
            .enable_all()
            .build(),
    };
    let event_loop = event_loop.unwrap_or_else(|e| {
        eprintln!("starting the event loop: {e}");
        std::process::exit(1);
    });
    if let Err(e) = event_loop.block_on(run(config)) {
        tracing::error!("{e}");
        std::process::exit(1);
    }
}

/// Raises the open-file limit to its hard limit (each environment needs a few descriptors, each
/// connection one), and returns it.
fn raise_open_file_limit() -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit read and write only the struct given.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 8192;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim.rlim_cur = lim.rlim_max;
            }
        }
    }
    lim.rlim_cur
}

async fn run(config: Config) -> Result<(), String> {
    // A temporary data directory lives as long as the server; a given one is locked, and holds
    // the state across restarts.
    let data = DataDir::open(config.data_dir.as_deref())?;
    let data_dir = data.path().to_path_buf();
    let mut store = Store::open(&data_dir).map_err(|e| format!("opening {}: {e}", data_dir.display()))?;
    let (state, loaded) = if data.persistent {
        store = store.durable();
        let started = std::time::Instant::now();
        let db = Database::open(&data_dir)?;
        let (mut namespaces, events) = Namespaces::load(db.load()?)?;
        let loaded = Loaded::prepare(&mut namespaces, events);
        tracing::info!(
            "state kept in {}: {} function(s) loaded in {} ms",
            db.path().display(),
            loaded.function_count(),
            started.elapsed().as_millis()
        );
        (StateHandle::start(namespaces, Some(db)), Some(loaded))
    } else {
        tracing::info!("state kept in memory only, dropped at exit (--data-dir keeps it)");
        (StateHandle::spawn(), None)
    };
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("listening on {}: {e}", config.listen))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let services = Arc::new(Services::new(&config.endpoint_flags())?);
    let (executor, extra_listener) = executor(&config, &data_dir, local, &services).await?;
    let pool = fauxlambda::execution::Pool::new(
        executor.clone(),
        fauxlambda::execution::PoolConfig {
            max_environments: config.max_environments.max(1),
            keepalive: std::time::Duration::from_secs(config.keepalive),
            ..Default::default()
        },
    );
    let execution = fauxlambda::execution::Execution::new(pool);
    let open_files = raise_open_file_limit();
    let limits = fauxlambda::server::ConnectionLimits {
        bodies: fauxlambda::body_budget::BodyBudget::new(config.body_buffer_mb),
        idle_timeout: std::time::Duration::from_secs_f64(config.idle_timeout),
        // Half the open-file limit at most, unless chosen: the rest is for environments and files.
        max_connections: config
            .max_connections
            .map_or((open_files / 2).clamp(1, 4096) as usize, |n| n as usize),
    };
    let api = Api {
        execution: execution.clone(),
        state,
        store,
        defaults: RequestContext {
            region: Arc::from(config.region.as_str()),
            account: Arc::from(config.account_id.as_str()),
            base_url: Arc::from(format!("http://{local}").as_str()),
            request_id: Arc::from(""),
        },
        services,
        async_queue: AsyncQueue::new(
            Schedule::new(config.async_retry_base_delay),
            (config.async_queue_mb as usize) << 20,
        ),
        event_sources: Default::default(),
    };
    if let Some(loaded) = loaded {
        let events = fauxlambda::api::restart::resume(&api, loaded);
        fauxlambda::api::hot_reload::sync_all(&api).await;
        if events > 0 {
            tracing::info!("{events} queued asynchronous event(s) back in their queues");
        }
    }
    let runs = match &executor {
        Executor::Process(_) => "functions run as local processes".to_owned(),
        Executor::Docker(d) => format!("functions run in Docker containers, network {}", d.networking().mode),
        Executor::Auto(a) => format!(
            "functions run in Docker containers, network {}, or as local processes when their image is not available",
            a.docker.networking().mode
        ),
    };
    tracing::info!(
        "fauxlambda listening on http://{local} (region {}, account {}, data {}, {runs})",
        config.region,
        config.account_id,
        data_dir.display()
    );
    let functions_audience = executor
        .docker()
        .map(|d| fauxlambda::server::Audience::Functions(d.networking().subnet));
    if let (Some(l), Some(d)) = (&extra_listener, executor.docker()) {
        let net = d.networking();
        let from = net.subnet.map_or_else(|| "any address".to_owned(), |s| s.to_string());
        tracing::info!(
            "functions in containers reach fauxlambda's Lambda API at http://{} (Docker network {}, connections from {from} only; /_fauxlambda/ is not served there)",
            l.local_addr().map_err(|e| e.to_string())?,
            net.mode
        );
    }
    let runtime_apis = match executor.docker() {
        Some(d) if !d.networking().is_host() && matches!(executor, Executor::Auto(_)) => {
            format!("{} (containers) or 127.0.0.1 (processes)", d.networking().host_ip)
        }
        Some(d) => d.networking().host_ip.to_string(),
        None => "127.0.0.1".to_owned(),
    };
    tracing::info!(
        "each execution environment's Runtime API listens on {runtime_apis}, on a port of its own, and serves that environment only"
    );
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    };
    // Where bridged containers reach fauxlambda (host.docker.internal), when not already.
    let iam = std::sync::Arc::new(config.iam_credentials.clone().unwrap_or_default());
    let extra = extra_listener.map(|l| {
        let audience = functions_audience.unwrap_or(fauxlambda::server::Audience::Functions(None));
        tokio::spawn(fauxlambda::server::serve(
            l,
            api.clone(),
            limits.clone(),
            audience,
            iam.clone(),
            stopped(),
        ))
    });
    let main = fauxlambda::server::serve(
        listener,
        api,
        limits,
        fauxlambda::server::Audience::Everyone,
        iam,
        stopped(),
    );
    tokio::spawn(async move {
        // Ctrl-C, or SIGTERM (`docker stop`, `kill`).
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        let terminated = async {
            match term.as_mut() {
                Some(t) => {
                    t.recv().await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminated => {}
        }
        tracing::info!("shutting down");
        let _ = stop_tx.send(true);
    });
    main.await.map_err(|e| e.to_string())?;
    if let Some(e) = extra {
        let _ = e.await;
    }
    execution.pool.shutdown().await;
    if let Some(d) = executor.docker() {
        d.remove_own().await;
    }
    Ok(())
}

/// The executor `--executor` asks for, and for bridged containers a listener on the address
/// they reach the host at (when fauxlambda listens on loopback only).
async fn executor(
    config: &Config,
    data_dir: &std::path::Path,
    local: std::net::SocketAddr,
    services: &Services,
) -> Result<(Executor, Option<tokio::net::TcpListener>), String> {
    let pairs = |flag: &str, items: &[String]| -> Result<std::collections::BTreeMap<String, String>, String> {
        items
            .iter()
            .map(|i| {
                i.split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .ok_or_else(|| format!("{flag} {i:?}: expected RUNTIME=VALUE"))
            })
            .collect()
    };
    let runtime_commands = pairs("--runtime-command", &config.runtime_commands)?;
    let runtime_images = pairs("--runtime-image", &config.runtime_images)?;
    let processes = || process_executor(config, data_dir, local, runtime_commands.clone(), services);
    if config.executor == config::Executor::Process {
        return Ok((Executor::Process(processes()?), None));
    }
    let docker_config = DockerConfig {
        data_dir: data_dir.to_path_buf(),
        runtime_images,
        network: config.docker_network.clone(),
        copy_code: config.docker_copy_code,
        extra_env: function_endpoints(services, &format!("http://{{host}}:{}", local.port()), true),
    };
    let docker = match DockerExecutor::connect(docker_config).await {
        Ok(d) => d,
        Err(e) if config.executor == config::Executor::Docker => return Err(format!("--executor docker: {e}")),
        Err(e) => {
            tracing::info!("no Docker engine ({e}): functions run as local processes");
            return Ok((Executor::Process(processes()?), None));
        }
    };
    let net = docker.networking();
    let mut extra = None;
    if !net.is_host() && local.ip().is_loopback() {
        let addr = std::net::SocketAddr::new(net.host_ip, local.port());
        match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => extra = Some(l),
            Err(e) => tracing::warn!(
                "functions in containers cannot reach fauxlambda at {addr}: {e} (listen on 0.0.0.0, or use --docker-network host)"
            ),
        }
    }
    let executor = match config.executor {
        config::Executor::Docker => Executor::Docker(docker),
        _ => Executor::Auto(AutoExecutor::new(docker, processes()?)),
    };
    Ok((executor, extra))
}

/// The process executor of `--runtime-command`, `--node-ric` and `--own-runtime-clients`.
fn process_executor(
    config: &Config,
    data_dir: &std::path::Path,
    local: std::net::SocketAddr,
    runtime_commands: std::collections::BTreeMap<String, String>,
    services: &Services,
) -> Result<std::sync::Arc<ProcessExecutor>, String> {
    let mut exec_config = ExecutorConfig::new(data_dir.to_path_buf());
    exec_config.runtime_commands = runtime_commands;
    if let Some(dir) = &config.node_ric {
        if !dir.join("bin/index.mjs").is_file() {
            return Err(format!(
                "--node-ric {}: no bin/index.mjs there (name the aws-lambda-ric package's directory)",
                dir.display()
            ));
        }
    }
    exec_config.node_ric = config.node_ric.clone();
    exec_config.force_own_clients = config.own_runtime_clients;
    exec_config.extra_env = function_endpoints(services, &format!("http://{local}"), false);
    let bubblewrap = if config.no_bwrap {
        Err(Unavailable::Disabled)
    } else {
        Bubblewrap::detect()
    };
    match bubblewrap {
        Ok(b) => {
            tracing::info!(
                "local process environments run in bubblewrap sandboxes ({}): host read-only, private /tmp, own pid namespace and /proc",
                b.program.display()
            );
            exec_config.bubblewrap = Some(b);
        }
        Err(why) => tracing::warn!(
            "local process environments run without a sandbox: {why}; their /tmp is the host's, their processes can see the host's and can outlive them (install bubblewrap to isolate them)"
        ),
    }
    Ok(ProcessExecutor::new(exec_config))
}

/// The endpoint variables of every function: fauxlambda for Lambda (and for any service without
/// an endpoint of its own), the configured endpoint of each other service. In containers
/// (`bridged`) a loopback host is `{host}`, the address containers reach the host at.
fn function_endpoints(
    services: &Services,
    fauxlambda: &str,
    bridged: bool,
) -> std::collections::BTreeMap<String, String> {
    let mut vars = services.function_variables();
    if bridged {
        for url in vars.values_mut() {
            for loopback in ["127.0.0.1", "localhost"] {
                if let Some(rest) = url.strip_prefix(&format!("http://{loopback}")) {
                    *url = format!("http://{{host}}{rest}");
                }
            }
        }
    }
    // Functions reach fauxlambda (and, through it, their siblings) without extra setup.
    vars.insert("AWS_ENDPOINT_URL".into(), fauxlambda.to_owned());
    vars.insert("AWS_ENDPOINT_URL_LAMBDA".into(), fauxlambda.to_owned());
    vars
}
