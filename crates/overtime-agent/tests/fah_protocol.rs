//! The Folding@home protocol model on plain strings: change arrays applied exactly as the
//! client means them, the full state read into typed views, command times that always move
//! forward, and any input, however broken, giving an error rather than a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jiff::Timestamp;
use overtime_agent::providers::fah::protocol::{
    ChangeProblem, CommandClock, FahState, Message, ParseError, RunState, StateCommand,
    parse_message, state_command,
};
use proptest::prelude::*;
use serde_json::{Value, json};

fn state(v: Value) -> FahState {
    FahState::from_value(v).unwrap()
}

fn base() -> Value {
    json!({
        "info": {"version": "8.3.18"},
        "groups": {"": {"config": {"paused": false, "cpus": 4}}},
        "units": [{"id": "a", "progress": 0.1}, {"id": "b"}],
        "wus": [1]
    })
}

#[test]
fn change_arrays_apply_as_the_client_means_them() {
    // (what, change, the whole state after it)
    let cases: Vec<(&str, Value, Value)> = vec![
        (
            "set an existing top-level key",
            json!(["info", {"version": "8.4.0"}]),
            json!({"info": {"version": "8.4.0"}, "groups": {"": {"config": {"paused": false, "cpus": 4}}},
                   "units": [{"id": "a", "progress": 0.1}, {"id": "b"}], "wus": [1]}),
        ),
        (
            "nested set through a list index",
            json!(["units", 0, "progress", 0.42]),
            json!({"info": {"version": "8.3.18"}, "groups": {"": {"config": {"paused": false, "cpus": 4}}},
                   "units": [{"id": "a", "progress": 0.42}, {"id": "b"}], "wus": [1]}),
        ),
        (
            "nested set of a new key",
            json!(["groups", "", "config", "finish", true]),
            json!({"info": {"version": "8.3.18"}, "groups": {"": {"config": {"paused": false, "cpus": 4, "finish": true}}},
                   "units": [{"id": "a", "progress": 0.1}, {"id": "b"}], "wus": [1]}),
        ),
        (
            "missing intermediate objects are created",
            json!(["groups", "gpu", "config", "paused", true]),
            json!({"info": {"version": "8.3.18"},
                   "groups": {"": {"config": {"paused": false, "cpus": 4}}, "gpu": {"config": {"paused": true}}},
                   "units": [{"id": "a", "progress": 0.1}, {"id": "b"}], "wus": [1]}),
        ),
        (
            "-1 appends one value",
            json!(["units", -1, {"id": "c"}]),
            json!({"info": {"version": "8.3.18"}, "groups": {"": {"config": {"paused": false, "cpus": 4}}},
                   "units": [{"id": "a", "progress": 0.1}, {"id": "b"}, {"id": "c"}], "wus": [1]}),
        ),
        (
            "-2 appends each element of a list",
            json!(["wus", -2, [2, 3]]),
            json!({"info": {"version": "8.3.18"}, "groups": {"": {"config": {"paused": false, "cpus": 4}}},
                   "units": [{"id": "a", "progress": 0.1}, {"id": "b"}], "wus": [1, 2, 3]}),
        ),
        (
            "an index equal to the length appends",
            json!(["wus", 1, 9]),
            json!({"info": {"version": "8.3.18"}, "groups": {"": {"config": {"paused": false, "cpus": 4}}},
                   "units": [{"id": "a", "progress": 0.1}, {"id": "b"}], "wus": [1, 9]}),
        ),
        (
            "null deletes a key",
            json!(["units", 0, "progress", null]),
            json!({"info": {"version": "8.3.18"}, "groups": {"": {"config": {"paused": false, "cpus": 4}}},
                   "units": [{"id": "a"}, {"id": "b"}], "wus": [1]}),
        ),
        (
            "null deletes a list element, shifting the rest",
            json!(["units", 0, null]),
            json!({"info": {"version": "8.3.18"}, "groups": {"": {"config": {"paused": false, "cpus": 4}}},
                   "units": [{"id": "b"}], "wus": [1]}),
        ),
        (
            "null on a missing key changes nothing",
            json!(["units", 1, "nope", null]),
            base(),
        ),
        (
            "a list replaces a value wholesale",
            json!(["units", []]),
            json!({"info": {"version": "8.3.18"}, "groups": {"": {"config": {"paused": false, "cpus": 4}}},
                   "units": [], "wus": [1]}),
        ),
    ];
    for (what, change, want) in cases {
        let mut s = state(base());
        s.apply(change.as_array().unwrap())
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(s.json(), &want, "{what}");
    }
}

