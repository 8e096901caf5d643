//! `--serve`: each variant started as a server on a free loopback port, loaded with `wrk`, and
//! stopped with SIGTERM; requests/s and latency percentiles read from wrk's report.

use super::build::tail;
use super::measure::fill;
use crate::Error;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What one load run measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Load {
    /// wrk's `Requests/sec`.
    pub requests_per_second: f64,
    /// wrk's average latency, in seconds.
    pub latency_avg_seconds: f64,
    /// The 99th percentile of latency, in milliseconds.
    pub latency_p99_ms: f64,
    /// Requests answered.
    pub requests: u64,
    /// Connections that failed or timed out (wrk's socket errors): said beside the round's rate,
    /// since a server that closes its connections may cause some without being at fault.
    pub socket_errors: u64,
}

/// How long a server may take to accept its first connection.
const STARTUP: Duration = Duration::from_secs(60);
/// How long a server may take to exit after SIGTERM before it is killed.
const SHUTDOWN: Duration = Duration::from_secs(10);

/// A port nothing listens on right now (bound, then released for the server).
pub fn free_port() -> Result<u16, Error> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| Error::new(format!("cannot find a free port on 127.0.0.1: {e}")))
}

/// A server started for one measurement; stopped with SIGTERM when dropped or [`Server::stop`]ped.
pub struct Server {
    child: Child,
    log: PathBuf,
    variant: String,
}

