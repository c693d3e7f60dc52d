//! Parsing BOINC GUI RPC replies (`<boinc_gui_rpc_reply>…</boinc_gui_rpc_reply>`) into plain
//! data with a real XML parser. Unknown elements are ignored, so newer clients still parse;
//! anything malformed or missing becomes a [`ReplyError`], never a panic.

use std::fmt;
use std::time::Duration;

use roxmltree::{Document, Node};

/// Why a reply could not be turned into the data asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    /// Not XML, not a GUI RPC reply, or a required element missing or out of range.
    #[error("{0}")]
    Malformed(String),
    /// `<unauthorized/>`: the request needs a password we have not proved.
    #[error("the client answered <unauthorized/>")]
    Unauthorized,
    /// `<error>text</error>`: the client understood the request and refused it.
    #[error("the client answered an error: {0}")]
    Refused(String),
}

fn malformed(what: impl Into<String>) -> ReplyError {
    ReplyError::Malformed(what.into())
}

/// A BOINC run mode (for CPU tasks, GPU tasks or the network).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunMode {
    /// Run regardless of preferences.
    Always,
    /// Run according to the user's preferences.
    Auto,
    Never,
}

impl RunMode {
    /// The mode for a wire code (1 always, 2 auto, 3 never); `None` for anything else.
    pub fn from_code(code: i64) -> Option<RunMode> {
        match code {
            1 => Some(RunMode::Always),
            2 => Some(RunMode::Auto),
            3 => Some(RunMode::Never),
            _ => None,
        }
    }

    /// The element naming this mode in `set_gpu_mode` / `set_run_mode`.
    pub fn tag(self) -> &'static str {
        match self {
            RunMode::Always => "always",
            RunMode::Auto => "auto",
            RunMode::Never => "never",
        }
    }
}

impl fmt::Display for RunMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RunMode::Always => "always",
            RunMode::Auto => "according to preferences",
            RunMode::Never => "never",
        })
    }
}

/// One of BOINC's modes as the client reports it: what applies now, what it returns to, when.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModeState {
    pub current: RunMode,
    /// The user's permanent choice, which `current` returns to after `delay`.
    pub perm: RunMode,
    /// Time until a temporary `current` lapses back to `perm`; zero when none is in force.
    pub delay: Duration,
}

impl ModeState {
    /// A temporary mode (set with a duration) is in force.
    pub fn is_temporary(&self) -> bool {
        !self.delay.is_zero()
    }
}

/// Why BOINC suspended a kind of work: bit flags, 0 = not suspended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SuspendReasons(pub u32);

impl SuspendReasons {
    const NAMES: [(u32, &'static str); 13] = [
        (1, "on batteries"),
        (2, "user active"),
        (4, "user request"),
        (8, "time of day"),
        (16, "benchmarks"),
        (32, "disk space"),
        (64, "CPU throttling"),
        (128, "no recent input"),
        (256, "initial delay"),
        (512, "exclusive app running"),
        (1024, "CPU usage"),
        (2048, "network quota"),
        (4096, "OS"),
    ];

    pub fn is_suspended(self) -> bool {
        self.0 != 0
    }

    /// The reasons in words ("user active, exclusive app running"); empty when not suspended.
    pub fn describe(self) -> String {
        let mut words: Vec<String> = Self::NAMES
            .iter()
            .filter(|(bit, _)| self.0 & bit != 0)
            .map(|(_, name)| (*name).to_owned())
            .collect();
        let known: u32 = Self::NAMES.iter().map(|(bit, _)| bit).sum();
        if self.0 & !known != 0 {
            words.push(format!("reason code {}", self.0 & !known));
        }
        words.join(", ")
    }
}

/// `get_cc_status`: the client's modes and suspension state.
#[derive(Debug, Clone, PartialEq)]
pub struct CcStatus {
    pub task: ModeState,
    pub gpu: ModeState,
    pub network: ModeState,
    pub task_suspend_reason: SuspendReasons,
    pub gpu_suspend_reason: SuspendReasons,
    pub network_suspend_reason: SuspendReasons,
}

/// One task (a BOINC "result") from `get_results`.
#[derive(Debug, Clone, PartialEq)]
pub struct BoincTask {
    pub name: String,
    pub project_url: String,
    /// BOINC's result state (2 = files downloaded, ready to run; 5 = uploaded; …).
    pub state: i64,
    /// Present while the task has a process: 1 = executing, 9 = suspended, ….
    pub active_task_state: Option<i64>,
    /// 0.0–1.0 while active.
    pub fraction_done: Option<f64>,
    /// BOINC's resource summary, e.g. "0.2 CPUs + 1 NVIDIA GPU".
    pub resources: Option<String>,
    pub suspended_via_gui: bool,
}

impl BoincTask {
    /// The task's process is running right now.
    pub fn is_executing(&self) -> bool {
        self.active_task_state == Some(1)
    }