#[test]
fn changes_that_do_not_fit_the_state_are_errors() {
    let cases: Vec<(&str, Value, ChangeProblem)> = vec![
        ("empty", json!([]), ChangeProblem::TooShort),
        (
            "a value without a path",
            json!([1]),
            ChangeProblem::TooShort,
        ),
        (
            "a float key",
            json!(["units", 0.5, 1]),
            ChangeProblem::BadKey,
        ),
        ("an object key", json!([{"a": 1}, 1]), ChangeProblem::BadKey),
        ("a bool key", json!([true, 1]), ChangeProblem::BadKey),
        (
            "through a number",
            json!(["units", 0, "progress", "x", 1]),
            ChangeProblem::NotAContainer,
        ),
        (
            "through a string",
            json!(["info", "version", "major", 8]),
            ChangeProblem::NotAContainer,
        ),
        (
            "a key on a list",
            json!(["units", "first", 1]),
            ChangeProblem::WrongKeyKind,
        ),
        (
            "an index on an object",
            json!(["info", 0, 1]),
            ChangeProblem::WrongKeyKind,
        ),
        (
            "index past the end",
            json!(["units", 5, "id", "z"]),
            ChangeProblem::NoSuchIndex,
        ),
        (
            "set past the end",
            json!(["wus", 3, 1]),
            ChangeProblem::NoSuchIndex,
        ),
        (
            "delete past the end",
            json!(["wus", 1, null]),
            ChangeProblem::NoSuchIndex,
        ),
        (
            "negative index other than -1/-2",
            json!(["wus", -3, 1]),
            ChangeProblem::NoSuchIndex,
        ),
        (
            "negative index on the way",
            json!(["units", -1, "id", 1]),
            ChangeProblem::NoSuchIndex,
        ),
        (
            "-2 with a non-list",
            json!(["wus", -2, 5]),
            ChangeProblem::AppendNeedsList,
        ),
        (
            "-1 on an object",
            json!(["info", -1, 5]),
            ChangeProblem::WrongKeyKind,
        ),
    ];
    for (what, change, problem) in cases {
        let mut s = state(base());
        let err = s.apply(change.as_array().unwrap()).expect_err(what);
        assert_eq!(err.problem, problem, "{what}: {err}");
        assert!(
            err.to_string().starts_with("cannot apply change at ["),
            "{what}: {err}"
        );
    }
}

#[test]
fn messages_are_told_apart_and_ping_changes_nothing() {
    assert_eq!(parse_message("\"ping\"").unwrap(), Message::Ping);
    assert_eq!(
        parse_message("[\"units\", 0, \"ppd\", 5]").unwrap(),
        Message::Change(vec![json!("units"), json!(0), json!("ppd"), json!(5)])
    );
    assert!(matches!(
        parse_message("{\"info\": {}}").unwrap(),
        Message::State(_)
    ));
    let mut s = state(base());
    s.absorb(Message::Ping).unwrap();
    assert_eq!(s.json(), &base());
    for bad in ["\"pong\"", "42", "null", "true", "", "ping", "{", "[1,"] {
        assert!(parse_message(bad).is_err(), "{bad:?} must be rejected");
    }
}

const FULL_STATE: &str = r#"{
  "info": {"version": "8.3.18", "mach_name": "gamer-pc", "os": "linux", "cpus": 32,
    "gpus": {
      "gpu:02:00.0": {"type": "NVIDIA", "description": "GeForce RTX 3060", "supported": true},
      "gpu:01:00.0": {"type": "nvidia", "description": "GeForce RTX 4090", "supported": true,
                      "uuid": "8f0e2a3b-1c4d-4e5f-9a6b-7c8d9e0f1a2b", "cuda": {"compute": "8.9"}}
    },
    "something_new": [1, 2, 3]},
  "config": {"user": "Anonymous", "team": 0},
  "groups": {
    "gpu": {"config": {"paused": false, "finish": true,
                       "gpus": {"gpu:01:00.0": {"enabled": true}, "gpu:02:00.0": {"enabled": false}}}},
    "": {"config": {"paused": true, "cpus": 8, "gpus": {}}}
  },
  "units": [
    {"id": "u1", "group": "gpu", "state": "RUN", "paused": false, "wu_progress": 0.42,
     "progress": 0.5, "ppd": 1234567, "eta": "2 hours 10 mins", "gpus": ["gpu:01:00.0"]},
    {"id": "u2", "group": "", "state": "RUN", "paused": true, "pause_reason": "Paused by user",
     "progress": 0.1, "ppd": 45000.7, "gpus": []},
    {"id": 17, "group": "gpu", "state": "DOWNLOAD"}
  ]
}"#;

