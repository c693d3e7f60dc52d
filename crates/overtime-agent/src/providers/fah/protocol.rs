//! The Folding@home v8 client's WebSocket protocol as data: the full state it sends on connect,
//! the change arrays that follow, and the commands we send back. No I/O here, so every rule of
//! the wire can be tested on plain strings.
//!
//! The state is kept as the JSON the client sent (fields we do not know survive untouched), and
//! read through small typed views ([`FahState::info`], [`FahState::groups`], [`FahState::units`])
//! that tolerate missing or oddly typed fields.

use std::collections::HashMap;
use std::fmt;

use jiff::Timestamp;
use serde_json::{Map, Value};

/// Why a message from the client could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    #[error("not JSON ({0})")]
    NotJson(String),
    #[error("not a Folding@home state: {0}")]
    NotState(String),
    #[error("unexpected message: {0}")]
    Unexpected(String),
    #[error(transparent)]
    Change(#[from] ChangeError),
}

/// What is wrong with a change array's path (the client and we disagree about the state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeProblem {
    /// Fewer than two elements: a change needs at least one key and a value.
    TooShort,
    /// A path element is neither a string nor an integer.
    BadKey,
    /// The path goes through a value that is neither an object nor a list.
    NotAContainer,
    /// A string key used on a list, or an index used on an object.
    WrongKeyKind,
    /// A list index past the end (or a negative one other than -1 and -2).
    NoSuchIndex,
    /// Index -2 (append several) with a value that is not a list.
    AppendNeedsList,
}

impl fmt::Display for ChangeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChangeProblem::TooShort => "a change needs a path and a value",
            ChangeProblem::BadKey => "a path element is neither a key nor an index",
            ChangeProblem::NotAContainer => "the path goes through a plain value",
            ChangeProblem::WrongKeyKind => "a key on a list or an index on an object",
            ChangeProblem::NoSuchIndex => "the index is out of range",
            ChangeProblem::AppendNeedsList => "appending several (-2) needs a list value",
        })
    }
}

/// A change array that does not fit the state it was applied to. The state is left as it was
/// before the failing step only for the final operation; a caller should treat its copy as
/// diverged and fetch a fresh full state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot apply change at {path}: {problem}")]
pub struct ChangeError {
    /// The change's path, as JSON (`["units",5,"progress"]`).
    pub path: String,
    pub problem: ChangeProblem,
}

/// One message from the client.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// The keep-alive the client sends every ~15 s; carries nothing.
    Ping,
    /// A path followed by a value (see [`FahState::apply`]).
    Change(Vec<Value>),
    /// A whole state (the first message of a connection).
    State(Value),
}

/// Classify one text message. Errors: not JSON, or JSON of a shape the client never sends.
pub fn parse_message(text: &str) -> Result<Message, ParseError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| ParseError::NotJson(e.to_string()))?;
    match value {
        Value::String(s) if s == "ping" => Ok(Message::Ping),
        Value::Array(items) => Ok(Message::Change(items)),
        Value::Object(_) => Ok(Message::State(value)),
        other => Err(ParseError::Unexpected(abbreviate(&other.to_string()))),
    }
}

fn abbreviate(text: &str) -> String {
    const MAX_CHARS: usize = 80;
    if text.chars().count() <= MAX_CHARS {
        text.to_owned()
    } else {
        let mut out: String = text.chars().take(MAX_CHARS).collect();
        out.push('…');
        out
    }
}

/// The client's state: what it sent on connect with every change since applied.
#[derive(Debug, Clone, PartialEq)]
pub struct FahState {
    root: Value,
}

/// `info`: what the client says about itself and the machine.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Info {
    /// Client version ("8.3.18"); empty if not given.
    pub version: String,
    /// `mach_name`: the machine's name in the client; empty if not given.
    pub machine_name: String,
    /// The GPUs the client found, ordered by id (PCI bus order: "gpu:01:00.0").
    pub gpus: Vec<GpuInfo>,
}

/// One entry of `info.gpus`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GpuInfo {
    /// The client's id for the GPU ("gpu:01:00.0"), used by group configs and units.
    pub id: String,
    pub description: String,
    /// The compute runtime's UUID, when the client reports one.
    pub uuid: Option<String>,
    /// Vendor in lower case ("nvidia", "amd", "intel"); empty if not given.
    pub vendor: String,
    pub supported: bool,
}

/// One resource group (the default group is named "").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub name: String,
    /// `config.paused`; a missing value counts as paused, the client's own default.
    pub paused: bool,
    /// `config.finish`: finish the current units, then stop.
    pub finish: bool,
    /// `config.gpus`: GPU id → enabled in this group, ordered by id.
    pub gpus: Vec<(String, bool)>,
}

