//! A real headless browser for the console's tests: Debian's `chromium` driven through
//! `chromedriver` (WebDriver) with `fantoccini`. Each [`Browser`] starts its own chromedriver
//! on a free port and a Chromium with a fresh profile and download folder; both are stopped
//! on `Drop`. Missing programs fail the test loudly with how to install them (never a skip).
//! Screenshots go to `$THADS_ARTIFACTS_DIR`, else `target/console-screenshots/`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use std::os::unix::process::CommandExt;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// The Chromium binary (`THADS_CHROMIUM`, default Debian's `/usr/bin/chromium`).
pub fn chromium() -> PathBuf {
    std::env::var_os("THADS_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// The chromedriver binary (`THADS_CHROMEDRIVER`, default Debian's `/usr/bin/chromedriver`).
pub fn chromedriver() -> PathBuf {
    std::env::var_os("THADS_CHROMEDRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromedriver"))
}

/// Where screenshots are kept.
pub fn artifacts_dir() -> PathBuf {
    std::env::var_os("THADS_ARTIFACTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("target")
                .join("console-screenshots")
        })
}

/// A browser session with its chromedriver.
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
    /// Where Chromium saves downloads.
    pub downloads: tempfile::TempDir,
    driver: Child,
    _profile: tempfile::TempDir,
    shots: PathBuf,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(19515)
}

impl Browser {
    /// Starts chromedriver and a headless Chromium; screenshots are named `<prefix>-<name>.png`.
    pub async fn start(prefix: &str) -> Browser {
        for (what, path, package) in [
            ("Chromium", chromium(), "chromium"),
            ("ChromeDriver", chromedriver(), "chromium-driver"),
        ] {
            assert!(
                path.exists(),
                "{what} is required at {} for the console's browser tests: install Debian's `{package}` (scripts/test does), or set THADS_CHROMIUM / THADS_CHROMEDRIVER",
                path.display()
            );
        }
        let port = free_port();
        // Its own process group, so stopping it also stops the Chromium it started.
        let driver = Command::new(chromedriver())
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver().display()));
        let url = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = http.get(format!("{url}/status")).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not start in 30 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let downloads = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let caps = json!({
            "goog:chromeOptions": {
                "binary": chromium(),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1440,1000",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {
                    "download.default_directory": downloads.path(),
                    "download.prompt_for_download": false,
                },
            }
        });
        let caps = match caps {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("an object literal"),
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot open a Chromium session through chromedriver: {e}"));
        let shots = artifacts_dir();
        std::fs::create_dir_all(&shots)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", shots.display()));
        let shots = shots.join(prefix);
        Browser {
            client,
            downloads,
            driver,
            _profile: profile,
            shots,
        }
    }

    /// Opens `url`.
    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    }

    /// Waits (up to `timeout`) for an element matching the CSS selector, and returns it.
    pub async fn wait(&self, css: &str, timeout: Duration) -> Element {
        self.client
            .wait()
            .at_most(timeout)
            .every(Duration::from_millis(100))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css} within {timeout:?}: {e}"))
    }

    /// Waits until the element's text contains `text`; on failure keeps a screenshot
    /// (`…-failed.png`) and says what the element showed, or that it was missing.
    pub async fn wait_text(&self, css: &str, text: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        let mut last = String::from("(no such element)");
        while Instant::now() < deadline {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                if let Ok(t) = e.text().await {
                    if t.contains(text) {
                        return t;
                    }
                    last = t;
                }
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        let shot = self.screenshot("failed").await;
        panic!(
            "{css} did not show {text:?} within {timeout:?}; it shows: {last:?} (screenshot {})",
            shot.display()
        );
    }

    /// Clicks the element matching the CSS selector (waiting for it first, and finding it
    /// again if the page redrew it in between).
    pub async fn click(&self, css: &str) {
        let mut tries = 0;
        loop {
            let e = self.wait(css, Duration::from_secs(15)).await;
            match e.click().await {
                Ok(()) => return,
                Err(err) if tries < 5 && err.to_string().contains("stale") => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(err) => panic!("cannot click {css}: {err}"),
            }
        }
    }

    /// Types `text` into the field matching the CSS selector, after clearing it.
    pub async fn fill(&self, css: &str, text: &str) {
        let e = self.wait(css, Duration::from_secs(15)).await;
        e.clear()
            .await
            .unwrap_or_else(|err| panic!("cannot clear {css}: {err}"));
        e.send_keys(text)
            .await
            .unwrap_or_else(|err| panic!("cannot type into {css}: {err}"));
    }

    /// Runs JavaScript in the page and returns its value.
    pub async fn js(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}: {script}"))
    }

    /// Saves a screenshot of the page as `<prefix>-<name>.png`; returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self
            .client
            .screenshot()
            .await
            .unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
        let path = PathBuf::from(format!("{}-{name}.png", self.shots.display()));
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        path
    }

    /// Waits for a finished download whose name starts with `prefix`, and returns its text.
    pub async fn download(&self, prefix: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(entries) = std::fs::read_dir(self.downloads.path()) {
                for e in entries.flatten() {
                    let name = e.file_name().to_string_lossy().to_string();
                    if name.starts_with(prefix) && name.ends_with(".csv") {
                        if let Ok(text) = std::fs::read_to_string(e.path()) {
                            return text;
                        }
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let seen: Vec<String> = std::fs::read_dir(self.downloads.path())
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .collect()
            })
            .unwrap_or_default();
        panic!("no download {prefix}*.csv within {timeout:?}; the folder holds {seen:?}");
    }

    /// Ends the session (Chromium quits); chromedriver stops on drop.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The whole process group: chromedriver and the Chromium processes it started.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