#[test]
fn the_full_state_reads_into_typed_views() {
    let s = FahState::from_full(FULL_STATE).unwrap();
    let info = s.info();
    assert_eq!(info.version, "8.3.18");
    assert_eq!(info.machine_name, "gamer-pc");
    let ids: Vec<&str> = info.gpus.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, ["gpu:01:00.0", "gpu:02:00.0"], "ordered by id");
    assert_eq!(
        info.gpus[0].uuid.as_deref(),
        Some("8f0e2a3b-1c4d-4e5f-9a6b-7c8d9e0f1a2b")
    );
    assert_eq!(info.gpus[1].uuid, None);
    assert_eq!(info.gpus[1].vendor, "nvidia");
    assert!(info.gpus[0].supported);

    let groups = s.groups();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].name, "", "the default group first");
    assert_eq!(groups[0].run_state(), RunState::Paused);
    assert_eq!(groups[1].run_state(), RunState::Finishing);
    assert!(groups[1].uses_gpu("gpu:01:00.0"));
    assert!(!groups[1].uses_gpu("gpu:02:00.0"), "listed but disabled");
    assert!(!groups[0].uses_gpu("gpu:01:00.0"));
    assert!(s.group("gpu").unwrap().finish);
    assert!(s.group("nope").is_none());

    let units = s.units();
    assert_eq!(units.len(), 3);
    assert_eq!(
        units[0].progress_fraction,
        Some(0.42),
        "wu_progress wins over progress"
    );
    assert_eq!(units[0].ppd, 1_234_567);
    assert_eq!(units[0].eta.as_deref(), Some("2 hours 10 mins"));
    assert!(units[0].is_running());
    assert!(!units[1].is_running(), "paused");
    assert_eq!(units[1].pause_reason.as_deref(), Some("Paused by user"));
    assert_eq!(units[1].progress_fraction, Some(0.1));
    assert_eq!(units[1].ppd, 45_000);
    assert_eq!(units[2].id, "17");
    assert!(!units[2].is_running(), "not in RUN");
    assert_eq!(units[2].ppd, 0);
}

#[test]
fn a_client_without_groups_has_one_group_from_its_config() {
    let s = state(json!({"info": {}, "config": {"paused": false}}));
    let groups = s.groups();
    assert_eq!(groups.len(), 1);
    assert_eq!((groups[0].name.as_str(), groups[0].paused), ("", false));
    assert!(s.units().is_empty());
    assert_eq!(s.info().version, "");
}

#[test]
fn oddly_typed_fields_fall_back_to_defaults() {
    let s = state(json!({
        "info": {"version": 8, "gpus": [1, 2]},
        "groups": {"x": {"config": {"paused": "no", "gpus": {"g": {"enabled": "yes"}}}}, "y": 5},
        "units": [{"state": 1, "ppd": -5, "progress": "half", "gpus": [1, "g"]}]
    }));
    assert_eq!(s.info().version, "");
    assert!(s.info().gpus.is_empty());
    let groups = s.groups();
    assert!(
        groups[0].paused,
        "a non-bool paused counts as the client's default (paused)"
    );
    assert!(!groups[0].uses_gpu("g"));
    assert_eq!(groups[1].name, "y");
    let u = &s.units()[0];
    assert_eq!(
        (u.state.as_str(), u.ppd, u.progress_fraction),
        ("", 0, None)
    );
    assert_eq!(u.gpus, ["g"]);
}

#[test]
fn what_is_not_a_full_state_is_an_error() {
    let cases = [
        ("", "not JSON"),
        ("{\"info\": {\"version\": \"8.3", "not JSON"),
        ("<html>403</html>", "not JSON"),
        ("\"ping\"", "ping"),
        ("[\"units\", 0, 1]", "change"),
        ("{}", "info"),
        ("{\"info\": 5}", "info"),
        ("{\"units\": []}", "info"),
        ("42", "unexpected"),
    ];
    for (text, words) in cases {
        let err = FahState::from_full(text).expect_err(text);
        assert!(
            err.to_string().contains(words),
            "{text:?}: {err} should mention {words}"
        );
    }
}

