//! A fault proxy on loopback: it sits between device processes and the real server and, per
//! connection, seeded, passes it, drops it, delays it, cuts it after a number of bytes (in the
//! request or in the response, so mostly mid-body), or stalls it (holds it open and forwards
//! nothing until the client gives up). It counts what it did.
//!
//! Plain std threads: one accept loop, and per connection one thread per direction. The
//! upstream address can change while it runs (a server restarted on a new port).

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// How often each fault happens, in connections per thousand; the rest pass untouched.
#[derive(Debug, Clone, Copy)]
pub struct FaultPlan {
    /// Closed at once, before anything reaches the server.
    pub drop: u32,
    /// Held back before anything is forwarded, then passed.
    pub delay: u32,
    /// The request stream cut after a random number of bytes.
    pub cut_request: u32,
    /// The response stream cut after a random number of bytes.
    pub cut_response: u32,
    /// Held open, nothing forwarded, until the client gives up.
    pub stall: u32,
}

impl FaultPlan {
    /// A connection in three meets a fault.
    pub const ROUGH: FaultPlan = FaultPlan {
        drop: 60,
        delay: 80,
        cut_request: 80,
        cut_response: 100,
        stall: 15,
    };
}

/// What the proxy did so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultCounts {
    /// Connections forwarded untouched (faults off, or none drawn).
    pub passed: u64,
    /// Connections closed at once.
    pub dropped: u64,
    /// Connections held back, then passed.
    pub delayed: u64,
    /// Request streams cut (only those that reached the cut point).
    pub cut_requests: u64,
    /// Response streams cut (only those that reached the cut point).
    pub cut_responses: u64,
    /// Connections stalled.
    pub stalled: u64,
    /// Connections that found no server behind the proxy (it was down).
    pub refused_upstream: u64,
}

#[derive(Default)]
struct Counters {
    passed: AtomicU64,
    dropped: AtomicU64,
    delayed: AtomicU64,
    cut_requests: AtomicU64,
    cut_responses: AtomicU64,
    stalled: AtomicU64,
    refused_upstream: AtomicU64,
}

#[derive(Debug, Clone, Copy)]
enum Fault {
    Pass,
    Drop,
    Delay(Duration),
    CutRequest(usize),
    CutResponse(usize),
    Stall,
}

struct Shared {
    upstream: Mutex<SocketAddr>,
    faults_on: AtomicBool,
    stopping: AtomicBool,
    rng: Mutex<ChaCha8Rng>,
    plan: FaultPlan,
    counts: Counters,
}

/// Longest a stalled connection is held if its client never gives up.
const STALL_LIMIT: Duration = Duration::from_secs(30);

/// A running fault proxy. Dropping it stops accepting connections.
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl FaultProxy {
    /// Starts a proxy on a free loopback port in front of `upstream`, drawing faults from
    /// `plan` with a generator seeded by `seed` (one draw per connection, in accept order).
    pub fn start(upstream: SocketAddr, plan: FaultPlan, seed: u64) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
        let addr = listener.local_addr().expect("bound address");
        let shared = Arc::new(Shared {
            upstream: Mutex::new(upstream),
            faults_on: AtomicBool::new(true),
            stopping: AtomicBool::new(false),
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(seed)),
            plan,
            counts: Counters::default(),
        });
        let accepting = shared.clone();
        std::thread::spawn(move || accept_loop(&listener, &accepting));
        FaultProxy { addr, shared }
    }

    /// The URL devices use instead of the server's.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Points the proxy at another server address (new connections only).
    pub fn set_upstream(&self, upstream: SocketAddr) {
        *lock(&self.shared.upstream) = upstream;
    }

    /// Turns faults on or off for new connections (off: every connection passes).
    pub fn set_faults(&self, on: bool) {
        self.shared.faults_on.store(on, Ordering::SeqCst);
    }

    /// What the proxy did so far.
    pub fn counts(&self) -> FaultCounts {
        let c = &self.shared.counts;
        let get = |a: &AtomicU64| a.load(Ordering::SeqCst);
        FaultCounts {
            passed: get(&c.passed),
            dropped: get(&c.dropped),
            delayed: get(&c.delayed),
            cut_requests: get(&c.cut_requests),
            cut_responses: get(&c.cut_responses),
            stalled: get(&c.stalled),
            refused_upstream: get(&c.refused_upstream),
        }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for conn in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok(conn) = conn else { continue };
        let fault = draw(shared);
        let shared = shared.clone();
        std::thread::spawn(move || handle(conn, fault, &shared));
    }
}

