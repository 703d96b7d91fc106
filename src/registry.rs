//! Registry index queries: "is `name@version` published, and is it yanked?".
//! A sparse index is read over real HTTP (crates-index builds the requests
//! and parses the entries, ureq sends them through the platform's trust
//! store). An index *error* is never read as "not published": only 404, 410
//! and 451 mean "no such crate"; timeouts, 5xx and malformed entries are
//! retried with backoff and then reported as "could not verify".

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use crates_index::SparseIndex;
use semver::Version;

use crate::text::count;

/// Answers whether a crate version is in a registry. An error means the
/// registry could not be asked (never "not published").
pub trait PublishedVersions {
    fn is_published(&self, name: &str, version: &Version) -> Result<bool>;
    /// "crates.io", "https://index.example/": shown in report details.
    fn describe(&self) -> String;
}

/// The sparse index of crates.io.
pub const CRATES_IO: &str = crates_index::sparse::URL;

/// What the index says about one version of a crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexedVersion {
    pub version: String,
    pub yanked: bool,
    /// SHA-256 of the `.crate` file, lowercase hex.
    pub checksum: String,
}

/// One crate's index entry; `None` versions when the index has no such crate.
#[derive(Clone, Debug)]
pub struct IndexEntry {
    pub versions: Option<Vec<IndexedVersion>>,
}

impl IndexEntry {
    pub fn find(&self, version: &Version) -> Option<&IndexedVersion> {
        let wanted = version.to_string();
        self.versions.as_ref()?.iter().find(|v| v.version == wanted)
    }
}

/// Timeouts and retries of index requests.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    pub timeout: Duration,
    pub attempts: u32,
    /// Wait before the second attempt; doubled for each further one.
    pub backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            timeout: Duration::from_secs(20),
            attempts: 4,
            backoff: Duration::from_millis(250),
        }
    }
}

/// Which index to ask, and how it was chosen ("crates.io", "--index …",
/// "registry `corp` from ~/.cargo/config.toml").
#[derive(Clone, Debug)]
pub struct IndexLocation {
    /// `sparse+http(s)://…/`
    pub url: String,
    pub label: String,
}

impl IndexLocation {
    pub fn crates_io() -> IndexLocation {
        IndexLocation {
            url: CRATES_IO.to_string(),
            label: "crates.io".to_string(),
        }
    }

    /// `--index URL`: a sparse index URL, with or without the `sparse+` prefix.
    pub fn from_url(url: &str) -> Result<IndexLocation> {
        let url = url.trim();
        let http = url.strip_prefix("sparse+").unwrap_or(url);
        if !(http.starts_with("http://") || http.starts_with("https://")) {
            bail!(
                "index URL `{url}` is not a sparse index (expected `sparse+https://…` or `https://…`; \
                 git indexes are not supported)"
            );
        }
        // crates-index builds its requests with `unwrap`: a URL that is not
        // one must be refused here.
        let uri: crates_index::http::Uri = http
            .parse()
            .map_err(|e| anyhow!("index URL `{url}` is not a valid URL: {e}"))?;
        if uri.host().is_none_or(str::is_empty) {
            bail!("index URL `{url}` has no host");
        }
        if uri.query().is_some() || http.contains('#') {
            bail!("index URL `{url}` must not have a query or fragment");
        }
        let sparse = format!("sparse+{http}");
        Ok(IndexLocation {
            label: sparse.trim_start_matches("sparse+").to_string(),
            url: sparse,
        })
    }