impl Group {
    /// Whether the group folds, finishes, or stands still.
    pub fn run_state(&self) -> RunState {
        match (self.paused, self.finish) {
            (true, _) => RunState::Paused,
            (false, true) => RunState::Finishing,
            (false, false) => RunState::Folding,
        }
    }

    /// Whether this group is set to use the GPU `id`.
    pub fn uses_gpu(&self, id: &str) -> bool {
        self.gpus.iter().any(|(g, enabled)| g == id && *enabled)
    }
}

/// What a group (or the machine) is set to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunState {
    Folding,
    /// Folding until the current units are done, then paused.
    Finishing,
    Paused,
}

impl RunState {
    /// The `state` command that sets this state.
    pub fn command(self) -> StateCommand {
        match self {
            RunState::Folding => StateCommand::Fold,
            RunState::Finishing => StateCommand::Finish,
            RunState::Paused => StateCommand::Pause,
        }
    }
}

impl fmt::Display for RunState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RunState::Folding => "folding",
            RunState::Finishing => "finishing",
            RunState::Paused => "paused",
        })
    }
}

/// One work unit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Unit {
    pub id: String,
    /// The resource group it runs in ("" for the default group).
    pub group: String,
    /// ASSIGN, DOWNLOAD, CORE, RUN, UPLOAD, DUMP, DONE…; empty if not given.
    pub state: String,
    pub paused: bool,
    pub pause_reason: Option<String>,
    /// Progress of the unit, 0–1 (`wu_progress`, else `progress`).
    pub progress_fraction: Option<f64>,
    /// Estimated points per day (0 when not given).
    pub ppd: u64,
    /// Time to completion as the client words it ("2 hours 3 mins").
    pub eta: Option<String>,
    /// Ids of the GPUs it runs on (empty: a CPU unit).
    pub gpus: Vec<String>,
}

impl Unit {
    /// Crunching right now: in RUN state and not paused.
    pub fn is_running(&self) -> bool {
        self.state == "RUN" && !self.paused
    }
}

impl FahState {
    /// Parse the full state the client sends first. Errors: not JSON, or not an object with an
    /// `info` object (then the peer is not a Folding@home v8 client).
    pub fn from_full(text: &str) -> Result<FahState, ParseError> {
        match parse_message(text)? {
            Message::State(root) => FahState::from_value(root),
            Message::Ping => Err(ParseError::NotState(
                "a ping came before the state".to_owned(),
            )),
            Message::Change(_) => Err(ParseError::NotState(
                "a change came before the state".to_owned(),
            )),
        }
    }

    /// Wrap an already parsed full state (same checks as [`FahState::from_full`]).
    pub fn from_value(root: Value) -> Result<FahState, ParseError> {
        let Some(object) = root.as_object() else {
            return Err(ParseError::NotState("not a JSON object".to_owned()));
        };
        if !object.get("info").is_some_and(Value::is_object) {
            return Err(ParseError::NotState("no `info` object".to_owned()));
        }
        Ok(FahState { root })
    }

    /// The raw JSON.
    pub fn json(&self) -> &Value {
        &self.root
    }

    /// Apply one message: a change is applied, a full state replaces ours, a ping does nothing.
    pub fn absorb(&mut self, message: Message) -> Result<(), ParseError> {
        match message {
            Message::Ping => Ok(()),
            Message::Change(change) => Ok(self.apply(&change)?),
            Message::State(root) => {
                *self = FahState::from_value(root)?;
                Ok(())
            }
        }
    }

    /// Apply a change array `[key, key, …, value]`. Keys are object keys (strings) or list
    /// indices (integers); missing or null intermediate entries are created as an object, or
    /// as a list when the next key is an index (as the official web front end does). On the
    /// last key: index -1 appends the value, -2 appends each element of a list value, an index
    /// equal to the length appends, and a null value deletes the key or the list element.
    /// Errors (the state may then be partly created along the path, never otherwise changed):
    /// see [`ChangeProblem`].
    pub fn apply(&mut self, change: &[Value]) -> Result<(), ChangeError> {
        let fail = |problem| ChangeError {
            path: render_path(change),
            problem,
        };
        let Some((value, path)) = change.split_last() else {
            return Err(fail(ChangeProblem::TooShort));
        };
        let keys: Vec<Key> = path
            .iter()
            .map(Key::from_json)
            .collect::<Option<_>>()
            .ok_or_else(|| fail(ChangeProblem::BadKey))?;
        let Some((last_key, parents)) = keys.split_last() else {
            return Err(fail(ChangeProblem::TooShort));
        };
        let mut node = &mut self.root;
        for (i, key) in parents.iter().enumerate() {
            let next_is_index = matches!(keys.get(i + 1), Some(Key::Index(_)));
            node = step(node, key, next_is_index).map_err(fail)?;
        }
        finish(node, last_key, value.clone()).map_err(fail)
    }

