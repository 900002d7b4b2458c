//! A Kubernetes API for a simulated world, so that a real `kubectl` drives it:
//! `gitops-lab cluster` (an empty cluster) and `gitops-lab play --real-tools`
//! (a lab's world). The world stays sans-IO: this host owns it behind a mutex,
//! moves its clock from wall time, and calls the simulator's typed API
//! (`simulator::kube::api`) for each request.
//!
//! - `tls`: a CA and a server certificate per session; `kubeconfig`: the file kubectl reads.
//! - `discovery`: `/version`, `/api`, `/apis` (aggregated too), `/openapi/v3`.
//! - `handlers`: GET, LIST, WATCH, CREATE, UPDATE, PATCH, DELETE, `/scale`, `pods/log`.
//! - `watch`: the watch cache; `patch`: the four patch types; `protobuf`: protobuf bodies.
//! - `clock`: simulated time from wall time, and timestamps rebased for serving.

pub mod clock;
pub mod discovery;
pub mod handlers;
pub mod kubeconfig;
pub mod patch;
pub mod protobuf;
pub mod tls;
pub mod types;
pub mod watch;

use simulator::World;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use clock::Clock;
use types::Registry;
use watch::WatchCache;

/// How often the host moves the world's clock.
pub const TICK: Duration = Duration::from_millis(100);

/// Everything one session holds: the world, its clock, what watches read.
pub struct Session {
    pub world: World,
    pub clock: Clock,
    pub cache: WatchCache,
    pub registry: Registry,
    /// The namespace the kubeconfig's context names (commands in it are recorded without `-n`).
    pub default_namespace: String,
    /// Whether the world's outputs are kept for a terminal to print (else dropped at each tick).
    pub keep_outputs: bool,
    /// Commands already written to the journal, by kubectl session.
    recorded: HashSet<(String, String)>,
}

impl Session {
    /// Moves the world to the clock's time and brings the watch cache up to date.
    pub fn tick(&mut self) {
        let now = self.clock.now();
        if now > self.world.now() {
            self.world.advance_to(now);
        }
        self.after_change();
    }

    /// Brings the watch cache up to date after the world changed.
    pub fn after_change(&mut self) {
        self.cache.sync(&self.world.cluster().store);
        if !self.keep_outputs {
            while self.world.poll_output().is_some() {}
        }
    }

    /// Records a real kubectl's command once per kubectl invocation.
    pub fn record_command(&mut self, kubectl_session: &str, line: &str) {
        if self.recorded.insert((kubectl_session.to_string(), line.to_string())) {
            let now = self.clock.now().max(self.world.now());
            self.world.api_record_command(now, line);
        }
    }
}

/// The shared state of a running API host.
pub struct Host {
    session: Mutex<Session>,
    changes: tokio::sync::watch::Sender<u64>,
    pub token: String,
    pub server_address: String,
}

impl Host {
    /// Locks the session (a poisoned lock is taken over: the world is still consistent,
    /// since every change to it happens inside the simulator's own calls).
    pub fn lock(&self) -> MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the session with the world's clock current, then wakes the watches.
    pub fn with_session<R>(&self, f: impl FnOnce(&mut Session) -> R) -> R {
        let (r, rv) = {
            let mut s = self.lock();
            s.tick();
            let r = f(&mut s);
            s.after_change();
            (r, s.world.api_resource_version())
        };
        self.changes.send_replace(rv);
        r
    }

    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }
}

/// What to serve and where.
pub struct Options {
    /// `127.0.0.1:0` picks a free port.
    pub addr: String,
    pub speed: f64,
    pub namespace: String,
    pub keep_outputs: bool,
}