    /// `--registry NAME`, as cargo finds it: `CARGO_REGISTRIES_<NAME>_INDEX`,
    /// then `[registries.NAME] index` in the workspace's `.cargo/config.toml`
    /// and in `$CARGO_HOME/config.toml`.
    pub fn from_registry_name(name: &str, workspace_root: &Path) -> Result<IndexLocation> {
        if name == "crates-io" {
            return Ok(IndexLocation::crates_io());
        }
        // Cargo's rule for registry names; it also keeps the name a valid
        // environment variable name.
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            bail!("registry name `{name}` is not valid: use letters, digits, `-` and `_`");
        }
        let var = format!(
            "CARGO_REGISTRIES_{}_INDEX",
            name.to_ascii_uppercase().replace('-', "_")
        );
        if let Ok(url) = std::env::var(&var) {
            let mut loc = IndexLocation::from_url(&url).with_context(|| format!("in ${var}"))?;
            loc.label = format!("registry `{name}` (${var})");
            return Ok(loc);
        }
        let mut searched = Vec::new();
        let mut configs: Vec<PathBuf> = workspace_root
            .ancestors()
            .flat_map(|d| [d.join(".cargo/config.toml"), d.join(".cargo/config")])
            .collect();
        configs.extend(cargo_home().map(|h| h.join("config.toml")));
        configs.extend(cargo_home().map(|h| h.join("config")));
        for path in configs {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            searched.push(path.display().to_string());
            let doc: toml_edit::DocumentMut = text
                .parse()
                .map_err(|e| anyhow!("failed to parse `{}`\n{e}", path.display()))?;
            if let Some(url) = doc
                .get("registries")
                .and_then(|r| r.get(name))
                .and_then(|r| r.get("index"))
                .and_then(|i| i.as_str())
            {
                let mut loc = IndexLocation::from_url(url)
                    .with_context(|| format!("registry `{name}` in `{}`", path.display()))?;
                loc.label = format!("registry `{name}` ({})", path.display());
                return Ok(loc);
            }
        }
        bail!(
            "registry `{name}` is not configured: set ${var} or `[registries.{name}] index = \"sparse+https://…\"` \
             in .cargo/config.toml (searched: {})",
            if searched.is_empty() {
                "no config files found".to_string()
            } else {
                searched.join(", ")
            }
        )
    }
}

