//! `/buildinfo` under wrk (`bash scripts/bench.sh http`), in the `bench_server` example: beside a
//! plain axum handler returning a static string of the same size, and beside the same string sent
//! with `/buildinfo`'s headers (to tell the cost of the headers from the rest). Same server
//! process, same wrk settings, loopback only, bounded durations. The routes alternate, round after
//! round, so that load from elsewhere on the machine hits them alike; the ratio is of the summed
//! rates, and the last line, `ratio=`, is judged.
//!
//! `--soak` runs each route on a fresh server for rounds of 30 s and prints, after each round:
//! requests, errors (socket errors and non-2xx answers), the server's RSS and heap allocations per
//! request (the bench server counts every allocation; the figure is the whole stack's: hyper, axum
//! and the handler); its last line is `soak_errors=N`, and it fails when N is not 0.

use crate::hello::status;
use crate::sections::Judged;
use crate::{io, log};
use cargo_profile_info::harness::{free_port, read_wrk, Server, WrkReport};
use cargo_profile_info::Error;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The routes a rate run measures, each round in this order: `/buildinfo`, its static twin, and
/// the twin with `/buildinfo`'s headers.
pub const ROUTES: [&str; 3] = ["/buildinfo", "/static", "/static-headers"];
/// The routes a soak runs by default, each on a fresh server.
pub const SOAK_ROUTES: [&str; 2] = ["/static", "/buildinfo"];
/// Warm-up seconds before the rounds: a rate run's, a soak route's.
const WARM_UP: (u32, u32) = (2, 5);

/// The subcommand's options.
#[derive(clap::Args, Clone, Debug, Default, PartialEq)]
pub struct Options {
    /// one round of 2 s (what the test suite runs)
    #[arg(long, conflicts_with = "soak")]
    pub quick: bool,
    /// errors, memory and allocations per request: each route on a fresh server, 6 rounds of 30 s
    #[arg(long)]
    pub soak: bool,
    /// rounds [default: 3; 1 with --quick; 6 with --soak]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub rounds: Option<u32>,
    /// seconds of each wrk run [default: 5; 2 with --quick; 30 with --soak]
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(1..))]
    pub duration: Option<u32>,
    /// wrk's connections
    #[arg(long, default_value_t = 16)]
    pub connections: u32,
    /// wrk's threads
    #[arg(long, default_value_t = 1)]
    pub threads: u32,
    /// the server's port on 127.0.0.1 [default: one the kernel has free, chosen after the build]
    #[arg(long)]
    pub port: Option<u16>,
    /// the routes a soak runs, comma-separated [default: /static,/buildinfo]
    #[arg(long, value_name = "ROUTE,...", value_delimiter = ',', requires = "soak")]
    pub routes: Option<Vec<String>>,
}

/// What a run measures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The rates of [`ROUTES`], alternating.
    Rate,
    /// Errors, memory and allocations of these routes, one after the other.
    Soak(Vec<String>),
}

/// One run's settings and places.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Rate or soak.
    pub mode: Mode,
    /// Rounds (of every route in a rate run, of each route in a soak).
    pub rounds: u32,
    /// Seconds of each round's wrk run.
    pub seconds: u32,
    /// wrk's connections.
    pub connections: u32,
    /// wrk's threads.
    pub threads: u32,
    /// The port given, or `None` for one the kernel has free.
    pub port: Option<u16>,
    /// The workspace root.
    pub root: PathBuf,
}

impl Plan {
    /// The plan for `options` (`quick`: `--quick` given before the subcommand, which a soak
    /// ignores).
    pub fn new(root: &Path, quick: bool, options: &Options) -> Plan {
        let (mode, rounds, seconds) = if options.soak {
            let routes = options.routes.clone().unwrap_or_else(|| SOAK_ROUTES.map(str::to_owned).into());
            (Mode::Soak(routes), 6, 30)
        } else if quick || options.quick {
            (Mode::Rate, 1, 2)
        } else {
            (Mode::Rate, 3, 5)
        };
        Plan {
            mode,
            rounds: options.rounds.unwrap_or(rounds),
            seconds: options.duration.unwrap_or(seconds),
            connections: options.connections,
            threads: options.threads,
            port: options.port,
            root: root.to_owned(),
        }
    }

    /// wrk's arguments for `seconds` on `route` of the server on `port`.
    pub fn wrk_args(&self, port: u16, route: &str, seconds: u32) -> Vec<String> {
        vec![
            format!("-t{}", self.threads),
            format!("-c{}", self.connections),
            format!("-d{seconds}s"),
            format!("http://127.0.0.1:{port}{route}"),
        ]
    }