/// A running API host: its address, kubeconfig text and the thread serving it.
pub struct ApiServer {
    pub host: Arc<Host>,
    pub addr: SocketAddr,
    pub kubeconfig: String,
    /// The session's CA certificate (PEM), for clients other than kubectl.
    pub ca_pem: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ApiServer {
    /// Serves `world` on `options.addr` (127.0.0.1 only) over TLS, in a thread of its own.
    pub fn start(world: World, options: Options) -> Result<ApiServer, String> {
        let addr: SocketAddr = options.addr.parse().map_err(|e| format!("--addr {}: {e}", options.addr))?;
        if !addr.ip().is_loopback() {
            return Err(format!("--addr {addr}: the simulated cluster serves 127.0.0.1 only"));
        }
        let std_listener = std::net::TcpListener::bind(addr).map_err(|e| format!("listening on {addr}: {e}"))?;
        std_listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let addr = std_listener.local_addr().map_err(|e| e.to_string())?;
        let tls = tls::generate()?;
        let token: String = (0..32).map(|_| format!("{:02x}", rand::random::<u8>())).collect();
        let server = format!("https://{addr}");
        let kubeconfig = kubeconfig::render(&server, &tls.ca_pem, &token, &options.namespace);
        let ca_pem = tls.ca_pem.clone();
        let clock = Clock::new(world.now(), options.speed);
        let cache = WatchCache::new(&world.cluster().store);
        let rv = world.api_resource_version();
        let session = Session {
            world,
            clock,
            cache,
            registry: Registry::default(),
            default_namespace: options.namespace.clone(),
            keep_outputs: options.keep_outputs,
            recorded: HashSet::new(),
        };
        let (changes, _) = tokio::sync::watch::channel(rv);
        let host = Arc::new(Host { session: Mutex::new(session), changes, token, server_address: addr.to_string() });
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel();
        let serving = host.clone();
        let thread = std::thread::Builder::new()
            .name("kubeapi".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a tokio runtime");
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(std_listener).expect("a tokio listener");
                    let ticker = serving.clone();
                    tokio::spawn(async move {
                        let mut interval = tokio::time::interval(TICK);
                        loop {
                            interval.tick().await;
                            ticker.with_session(|_| ());
                        }
                    });
                    handlers::serve(listener, tls.server_config, serving, shutdown_rx).await;
                });
            })
            .map_err(|e| e.to_string())?;
        Ok(ApiServer { host, addr, kubeconfig, ca_pem, shutdown: Some(shutdown_tx), thread: Some(thread) })
    }

    /// Stops serving and waits for the server's thread.
    pub fn stop(mut self) {
        self.shutdown_now();
    }

    fn shutdown_now(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        self.shutdown_now();
    }
}

/// Waits for Ctrl-C or SIGTERM.
pub fn wait_for_signal() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
    runtime.block_on(async {
        #[cfg(unix)]
        {
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("a SIGTERM handler");
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    });
}

/// `gitops-lab cluster`: an empty simulated cluster served until Ctrl-C or SIGTERM.
pub fn run_cluster(kubeconfig_path: &std::path::Path, addr: &str, seed: Option<u64>) -> std::process::ExitCode {
    let seed = seed.unwrap_or_else(rand::random);
    let start = simulator::SimTime(clock::wall_millis());
    let world = simulator::Session::empty_cluster(seed, start);
    let server =
        match ApiServer::start(world, Options { addr: addr.to_string(), speed: 1.0, namespace: "default".into(), keep_outputs: false }) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                return std::process::ExitCode::from(2);
            }
        };
    if let Err(e) = kubeconfig::write(kubeconfig_path, &server.kubeconfig) {
        eprintln!("error: writing the kubeconfig: {e}");
        return std::process::ExitCode::from(2);
    }
    let shown = kubeconfig_path.canonicalize().unwrap_or_else(|_| kubeconfig_path.to_path_buf());
    println!("A simulated cluster (3 nodes, controllers, kubelet; no agent) is serving the Kubernetes API on https://{}.", server.addr);
    println!("Use it from your shell:\n\n  export KUBECONFIG={}\n  kubectl get nodes\n", shown.display());
    println!("Ctrl-C or SIGTERM stops it.");
    wait_for_signal();
    println!("\nStopping the simulated cluster.");
    server.stop();
    std::process::ExitCode::SUCCESS
}
