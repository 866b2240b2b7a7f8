//! The real `onsite-server` binary as a child process on a free loopback port, and a small
//! back-office client for tests.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The server binary, brought up to date once per test process: a test run of this package
/// alone would otherwise start a stale server (cargo builds other packages' binaries only for
/// their own tests).
pub fn server_binary() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = std::env::current_exe().expect("test binary path");
            let dir = exe
                .parent()
                .and_then(Path::parent)
                .expect("target/<profile>/deps/..")
                .to_path_buf();
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let status = Command::new(cargo)
                .args([
                    "build",
                    "--quiet",
                    "-p",
                    "onsite-server",
                    "--bin",
                    "onsite-server",
                ])
                .status()
                .expect("cargo runs");
            assert!(status.success(), "building onsite-server failed");
            dir.join("onsite-server")
        })
        .clone()
}

/// Starts the server binary over `data` on `listen`; returns it and the URL it printed.
fn spawn(data: &Path, listen: &str) -> (Child, String) {
    spawn_with(data, listen, &[], Stdio::inherit())
}

/// [`spawn`] with more arguments (and `RUST_LOG` if one is among them as `RUST_LOG=...`) and
/// stderr sent to `stderr`.
fn spawn_with(data: &Path, listen: &str, extra: &[&str], stderr: Stdio) -> (Child, String) {
    let mut command = Command::new(server_binary());
    command
        .arg("--data")
        .arg(data)
        .args(["--listen", listen, "--max-body-bytes", "1048576"]);
    // A line per request would bury the tests' own output: problems only, unless asked.
    if std::env::var_os("RUST_LOG").is_none() {
        command.env("RUST_LOG", "warn");
    }
    for arg in extra {
        match arg.strip_prefix("RUST_LOG=") {
            Some(filter) => command.env("RUST_LOG", filter),
            None => command.arg(arg),
        };
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("server starts");
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().expect("piped stdout"))
        .read_line(&mut line)
        .expect("server prints its address");
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .expect("address line")
        .to_owned();
    (child, url)
}

/// A running server.
pub struct Server {
    child: Child,
    /// Its base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    /// The data directory.
    pub data: PathBuf,
}

impl Server {
    /// Creates an admin in `data` and returns its token (run before `start`, or between runs).
    pub fn create_admin(data: &Path, name: &str) -> String {
        let out = Command::new(server_binary())
            .arg("--data")
            .arg(data)
            .args(["create-admin", name])
            .output()
            .expect("server binary runs");
        assert!(
            out.status.success(),
            "create-admin failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .expect("utf-8 token")
            .trim()
            .to_owned()
    }

    /// Runs the server binary's `backup` (to `to`) or `restore` (from `to`) over `data`;
    /// returns what it printed.
    pub fn admin_command(data: &Path, command: &str, file: &Path) -> String {
        let out = Command::new(server_binary())
            .arg("--data")
            .arg(data)
            .arg(command)
            .arg(file)
            .output()
            .expect("server binary runs");
        assert!(
            out.status.success(),
            "{command} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts the server on a free loopback port over `data`.
    pub fn start(data: &Path) -> Server {
        let (child, url) = spawn(data, "127.0.0.1:0");
        Server {
            child,
            url,
            data: data.to_path_buf(),
        }
    }

    /// Starts the server on a free loopback port over `data` with more arguments (e.g.
    /// `--pull-page-size 1`).
    pub fn start_with(data: &Path, extra: &[&str]) -> Server {
        let (child, url) = spawn_with(data, "127.0.0.1:0", extra, Stdio::inherit());
        Server {
            child,
            url,
            data: data.to_path_buf(),
        }
    }

    /// Starts the server on a free loopback port over `data` with more arguments (an item
    /// `RUST_LOG=...` sets that variable instead), its log (stderr) collected in memory.
    pub fn start_logging(data: &Path, extra: &[&str]) -> (Server, Log) {
        let (mut child, url) = spawn_with(data, "127.0.0.1:0", extra, Stdio::piped());
        let mut stderr = child.stderr.take().expect("piped stderr");
        // Read all along: a full pipe would block the server's next log line.
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
            text
        });
        let server = Server {
            child,
            url,
            data: data.to_path_buf(),
        };
        (server, Log { reader })
    }

    /// Stops the server with SIGTERM (graceful) and waits for it.
    pub fn stop(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().expect("server exits")
    }

    /// Kills the server with SIGKILL and leaves it down (see [`Server::start_again`]).
    pub fn kill_in_place(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the server again over the same data, on the same address as before.
    pub fn start_again(&mut self) {
        let addr = self.url.trim_start_matches("http://").to_owned();
        let (child, url) = spawn(&self.data, &addr);
        assert_eq!(url, self.url, "the same address again");
        self.child = child;
    }

    /// Kills the server with SIGKILL, then starts it again over the same data (on a new port).
    pub fn kill_and_restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let data = self.data.clone();
        *self = Server::start(&data);
    }

    /// Kills the server with SIGKILL.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server's log, read from its stderr while it runs.
pub struct Log {
    reader: std::thread::JoinHandle<String>,
}

impl Log {
    /// Everything the server logged: call after it stopped (its stderr closed).
    pub fn text(self) -> String {
        self.reader.join().expect("the log reader does not panic")
    }
}

/// A back-office (or raw protocol) HTTP client with one token.
pub struct Http {
    client: reqwest::blocking::Client,
    url: String,
    token: String,
}

impl Http {
    /// A client for `url` with `token`.
    pub fn new(url: &str, token: &str) -> Http {
        Http {
            client: reqwest::blocking::Client::new(),
            url: url.to_owned(),
            token: token.to_owned(),
        }
    }

    /// Sends a request; returns the status and the JSON body (Null if none).
    pub fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .header(
                onsite_core::sync::wire::PROTOCOL_HEADER,
                onsite_core::sync::wire::PROTOCOL_VERSION.to_string(),
            );
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req.send().expect("server answers");
        let status = resp.status().as_u16();
        let text = resp.text().expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    /// POST that must succeed; returns the JSON answer.
    pub fn post(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let (status, value) = self.call("POST", path, Some(&body));
        assert_eq!(status, 200, "POST {path}: {value}");
        value
    }

    /// PATCH that must succeed; returns the JSON answer.
    pub fn patch(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let (status, value) = self.call("PATCH", path, Some(&body));
        assert_eq!(status, 200, "PATCH {path}: {value}");
        value
    }

    /// GET that must succeed.
    pub fn get(&self, path: &str) -> serde_json::Value {
        let (status, value) = self.call("GET", path, None);
        assert_eq!(status, 200, "GET {path}: {value}");
        value
    }
}