    /// Builds the bench server, then runs the rate rounds or the soak, writing figures to `out` as
    /// they come.
    pub fn run(&self, out: &mut dyn Write) -> Result<(), Error> {
        let mut cargo = Command::new("cargo");
        cargo
            .args(["build", "--release", "--locked", "-p", "profile-info-examples", "--example", "bench_server"])
            .current_dir(&self.root);
        status(&mut cargo, "cargo build (bench_server)")?;
        // Chosen as compare chooses, after the build: the shorter the wait, the less chance that
        // something else takes it first (a server that cannot bind exits, and `Server::start`
        // reports that).
        let port = self.port.map_or_else(free_port, Ok)?;
        let run = Run { plan: self, port, out };
        match &self.mode {
            Mode::Rate => run.rate(),
            Mode::Soak(routes) => run.soak(routes),
        }
    }
}

/// A run under way: the plan, the port, and where figures go.
struct Run<'a> {
    plan: &'a Plan,
    port: u16,
    out: &'a mut dyn Write,
}

impl Run<'_> {
    fn say(&mut self, text: &str) -> Result<(), Error> {
        self.out.write_all(text.as_bytes()).and_then(|()| self.out.flush()).map_err(|e| io("stdout", e))
    }

    /// The bench server, started on the port, its output in `target/bench/http/server.log`.
    fn start(&self) -> Result<(Server, PathBuf), Error> {
        let dir = self.plan.root.join("target/bench/http");
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir.display().to_string(), e))?;
        let log = dir.join("server.log");
        let bin = self.plan.root.join("target/release/examples/bench_server");
        let server = Server::start("bench_server", &[bin.display().to_string()], &bin, self.port, &log)?;
        Ok((server, log))
    }

    fn url(&self, route: &str) -> String {
        format!("http://127.0.0.1:{}{route}", self.port)
    }

    fn wrk(&self, route: &str, seconds: u32) -> Result<WrkReport, Error> {
        wrk(&self.plan.wrk_args(self.port, route, seconds))
    }

    fn rate(mut self) -> Result<(), Error> {
        let (_server, _) = self.start()?;
        let (a, b) = (get(&self.url(ROUTES[0]))?.len(), get(&self.url(ROUTES[1]))?.len());
        self.say(&format!("body sizes: {} {a} B, {} {b} B; load average {}\n", ROUTES[0], ROUTES[1], load_average()))?;
        self.wrk(ROUTES[0], WARM_UP.0)?;
        let mut rounds = Vec::new();
        for round in 1..=self.plan.rounds {
            let mut rates = [0.0; ROUTES.len()];
            for (rate, route) in rates.iter_mut().zip(ROUTES) {
                *rate = self.wrk(route, self.plan.seconds)?.requests_per_second;
            }
            let each: Vec<String> = ROUTES.iter().zip(rates).map(|(r, x)| format!("{r} {x:.2} req/s")).collect();
            self.say(&format!("round {round}: {}\n", each.join(", ")))?;
            rounds.push(rates);
        }
        self.say(&summary(&rounds))
    }

    fn soak(mut self, routes: &[String]) -> Result<(), Error> {
        let p = self.plan;
        self.say(&format!(
            "wrk -t{} -c{}, {} rounds of {}s per route, each route on a fresh server; load average {}\n",
            p.threads,
            p.connections,
            p.rounds,
            p.seconds,
            load_average()
        ))?;
        let mut errors = 0;
        for route in routes {
            let (server, log) = self.start()?;
            let printed = std::fs::read_to_string(&log).map_err(|e| io(&log.display().to_string(), e))?;
            let allocations: String =
                printed.lines().filter(|l| l.starts_with("allocations")).map(|l| format!("{l}\n")).collect();
            self.say(&allocations)?;
            let pid = pid(&printed).ok_or_else(|| Error::new(format!("{} names no `pid`", log.display())))?;
            self.wrk(route, WARM_UP.1)?;
            self.say(&format!("{route}: after a {} s warm-up, RSS {} KB\n", WARM_UP.1, rss_kb(pid)?))?;
            for round in 1..=p.rounds {
                let before = self.allocations()?;
                let report = self.wrk(route, p.seconds)?;
                let after = self.allocations()?;
                let rss = rss_kb(pid)?;
                self.say(&soak_line(route, round, &report, rss, after.saturating_sub(before)))?;
                errors += self::errors(&report);
            }
            server.stop();
        }
        self.say(&format!("soak_errors={errors}\n"))?;
        if errors == 0 {
            Ok(())
        } else {
            Err(Error::new(format!("{errors} errors in the soak")))
        }
    }

    /// The server's allocations so far, from `/allocs`.
    fn allocations(&self) -> Result<u64, Error> {
        let body = get(&self.url("/allocs"))?;
        let text = String::from_utf8_lossy(&body);
        text.trim().parse().map_err(|_| Error::new(format!("/allocs answered {text:?}, not a count")))
    }
}

