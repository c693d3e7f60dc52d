//! BOINC reply parsers against real captures from boinc-client 7.20.5, their truncations and
//! random garbage: the right values from good replies, an error (never a panic) from anything else.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Duration;

use overtime_agent::providers::boinc::xml::{
    self, ReplyError, RunMode, parse_cc_status, parse_host_info, parse_nonce, parse_projects,
    parse_results, parse_server_version, parse_success,
};
use proptest::prelude::*;

fn fixtures_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/boinc-7.20");
    assert!(
        dir.is_dir(),
        "BOINC fixtures not found at {}: the shared/ folder must sit beside the repository \
         (it holds the captures from a real boinc-client)",
        dir.display()
    );
    dir
}

/// A reply as the RPC layer hands it to the parsers: the trailing 0x03 removed.
fn reply(name: &str) -> String {
    let path = fixtures_dir().join(format!("{name}.reply.xml"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(bytes.last(), Some(&0x03), "{name} ends with the end marker");
    String::from_utf8(bytes[..bytes.len() - 1].to_vec()).unwrap()
}

fn all_replies() -> Vec<(String, String)> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".reply.xml").map(str::to_owned)
        })
        .collect();
    names.sort();
    assert!(
        names.len() >= 15,
        "expected the full capture set, got {names:?}"
    );
    names
        .into_iter()
        .map(|n| (reply(&n), n))
        .map(|(r, n)| (n, r))
        .collect()
}

/// Every parser, applied to `text`; none may panic.
fn run_every_parser(text: &str) -> Vec<bool> {
    vec![
        parse_cc_status(text).is_ok(),
        parse_results(text).is_ok(),
        parse_projects(text).is_ok(),
        parse_host_info(text).is_ok(),
        parse_server_version(text).is_ok(),
        parse_nonce(text).is_ok(),
        xml::parse_authorized(text).is_ok(),
        parse_success(text).is_ok(),
        xml::check_envelope(text).is_ok(),
    ]
}

#[test]
fn cc_status_captures_give_each_mode_its_current_permanent_and_delay() {
    let secs = |s: f64| Duration::from_secs_f64(s);
    let cases = [
        (
            "get_cc_status_default",
            RunMode::Auto,
            RunMode::Auto,
            0.0,
            RunMode::Auto,
        ),
        (
            "get_cc_status_gpu_never",
            RunMode::Never,
            RunMode::Never,
            0.0,
            RunMode::Auto,
        ),
        (
            "get_cc_status_gpu_always_timed",
            RunMode::Always,
            RunMode::Never,
            3599.999669,
            RunMode::Auto,
        ),
        (
            "get_cc_status_run_never",
            RunMode::Always,
            RunMode::Never,
            3599.999058,
            RunMode::Never,
        ),
    ];
    for (name, gpu_now, gpu_perm, gpu_delay_s, task_now) in cases {
        let cc = parse_cc_status(&reply(name)).unwrap();
        assert_eq!(cc.gpu.current, gpu_now, "{name}");
        assert_eq!(cc.gpu.perm, gpu_perm, "{name}");
        assert!(
            (cc.gpu.delay.as_secs_f64() - secs(gpu_delay_s).as_secs_f64()).abs() < 1e-3,
            "{name}: {:?}",
            cc.gpu.delay
        );
        assert_eq!(cc.gpu.is_temporary(), gpu_delay_s > 0.0, "{name}");
        assert_eq!(cc.task.current, task_now, "{name}");
        assert_eq!(cc.network.current, RunMode::Auto, "{name}");
        assert!(!cc.gpu_suspend_reason.is_suspended(), "{name}");
    }
}

