//! [`ThrowawayCluster`]: a PostgreSQL cluster of its own on a free loopback port, for the API
//! tests (`tests/api/helpers.rs`) and the load bench (`examples/load.rs`). The server itself
//! never uses it: in production the database is whatever `--database` names.
//!
//! The cluster is made with `initdb` from `MAILSETUP_PG_BIN`, else the newest
//! `/usr/lib/postgresql/*/bin`, in a fresh directory under the temporary folder, and run as the
//! `postgres` user through `runuser` when this process is root (initdb and pg_ctl refuse root).
//! It trades durability for speed (`fsync=off`, `synchronous_commit=off`), trusts every local
//! connection, and allows 300 connections. A detached watchdog shell waits for this process to
//! exit, then runs `pg_ctl stop` and removes the directory: a Rust exit hook is not reliable
//! (the test harness exits through `std::process::exit`, which runs no destructors of
//! statics), while the watchdog also cleans up after a crash. Dropping the value stops the
//! cluster at once. If PostgreSQL is missing, [`ThrowawayCluster::start`] fails with a sentence
//! saying that `cargo xtask setup` installs it.
//!
//! Owns: the cluster's directory, its processes and its databases. Must not: touch any other
//! cluster or directory, or be reachable from the server's own code paths.

use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sqlx::Connection;

/// A running throwaway cluster; see the module documentation.
#[derive(Debug)]
pub struct ThrowawayCluster {
    port: u16,
    bin: PathBuf,
    dir: PathBuf,
}

impl ThrowawayCluster {
    /// Makes and starts a cluster, and the watchdog that stops it when this process exits.
    pub fn start() -> Result<ThrowawayCluster, String> {
        let bin = postgres_bin()?;
        let dir = std::env::temp_dir().join(format!(
            "mailsetup-pg-{}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir)
            .map_err(|error| format!("create {}: {error}", dir.display()))?;
        if is_root() {
            let mut chown = Command::new("chown");
            chown.arg("postgres:postgres").arg(&dir);
            run(chown, "chown the cluster directory to postgres")?;
        }
        let cluster = ThrowawayCluster {
            port: free_loopback_port()
                .map_err(|error| format!("find a free loopback port: {error}"))?,
            bin,
            dir,
        };
        let data = cluster.data_dir();
        let mut initdb = as_postgres(&cluster.bin.join("initdb"));
        initdb.arg("-D").arg(&data).args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]);
        run(initdb, "initdb")?;
        let mut start = as_postgres(&cluster.bin.join("pg_ctl"));
        start
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(cluster.dir.join("log"))
            .arg("-o")
            .arg(format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
                cluster.port,
                cluster.dir.display()
            ))
            .args(["-w", "-t", "60", "start"]);
        run(start, "pg_ctl start")?;
        let watchdog = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
            pid = std::process::id(),
            stop = cluster.stop_command(),
            dir = cluster.dir.display()
        );
        Command::new("setsid")
            .args(["sh", "-c", &watchdog])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|error| format!("start the cluster's watchdog: {error}"))?;
        Ok(cluster)
    }

    /// The loopback port the cluster listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Creates an empty database and answers its postgres:// URL. `name` is lower-case ASCII
    /// letters, digits and `_`, starting with a letter.
    pub async fn create_database(&self, name: &str) -> Result<String, String> {
        let plain = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !plain {
            return Err(format!(
                "{name:?} is not a plain database name (a-z, 0-9 and _, starting with a letter)"
            ));
        }
        let mut connection = sqlx::PgConnection::connect(&self.url("postgres"))
            .await
            .map_err(|error| format!("connect to the throwaway cluster: {error}"))?;
        let created = sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut connection)
            .await;
        let _ = connection.close().await;
        created.map_err(|error| format!("create the database {name}: {error}"))?;
        Ok(self.url(name))
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// `pg_ctl stop` as a shell command line (for the watchdog).
    fn stop_command(&self) -> String {
        format!(
            "{}{} -D {} -m fast stop",
            if is_root() {
                "runuser -u postgres -- "
            } else {
                ""
            },
            self.bin.join("pg_ctl").display(),
            self.data_dir().display()
        )
    }
}

impl Drop for ThrowawayCluster {
    /// Stops the cluster and removes its directory now (the watchdog then finds nothing to do).
    fn drop(&mut self) {
        let mut stop = as_postgres(&self.bin.join("pg_ctl"));
        stop.arg("-D")
            .arg(self.data_dir())
            .args(["-m", "fast", "stop"]);
        let _ = run(stop, "pg_ctl stop");
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A port that was free on 127.0.0.1 a moment ago.
pub fn free_loopback_port() -> std::io::Result<u16> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
}

fn postgres_bin() -> Result<PathBuf, String> {
    if let Ok(dir) = std::env::var("MAILSETUP_PG_BIN") {
        let dir = PathBuf::from(dir);
        return if dir.join("initdb").exists() {
            Ok(dir)
        } else {
            Err(format!(
                "MAILSETUP_PG_BIN={} has no initdb. Run `cargo xtask setup`, which installs PostgreSQL, or point it at PostgreSQL's bin directory.",
                dir.display()
            ))
        };
    }
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path().join("bin"))
                .filter(|bin| bin.join("initdb").exists() && bin.join("pg_ctl").exists())
                .collect()
        })
        .unwrap_or_default();
    candidates.sort();
    candidates.pop().ok_or_else(|| {
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb), and the server's tests run every API test against it too. Run `cargo xtask setup`, which installs it, or set MAILSETUP_PG_BIN to its bin directory.".to_owned()
    })
}

/// Whether this process runs as root: `/proc/self` belongs to the process's effective user.
fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|metadata| metadata.uid() == 0)
}

/// A command run as the `postgres` user when we are root (initdb and pg_ctl refuse root).
fn as_postgres(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn run(mut command: Command, what: &str) -> Result<(), String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("{what}: {error}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}
