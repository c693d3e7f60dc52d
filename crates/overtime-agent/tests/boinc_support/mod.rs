//! A real `boinc` client for tests and the pause-latency benchmark: its own data dir, a
//! password, a free loopback port; killed and cleaned up on drop. `boinccmd` reads the client's
//! state independently of the code under test.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const INSTALL_HINT: &str = "the BOINC client is not installed: run `sudo apt-get install -y boinc-client` \
     (it provides /usr/bin/boinc and /usr/bin/boinccmd; CI installs it)";

/// A running `boinc` started for one test.
pub struct RealBoinc {
    pub dir: PathBuf,
    pub port: u16,
    pub password: String,
    child: Option<Child>,
}

/// One section ("GPU status") of `boinccmd --get_cc_status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CmdMode {
    /// "always", "according to prefs" or "never".
    pub current: String,
    pub perm: String,
    /// "perm becomes current in N sec".
    pub delay_s: u64,
}

fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

impl RealBoinc {
    /// Start a fresh client with `password` in its `gui_rpc_auth.cfg`; panics (failing the test)
    /// with install advice if BOINC is missing, or with the client's log if it does not answer
    /// within 5 s.
    pub fn start(password: &str) -> RealBoinc {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("overtime-boinc-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("gui_rpc_auth.cfg"), format!("{password}\n")).unwrap();
        let mut client = RealBoinc {
            dir,
            port: free_port(),
            password: password.to_owned(),
            child: None,
        };
        client.launch();
        client
    }

    pub fn auth_file(&self) -> PathBuf {
        self.dir.join("gui_rpc_auth.cfg")
    }

    fn launch(&mut self) {
        let boinc = on_path("boinc").unwrap_or_else(|| panic!("{INSTALL_HINT}"));
        assert!(on_path("boinccmd").is_some(), "{INSTALL_HINT}");
        let log = std::fs::File::create(self.dir.join("client.log")).unwrap();
        let child = Command::new(boinc)
            .arg("--dir")
            .arg(&self.dir)
            .args([
                "--gui_rpc_port",
                &self.port.to_string(),
                "--allow_multiple_clients",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start boinc: {e}; {INSTALL_HINT}"));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let listening = TcpStream::connect_timeout(
                &([127, 0, 0, 1], self.port).into(),
                Duration::from_millis(200),
            )
            .is_ok();
            if listening && self.try_boinccmd(&["--get_cc_status"]).is_ok() {
                return;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("boinc exited at start ({status}); log:\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "boinc did not answer on 127.0.0.1:{} within 5 s; log:\n{}",
                self.port,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("client.log")).unwrap_or_default()
    }

    /// SIGKILL the client (no chance to clean up), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Start the client again on the same port and data dir.
    pub fn restart(&mut self) {
        self.kill();
        self.launch();
    }

    fn try_boinccmd(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new("boinccmd")
            .args(["--host", &format!("127.0.0.1:{}", self.port)])
            .args(["--passwd", &self.password])
            .args(args)
            .output()
            .map_err(|e| format!("cannot run boinccmd: {e}; {INSTALL_HINT}"))?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        if out.status.success() {
            Ok(text)
        } else {
            Err(text)
        }
    }

    /// Run `boinccmd` against this client; panics on failure.
    pub fn boinccmd(&self, args: &[&str]) -> String {
        self.try_boinccmd(args)
            .unwrap_or_else(|e| panic!("boinccmd {args:?} failed: {e}"))
    }

    /// The GPU section of `boinccmd --get_cc_status`: the truth, read without our code.
    pub fn gpu_mode(&self) -> CmdMode {
        parse_section(&self.boinccmd(&["--get_cc_status"]), "GPU status")
    }

    /// The CPU section of `boinccmd --get_cc_status`.
    pub fn cpu_mode(&self) -> CmdMode {
        parse_section(&self.boinccmd(&["--get_cc_status"]), "CPU status")
    }

    /// Set the user's own (permanent) GPU mode, as they would in BOINC Manager.
    pub fn set_user_gpu_mode(&self, mode: &str) {
        self.boinccmd(&["--set_gpu_mode", mode]);
        let want = if mode == "auto" {
            "according to prefs"
        } else {
            mode
        };
        assert_eq!(self.gpu_mode().perm, want);
    }
}

impl Drop for RealBoinc {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Parse one section of `boinccmd --get_cc_status` output.
pub fn parse_section(text: &str, title: &str) -> CmdMode {
    let start = text
        .find(title)
        .unwrap_or_else(|| panic!("no {title:?} in boinccmd output:\n{text}"));
    let mut current = None;
    let mut perm = None;
    let mut delay_s = None;
    for line in text[start + title.len()..].lines().map(str::trim) {
        if line.ends_with("status") {
            break;
        }
        if let Some(v) = line.strip_prefix("current mode: ") {
            current = Some(v.to_owned());
        } else if let Some(v) = line.strip_prefix("perm mode: ") {
            perm = Some(v.to_owned());
        } else if let Some(v) = line.strip_prefix("perm becomes current in ") {
            delay_s = v.trim_end_matches(" sec").parse().ok();
        }
    }
    CmdMode {
        current: current.unwrap_or_else(|| panic!("no current mode under {title}:\n{text}")),
        perm: perm.unwrap_or_else(|| panic!("no perm mode under {title}:\n{text}")),
        delay_s: delay_s.unwrap_or_else(|| panic!("no delay under {title}:\n{text}")),
    }
}

/// Wait until `check` holds, polling every 20 ms, at most `limit`.
pub fn wait_until(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if check() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn path_str(p: &Path) -> String {
    p.display().to_string()
}