#[test]
fn other_captures_parse_to_what_an_unattached_client_reports() {
    assert_eq!(parse_nonce(&reply("auth1")).unwrap(), "1795477236.588354");
    xml::parse_authorized(&reply("auth2_ok")).unwrap();
    assert_eq!(
        xml::parse_authorized(&reply("auth2_wrong_password")),
        Err(ReplyError::Unauthorized)
    );
    assert_eq!(
        parse_server_version(&reply("exchange_versions"))
            .unwrap()
            .to_string(),
        "7.20.5"
    );
    assert!(
        parse_results(&reply("get_results_none"))
            .unwrap()
            .is_empty()
    );
    assert!(
        parse_projects(&reply("get_project_status_no_projects"))
            .unwrap()
            .is_empty()
    );
    let host = parse_host_info(&reply("get_host_info")).unwrap();
    assert_eq!(host.cpu_count, Some(2));
    assert_eq!(host.os_name.as_deref(), Some("Linux Debian"));
    assert!(host.coprocs.is_empty());
    for name in [
        "set_gpu_mode_always_3600",
        "set_gpu_mode_auto",
        "set_gpu_mode_never",
        "set_run_mode_auto",
        "set_run_mode_never",
    ] {
        parse_success(&reply(name)).unwrap();
    }
    assert_eq!(
        parse_success(&reply("unauthorized_set_gpu_mode")),
        Err(ReplyError::Unauthorized)
    );
    assert_eq!(
        parse_success(&reply("unknown_rpc")),
        Err(ReplyError::Refused("unrecognized op: no_such_rpc/".into()))
    );
    // get_state is large and full of elements we do not model: the envelope still checks out.
    xml::check_envelope(&reply("get_state_no_projects")).unwrap();
}

#[test]
fn a_reply_for_another_call_is_an_error_not_a_default() {
    assert!(matches!(
        parse_cc_status(&reply("get_results_none")),
        Err(ReplyError::Malformed(_))
    ));
    assert!(matches!(
        parse_results(&reply("get_cc_status_default")),
        Err(ReplyError::Malformed(_))
    ));
    assert!(matches!(
        parse_nonce(&reply("auth2_ok")),
        Err(ReplyError::Malformed(_))
    ));
}

#[test]
fn results_and_projects_with_work_are_read_field_by_field() {
    let results = "<boinc_gui_rpc_reply>\n<results>\n<result>\n    <name>wu_1_0</name>\n    \
        <project_url>https://einstein.phys.uwm.edu/</project_url>\n    <state>2</state>\n    \
        <something_new>7</something_new>\n    <active_task>\n        \
        <active_task_state>1</active_task_state>\n        <fraction_done>0.250000</fraction_done>\n    \
        </active_task>\n    <resources>0.9 CPUs + 1 NVIDIA GPU</resources>\n</result>\n<result>\n    \
        <name>cpu_wu</name>\n    <project_url>https://x/</project_url>\n    <state>2</state>\n    \
        <suspended_via_gui/>\n</result>\n</results>\n</boinc_gui_rpc_reply>\n";
    let tasks = parse_results(results).unwrap();
    assert_eq!(tasks.len(), 2);
    assert_eq!(tasks[0].name, "wu_1_0");
    assert!(tasks[0].is_executing() && tasks[0].uses_gpu());
    assert_eq!(tasks[0].fraction_done, Some(0.25));
    assert!(!tasks[1].is_executing() && !tasks[1].uses_gpu() && tasks[1].suspended_via_gui);

    let projects = "<boinc_gui_rpc_reply>\n<projects>\n<project>\n    \
        <master_url>https://einstein.phys.uwm.edu/</master_url>\n    \
        <project_name>Einstein@Home</project_name>\n    <user_total_credit>1234.5</user_total_credit>\n    \
        <user_expavg_credit>10.0</user_expavg_credit>\n    <host_total_credit>100.0</host_total_credit>\n    \
        <host_expavg_credit>1.5</host_expavg_credit>\n    <dont_request_more_work/>\n</project>\n\
        </projects>\n</boinc_gui_rpc_reply>\n";
    let p = &parse_projects(projects).unwrap()[0];
    assert_eq!(p.project_name, "Einstein@Home");
    assert_eq!(p.user_total_credit, 1234.5);
    assert_eq!(p.host_expavg_credit, 1.5);
    assert!(p.dont_request_more_work && !p.suspended_via_gui);

    let host = "<boinc_gui_rpc_reply><host_info><p_ncpus>8</p_ncpus><coprocs>\
        <coproc_cuda><count>2</count><name>NVIDIA GeForce RTX 4090</name></coproc_cuda>\
        </coprocs></host_info></boinc_gui_rpc_reply>";
    let h = parse_host_info(host).unwrap();
    assert_eq!(h.coprocs.len(), 1);
    assert_eq!(h.coprocs[0].kind, "coproc_cuda");
    assert_eq!(h.coprocs[0].count, 2);
}

