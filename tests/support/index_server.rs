//! A real sparse registry index served over HTTP on 127.0.0.1 from a
//! temporary directory (`config.json` and index files in cargo's layout),
//! with fault modes for the retry and error paths.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tempfile::TempDir;

#[derive(Clone, Debug)]
pub enum Mode {
    /// Serve the files; 404 for a missing one.
    Normal,
    /// Answer 500 to the first `n` crate requests, then serve normally.
    FailFirst(usize),
    /// Never answer (the client must time out).
    Hang,
    /// Answer 200 with a body that is not an index entry.
    Garbage,
    /// Serve normally after this delay per request.
    Latency(Duration),
}

pub struct IndexServer {
    dir: TempDir,
    pub url: String,
    mode: Arc<Mutex<Mode>>,
    /// Requests for crate entries served so far.
    pub hits: Arc<AtomicUsize>,
    /// The paths of those requests (`le/dg/ledger`), in order.
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl IndexServer {
    pub fn start(mode: Mode) -> IndexServer {
        let dir = tempfile::tempdir().expect("index dir");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let url = format!("http://{addr}/");
        std::fs::write(
            dir.path().join("config.json"),
            format!("{{\"dl\":\"http://{addr}/dl/{{crate}}/{{version}}/download\",\"api\":null}}"),
        )
        .unwrap();
        let mode = Arc::new(Mutex::new(mode));
        let hits = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let root = dir.path().to_path_buf();
        let (m, h, r) = (mode.clone(), hits.clone(), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (root, m, h, r) = (root.clone(), m.clone(), h.clone(), r.clone());
                std::thread::spawn(move || serve(stream, &root, &m, &h, &r));
            }
        });
        IndexServer {
            dir,
            url,
            mode,
            hits,
            requests,
        }
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Was the index entry of `name` asked for?
    pub fn was_asked(&self, name: &str) -> bool {
        let want = index_rel_path(name).to_string_lossy().replace('\\', "/");
        self.requests.lock().unwrap().contains(&want)
    }

    /// Appends a version to the crate's index file.
    pub fn publish(&self, name: &str, version: &str, checksum: &str, yanked: bool) {
        let path = self.dir.path().join(index_rel_path(name));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let line = format!(
            "{{\"name\":\"{name}\",\"vers\":\"{version}\",\"deps\":[],\"cksum\":\"{checksum}\",\"features\":{{}},\"yanked\":{yanked}}}\n"
        );
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        f.write_all(line.as_bytes()).unwrap();
    }
}

impl IndexServer {
    /// Publishes a real crate: `cargo package` of a crate with these
    /// `src/lib.rs` contents (no dependencies), its `.crate` served at the
    /// index's `dl` URL and its SHA-256 in the index entry.
    pub fn publish_crate(&self, name: &str, version: &str, lib_rs: &str) {
        use sha2::Digest as _;
        let work = tempfile::tempdir().expect("crate dir");
        let dir = work.path().join(name);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(
            dir.join("Cargo.toml"),
            format!(
                "[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\n\
                 license = \"MIT\"\ndescription = \"test crate\"\n\n[workspace]\n"
            ),
        )
        .unwrap();
        std::fs::write(dir.join("src/lib.rs"), lib_rs).unwrap();
        let out =
            std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .args([
                    "package",
                    "--no-verify",
                    "--allow-dirty",
                    "--offline",
                    "--quiet",
                ])
                .current_dir(&dir)
                .env("CARGO_TARGET_DIR", work.path().join("target"))
                .output()
                .expect("run cargo package");
        assert!(
            out.status.success(),
            "cargo package failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let bytes = std::fs::read(
            work.path()
                .join("target/package")
                .join(format!("{name}-{version}.crate")),
        )
        .expect("read the packaged crate");
        let dl = self.dir.path().join("dl").join(name).join(version);
        std::fs::create_dir_all(&dl).unwrap();
        std::fs::write(dl.join("download"), &bytes).unwrap();
        let sum: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        self.publish(name, version, &sum, false);
    }
}

/// 1/{n} 2/{n} 3/{c}/{n} {ab}/{cd}/{n}, lowercase.
pub fn index_rel_path(name: &str) -> PathBuf {
    let n = name.to_ascii_lowercase();
    match n.len() {
        1 => ["1", &n].iter().collect(),
        2 => ["2", &n].iter().collect(),
        3 => ["3", &n[..1], &n].iter().collect(),
        _ => [&n[..2], &n[2..4], &n].iter().collect(),
    }
}

fn serve(
    mut stream: TcpStream,
    root: &Path,
    mode: &Mutex<Mode>,
    hits: &AtomicUsize,
    requests: &Mutex<Vec<String>>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => return,
            Ok(_) if header == "\r\n" || header == "\n" => break,
            Ok(_) => {}
        }
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .trim_start_matches('/')
        .to_string();
    let is_entry = path != "config.json";
    let current = mode.lock().unwrap().clone();
    if is_entry {
        hits.fetch_add(1, Ordering::SeqCst);
        requests.lock().unwrap().push(path.clone());
    }
    let respond = |stream: &mut TcpStream, status: &str, body: &[u8]| {
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(body);
    };
    match current {
        Mode::Hang if is_entry => {
            std::thread::sleep(Duration::from_secs(120));
            return;
        }
        Mode::Garbage if is_entry => {
            respond(&mut stream, "200 OK", b"<html>this is not an index</html>");
            return;
        }
        Mode::FailFirst(n) if is_entry => {
            let mut m = mode.lock().unwrap();
            if let Mode::FailFirst(left) = &mut *m
                && *left > 0
            {
                *left -= 1;
                drop(m);
                let _ = n;
                respond(&mut stream, "500 Internal Server Error", b"try again");
                return;
            }
        }
        Mode::Latency(d) => std::thread::sleep(d),
        _ => {}
    }
    match std::fs::read(root.join(&path)) {
        Ok(body) => respond(&mut stream, "200 OK", &body),
        Err(_) => respond(&mut stream, "404 Not Found", b"not found"),
    }
}
