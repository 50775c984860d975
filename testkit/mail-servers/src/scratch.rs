//! The harness's scratch space: a temporary folder of its own and free loopback ports.
//!
//! Owns naming and creating the folder (removed when dropped) and choosing ports. Must not bind
//! anything but 127.0.0.1, and must not keep a port bound (the servers bind it next).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Folders created by this process so far: part of each name, so no two of its own collide.
static FOLDERS_MADE: AtomicU32 = AtomicU32::new(0);

/// A folder under the system's temporary folder, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new empty folder named `mailsetup-{label}-{pid}-{n}-{nanoseconds}`. Panics if it
    /// cannot be created (the temporary folder is not writable).
    pub fn new(label: &str) -> TempDir {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "mailsetup-{label}-{}-{}-{nanos}",
            std::process::id(),
            FOLDERS_MADE.fetch_add(1, Ordering::Relaxed)
        ));
        // create_dir, not create_dir_all: a folder that is already there (another process's
        // with the same pid and time) is an error rather than shared.
        std::fs::create_dir(&path)
            .unwrap_or_else(|error| panic!("create {}: {error}", path.display()));
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's choice; released at once).
pub fn free_loopback_port() -> std::io::Result<u16> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
}