impl Server {
    /// Starts `run` (with `{bin}` and `{port}` filled in and `PORT` set), its output going to
    /// `log`, and waits until it accepts a connection on the port.
    pub fn start(variant: &str, run: &[String], bin: &Path, port: u16, log: &Path) -> Result<Server, Error> {
        let argv = fill(run, bin, Some(port));
        let fail = |what: String| Error::new(format!("variant {variant}: {what}"));
        let file = std::fs::File::create(log).map_err(|e| fail(format!("cannot write {}: {e}", log.display())))?;
        let err = file.try_clone().map_err(|e| fail(format!("cannot write {}: {e}", log.display())))?;
        let child = Command::new(&argv[0])
            .args(&argv[1..])
            .env("PORT", port.to_string())
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(err)
            .spawn()
            .map_err(|e| fail(format!("cannot start `{}`: {e}", argv[0])))?;
        let mut server = Server { child, log: log.to_owned(), variant: variant.to_owned() };
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(fail(format!("the server exited with {status} before accepting: {}", server.log_tail())));
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(server);
            }
            if start.elapsed() > STARTUP {
                return Err(fail(format!("the server did not accept on port {port} within {}s", STARTUP.as_secs())));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log_tail(&self) -> String {
        let bytes = std::fs::read(&self.log).unwrap_or_default();
        match tail(&bytes) {
            t if t.is_empty() => "(no output)".to_owned(),
            t => t,
        }
    }

    /// Sends SIGTERM and waits for the exit (a server that ignores it is killed after 10 s).
    pub fn stop(mut self) {
        self.terminate();
    }

    fn terminate(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        #[cfg(unix)]
        {
            let pid = libc::pid_t::try_from(self.child.id()).expect("pids fit pid_t");
            // SAFETY: kill(2) with a pid we spawned and still own (not yet reaped) only sends a signal.
            unsafe { libc::kill(pid, libc::SIGTERM) };
            let start = Instant::now();
            while start.elapsed() < SHUTDOWN {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Runs the load command against the server and reads wrk's report.
    pub fn load(&self, load: &[String], port: u16) -> Result<Load, Error> {
        let mut argv = fill(load, Path::new(""), Some(port));
        // The percentiles are only printed with --latency.
        let is_wrk = Path::new(&argv[0]).file_name().is_some_and(|n| n == "wrk");
        if is_wrk && !argv.iter().any(|a| a == "--latency" || a == "-L") {
            argv.insert(1, "--latency".into());
        }
        let fail = |what: String| Error::new(format!("variant {}: {what}", self.variant));
        let out = Command::new(&argv[0])
            .args(&argv[1..])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| fail(format!("cannot run --load `{}`: {e}", argv[0])))?;
        if !out.status.success() {
            return Err(fail(format!("--load failed with {}: {}", out.status, tail(&out.stderr))));
        }
        parse_wrk(&String::from_utf8_lossy(&out.stdout)).map_err(fail)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.terminate();
    }
}

/// wrk's durations: `812.00us`, `1.23ms`, `2.01s`, `1.50m`.
fn seconds(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let scale = match unit {
        "us" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        _ => return None,
    };
    number.parse::<f64>().ok().map(|n| n * scale)
}

/// What wrk's report says: read here for `compare` and for the benchmark's HTTP section.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WrkReport {
    /// `N requests in …`: requests answered.
    pub requests: u64,
    /// `Socket errors: connect A, read B, write C, timeout D`, summed (wrk prints the line only
    /// when there are some).
    pub socket_errors: u64,
    /// `Non-2xx or 3xx responses: N` (likewise).
    pub non_2xx: u64,
    /// `Requests/sec`.
    pub requests_per_second: f64,
    /// The average latency, in seconds.
    pub latency_avg_seconds: Option<f64>,
    /// The 99th percentile of latency, in milliseconds (only with `--latency`).
    pub latency_p99_ms: Option<f64>,
}

/// Reads wrk's report.
pub fn read_wrk(report: &str) -> Result<WrkReport, String> {
    let lines = || report.lines().map(str::trim);
    let field =
        |prefix: &str| lines().find_map(|l| l.strip_prefix(prefix)).and_then(|rest| rest.split_whitespace().next());
    let count = |word: &str| word.trim_end_matches(',').parse::<u64>().map_err(|_| format!("wrk printed {word:?}"));
    let requests_per_second = field("Requests/sec:")
        .and_then(|v| v.parse().ok())
        .ok_or("the load command printed no `Requests/sec:` line (compare reads wrk's report)")?;
    let requests = lines()
        .find(|l| l.contains(" requests in "))
        .map(|l| l.split_whitespace().next().unwrap_or_default())
        .ok_or_else(|| "wrk's report has no `requests in` line".to_owned())
        .and_then(count)?;
    let mut socket_errors = 0;
    if let Some(counts) = lines().find_map(|l| l.strip_prefix("Socket errors:")) {
        // connect A, read B, write C, timeout D
        for n in counts.split_whitespace().skip(1).step_by(2) {
            socket_errors += count(n)?;
        }
    }
    let non_2xx = field("Non-2xx or 3xx responses:").map(count).transpose()?.unwrap_or(0);
    Ok(WrkReport {
        requests,
        socket_errors,
        non_2xx,
        requests_per_second,
        latency_avg_seconds: field("Latency").and_then(seconds),
        latency_p99_ms: field("99%").and_then(seconds).map(|s| s * 1e3),
    })
}

/// Requests/s, average latency and p99 from wrk's report (run with `--latency`); an error when
/// the server answered any request with an error status.
pub fn parse_wrk(report: &str) -> Result<Load, String> {
    let r = read_wrk(report)?;
    if r.non_2xx > 0 {
        return Err(format!("the server answered {} requests with an error status under load", r.non_2xx));
    }
    Ok(Load {
        requests_per_second: r.requests_per_second,
        latency_avg_seconds: r.latency_avg_seconds.ok_or("wrk's report has no average latency")?,
        latency_p99_ms: r.latency_p99_ms.ok_or("wrk's report has no 99% latency (run wrk with --latency)")?,
        requests: r.requests,
        socket_errors: r.socket_errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "Running 1s test @ http://127.0.0.1:4000/buildinfo
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   812.00us    1.01ms  12.34ms   90.00%
    Req/Sec     5.10k   300.00     5.60k    70.00%
  Latency Distribution
     50%  600.00us
     75%    0.90ms
     90%    1.20ms
     99%    2.50ms
  10150 requests in 1.00s, 9.00MB read
Requests/sec:  10149.50
Transfer/sec:      8.99MB
";

    #[test]
    fn wrk_reports_are_read() {
        let load = parse_wrk(REPORT).unwrap();
        assert_eq!(load.requests_per_second, 10149.5);
        assert!((load.latency_avg_seconds - 812e-6).abs() < 1e-12);
        assert!((load.latency_p99_ms - 2.5).abs() < 1e-9);
        assert_eq!((load.requests, load.socket_errors), (10150, 0));
        assert_eq!(seconds("1.50m"), Some(90.0));
        assert_eq!(seconds("3.00s"), Some(3.0));
        assert_eq!(seconds("fast"), None);
    }

    #[test]
    fn incomplete_or_failing_reports_are_errors() {
        let no_p99 = REPORT.replace("     99%    2.50ms\n", "");
        assert!(parse_wrk(&no_p99).unwrap_err().contains("no 99% latency"));
        assert!(parse_wrk("hello").unwrap_err().contains("no `Requests/sec:` line"));
        let errors = REPORT.replace("Requests/sec:", "  Non-2xx or 3xx responses: 17\nRequests/sec:");
        assert_eq!(parse_wrk(&errors).unwrap_err(), "the server answered 17 requests with an error status under load");
        let broken =
            REPORT.replace("Requests/sec:", "  Socket errors: connect 1, read 2, write 3, timeout 4\nRequests/sec:");
        let r = read_wrk(&broken).unwrap();
        assert_eq!((r.requests, r.socket_errors, r.non_2xx), (10150, 10, 0));
        assert_eq!(parse_wrk(&broken).unwrap().socket_errors, 10, "a rate with socket errors is kept, and said");
        assert!(read_wrk("Requests/sec: 7.00\n").unwrap_err().contains("requests in"));
    }
}