    /// The task runs on a GPU (its resource summary names one).
    pub fn uses_gpu(&self) -> bool {
        self.resources.as_deref().is_some_and(|r| r.contains("GPU"))
    }
}

/// One attached project from `get_project_status`. Credits are BOINC's cobblestones.
#[derive(Debug, Clone, PartialEq)]
pub struct BoincProject {
    pub master_url: String,
    pub project_name: String,
    pub user_total_credit: f64,
    pub user_expavg_credit: f64,
    pub host_total_credit: f64,
    pub host_expavg_credit: f64,
    pub suspended_via_gui: bool,
    pub dont_request_more_work: bool,
}

/// One coprocessor (GPU) the client detected, from `get_host_info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoincCoproc {
    /// The element name: `coproc_cuda`, `coproc_ati`, `coproc_intel_gpu`, `coproc`, ….
    pub kind: String,
    pub name: Option<String>,
    pub count: u32,
}

/// The parts of `get_host_info` Overtime uses.
#[derive(Debug, Clone, PartialEq)]
pub struct HostInfo {
    pub cpu_count: Option<u32>,
    pub os_name: Option<String>,
    pub coprocs: Vec<BoincCoproc>,
}

/// The client's version from `exchange_versions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerVersion {
    pub major: u32,
    pub minor: u32,
    pub release: u32,
}

impl fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.release)
    }
}

/// Parse a reply and check its envelope: the root element, `<unauthorized/>` and `<error>`.
fn envelope(text: &str) -> Result<Document<'_>, ReplyError> {
    let doc = Document::parse(text).map_err(|e| malformed(format!("not valid XML ({e})")))?;
    let root = doc.root_element();
    if root.tag_name().name() != "boinc_gui_rpc_reply" {
        return Err(malformed(format!(
            "expected <boinc_gui_rpc_reply>, got <{}>",
            root.tag_name().name()
        )));
    }
    if child(root, "unauthorized").is_some() {
        return Err(ReplyError::Unauthorized);
    }
    if let Some(err) = child(root, "error") {
        return Err(ReplyError::Refused(
            err.text().unwrap_or("").trim().to_owned(),
        ));
    }
    Ok(doc)
}