#[test]
fn out_of_range_values_are_errors() {
    let cc = |gpu_mode: &str, delay: &str| {
        reply("get_cc_status_default")
            .replace(
                "<gpu_mode>2</gpu_mode>",
                &format!("<gpu_mode>{gpu_mode}</gpu_mode>"),
            )
            .replace(
                "<gpu_mode_delay>0.000000</gpu_mode_delay>",
                &format!("<gpu_mode_delay>{delay}</gpu_mode_delay>"),
            )
    };
    for (mode, delay) in [
        ("4", "0"),
        ("0", "0"),
        ("-1", "0"),
        ("two", "0"),
        ("99999999999999999999", "0"),
        ("2", "nan"),
        ("2", "inf"),
        ("2", "1e300"),
        ("2", "soon"),
    ] {
        assert!(
            matches!(
                parse_cc_status(&cc(mode, delay)),
                Err(ReplyError::Malformed(_))
            ),
            "gpu_mode {mode}, delay {delay}"
        );
    }
    let missing =
        "<boinc_gui_rpc_reply><cc_status><gpu_mode>2</gpu_mode></cc_status></boinc_gui_rpc_reply>";
    assert!(matches!(
        parse_cc_status(missing),
        Err(ReplyError::Malformed(_))
    ));
    // A negative delay (clock skew) means no temporary mode, not an error.
    assert!(parse_cc_status(&cc("3", "-5")).unwrap().gpu.delay.is_zero());
}

#[test]
fn every_truncation_of_every_capture_is_an_error_not_a_panic() {
    for (name, text) in all_replies() {
        assert!(
            !matches!(xml::check_envelope(&text), Err(ReplyError::Malformed(_))),
            "{name} is a well-formed reply"
        );
        let closing = text.rfind("</boinc_gui_rpc_reply>").unwrap();
        let step = if text.len() > 4000 { 7 } else { 1 };
        for cut in (0..closing)
            .step_by(step)
            .filter(|i| text.is_char_boundary(*i))
        {
            let prefix = &text[..cut];
            assert!(
                run_every_parser(prefix).iter().all(|ok| !ok),
                "{name} cut at {cut} parsed: {prefix:?}"
            );
            assert!(
                matches!(xml::check_envelope(prefix), Err(ReplyError::Malformed(_))),
                "{name} cut at {cut}"
            );
        }
    }
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    let garbage = [
        "",
        "\u{3}",
        "HTTP/1.1 400 Bad Request\r\n\r\n",
        "<boinc_gui_rpc_reply>",
        "<boinc_gui_rpc_reply><cc_status></boinc_gui_rpc_reply>",
        "<other_reply><success/></other_reply>",
        "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\">]><boinc_gui_rpc_reply>&a;</boinc_gui_rpc_reply>",
        "\u{feff}\u{0}\u{1}<<<>>>&&&",
    ];
    for g in garbage {
        assert!(
            run_every_parser(g).iter().all(|ok| !ok),
            "garbage parsed: {g:?}"
        );
    }
}

proptest! {
    #[test]
    fn random_text_never_panics_a_parser(text in ".{0,400}") {
        run_every_parser(&text);
    }

    #[test]
    fn random_bytes_never_panic_a_parser(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        run_every_parser(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn random_edits_of_a_capture_never_panic_a_parser(
        at in 0usize..900,
        insert in "[<>/a-z0-9 \\.\\-&;]{0,12}",
        remove in 0usize..12,
    ) {
        let text = reply("get_cc_status_gpu_always_timed");
        let mut chars: Vec<char> = text.chars().collect();
        let at = at.min(chars.len());
        let end = (at + remove).min(chars.len());
        chars.splice(at..end, insert.chars());
        let edited: String = chars.into_iter().collect();
        run_every_parser(&edited);
    }
}