/// `url`'s body, from curl (a real client); an error when it does not answer 2xx.
fn get(url: &str) -> Result<Vec<u8>, Error> {
    let out = Command::new("curl").args(["-fs", url]).stdin(Stdio::null()).output().map_err(|e| io("curl", e))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(Error::new(format!("curl {url} failed ({})", out.status)))
    }
}

/// The first three fields of `/proc/loadavg`.
fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

/// The process id the bench server prints first (`pid N`).
fn pid(printed: &str) -> Option<u32> {
    printed.lines().find_map(|l| l.strip_prefix("pid "))?.parse().ok()
}

/// The resident set of process `pid`, in KB, from `/proc/PID/status`.
fn rss_kb(pid: u32) -> Result<u64, Error> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
    text.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .ok_or_else(|| Error::new(format!("{path} has no VmRSS")))
}

/// Runs wrk with `args` and reads its report (with compare's reader).
pub fn wrk(args: &[String]) -> Result<WrkReport, Error> {
    let out = Command::new("wrk").args(args).stdin(Stdio::null()).output().map_err(|e| io("cannot run wrk", e))?;
    if !out.status.success() {
        return Err(Error::new(format!("wrk {} failed ({})", args.join(" "), out.status)));
    }
    log(&format!("wrk {}", args.join(" ")));
    read_wrk(&String::from_utf8_lossy(&out.stdout)).map_err(Error::new)
}

/// Socket errors (connect, read, write, timeout) and non-2xx or 3xx answers: what a soak counts.
fn errors(r: &WrkReport) -> u64 {
    r.socket_errors + r.non_2xx
}

/// A soak round's line.
fn soak_line(route: &str, round: u32, r: &WrkReport, rss_kb: u64, allocations: u64) -> String {
    format!(
        "{route} round {round}: {} requests, {:.0} req/s, {} errors, RSS {rss_kb} KB, {:.3} allocations/request\n",
        r.requests,
        r.requests_per_second,
        errors(r),
        allocations as f64 / r.requests as f64
    )
}