/// Check only a reply's envelope: XML, the right root, no `<unauthorized/>` or `<error>`.
pub fn check_envelope(text: &str) -> Result<(), ReplyError> {
    envelope(text).map(|_| ())
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn required<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Result<Node<'a, 'i>, ReplyError> {
    child(node, name)
        .ok_or_else(|| malformed(format!("<{}> has no <{name}>", node.tag_name().name())))
}

fn text_of(node: Node<'_, '_>, name: &str) -> Option<String> {
    child(node, name).map(|c| c.text().unwrap_or("").trim().to_owned())
}

fn number(node: Node<'_, '_>, name: &str) -> Result<Option<f64>, ReplyError> {
    match child(node, name) {
        None => Ok(None),
        Some(c) => {
            let raw = c.text().unwrap_or("").trim();
            let value: f64 = raw
                .parse()
                .map_err(|_| malformed(format!("<{name}> is not a number: {raw:?}")))?;
            if value.is_finite() {
                Ok(Some(value))
            } else {
                Err(malformed(format!(
                    "<{name}> is not a finite number: {raw:?}"
                )))
            }
        }
    }
}

fn integer(node: Node<'_, '_>, name: &str) -> Result<Option<i64>, ReplyError> {
    match child(node, name) {
        None => Ok(None),
        Some(c) => {
            let raw = c.text().unwrap_or("").trim();
            raw.parse::<i64>()
                .map(Some)
                .map_err(|_| malformed(format!("<{name}> is not an integer: {raw:?}")))
        }
    }
}

fn required_integer(node: Node<'_, '_>, name: &str) -> Result<i64, ReplyError> {
    integer(node, name)?
        .ok_or_else(|| malformed(format!("<{}> has no <{name}>", node.tag_name().name())))
}

/// BOINC writes booleans either as a flag element (`<x/>`) or as `<x>0|1</x>`.
fn flag(node: Node<'_, '_>, name: &str) -> bool {
    match child(node, name) {
        None => false,
        Some(c) => !matches!(c.text().map(str::trim), Some("0")),
    }
}

fn mode_state(cc: Node<'_, '_>, prefix: &str) -> Result<ModeState, ReplyError> {
    let mode = |name: String| -> Result<RunMode, ReplyError> {
        let code = required_integer(cc, &name)?;
        RunMode::from_code(code).ok_or_else(|| malformed(format!("<{name}> is {code}, not 1–3")))
    };
    let delay_name = format!("{prefix}_delay");
    let delay_s = number(cc, &delay_name)?.unwrap_or(0.0);
    let delay = Duration::try_from_secs_f64(delay_s.max(0.0))
        .map_err(|_| malformed(format!("<{delay_name}> is out of range: {delay_s}")))?;
    Ok(ModeState {
        current: mode(prefix.to_owned())?,
        perm: mode(format!("{prefix}_perm"))?,
        delay,
    })
}

fn suspend_reason(cc: Node<'_, '_>, name: &str) -> Result<SuspendReasons, ReplyError> {
    let raw = integer(cc, name)?.unwrap_or(0);
    u32::try_from(raw)
        .map(SuspendReasons)
        .map_err(|_| malformed(format!("<{name}> is out of range: {raw}")))
}

/// Parse a `get_cc_status` reply.
pub fn parse_cc_status(text: &str) -> Result<CcStatus, ReplyError> {
    let doc = envelope(text)?;
    let cc = required(doc.root_element(), "cc_status")?;
    Ok(CcStatus {
        task: mode_state(cc, "task_mode")?,
        gpu: mode_state(cc, "gpu_mode")?,
        network: mode_state(cc, "network_mode")?,
        task_suspend_reason: suspend_reason(cc, "task_suspend_reason")?,
        gpu_suspend_reason: suspend_reason(cc, "gpu_suspend_reason")?,
        network_suspend_reason: suspend_reason(cc, "network_suspend_reason")?,
    })
}

/// Parse a `get_results` reply (zero or more `<result>`).
pub fn parse_results(text: &str) -> Result<Vec<BoincTask>, ReplyError> {
    let doc = envelope(text)?;
    let results = required(doc.root_element(), "results")?;
    results
        .children()
        .filter(|c| c.is_element() && c.tag_name().name() == "result")
        .map(|r| {
            let active = child(r, "active_task");
            Ok(BoincTask {
                name: text_of(r, "name").ok_or_else(|| malformed("a <result> has no <name>"))?,
                project_url: text_of(r, "project_url").unwrap_or_default(),
                state: integer(r, "state")?.unwrap_or(0),
                active_task_state: match active {
                    Some(a) => integer(a, "active_task_state")?,
                    None => None,
                },
                fraction_done: match active {
                    Some(a) => number(a, "fraction_done")?,
                    None => None,
                },
                resources: text_of(r, "resources"),
                suspended_via_gui: flag(r, "suspended_via_gui"),
            })
        })
        .collect()
}

/// Parse a `get_project_status` reply (zero or more `<project>`).
pub fn parse_projects(text: &str) -> Result<Vec<BoincProject>, ReplyError> {
    let doc = envelope(text)?;
    let projects = required(doc.root_element(), "projects")?;
    projects
        .children()
        .filter(|c| c.is_element() && c.tag_name().name() == "project")
        .map(|p| {
            Ok(BoincProject {
                master_url: text_of(p, "master_url")
                    .ok_or_else(|| malformed("a <project> has no <master_url>"))?,
                project_name: text_of(p, "project_name").unwrap_or_default(),
                user_total_credit: number(p, "user_total_credit")?.unwrap_or(0.0),
                user_expavg_credit: number(p, "user_expavg_credit")?.unwrap_or(0.0),
                host_total_credit: number(p, "host_total_credit")?.unwrap_or(0.0),
                host_expavg_credit: number(p, "host_expavg_credit")?.unwrap_or(0.0),
                suspended_via_gui: flag(p, "suspended_via_gui"),
                dont_request_more_work: flag(p, "dont_request_more_work"),
            })
        })
        .collect()
}

/// Parse a `get_host_info` reply.
pub fn parse_host_info(text: &str) -> Result<HostInfo, ReplyError> {
    let doc = envelope(text)?;
    let host = required(doc.root_element(), "host_info")?;
    let cpu_count = match integer(host, "p_ncpus")? {
        Some(n) => Some(
            u32::try_from(n).map_err(|_| malformed(format!("<p_ncpus> is out of range: {n}")))?,
        ),
        None => None,
    };
    let mut coprocs = Vec::new();
    if let Some(list) = child(host, "coprocs") {
        for c in list.children().filter(Node::is_element) {
            let count = integer(c, "count")?.unwrap_or(1);
            coprocs.push(BoincCoproc {
                kind: c.tag_name().name().to_owned(),
                name: text_of(c, "name"),
                count: u32::try_from(count)
                    .map_err(|_| malformed(format!("<count> is out of range: {count}")))?,
            });
        }
    }
    Ok(HostInfo {
        cpu_count,
        os_name: text_of(host, "os_name"),
        coprocs,
    })
}

/// Parse an `exchange_versions` reply.
pub fn parse_server_version(text: &str) -> Result<ServerVersion, ReplyError> {
    let doc = envelope(text)?;
    let v = required(doc.root_element(), "server_version")?;
    let part = |name: &str| -> Result<u32, ReplyError> {
        let n = required_integer(v, name)?;
        u32::try_from(n).map_err(|_| malformed(format!("<{name}> is out of range: {n}")))
    };
    Ok(ServerVersion {
        major: part("major")?,
        minor: part("minor")?,
        release: part("release")?,
    })
}

/// Parse an `<auth1/>` reply: the nonce to hash with the password.
pub fn parse_nonce(text: &str) -> Result<String, ReplyError> {
    let doc = envelope(text)?;
    let nonce = text_of(doc.root_element(), "nonce")
        .ok_or_else(|| malformed("the <auth1/> reply has no <nonce>"))?;
    if nonce.is_empty() {
        return Err(malformed("the <auth1/> reply has an empty <nonce>"));
    }
    Ok(nonce)
}

/// Parse an `<auth2>` reply: `Ok` for `<authorized/>`, `Err(Unauthorized)` for a refusal.
pub fn parse_authorized(text: &str) -> Result<(), ReplyError> {
    let doc = envelope(text)?;
    if child(doc.root_element(), "authorized").is_some() {
        Ok(())
    } else {
        Err(malformed(
            "the <auth2> reply is neither <authorized/> nor <unauthorized/>",
        ))
    }
}

/// Parse the reply to a command (`set_gpu_mode`, …): `<success/>`.
pub fn parse_success(text: &str) -> Result<(), ReplyError> {
    let doc = envelope(text)?;
    if child(doc.root_element(), "success").is_some() {
        Ok(())
    } else {
        Err(malformed("the reply has no <success/>"))
    }
}