    /// `info`, with defaults for what is missing.
    pub fn info(&self) -> Info {
        let info = &self.root["info"];
        let mut gpus: Vec<GpuInfo> = info["gpus"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(id, g)| GpuInfo {
                        id: id.clone(),
                        description: text(&g["description"]),
                        uuid: g["uuid"].as_str().map(str::to_owned),
                        vendor: text(&g["type"]).to_lowercase(),
                        supported: g["supported"].as_bool().unwrap_or(false),
                    })
                    .collect()
            })
            .unwrap_or_default();
        gpus.sort_by(|a, b| a.id.cmp(&b.id));
        Info {
            version: text(&info["version"]),
            machine_name: text(&info["mach_name"]),
            gpus,
        }
    }

    /// The resource groups, ordered by name (the default group "" first). A client without
    /// `groups` (8.1 and older) has one implicit group configured by the top-level `config`.
    pub fn groups(&self) -> Vec<Group> {
        let mut groups: Vec<Group> = match self.root["groups"].as_object() {
            Some(m) => m
                .iter()
                .map(|(name, g)| group_from(name, &g["config"]))
                .collect(),
            None => vec![group_from("", &self.root["config"])],
        };
        groups.sort_by(|a, b| a.name.cmp(&b.name));
        groups
    }

    /// The group named `name`, if the client has it.
    pub fn group(&self, name: &str) -> Option<Group> {
        self.groups().into_iter().find(|g| g.name == name)
    }

    /// The work units, in the client's order.
    pub fn units(&self) -> Vec<Unit> {
        self.root["units"]
            .as_array()
            .map(|units| units.iter().map(unit_from).collect())
            .unwrap_or_default()
    }
}

fn text(v: &Value) -> String {
    v.as_str().map(str::to_owned).unwrap_or_default()
}

fn group_from(name: &str, config: &Value) -> Group {
    let mut gpus: Vec<(String, bool)> = config["gpus"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(id, g)| (id.clone(), g["enabled"].as_bool().unwrap_or(false)))
                .collect()
        })
        .unwrap_or_default();
    gpus.sort();
    Group {
        name: name.to_owned(),
        paused: config["paused"].as_bool().unwrap_or(true),
        finish: config["finish"].as_bool().unwrap_or(false),
        gpus,
    }
}