fn cargo_home() -> Option<PathBuf> {
    if let Some(h) = std::env::var_os("CARGO_HOME").filter(|h| !h.is_empty()) {
        return Some(PathBuf::from(h));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo"))
}

/// A sparse index client with a per-run memo (one request per crate).
pub struct SparseRegistry {
    index: SparseIndex,
    agent: ureq::Agent,
    location: IndexLocation,
    policy: RetryPolicy,
    memo: Mutex<HashMap<String, IndexEntry>>,
    /// Crates the index could not answer for, after every retry: asked
    /// again in the same run, the answer would only take as long again.
    failed: Mutex<HashMap<String, String>>,
}

impl SparseRegistry {
    /// `scratch` is a directory crates-index may use for its cache; nothing
    /// is written there (every answer comes fresh from the server, which is
    /// the point of verifying a publication).
    pub fn new(location: IndexLocation, scratch: &Path, policy: RetryPolicy) -> Result<Self> {
        let index = SparseIndex::with_path(scratch, &location.url)
            .map_err(|e| anyhow!("invalid index URL `{}`: {e}", location.url))?;
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(policy.timeout))
            .tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                    .build(),
            )
            .user_agent(concat!(
                "cargo-security-release/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .into();
        Ok(SparseRegistry {
            index,
            agent,
            location,
            policy,
            memo: Mutex::new(HashMap::new()),
            failed: Mutex::new(HashMap::new()),
        })
    }

    pub fn location(&self) -> &IndexLocation {
        &self.location
    }

    /// The crate's index entry, retried on faults; memoized for the run.
    pub fn entry(&self, name: &str) -> Result<IndexEntry> {
        if let Some(e) = self.memo.lock().ok().and_then(|m| m.get(name).cloned()) {
            return Ok(e);
        }
        if let Some(msg) = self.failed.lock().ok().and_then(|m| m.get(name).cloned()) {
            return Err(anyhow!(msg));
        }
        let entry = match self.fetch_with_retries(name) {
            Ok(entry) => entry,
            Err(e) => {
                if let Ok(mut failed) = self.failed.lock() {
                    failed.insert(name.to_string(), format!("{e:#}"));
                }
                return Err(e);
            }
        };
        if let Ok(mut memo) = self.memo.lock() {
            memo.insert(name.to_string(), entry.clone());
        }
        Ok(entry)
    }

    /// Fetches every crate concurrently (a pool of up to 32 threads taking
    /// the next name as they finish): twenty crates cost about one round
    /// trip, not twenty.
    pub fn entries(&self, names: &[String]) -> Vec<(String, Result<IndexEntry>)> {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let results: Mutex<Vec<Option<Result<IndexEntry>>>> =
            Mutex::new(names.iter().map(|_| None).collect());
        std::thread::scope(|s| {
            for _ in 0..names.len().min(32) {
                s.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        let Some(name) = names.get(i) else { break };
                        let result = self.entry(name);
                        if let Ok(mut r) = results.lock() {
                            r[i] = Some(result);
                        }
                    }
                });
            }
        });
        let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
        names
            .iter()
            .cloned()
            .zip(results)
            .map(|(name, r)| {
                let r = r.unwrap_or_else(|| Err(anyhow!("the lookup of `{name}` did not finish")));
                (name, r)
            })
            .collect()
    }

    /// Forgets memoized answers (for `--wait` polling).
    pub fn forget(&self, name: &str) {
        if let Ok(mut failed) = self.failed.lock() {
            failed.remove(name);
        }
        if let Ok(mut memo) = self.memo.lock() {
            memo.remove(name);
        }
    }

    fn fetch_with_retries(&self, name: &str) -> Result<IndexEntry> {
        let mut wait = self.policy.backoff;
        let mut last = None;
        for attempt in 1..=self.policy.attempts.max(1) {
            match self.fetch(name) {
                Ok(entry) => return Ok(entry),
                Err(e) => last = Some(e),
            }
            if attempt < self.policy.attempts {
                std::thread::sleep(wait);
                wait *= 2;
            }
        }
        let err = last.unwrap_or_else(|| anyhow!("no attempt was made"));
        Err(err.context(format!(
            "could not verify `{name}` in {} after {}",
            self.location.label,
            count(self.policy.attempts as usize, "attempt")
        )))
    }

    fn fetch(&self, name: &str) -> Result<IndexEntry> {
        let url = self.index.crate_url(name).unwrap_or_default();
        let request = self
            .index
            .make_cache_request(name)
            .map_err(|e| anyhow!("cannot build the request for `{name}`: {e}"))?
            // crates-index asks for HTTP/2; ureq speaks HTTP/1.1.
            .version(ureq::http::Version::HTTP_11)
            .body(())
            .map_err(|e| anyhow!("cannot build the request for `{name}`: {e}"))?;
        let response = self
            .agent
            .run(request)
            .map_err(|e| anyhow!("GET {url}: {e}"))?;
        let status = response.status().as_u16();
        let (parts, mut body) = response.into_parts();
        match status {
            200 => {}
            // The index's way of saying "no such crate".
            404 | 410 | 451 => return Ok(IndexEntry { versions: None }),
            other => bail!("GET {url}: HTTP {other}"),
        }
        let bytes = body
            .read_to_vec()
            .map_err(|e| anyhow!("GET {url}: reading the body: {e}"))?;
        let krate = self
            .index
            .parse_cache_response(
                name,
                crates_index::http::Response::from_parts(parts, bytes),
                false,
            )
            .map_err(|e| anyhow!("GET {url}: malformed index entry: {e}"))?
            .ok_or_else(|| anyhow!("GET {url}: unexpected empty answer"))?;
        if !krate.name().eq_ignore_ascii_case(name) {
            bail!("GET {url}: the entry is for `{}`", krate.name());
        }
        let versions = krate
            .versions()
            .iter()
            .map(|v| IndexedVersion {
                version: v.version().to_string(),
                yanked: v.is_yanked(),
                checksum: hex(v.checksum()),
            })
            .collect();
        Ok(IndexEntry {
            versions: Some(versions),
        })
    }
}

impl PublishedVersions for SparseRegistry {
    fn is_published(&self, name: &str, version: &Version) -> Result<bool> {
        // A yanked version was still released: it must not be reused.
        Ok(self.entry(name)?.find(version).is_some())
    }

    fn describe(&self) -> String {
        self.location.label.clone()
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_urls() {
        assert_eq!(
            IndexLocation::from_url("https://index.example/")
                .unwrap()
                .url,
            "sparse+https://index.example/"
        );
        assert_eq!(
            IndexLocation::from_url("sparse+http://127.0.0.1:1/")
                .unwrap()
                .url,
            "sparse+http://127.0.0.1:1/"
        );
        assert!(IndexLocation::from_url("file:///tmp/index").is_err());
        for bad in [
            "http://[::1",
            "https://",
            "sparse+http://a b/",
            "http://%zz/",
            "sparse+",
        ] {
            assert!(IndexLocation::from_url(bad).is_err(), "{bad}");
        }
    }
}
