//! A PostgreSQL server of the test's own: `initdb` into a temporary folder and `pg_ctl` on a
//! free port, so a test can stop and start its database without touching the machine's
//! shared server. Uses the machine's PostgreSQL binaries (`/usr/lib/postgresql/*/bin`);
//! as root, they run as the `postgres` user (PostgreSQL refuses to run as root).

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct OwnPostgres {
    data: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
}

fn binaries() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's binaries are installed under /usr/lib/postgresql")
        .filter_map(|e| Some(e.ok()?.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    found.sort();
    found
        .pop()
        .expect("an initdb under /usr/lib/postgresql/*/bin")
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl OwnPostgres {
    /// Creates and starts the cluster.
    pub fn start() -> OwnPostgres {
        let data = tempfile::tempdir().unwrap();
        let port = super::instance::free_port();
        if running_as_root() {
            let owned = Command::new("chown")
                .args(["-R", "postgres:", &data.path().display().to_string()])
                .status()
                .unwrap();
            assert!(owned.success());
        }
        let cluster = OwnPostgres {
            bin: binaries(),
            data,
            port,
        };
        cluster.run(
            "initdb",
            &[
                "-D",
                &cluster.dir(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        cluster.start_again();
        cluster
    }

    fn dir(&self) -> String {
        self.data.path().join("cluster").display().to_string()
    }

    fn command(&self, tool: &str) -> Command {
        let program = self.bin.join(tool);
        if running_as_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&program);
            command
        } else {
            Command::new(&program)
        }
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let output = self.command(tool).args(args).output().unwrap();
        assert!(
            output.status.success(),
            "{tool} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the (stopped) server and waits until it accepts connections.
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {}",
            self.port,
            self.data.path().display()
        );
        let log = Path::new(&self.data.path()).join("postgres.log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.dir(),
                "-o",
                &options,
                "-l",
                &log.display().to_string(),
                "-w",
                "start",
            ],
        );
    }

    /// Stops the server as an operator's restart would (`-m fast`: clients are disconnected).
    pub fn stop(&self) {
        self.run("pg_ctl", &["-D", &self.dir(), "-m", "fast", "-w", "stop"]);
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["-D", &self.dir(), "-m", "immediate", "stop"])
            .output();
    }
}