fn unit_from(u: &Value) -> Unit {
    let fraction = u["wu_progress"]
        .as_f64()
        .or_else(|| u["progress"].as_f64())
        .filter(|p| p.is_finite())
        .map(|p| p.clamp(0.0, 1.0));
    Unit {
        id: match &u["id"] {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        },
        group: text(&u["group"]),
        state: text(&u["state"]),
        paused: u["paused"].as_bool().unwrap_or(false),
        pause_reason: u["pause_reason"].as_str().map(str::to_owned),
        progress_fraction: fraction,
        ppd: u["ppd"]
            .as_u64()
            .or_else(|| {
                u["ppd"]
                    .as_f64()
                    .filter(|p| p.is_finite() && *p >= 0.0)
                    .map(|p| p as u64)
            })
            .unwrap_or(0),
        eta: u["eta"].as_str().map(str::to_owned),
        gpus: u["gpus"]
            .as_array()
            .map(|l| {
                l.iter()
                    .filter_map(|g| g.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// One path element.
#[derive(Debug, Clone)]
enum Key {
    Name(String),
    Index(i64),
}

impl Key {
    fn from_json(v: &Value) -> Option<Key> {
        match v {
            Value::String(s) => Some(Key::Name(s.clone())),
            Value::Number(n) => n.as_i64().map(Key::Index),
            _ => None,
        }
    }
}

fn render_path(change: &[Value]) -> String {
    let path = change.split_last().map(|(_, p)| p).unwrap_or(&[]);
    abbreviate(&Value::Array(path.to_vec()).to_string())
}

/// Walk one step down, creating a missing (or null) entry of the kind the next key needs.
fn step<'a>(
    node: &'a mut Value,
    key: &Key,
    next_is_index: bool,
) -> Result<&'a mut Value, ChangeProblem> {
    let fresh = || {
        if next_is_index {
            Value::Array(Vec::new())
        } else {
            Value::Object(Map::new())
        }
    };
    match (node, key) {
        (Value::Object(m), Key::Name(k)) => {
            let entry = m.entry(k.clone()).or_insert(Value::Null);
            if entry.is_null() {
                *entry = fresh();
            }
            Ok(entry)
        }
        (Value::Array(a), Key::Index(i)) => {
            let i = usize::try_from(*i).map_err(|_| ChangeProblem::NoSuchIndex)?;
            let entry = a.get_mut(i).ok_or(ChangeProblem::NoSuchIndex)?;
            if entry.is_null() {
                *entry = fresh();
            }
            Ok(entry)
        }
        (Value::Object(_), Key::Index(_)) | (Value::Array(_), Key::Name(_)) => {
            Err(ChangeProblem::WrongKeyKind)
        }
        _ => Err(ChangeProblem::NotAContainer),
    }
}

/// The operation on the last key.
fn finish(node: &mut Value, key: &Key, value: Value) -> Result<(), ChangeProblem> {
    match (node, key) {
        (Value::Object(m), Key::Name(k)) => {
            if value.is_null() {
                m.remove(k);
            } else {
                m.insert(k.clone(), value);
            }
            Ok(())
        }
        (Value::Array(a), Key::Index(-1)) => {
            a.push(value);
            Ok(())
        }
        (Value::Array(a), Key::Index(-2)) => match value {
            Value::Array(items) => {
                a.extend(items);
                Ok(())
            }
            _ => Err(ChangeProblem::AppendNeedsList),
        },
        (Value::Array(a), Key::Index(i)) => {
            let i = usize::try_from(*i).map_err(|_| ChangeProblem::NoSuchIndex)?;
            if value.is_null() {
                if i >= a.len() {
                    return Err(ChangeProblem::NoSuchIndex);
                }
                a.remove(i);
            } else if i < a.len() {
                a[i] = value;
            } else if i == a.len() {
                a.push(value);
            } else {
                return Err(ChangeProblem::NoSuchIndex);
            }
            Ok(())
        }
        (Value::Object(_), Key::Index(_)) | (Value::Array(_), Key::Name(_)) => {
            Err(ChangeProblem::WrongKeyKind)
        }
        _ => Err(ChangeProblem::NotAContainer),
    }
}

/// The `state` command's argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StateCommand {
    Fold,
    Pause,
    /// Finish the current units, then pause.
    Finish,
}

impl StateCommand {
    pub fn as_str(self) -> &'static str {
        match self {
            StateCommand::Fold => "fold",
            StateCommand::Pause => "pause",
            StateCommand::Finish => "finish",
        }
    }

    /// The state a group is in once the command took.
    pub fn outcome(self) -> RunState {
        match self {
            StateCommand::Fold => RunState::Folding,
            StateCommand::Pause => RunState::Paused,
            StateCommand::Finish => RunState::Finishing,
        }
    }
}

/// The JSON text of a `state` command for the whole machine (`group` `None`) or one group.
/// `time` should come from [`CommandClock::stamp`].
pub fn state_command(state: StateCommand, group: Option<&str>, time: Timestamp) -> String {
    let mut cmd = Map::new();
    cmd.insert("cmd".to_owned(), Value::from("state"));
    cmd.insert("state".to_owned(), Value::from(state.as_str()));
    if let Some(group) = group {
        cmd.insert("group".to_owned(), Value::from(group));
    }
    cmd.insert("time".to_owned(), Value::from(format_time(time)));
    Value::Object(cmd).to_string()
}

/// ISO 8601 in UTC at whole seconds ("2025-03-01T12:00:05Z"), the client's own format.
pub fn format_time(time: Timestamp) -> String {
    time.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Hands out command times that strictly increase per command kind.
///
/// The client drops a `state` or `config` command whose time is not later than the last one of
/// that kind it accepted, at one-second resolution: two commands in the same second would lose
/// the second one. Each stamp is therefore `max(now, previous + 1 s)`, truncated to seconds.
#[derive(Debug, Clone, Default)]
pub struct CommandClock {
    last_s: HashMap<String, i64>,
}

impl CommandClock {
    /// The time to put on the next command `cmd` ("state", "config") sent at `now`.
    pub fn stamp(&mut self, cmd: &str, now: Timestamp) -> Timestamp {
        let now_s = now.as_second();
        let next_s = match self.last_s.get(cmd) {
            Some(&last) => now_s.max(last.saturating_add(1)),
            None => now_s,
        };
        self.last_s.insert(cmd.to_owned(), next_s);
        Timestamp::from_second(next_s).unwrap_or(now)
    }
}