/// The means of the rounds' rates of [`ROUTES`], the ratios of their sums, and `ratio=`
/// (`/buildinfo` over `/static`): the line the report judges.
pub fn summary(rounds: &[[f64; ROUTES.len()]]) -> String {
    let sum = |i: usize| rounds.iter().map(|r| r[i]).sum::<f64>();
    let (a, b, c) = (sum(0), sum(1), sum(2));
    let n = rounds.len();
    let mean = |x: f64| x / n as f64;
    let key = Judged::Ratio.key();
    format!(
        "/buildinfo: {:.0} req/s, /static: {:.0} req/s, /static-headers: {:.0} req/s (mean of {n} rounds)\n\
         ratio /buildinfo / /static: {:.3}\nratio /buildinfo / /static-headers: {:.3}\n{key}={:.3}\n",
        mean(a),
        mean(b),
        mean(c),
        a / b,
        a / c,
        a / b,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use std::io::{BufRead, BufReader};
    use std::net::{Ipv4Addr, TcpListener, TcpStream};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        options: Options,
    }

    fn plan(args: &[&str]) -> Result<Plan, clap::Error> {
        let cli = Cli::try_parse_from(std::iter::once("http").chain(args.iter().copied()))?;
        Ok(Plan::new(Path::new("/w"), false, &cli.options))
    }

    #[test]
    fn modes_and_their_defaults() {
        let p = plan(&[]).unwrap();
        assert_eq!((p.mode, p.rounds, p.seconds, p.connections, p.threads, p.port), (Mode::Rate, 3, 5, 16, 1, None));
        assert_eq!((plan(&["--quick"]).unwrap().rounds, plan(&["--quick"]).unwrap().seconds), (1, 2));
        let quick_before = Plan::new(Path::new("/w"), true, &Options::default());
        assert_eq!((quick_before.rounds, quick_before.seconds), (1, 2), "--quick before the subcommand counts");
        let soak = plan(&["--soak"]).unwrap();
        assert_eq!(
            (soak.mode, soak.rounds, soak.seconds),
            (Mode::Soak(vec!["/static".into(), "/buildinfo".into()]), 6, 30)
        );
        let p =
            plan(&["--soak", "--routes", "/buildinfo", "--rounds", "2", "--duration", "10", "--port", "4100"]).unwrap();
        assert_eq!((p.mode, p.rounds, p.seconds, p.port), (Mode::Soak(vec!["/buildinfo".into()]), 2, 10, Some(4100)));
        let p = plan(&["--rounds", "8", "--connections", "64", "--threads", "2"]).unwrap();
        assert_eq!((p.rounds, p.seconds, p.connections, p.threads), (8, 5, 64, 2));
        assert!(plan(&["--quick", "--soak"]).is_err());
        assert!(plan(&["--routes", "/static"]).is_err(), "routes are a soak's");
        assert!(plan(&["--duration", "0"]).is_err());
        assert!(plan(&["--rounds", "0"]).is_err(), "the ratio needs a round");
        assert!(plan(&["--duration", "5s"]).is_err(), "seconds, a number");
        assert!(plan(&["--port", "70000"]).is_err());
    }

    #[test]
    fn the_servers_memory_is_read_from_the_pid_it_prints() {
        // This process stands for the server: the kernel's /proc is the oracle.
        let printed = format!("pid {}\nallocations in 1000000 calls: …\n", std::process::id());
        assert!(rss_kb(pid(&printed).unwrap()).unwrap() > 0);
        assert_eq!(pid("allocations in 10 calls\nlistening on http://127.0.0.1:1\n"), None);
    }

    #[test]
    fn rates_are_summed_over_rounds_before_the_ratio() {
        let text = summary(&[[100.0, 200.0, 100.0], [300.0, 200.0, 300.0]]);
        assert_eq!(
            text,
            "/buildinfo: 200 req/s, /static: 200 req/s, /static-headers: 200 req/s (mean of 2 rounds)\n\
             ratio /buildinfo / /static: 1.000\n\
             ratio /buildinfo / /static-headers: 1.000\n\
             ratio=1.000\n"
        );
        assert!(summary(&[[123050.0, 124849.0, 119176.0]]).ends_with("ratio=0.986\n"));
        let r = WrkReport {
            requests: 2000,
            socket_errors: 1,
            non_2xx: 2,
            requests_per_second: 1000.4,
            latency_avg_seconds: None,
            latency_p99_ms: None,
        };
        assert_eq!(
            soak_line("/static", 2, &r, 4156, 26000),
            "/static round 2: 2000 requests, 1000 req/s, 3 errors, RSS 4156 KB, 13.000 allocations/request\n"
        );
    }

    /// A server on a free loopback port, accepting for ten seconds (wrk's runs take one): it reads
    /// requests and answers each with `answer` until the client closes; or, with no answer, drops
    /// each connection as it comes. The count of answers written is returned with the port.
    fn server(answer: Option<&'static str>) -> (u16, Arc<AtomicU64>) {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let answered = Arc::new(AtomicU64::new(0));
        let count = answered.clone();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        std::thread::spawn(move || {
            while std::time::Instant::now() < deadline {
                let Ok((stream, _)) = listener.accept() else {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    continue;
                };
                let Some(answer) = answer else { continue };
                stream.set_nonblocking(false).unwrap();
                let count = count.clone();
                std::thread::spawn(move || serve(stream, answer, &count));
            }
        });
        (port, answered)
    }

    fn serve(stream: TcpStream, answer: &str, count: &AtomicU64) {
        let mut writer = stream.try_clone().unwrap();
        let mut line = String::new();
        let mut reader = BufReader::new(stream);
        while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
            // A request ends with an empty line (wrk's GETs have no body).
            if line == "\r\n" && writer.write_all(answer.as_bytes()).is_ok() {
                count.fetch_add(1, Ordering::Relaxed);
            }
            line.clear();
        }
    }

    fn run_wrk(port: u16) -> WrkReport {
        let p = Plan { connections: 2, ..plan(&[]).unwrap() };
        wrk(&p.wrk_args(port, "/", 1)).unwrap()
    }

    #[test]
    fn wrk_reports_answers_and_error_statuses() {
        // wrk as the oracle, against a real server on loopback that answers every request 404.
        let (port, answered) = server(Some("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
        let r = run_wrk(port);
        assert!(r.requests > 0, "{r:?}");
        assert_eq!((r.non_2xx, r.socket_errors), (r.requests, 0), "every answer was a 404: {r:?}");
        assert!(r.requests <= answered.load(Ordering::Relaxed), "{r:?}");
        assert!(r.requests_per_second > 0.0, "{r:?}");
        let (port, _) = server(Some("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        let r = run_wrk(port);
        assert!(r.requests > 0 && errors(&r) == 0, "{r:?}");
    }

    #[test]
    fn wrk_reports_socket_errors() {
        // Connections dropped unanswered.
        let (port, _) = server(None);
        let r = run_wrk(port);
        assert_eq!(r.requests, 0, "{r:?}");
        assert!(r.socket_errors > 0 && r.non_2xx == 0, "{r:?}");
    }
}