fn draw(shared: &Shared) -> Fault {
    let mut rng = lock(&shared.rng);
    // Drawn even with faults off, so the sequence of later draws does not depend on when the
    // faults were switched.
    let roll = rng.random_range(0..1000u32);
    let delay = Duration::from_millis(rng.random_range(20..1500));
    let cut_at = rng.random_range(1..2500usize);
    if !shared.faults_on.load(Ordering::SeqCst) {
        return Fault::Pass;
    }
    let p = shared.plan;
    let mut edge = 0;
    for (weight, fault) in [
        (p.drop, Fault::Drop),
        (p.delay, Fault::Delay(delay)),
        (p.cut_request, Fault::CutRequest(cut_at)),
        (p.cut_response, Fault::CutResponse(cut_at)),
        (p.stall, Fault::Stall),
    ] {
        edge += weight;
        if roll < edge {
            return fault;
        }
    }
    Fault::Pass
}

fn handle(client: TcpStream, fault: Fault, shared: &Shared) {
    let counts = &shared.counts;
    let (up_limit, down_limit) = match fault {
        Fault::Drop => {
            counts.dropped.fetch_add(1, Ordering::SeqCst);
            let _ = client.shutdown(Shutdown::Both);
            return;
        }
        Fault::Stall => {
            counts.stalled.fetch_add(1, Ordering::SeqCst);
            stall(client, shared);
            return;
        }
        Fault::Delay(by) => {
            counts.delayed.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(by);
            (None, None)
        }
        Fault::Pass => {
            counts.passed.fetch_add(1, Ordering::SeqCst);
            (None, None)
        }
        Fault::CutRequest(at) => (Some(at), None),
        Fault::CutResponse(at) => (None, Some(at)),
    };
    let upstream_addr = *lock(&shared.upstream);
    let Ok(server) = TcpStream::connect(upstream_addr) else {
        counts.refused_upstream.fetch_add(1, Ordering::SeqCst);
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let _ = server.set_nodelay(true);
    let _ = client.set_nodelay(true);
    let (Ok(client2), Ok(server2)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    let up = std::thread::spawn(move || pump(client2, server2, up_limit));
    let down_cut = pump(server, client, down_limit);
    let up_cut = up.join().unwrap_or(false);
    if up_cut {
        counts.cut_requests.fetch_add(1, Ordering::SeqCst);
    }
    if down_cut {
        counts.cut_responses.fetch_add(1, Ordering::SeqCst);
    }
}

/// Copies `from` to `to`; with a limit, stops after that many bytes and closes both sockets
/// (both directions). Returns whether it cut.
fn pump(mut from: TcpStream, mut to: TcpStream, limit: Option<usize>) -> bool {
    let mut buf = [0u8; 8192];
    let mut left = limit;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => {
                // The other side finished or failed: pass the end on (half-close), so a
                // response already under way still reaches the client.
                let _ = to.shutdown(Shutdown::Write);
                return false;
            }
            Ok(n) => n,
        };
        let n_send = left.map_or(n, |l| l.min(n));
        if to.write_all(&buf[..n_send]).is_err() {
            let _ = from.shutdown(Shutdown::Both);
            return false;
        }
        if let Some(l) = left.as_mut() {
            *l -= n_send;
            if *l == 0 {
                let _ = to.flush();
                let _ = from.shutdown(Shutdown::Both);
                let _ = to.shutdown(Shutdown::Both);
                return true;
            }
        }
    }
}

/// Reads and discards what the client sends, forwarding nothing, until it closes (its
/// timeout), the proxy stops, or [`STALL_LIMIT`].
fn stall(mut client: TcpStream, shared: &Shared) {
    let started = Instant::now();
    let _ = client.set_read_timeout(Some(Duration::from_millis(200)));
    let mut buf = [0u8; 4096];
    while started.elapsed() < STALL_LIMIT && !shared.stopping.load(Ordering::SeqCst) {
        match client.read(&mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
    }
    let _ = client.shutdown(Shutdown::Both);
}