#[test]
fn truncations_of_a_real_state_are_errors_never_panics() {
    let mut ok = 0;
    for end in 0..FULL_STATE.len() {
        if !FULL_STATE.is_char_boundary(end) {
            continue;
        }
        match FahState::from_full(&FULL_STATE[..end]) {
            Ok(_) => ok += 1,
            Err(ParseError::NotJson(_) | ParseError::NotState(_) | ParseError::Unexpected(_)) => {}
            Err(e) => panic!("unexpected error kind: {e}"),
        }
    }
    assert_eq!(ok, 0, "no strict prefix of the state is a whole state");
}

#[test]
fn command_times_strictly_increase_per_kind_at_one_second_resolution() {
    let t0: Timestamp = "2025-03-01T12:00:05.250Z".parse().unwrap();
    let mut clock = CommandClock::default();
    let a = clock.stamp("state", t0);
    let b = clock.stamp("state", t0);
    let c = clock.stamp("state", "2025-03-01T12:00:05.900Z".parse().unwrap());
    let d = clock.stamp("state", "2025-03-01T12:00:09.100Z".parse().unwrap());
    let e = clock.stamp("state", "2025-03-01T11:00:00Z".parse().unwrap());
    let other = clock.stamp("config", t0);
    let shown: Vec<String> = [a, b, c, d, e, other]
        .iter()
        .map(|t| t.to_string())
        .collect();
    assert_eq!(
        shown,
        [
            "2025-03-01T12:00:05Z",
            "2025-03-01T12:00:06Z",
            "2025-03-01T12:00:07Z",
            "2025-03-01T12:00:09Z",
            "2025-03-01T12:00:10Z",
            "2025-03-01T12:00:05Z",
        ]
    );
}

#[test]
fn state_commands_carry_cmd_state_group_and_a_whole_second_utc_time() {
    let t: Timestamp = "2025-03-01T12:00:05Z".parse().unwrap();
    let machine: Value =
        serde_json::from_str(&state_command(StateCommand::Pause, None, t)).unwrap();
    assert_eq!(
        machine,
        json!({"cmd": "state", "state": "pause", "time": "2025-03-01T12:00:05Z"})
    );
    let group: Value =
        serde_json::from_str(&state_command(StateCommand::Fold, Some("gpu"), t)).unwrap();
    assert_eq!(
        group,
        json!({"cmd": "state", "state": "fold", "group": "gpu", "time": "2025-03-01T12:00:05Z"})
    );
    assert_eq!(StateCommand::Finish.as_str(), "finish");
    for s in [RunState::Folding, RunState::Finishing, RunState::Paused] {
        assert_eq!(s.command().outcome(), s);
    }
}

/// JSON-ish text: fragments of the protocol glued at random.
fn jsonish() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        "\"units\"",
        "\"info\"",
        "\"groups\"",
        "0",
        "-1",
        "-2",
        "-3",
        "1e400",
        "0.5",
        "null",
        "true",
        "\"ping\"",
        "\"",
        "\\",
        "\"x\"",
        " ",
        "99999999999999999999",
    ]);
    prop::collection::vec(atoms, 0..40).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_jsonish_text_parses_or_errs_without_panicking(text in jsonish()) {
        let _ = FahState::from_full(&text);
        if let Ok(message) = parse_message(&text) {
            let mut s = state(base());
            let _ = s.absorb(message);
        }
    }

    #[test]
    fn any_change_on_a_real_state_applies_or_errs_without_panicking(
        path in prop::collection::vec(
            prop_oneof![
                prop::sample::select(vec!["units", "groups", "", "config", "paused", "info", "gpus", "wus"])
                    .prop_map(|k| json!(k)),
                (-4i64..6).prop_map(|i| json!(i)),
                Just(json!(null)),
                Just(json!(1.5)),
            ],
            0..6,
        ),
        value in prop_oneof![Just(json!(null)), Just(json!([1, 2])), Just(json!({"a": 1})), Just(json!(7))],
    ) {
        let mut s = FahState::from_full(FULL_STATE).unwrap();
        let mut change = path;
        change.push(value);
        let _ = s.apply(&change);
        // Whatever happened, the views still read.
        let _ = (s.info(), s.groups(), s.units());
    }
}
