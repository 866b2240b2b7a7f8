//! The fault harness's device processes as the orchestrator sees them: start one, SIGKILL it
//! (reading every line it wrote first), and what their lines reported.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use super::DeviceLine;
use super::check::{ReportedAdd, ReportedEdit};

/// A line from device `usize`, or the text of a line that was not a [`DeviceLine`].
pub type Line = (usize, Result<DeviceLine, String>);

/// One device: an engineer's phone, its store file and clock, and its process while it runs.
pub struct Device {
    /// Its engineer.
    pub engineer: String,
    /// Its own token.
    pub token: String,
    /// How far its clock is off, in milliseconds.
    pub skew_ms: i64,
    /// Its store file.
    pub path: PathBuf,
    /// How many processes it has had (each tags its actions with it).
    pub generation: u32,
    running: Option<(Child, JoinHandle<()>)>,
}

impl Device {
    /// A device not yet started.
    pub fn new(engineer: String, token: String, skew_ms: i64, path: PathBuf) -> Device {
        Device {
            engineer,
            token,
            skew_ms,
            path,
            generation: 0,
            running: None,
        }
    }

    /// Starts a new process of the device (`exe`, the `harness_device` binary) syncing with
    /// `url`; its lines go to `lines` tagged with `index`.
    pub fn spawn(&mut self, exe: &Path, index: usize, url: &str, seed: u64, lines: &Sender<Line>) {
        self.generation += 1;
        let tag = format!("d{index}g{}", self.generation);
        let device_seed = seed ^ ((index as u64) << 32) ^ u64::from(self.generation);
        let mut child = Command::new(exe)
            .arg(&self.path)
            .args([url, &self.token, &self.engineer])
            .args([self.skew_ms.to_string(), device_seed.to_string(), tag])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("device starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let lines = lines.clone();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let parsed = line.parse::<DeviceLine>().map_err(|_| line);
                if lines.send((index, parsed)).is_err() {
                    break;
                }
            }
        });
        self.running = Some((child, reader));
    }

    /// SIGKILLs the device and waits until every line it wrote has been read. Returns whether
    /// it had died on its own before (a failure: its stderr says why).
    pub fn kill(&mut self) -> bool {
        let Some((mut child, reader)) = self.running.take() else {
            return false;
        };
        let died = child.try_wait().expect("try_wait").is_some();
        let _ = child.kill();
        let _ = child.wait();
        let _ = reader.join();
        died
    }
}

/// What the devices reported, and how their rounds ended.
#[derive(Default)]
pub struct Reports {
    /// Records reported stored.
    pub adds: Vec<ReportedAdd>,
    /// Edits reported stored.
    pub edits: Vec<ReportedEdit>,
    /// Rounds that succeeded.
    pub rounds_ok: u64,
    /// Rounds that failed, by error code.
    pub rounds_failed: BTreeMap<String, u64>,
}

impl Reports {
    /// Records one line.
    pub fn take(&mut self, (device, line): Line) {
        match line.unwrap_or_else(|bad| panic!("device {device} printed {bad:?}")) {
            DeviceLine::Ready => {}
            DeviceLine::Add {
                table, row_id, tag, ..
            } => self.adds.push(ReportedAdd {
                device,
                table,
                row_id,
                tag,
            }),
            DeviceLine::Edit {
                entity,
                row_id,
                field,
                tag,
            } => self.edits.push(ReportedEdit {
                device,
                entity,
                row_id,
                field,
                tag,
            }),
            DeviceLine::Synced(None) => self.rounds_ok += 1,
            DeviceLine::Synced(Some(code)) => *self.rounds_failed.entry(code).or_default() += 1,
        }
    }

    /// Takes up to `count` lines, waiting for each; false if none came for a long time.
    pub fn wait_for(&mut self, rx: &Receiver<Line>, count: u32) -> bool {
        for _ in 0..count {
            match rx.recv_timeout(Duration::from_secs(20)) {
                Ok(line) => self.take(line),
                Err(RecvTimeoutError::Timeout) => return false,
                Err(RecvTimeoutError::Disconnected) => unreachable!("the harness holds a sender"),
            }
        }
        true
    }
}
