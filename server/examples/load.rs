//! The server's load bench (`cargo xtask bench` runs it for both engines):
//!
//! ```sh
//! cargo run --release -p mailsetup-server --example load -- \
//!     --engine sqlite|postgres --domains 10000 --clients 64 --requests 20000 --max-seconds 20
//! ```
//!
//! Starts the server in this process (`Application::build` on 127.0.0.1:0, SQLite in a fresh
//! temporary directory or a database in a throwaway PostgreSQL cluster, a tokens file of its
//! own), seeds the book through the API (`PUT` with `If-None-Match: *`, the clients together,
//! timed apart), then runs `--rounds` rounds (3) of two phases, each phase bounded by
//! `--requests` and `--max-seconds`, whichever comes first:
//!
//! - the floor: every client sends `GET /healthz`, the cheapest answer the server gives;
//! - the mixed load: every client draws, request by request, a read of one entry, a read of
//!   the list with `If-None-Match` of the last list tag it saw, a `POST /api/v1/lookup` of an
//!   address, or a write (`PUT` with `If-Match` of the tag it holds). Each client owns a
//!   disjoint share of the domains and writes only those, so its tags stay current and every
//!   write should succeed; reads and lookups go to any domain.
//!
//! A round's two phases run back to back, so its ratio of the two rates sees the same machine
//! (the rates of a shared two-core machine drift between minutes). The report's `floor` and
//! `mixed` are the round with the median ratio; `rounds` has every round.
//!
//! Each client has its own keep-alive connection; a request's latency runs from sending it to
//! having read the whole answer. A request that fails or answers an unexpected status is an
//! error. Last, the final check compares what the server stores (the whole list, and every
//! entry written under load read one by one) with the last acknowledged answer for each
//! domain, and the book's sequence with the number of acknowledged writes, seeding included.
//!
//! Prints one JSON object on standard output (progress goes to standard error) and exits 1
//! when the final check fails, 2 when the bench could not run.

/// The allocator the server binary uses (`src/main.rs`), so the bench measures what runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use mailsetup_server::configuration::{Args, Configuration};
use mailsetup_server::startup::Application;
use mailsetup_server::throwaway_postgres::ThrowawayCluster;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

const ADMIN_TOKEN: &str = "load-admin-token-0123456789abcdef";
/// Nothing a healthy loopback request needs; a request this slow counts as an error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// The load bench of mailsetup-server.
#[derive(Debug, Parser)]
struct Options {
    #[arg(long, value_enum)]
    engine: Engine,
    /// Domains in the book (seeded before the phases).
    #[arg(long, default_value_t = 10_000)]
    domains: usize,
    /// Concurrent clients, each with its own keep-alive connection.
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// Requests per phase at most.
    #[arg(long, default_value_t = 20_000)]
    requests: u64,
    /// Seconds per phase at most.
    #[arg(long, default_value_t = 20)]
    max_seconds: u64,
    /// The mixed load in percent: entry reads, list reads, lookups, writes (adding up to 100).
    #[arg(long, default_value = "59,1,20,20")]
    mix: String,
    /// Rounds of the floor and the mixed load; the report shows the round with the median
    /// ratio of the two rates.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=9))]
    rounds: u32,
}

/// Shares of the mixed load, in percent.
#[derive(Debug, Clone, Copy)]
struct Mix {
    entry: u32,
    list: u32,
    lookup: u32,
    write: u32,
}

impl Mix {
    fn parse(text: &str) -> Result<Mix, String> {
        let parts: Vec<u32> = text
            .split(',')
            .map(|part| part.trim().parse::<u32>())
            .collect::<Result<_, _>>()
            .map_err(|_| format!("--mix {text:?}: give four whole percentages, e.g. 59,1,20,20"))?;
        match parts[..] {
            [entry, list, lookup, write] if entry + list + lookup + write == 100 => Ok(Mix {
                entry,
                list,
                lookup,
                write,
            }),
            _ => Err(format!(
                "--mix {text:?}: give four percentages (entry reads, list reads, lookups, writes) adding up to 100"
            )),
        }
    }

    fn draw(self, rng: &mut StdRng) -> Kind {
        let roll = rng.random_range(0..100);
        if roll < self.entry {
            Kind::Entry
        } else if roll < self.entry + self.list {
            Kind::List
        } else if roll < self.entry + self.list + self.lookup {
            Kind::Lookup
        } else {
            Kind::Write
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Health,
    Entry,
    List,
    Lookup,
    Write,
}

impl Kind {
    fn index(self) -> usize {
        match self {
            Kind::Health => 0,
            Kind::Entry => 1,
            Kind::List => 2,
            Kind::Lookup => 3,
            Kind::Write => 4,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Health => "healthz",
            Kind::Entry => "entry_read",
            Kind::List => "list_read",
            Kind::Lookup => "lookup",
            Kind::Write => "write",
        }
    }
}

/// A domain a client owns, with the last acknowledged answer about it.
#[derive(Debug, Clone)]
struct Owned {
    index: usize,
    tag: String,
    body: Value,
    written_under_load: bool,
}

/// One client: its connection, its domains, what it measured.
struct Worker {
    client: Client,
    base: String,
    rng: StdRng,
    owned: Vec<Owned>,
    list_tag: Option<String>,
    /// Latencies in microseconds, per kind.
    latencies: [Vec<u32>; 5],
    errors: u64,
    first_error: Option<String>,
    list_not_modified: u64,
    /// Writes the server acknowledged (seeding included).
    acknowledged: u64,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let options = Options::parse();
    match bench(&options).await {
        Ok(report) => {
            println!("{report}");
            if report["final_check"]["ok"] == true {
                std::process::ExitCode::SUCCESS
            } else {
                eprintln!("load: the final check failed: {}", report["final_check"]);
                std::process::ExitCode::from(1)
            }
        }
        Err(message) => {
            eprintln!("load: {message}");
            std::process::ExitCode::from(2)
        }
    }
}

async fn bench(options: &Options) -> Result<Value, String> {
    let mix = Mix::parse(&options.mix)?;
    if options.clients == 0 || options.domains < options.clients {
        return Err("--clients must be at least 1 and --domains at least --clients".into());
    }
    // The server logs one line per request, as in production; here the lines are formatted
    // (without colours, as the binary writes them to a pipe) and dropped, so their cost is in
    // the figures but not on the terminal.
    let _ = tracing_subscriber::fmt()
        .compact()
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .with_writer(std::io::sink)
        .try_init();

    let dir = ScratchDir::new()?;
    let tokens = dir.0.join("tokens");
    std::fs::write(&tokens, format!("admin load {ADMIN_TOKEN}\n"))
        .map_err(|error| format!("write {}: {error}", tokens.display()))?;
    let mut cluster = None;
    let database = match options.engine {
        Engine::Sqlite => dir.0.join("mailsetup.db").display().to_string(),
        Engine::Postgres => {
            eprintln!("load: starting a throwaway PostgreSQL cluster");
            let started = tokio::task::spawn_blocking(ThrowawayCluster::start)
                .await
                .map_err(|error| format!("start the cluster: {error}"))??;
            let url = started.create_database("load").await?;
            cluster = Some(started);
            url
        }
    };
    let args = Args::try_parse_from([
        "mailsetup-server",
        "--bind",
        "127.0.0.1:0",
        "--database",
        &database,
        "--tokens",
        &tokens.display().to_string(),
    ])
    .map_err(|error| error.to_string())?;
    let configuration = Configuration::from_args(args).map_err(|error| error.to_string())?;
    let application = Application::build(configuration)
        .await
        .map_err(|error| error.to_string())?;
    let base = format!("http://{}", application.address());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(application.run_until(async {
        let _ = stopped.await;
    }));

    let mut workers = (0..options.clients)
        .map(|client| Worker::new(&base, client as u64))
        .collect::<Result<Vec<_>, _>>()?;

    eprintln!("load: seeding {} domains", options.domains);
    let seed_started = Instant::now();
    workers = seed(workers, options).await?;
    let seed_seconds = seed_started.elapsed().as_secs_f64();

    let limits = Limits {
        requests: options.requests,
        time: Duration::from_secs(options.max_seconds),
    };
    let mut rounds = Vec::new();
    for round in 1..=options.rounds {
        eprintln!("load: round {round}: floor (GET /healthz)");
        for worker in &mut workers {
            worker.reset_measures();
        }
        let (mut measured, floor_seconds) = phase(workers, limits, None, options.domains).await;
        let floor = summary(&measured, &[Kind::Health], floor_seconds);
        for worker in &mut measured {
            worker.reset_measures();
        }
        eprintln!("load: round {round}: mixed load");
        let (measured, mixed_seconds) = phase(measured, limits, Some(mix), options.domains).await;
        let mixed = mixed_summary(&measured, mixed_seconds);
        workers = measured;
        rounds.push(Round { floor, mixed });
    }
    let listed: Vec<Value> = rounds.iter().map(Round::brief).collect();
    rounds.sort_by(|a, b| a.ratio().total_cmp(&b.ratio()));
    let Round { floor, mixed } = rounds.swap_remove(rounds.len() / 2);

    eprintln!("load: final check");
    let final_check = final_check(&base, &workers).await?;

    let _ = stop.send(());
    match server.await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => return Err(error.to_string()),
        Err(error) => return Err(format!("the server task failed: {error}")),
    }
    drop(cluster);
    drop(dir);
    Ok(json!({
        "engine": options.engine.name(),
        "domains": options.domains,
        "clients": options.clients,
        "requests": options.requests,
        "seconds": options.max_seconds,
        "mix_percent": {"entry_read": mix.entry, "list_read": mix.list, "lookup": mix.lookup, "write": mix.write},
        "seed_seconds": seed_seconds,
        "floor": floor,
        "mixed": mixed,
        "rounds": listed,
        "final_check": final_check,
    }))
}

/// A directory for the SQLite file and the tokens file, removed when dropped.
struct ScratchDir(std::path::PathBuf);

impl ScratchDir {
    fn new() -> Result<ScratchDir, String> {
        let path = std::env::temp_dir().join(format!(
            "mailsetup-load-{}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&path)
            .map_err(|error| format!("create {}: {error}", path.display()))?;
        Ok(ScratchDir(path))
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn domain(index: usize) -> String {
    format!("d{index:05}.load.example")
}

/// The body of a write: the port and host name change with `version`, so every write changes
/// the entry.
fn entry_body(index: usize, version: u64) -> Value {
    let (port, security) = if version.is_multiple_of(2) {
        (993, "ssl_tls")
    } else {
        (143, "starttls")
    };
    json!({
        "domain": domain(index),
        "type": "imap",
        "incoming": {"host": format!("imap{version}.example.net"), "port": port, "security": security},
        "outgoing": {"host": "smtp.example.net", "port": 465, "security": "ssl_tls"},
        "allow_insecure_certificates": false,
        "include_subdomains": false
    })
}

impl Worker {
    fn new(base: &str, seed: u64) -> Result<Worker, String> {
        let client = Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .pool_max_idle_per_host(1)
            .build()
            .map_err(|error| format!("build an HTTP client: {error}"))?;
        Ok(Worker {
            client,
            base: base.to_owned(),
            rng: StdRng::seed_from_u64(seed),
            owned: Vec::new(),
            list_tag: None,
            latencies: Default::default(),
            errors: 0,
            first_error: None,
            list_not_modified: 0,
            acknowledged: 0,
        })
    }

    fn reset_measures(&mut self) {
        self.latencies = Default::default();
        self.errors = 0;
        self.first_error = None;
        self.list_not_modified = 0;
    }

    fn error(&mut self, what: String) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(what);
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Creates the entry of `index`; the answer is its first acknowledgement.
    async fn create(&mut self, index: usize) -> Result<(), String> {
        let body = entry_body(index, 0);
        let response = self
            .client
            .put(self.url(&format!("/api/v1/email-domains/{}", domain(index))))
            .bearer_auth(ADMIN_TOKEN)
            .header("If-None-Match", "*")
            .json(&body)
            .send()
            .await
            .map_err(|error| format!("seed {}: {error}", domain(index)))?;
        let (status, tag, text) = read(response)
            .await
            .map_err(|error| format!("seed {}: {error}", domain(index)))?;
        if status != StatusCode::CREATED {
            return Err(format!("seed {}: {status} {text}", domain(index)));
        }
        let body = serde_json::from_str(&text)
            .map_err(|error| format!("seed {}: the answer is not JSON: {error}", domain(index)))?;
        self.acknowledged += 1;
        self.owned.push(Owned {
            index,
            tag,
            body,
            written_under_load: false,
        });
        Ok(())
    }

    /// One request of the phase; its latency is recorded unless it failed.
    async fn one(&mut self, kind: Kind, domains: usize) {
        let started = Instant::now();
        let result = match kind {
            Kind::Health => self.health().await,
            Kind::Entry => {
                let index = self.rng.random_range(0..domains);
                self.read_entry(index).await
            }
            Kind::List => self.read_list().await,
            Kind::Lookup => {
                let index = self.rng.random_range(0..domains);
                self.lookup(index).await
            }
            Kind::Write => {
                let which = self.rng.random_range(0..self.owned.len());
                self.write(which).await
            }
        };
        match result {
            Ok(()) => {
                let micros = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
                self.latencies[kind.index()].push(micros);
            }
            Err(what) => self.error(what),
        }
    }

    async fn health(&mut self) -> Result<(), String> {
        let response = self.client.get(self.url("/healthz")).send().await;
        expect(response, &[StatusCode::OK], "GET /healthz")
            .await
            .map(drop)
    }

    async fn read_entry(&mut self, index: usize) -> Result<(), String> {
        let response = self
            .client
            .get(self.url(&format!("/api/v1/email-domains/{}", domain(index))))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await;
        expect(response, &[StatusCode::OK], "GET an entry")
            .await
            .map(drop)
    }

    async fn read_list(&mut self) -> Result<(), String> {
        let mut request = self
            .client
            .get(self.url("/api/v1/email-domains"))
            .bearer_auth(ADMIN_TOKEN);
        if let Some(tag) = &self.list_tag {
            request = request.header("If-None-Match", tag);
        }
        let mut response = request
            .send()
            .await
            .map_err(|error| format!("GET the list: {error}"))?;
        let status = response.status();
        if status != StatusCode::OK && status != StatusCode::NOT_MODIFIED {
            return Err(format!("GET the list: {status}"));
        }
        let tag = response
            .headers()
            .get("etag")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        // Every byte is read, none kept: the client needs only the tag, and copying the list's
        // megabytes into one buffer would measure the client, which shares the server's cores.
        while response
            .chunk()
            .await
            .map_err(|error| format!("GET the list: {error}"))?
            .is_some()
        {}
        if status == StatusCode::NOT_MODIFIED {
            self.list_not_modified += 1;
        }
        self.list_tag = Some(tag);
        Ok(())
    }

    async fn lookup(&mut self, index: usize) -> Result<(), String> {
        let response = self
            .client
            .post(self.url("/api/v1/lookup"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({"email": format!("someone@{}", domain(index))}))
            .send()
            .await;
        expect(response, &[StatusCode::OK], "POST /api/v1/lookup")
            .await
            .map(drop)
    }

    async fn write(&mut self, which: usize) -> Result<(), String> {
        let owned = &self.owned[which];
        let index = owned.index;
        let version = self.acknowledged;
        let response = self
            .client
            .put(self.url(&format!("/api/v1/email-domains/{}", domain(index))))
            .bearer_auth(ADMIN_TOKEN)
            .header("If-Match", &owned.tag)
            .json(&entry_body(index, version))
            .send()
            .await;
        let (_, tag, text) = expect(response, &[StatusCode::OK], "PUT an entry").await?;
        let body = serde_json::from_str(&text)
            .map_err(|error| format!("PUT {}: the answer is not JSON: {error}", domain(index)))?;
        self.acknowledged += 1;
        let owned = &mut self.owned[which];
        owned.tag = tag;
        owned.body = body;
        owned.written_under_load = true;
        Ok(())
    }
}

/// The status, the ETag and the text of an answer, read to the end.
async fn read(response: reqwest::Response) -> Result<(StatusCode, String, String), String> {
    let status = response.status();
    let tag = response
        .headers()
        .get("etag")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    // The bytes, checked as UTF-8 at once: reqwest's `text()` decodes lossily byte by byte,
    // which for the list's megabytes cost the bench's clients more than the server's answer.
    let bytes = response.bytes().await.map_err(|error| error.to_string())?;
    let text = String::from_utf8(bytes.into()).map_err(|error| error.to_string())?;
    Ok((status, tag, text))
}

/// [`read`], failing unless the status is one of `allowed`.
async fn expect(
    response: reqwest::Result<reqwest::Response>,
    allowed: &[StatusCode],
    what: &str,
) -> Result<(StatusCode, String, String), String> {
    let response = response.map_err(|error| format!("{what}: {error}"))?;
    let (status, tag, text) = read(response)
        .await
        .map_err(|error| format!("{what}: {error}"))?;
    if allowed.contains(&status) {
        Ok((status, tag, text))
    } else {
        Err(format!(
            "{what}: {status} {}",
            text.chars().take(300).collect::<String>()
        ))
    }
}

/// Every client creates its own share of the domains (index modulo the number of clients).
async fn seed(workers: Vec<Worker>, options: &Options) -> Result<Vec<Worker>, String> {
    let clients = options.clients;
    let domains = options.domains;
    let tasks: Vec<_> = workers
        .into_iter()
        .enumerate()
        .map(|(client, mut worker)| {
            tokio::spawn(async move {
                for index in (client..domains).step_by(clients) {
                    worker.create(index).await?;
                }
                Ok::<Worker, String>(worker)
            })
        })
        .collect();
    let mut seeded = Vec::with_capacity(clients);
    for task in tasks {
        seeded.push(
            task.await
                .map_err(|error| format!("a seeding client failed: {error}"))??,
        );
    }
    Ok(seeded)
}

#[derive(Debug, Clone, Copy)]
struct Limits {
    requests: u64,
    time: Duration,
}

/// Runs every client until the phase has sent `limits.requests` requests or run
/// `limits.time`; `mix` is `None` for the floor. Answers the clients and the seconds taken.
async fn phase(
    workers: Vec<Worker>,
    limits: Limits,
    mix: Option<Mix>,
    domains: usize,
) -> (Vec<Worker>, f64) {
    let issued = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + limits.time;
    let tasks: Vec<_> = workers
        .into_iter()
        .map(|mut worker| {
            let issued = Arc::clone(&issued);
            tokio::spawn(async move {
                while issued.fetch_add(1, Ordering::Relaxed) < limits.requests
                    && Instant::now() < deadline
                {
                    let kind = match mix {
                        None => Kind::Health,
                        Some(mix) => mix.draw(&mut worker.rng),
                    };
                    worker.one(kind, domains).await;
                }
                worker
            })
        })
        .collect();
    let mut finished = Vec::with_capacity(tasks.len());
    for task in tasks {
        match task.await {
            Ok(worker) => finished.push(worker),
            // A client that panicked has nothing to report; the request count shows the gap.
            Err(error) => eprintln!("load: a client failed: {error}"),
        }
    }
    (finished, started.elapsed().as_secs_f64())
}

fn sorted_latencies(workers: &[Worker], kinds: &[Kind]) -> Vec<u32> {
    let mut all: Vec<u32> = workers
        .iter()
        .flat_map(|worker| {
            kinds
                .iter()
                .flat_map(|kind| &worker.latencies[kind.index()])
        })
        .copied()
        .collect();
    all.sort_unstable();
    all
}

/// The nearest-rank percentile of sorted microseconds, in milliseconds.
fn percentile_ms(sorted: &[u32], p: f64) -> Option<f64> {
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.max(1) - 1)
        .map(|micros| f64::from(*micros) / 1000.0)
}

/// One round's floor and mixed load, as the report shows them.
struct Round {
    floor: Value,
    mixed: Value,
}

impl Round {
    /// The mixed rate as a share of the floor's.
    fn ratio(&self) -> f64 {
        let rate = |phase: &Value| phase["rps"].as_f64().unwrap_or(0.0);
        rate(&self.mixed) / rate(&self.floor).max(f64::MIN_POSITIVE)
    }

    fn brief(&self) -> Value {
        json!({
            "floor_rps": self.floor["rps"],
            "mixed_rps": self.mixed["rps"],
            "mixed_per_floor": self.ratio(),
            "mixed_p99_ms": self.mixed["p99_ms"],
            "errors": self.floor["errors"].as_u64().unwrap_or(0) + self.mixed["errors"].as_u64().unwrap_or(0),
        })
    }
}

/// The mixed load's figures: all requests, and each kind's.
fn mixed_summary(workers: &[Worker], seconds: f64) -> Value {
    let mut mixed = summary(
        workers,
        &[Kind::Entry, Kind::List, Kind::Lookup, Kind::Write],
        seconds,
    );
    let count = |kind: Kind| -> usize {
        workers
            .iter()
            .map(|w| w.latencies[kind.index()].len())
            .sum()
    };
    mixed["reads"] = json!(count(Kind::Entry) + count(Kind::List));
    mixed["lookups"] = json!(count(Kind::Lookup));
    mixed["writes"] = json!(count(Kind::Write));
    mixed["list_not_modified"] = json!(workers.iter().map(|w| w.list_not_modified).sum::<u64>());
    mixed["by_kind"] = Value::Object(
        [Kind::Entry, Kind::List, Kind::Lookup, Kind::Write]
            .into_iter()
            .map(|kind| (kind.name().to_owned(), kind_summary(workers, kind)))
            .collect(),
    );
    mixed
}

fn summary(workers: &[Worker], kinds: &[Kind], seconds: f64) -> Value {
    let sorted = sorted_latencies(workers, kinds);
    let errors: u64 = workers.iter().map(|worker| worker.errors).sum();
    let first_error = workers.iter().find_map(|worker| worker.first_error.clone());
    json!({
        "requests": sorted.len() as u64 + errors,
        "seconds": seconds,
        "rps": sorted.len() as f64 / seconds,
        "p50_ms": percentile_ms(&sorted, 50.0),
        "p99_ms": percentile_ms(&sorted, 99.0),
        "max_ms": sorted.last().map(|micros| f64::from(*micros) / 1000.0),
        "errors": errors,
        "first_error": first_error,
    })
}

fn kind_summary(workers: &[Worker], kind: Kind) -> Value {
    let sorted = sorted_latencies(workers, &[kind]);
    json!({
        "count": sorted.len(),
        "p50_ms": percentile_ms(&sorted, 50.0),
        "p99_ms": percentile_ms(&sorted, 99.0),
    })
}

/// Compares the stored book with the acknowledgements: the whole list, every entry written
/// under load read on its own, and the sequence.
async fn final_check(base: &str, workers: &[Worker]) -> Result<Value, String> {
    let client = Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(|error| format!("build an HTTP client: {error}"))?;
    let mut mismatches: Vec<String> = Vec::new();
    let acknowledged: HashMap<String, &Owned> = workers
        .iter()
        .flat_map(|worker| &worker.owned)
        .map(|owned| (domain(owned.index), owned))
        .collect();
    let expected_sequence: u64 = workers.iter().map(|worker| worker.acknowledged).sum();

    let response = client
        .get(format!("{base}/api/v1/email-domains"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await;
    let (_, list_tag, text) = expect(response, &[StatusCode::OK], "GET the list").await?;
    let list: Value =
        serde_json::from_str(&text).map_err(|error| format!("the list is not JSON: {error}"))?;
    let stored: Vec<&Value> = list["domains"].as_array().into_iter().flatten().collect();
    for entry in &stored {
        let name = entry["domain"].as_str().unwrap_or_default();
        match acknowledged.get(name) {
            Some(owned) if owned.body == **entry => {}
            Some(owned) => mismatches.push(format!(
                "the list holds {entry} for {name}, the last acknowledgement said {}",
                owned.body
            )),
            None => mismatches.push(format!("the list holds {name}, which nobody wrote")),
        }
    }
    if stored.len() != acknowledged.len() {
        mismatches.push(format!(
            "the list holds {} entries, the acknowledgements name {}",
            stored.len(),
            acknowledged.len()
        ));
    }
    let sequence = list["sequence"].as_u64();
    if sequence != Some(expected_sequence) || list_tag != format!("\"{expected_sequence}\"") {
        mismatches.push(format!(
            "the book's sequence is {sequence:?} (ETag {list_tag}), the acknowledged writes number {expected_sequence}"
        ));
    }

    let mut read_one_by_one = 0;
    for owned in acknowledged
        .values()
        .filter(|owned| owned.written_under_load)
    {
        let name = domain(owned.index);
        let response = client
            .get(format!("{base}/api/v1/email-domains/{name}"))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await;
        let (_, tag, text) = expect(response, &[StatusCode::OK], "GET an entry").await?;
        let body: Value = serde_json::from_str(&text)
            .map_err(|error| format!("the entry {name} is not JSON: {error}"))?;
        read_one_by_one += 1;
        if tag != owned.tag || body != owned.body {
            mismatches.push(format!(
                "{name} is stored as {body} (ETag {tag}), the last acknowledgement said {} (ETag {})",
                owned.body, owned.tag
            ));
        }
    }
    Ok(json!({
        "ok": mismatches.is_empty(),
        "checked": stored.len() + read_one_by_one,
        "listed": stored.len(),
        "read_one_by_one": read_one_by_one,
        "mismatches": mismatches.len(),
        "sequence": sequence,
        "acknowledged_writes": expected_sequence,
        "first_mismatches": mismatches.iter().take(5).collect::<Vec<_>>(),
    }))
}
