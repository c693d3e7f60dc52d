//! `overtime status`: what the running agent is doing, as a table for people or as the API's
//! JSON for scripts.
//!
//! The table is a pure function of the snapshot so its wording (the demo-mode banner, "–" for a
//! reading the GPU does not report) is unit-tested.

use std::fmt::Write;

use clap::Args;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use overtime_agent::AgentSnapshot;
use overtime_agent::providers::ProviderKind;
use overtime_agent::snapshot::GpuStatus;
use overtime_core::OverrideScope;

use crate::api_client::ApiClient;
use crate::when::{describe_duration, describe_until};

/// Shown wherever a value is unknown or not reported.
const MISSING: &str = "–";

/// `overtime status`.
#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// Print the agent's snapshot as JSON, exactly as the API returned it.
    #[arg(long)]
    pub json: bool,
}

/// Prints the running agent's status.
pub async fn run(args: StatusArgs, api: &ApiClient) -> anyhow::Result<()> {
    if args.json {
        println!("{}", api.status_json().await?);
    } else {
        print!("{}", render(&api.status().await?));
    }
    Ok(())
}

/// The human status report. Times are shown in the agent's time zone (the one its schedule
/// uses), and remaining times are counted from the snapshot's own instant.
pub fn render(snapshot: &AgentSnapshot) -> String {
    let tz = TimeZone::get(&snapshot.timezone).unwrap_or_else(|_| TimeZone::system());
    let now = snapshot.at;
    let mut out = String::new();
    let local = |at: Timestamp| {
        at.to_zoned_datetime(tz.clone())
            .strftime("%a %d %b %H:%M")
            .to_string()
    };

    if snapshot.simulated {
        let _ = writeln!(
            out,
            "*** SIMULATED — DEMO MODE: these are not real GPU readings, and rentals and \
             earnings are made up ***"
        );
    }
    let _ = writeln!(
        out,
        "Overtime {} · sensors: {} · time zone {} · as of {}",
        snapshot.agent_version,
        snapshot.sensor_backend,
        snapshot.timezone,
        local(now)
    );

    let allowed = if snapshot.schedule.modes_allowed.is_empty() {
        "no work".to_owned()
    } else {
        snapshot
            .schedule
            .modes_allowed
            .iter()
            .map(|m| m.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let window = snapshot.schedule.window.as_ref().map_or_else(
        || "outside any window".to_owned(),
        |w| format!("window \"{w}\""),
    );
    let next = snapshot
        .schedule
        .next_change
        .map_or_else(String::new, |at| {
            format!("; next change {}", describe_until(at, now, &tz))
        });
    let _ = writeln!(out, "Schedule: {allowed} allowed ({window}){next}");

    let active: Vec<_> = snapshot
        .overrides
        .iter()
        .filter(|o| o.is_active(now))
        .collect();
    if active.is_empty() {
        let _ = writeln!(out, "Overrides: none (automatic)");
    } else {
        let _ = writeln!(out, "Overrides:");
        for o in active {
            let whom = match &o.scope {
                OverrideScope::AllGpus => "all GPUs".to_owned(),
                OverrideScope::Gpu(uuid) => gpu_label(snapshot, uuid),
            };
            let until = o.until.map_or_else(
                || "until you resume (`overtime mode auto`)".to_owned(),
                |u| {
                    format!(
                        "until {} ({} left)",
                        local(u),
                        describe_duration(u.duration_since(now))
                    )
                },
            );
            let _ = writeln!(out, "  {whom}: {} {until}", o.mode.as_str());
        }
    }

    let games = if snapshot.activity.games.is_empty() {
        "none".to_owned()
    } else {
        snapshot
            .activity
            .games
            .iter()
            .map(|g| format!("{} ({})", g.name, how_seen(g)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(out, "Games: {games}");
    let idle = snapshot.activity.input_idle_s.map_or_else(
        || "unknown".to_owned(),
        |s| {
            describe_duration(SignedDuration::from_secs(
                i64::try_from(s).unwrap_or(i64::MAX),
            ))
        },
    );
    let source = if snapshot.activity.input_idle_source.is_empty() {
        String::new()
    } else {
        format!(" ({})", snapshot.activity.input_idle_source)
    };
    let _ = writeln!(out, "Input idle: {idle}{source}");
    out.push('\n');

    if snapshot.gpus.is_empty() {
        let _ = writeln!(out, "No GPUs found.");
    } else {
        out.push_str(&gpu_table(&snapshot.gpus));
        out.push('\n');
        for g in &snapshot.gpus {
            let _ = writeln!(out, "GPU {}: {}", g.gpu.index, g.sentence);
            if let Some(fault) = &g.fault {
                let _ = writeln!(out, "       fault: {fault}");
            }
        }
    }

    if !snapshot.providers.is_empty() {
        let _ = writeln!(out, "\nProviders:");
        for p in &snapshot.providers {
            let kind = match p.kind {
                ProviderKind::Rental => "rental",
                ProviderKind::Volunteer => "volunteer",
            };
            let simulated = if p.simulated { ", simulated" } else { "" };
            let state = match (&p.error, &p.status) {
                (Some(error), _) => format!("error: {error}"),
                (None, Some(status)) if status.detail.is_empty() => "ok".to_owned(),
                (None, Some(status)) => format!("ok — {}", status.detail),
                (None, None) => "not checked yet".to_owned(),
            };
            let _ = writeln!(out, "  {} ({kind}{simulated}): {state}", p.name);
        }
    }

    if let Some(ledger) = &snapshot.ledger {
        render_ledger(&mut out, ledger);
    }

    let source = snapshot
        .config
        .path
        .as_deref()
        .unwrap_or("built-in defaults");
    let _ = writeln!(out, "\nConfig: {source}");
    if let Some(error) = &snapshot.config.error {
        let _ = writeln!(
            out,
            "  ERROR: {error}\n  The previous configuration stays in force until this is fixed."
        );
    }
    out
}

/// Today's money and the ledger's health, in two or three lines.
fn render_ledger(out: &mut String, ledger: &overtime_agent::ledger_feed::LedgerView) {
    let money = |list: &[overtime_core::money::Money]| overtime_core::money::format_totals(list, 2);
    if let Some(e) = &ledger.earnings
        && let Some(today) = e.periods.iter().find(|p| p.range == "today")
    {
        let label = if e.includes_simulated {
            " (SIMULATED)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "\nToday{label}: net {} = earned {} + estimated {} − electricity {} ({:.2} kWh)",
            money(&today.net),
            money(&today.gross),
            money(&today.estimated),
            money(&today.electricity),
            today.energy_kwh
        );
    }
    if !ledger.recording {
        let why = ledger.last_error.as_deref().unwrap_or("unknown error");
        let _ = writeln!(
            out,
            "History: NOT being recorded ({why}); GPU control is unaffected"
        );
    }
    if let Some(old) = &ledger.moved_aside {
        let _ = writeln!(
            out,
            "History: the old ledger was unreadable and was moved to {old}; a new one was started"
        );
    }
}

fn gpu_label(snapshot: &AgentSnapshot, uuid: &str) -> String {
    snapshot
        .gpus
        .iter()
        .find(|g| g.gpu.uuid == uuid)
        .map_or_else(
            || format!("GPU {uuid}"),
            |g| format!("GPU {} ({})", g.gpu.index, one_line(&g.gpu.name)),
        )
}

/// Control characters (a newline in a GPU name) would break the table or the line.
pub(crate) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn num(value: Option<f64>, decimals: usize) -> String {
    value
        .filter(|v| v.is_finite())
        .map_or_else(|| MISSING.to_owned(), |v| format!("{v:.decimals$}"))
}

fn with_unit(value: Option<f64>, decimals: usize, unit: &str) -> String {
    match value.filter(|v| v.is_finite()) {
        Some(v) => format!("{v:.decimals$} {unit}"),
        None => MISSING.to_owned(),
    }
}

/// One row of cells per GPU. A faulted GPU's last reading is stale, so it shows as missing.
fn gpu_row(g: &GpuStatus) -> Vec<String> {
    let reading = g.reading.as_ref().filter(|_| g.fault.is_none());
    let r = |f: fn(&overtime_core::GpuReading) -> Option<f64>| reading.and_then(f);
    let gib = |mib: Option<u64>| mib.map(|m| m as f64 / 1024.0);
    let power = match (r(|x| x.power_w), r(|x| x.power_limit_w)) {
        (None, None) => MISSING.to_owned(),
        (p, l) => format!("{} / {} W", num(p, 0), num(l, 0)),
    };
    let vram = match (
        gib(reading.and_then(|x| x.mem_used_mib)),
        gib(reading.and_then(|x| x.mem_total_mib)),
    ) {
        (None, None) => MISSING.to_owned(),
        (u, t) => format!("{} / {} GiB", num(u, 1), num(t, 1)),
    };
    let throttle = match reading.and_then(|x| x.throttle) {
        None => MISSING.to_owned(),
        Some(t) => {
            let names = t.active_names();
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(",")
            }
        }
    };
    let mode = match (&g.fault, g.mode) {
        (Some(_), mode) => format!("{} (FAULT)", mode.label()),
        (None, mode) => mode.label().to_owned(),
    };
    vec![
        g.gpu.index.to_string(),
        one_line(&g.gpu.name),
        mode,
        with_unit(r(|x| x.temp_c), 0, "°C"),
        with_unit(r(|x| x.load_pct), 0, "%"),
        power,
        vram,
        with_unit(r(|x| x.fan_pct), 0, "%"),
        throttle,
    ]
}

fn gpu_table(gpus: &[GpuStatus]) -> String {
    let header: Vec<String> = [
        "GPU", "NAME", "MODE", "TEMP", "LOAD", "POWER", "VRAM", "FAN", "THROTTLE",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let rows: Vec<Vec<String>> = std::iter::once(header)
        .chain(gpus.iter().map(gpu_row))
        .collect();
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .map(|row| row[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    out
}

/// "pid 4242", "full screen, pid 4242", "Steam app 570": how `overtime status` says it saw a game.
fn how_seen(game: &overtime_core::activity::RunningGame) -> String {
    use overtime_core::activity::GameMatch;
    let pid = game.pid.map(|p| format!("pid {p}"));
    match (&game.matched_by, pid) {
        (GameMatch::SteamRunningApp { app_id }, _) => format!("Steam app {app_id}"),
        (GameMatch::FullScreen { .. }, Some(pid)) => format!("full screen, {pid}"),
        (GameMatch::FullScreen { .. }, None) => "full screen".to_owned(),
        (_, Some(pid)) => pid,
        (_, None) => "no process".to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::sync::Arc;

    use overtime_agent::providers::{ProviderStatus, ProviderView};
    use overtime_agent::snapshot::{ActivityView, ConfigView, ScheduleView};
    use overtime_core::{GpuId, GpuReading, Mode, Override, Reason, ThrottleReasons};

    use super::*;

    fn gpu(index: u32, name: &str, reading: Option<GpuReading>, mode: Mode) -> GpuStatus {
        GpuStatus {
            gpu: GpuId {
                uuid: format!("GPU-{index}"),
                index,
                name: name.to_owned(),
            },
            reading,
            read_at: None,
            fault: None,
            mode,
            reason: Reason::Starting,
            sentence: format!("{} — starting up", mode.label()),
            since: "2026-11-24T19:00:00Z".parse().unwrap(),
            power_cap_w: None,
            rented_until: None,
            listed_until: None,
            volunteer_running: false,
            running_cost: None,
            limits: Default::default(),
        }
    }

    fn snapshot() -> AgentSnapshot {
        let full = GpuReading {
            temp_c: Some(65.4),
            load_pct: Some(97.0),
            mem_used_mib: Some(2048),
            mem_total_mib: Some(24576),
            power_w: Some(301.2),
            power_limit_w: Some(450.0),
            fan_pct: Some(55.0),
            throttle: Some(ThrottleReasons {
                sw_power_cap: true,
                ..ThrottleReasons::default()
            }),
            ..GpuReading::default()
        };
        let sparse = GpuReading {
            temp_c: Some(41.0),
            ..GpuReading::default()
        };
        AgentSnapshot {
            at: "2026-11-24T19:46:00Z".parse().unwrap(),
            agent_version: "0.1.0".into(),
            simulated: false,
            sensor_backend: "NVML (NVIDIA driver 550.54)".into(),
            timezone: "Europe/Berlin".into(),
            gpus: vec![
                gpu(0, "NVIDIA GeForce RTX 4090", Some(full), Mode::Rental),
                gpu(1, "Passive\nCard", Some(sparse), Mode::Idle),
            ],
            activity: ActivityView {
                games: vec![],
                input_idle_s: Some(125),
                input_idle_source: "X11 screensaver extension".into(),
            },
            overrides: vec![Override {
                mode: Mode::Idle,
                scope: OverrideScope::Gpu("GPU-1".into()),
                until: Some("2026-11-24T22:00:00Z".parse().unwrap()),
                set_at: "2026-11-24T19:00:00Z".parse().unwrap(),
            }],
            providers: vec![
                ProviderView {
                    name: "vast".into(),
                    kind: ProviderKind::Rental,
                    simulated: false,
                    status: Some(ProviderStatus {
                        gpus: vec![],
                        detail: "listed at 0.30 USD/h".into(),
                        ..ProviderStatus::default()
                    }),
                    error: None,
                    last_ok_at: None,
                },
                ProviderView {
                    name: "boinc".into(),
                    kind: ProviderKind::Volunteer,
                    simulated: false,
                    status: None,
                    error: Some("BOINC is not reachable".into()),
                    last_ok_at: None,
                },
            ],
            schedule: ScheduleView {
                modes_allowed: vec![Mode::Rental, Mode::Volunteer],
                window: Some("nights".into()),
                next_change: Some("2026-11-25T06:00:00Z".parse().unwrap()),
            },
            config: ConfigView {
                path: Some("/home/u/.config/overtime/config.toml".into()),
                error: None,
                loaded_at: None,
                providers_pending: None,
            },
            decisions_total: 3,
            recent_decisions: Arc::new(vec![]),
            ledger: None,
        }
    }

    #[test]
    fn real_hardware_has_no_demo_banner_and_shows_the_context() {
        let text = render(&snapshot());
        assert!(!text.contains("SIMULATED"), "{text}");
        assert!(
            text.contains("sensors: NVML (NVIDIA driver 550.54)"),
            "{text}"
        );
        assert!(text.contains("time zone Europe/Berlin"), "{text}");
        assert!(
            text.contains(
                "Schedule: rental, volunteer allowed (window \"nights\"); next change Wed 25 Nov 07:00 (in 10 h 14 min)"
            ),
            "{text}"
        );
        assert!(
            text.contains("GPU 1 (Passive Card): idle until Tue 24 Nov 23:00 (2 h 14 min left)"),
            "{text}"
        );
        assert!(text.contains("Games: none"), "{text}");
        assert!(
            text.contains("Input idle: 2 min (X11 screensaver extension)"),
            "{text}"
        );
        assert!(
            text.contains("vast (rental): ok — listed at 0.30 USD/h"),
            "{text}"
        );
        assert!(
            text.contains("boinc (volunteer): error: BOINC is not reachable"),
            "{text}"
        );
        assert!(text.contains("Config: /home/u/.config/overtime/config.toml"));
    }

    #[test]
    fn demo_mode_is_announced_first_and_loudly() {
        let mut snap = snapshot();
        snap.simulated = true;
        let text = render(&snap);
        let first = text.lines().next().unwrap();
        assert!(first.contains("SIMULATED"), "{first}");
        assert!(first.contains("not real GPU readings"), "{first}");
    }

    #[test]
    fn gpu_rows_show_readings_with_units_and_dashes_for_missing_ones() {
        let text = render(&snapshot());
        let row = |index: &str| {
            text.lines()
                .find(|l| l.starts_with(index))
                .unwrap()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(
            row("0 "),
            "0 NVIDIA GeForce RTX 4090 Rental 65 °C 97 % 301 / 450 W 2.0 / 24.0 GiB 55 % sw_power_cap"
        );
        // Only the temperature is reported: every other cell is a dash, never a made-up 0.
        assert_eq!(row("1 "), "1 Passive Card Idle 41 °C – – – – –");
        assert!(text.contains("GPU 0: Rental — starting up"), "{text}");
    }

    #[test]
    fn columns_line_up_whatever_the_name_length() {
        let text = render(&snapshot());
        let table: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.starts_with("GPU  NAME"))
            .take(3)
            .collect();
        let mode_col = |line: &str| {
            line.char_indices()
                .position(|(i, _)| {
                    ["MODE", "Rental", "Idle"]
                        .iter()
                        .any(|w| line[i..].starts_with(w))
                })
                .unwrap()
        };
        let cols: Vec<usize> = table.iter().map(|l| mode_col(l)).collect();
        assert_eq!(cols.len(), 3);
        assert!(cols.iter().all(|c| *c == cols[0]), "{table:#?}");
    }

    #[test]
    fn a_faulted_gpu_shows_the_fault_and_no_stale_readings() {
        let mut snap = snapshot();
        snap.gpus[0].fault = Some("GPU fell off the bus".into());
        let text = render(&snap);
        let row = text.lines().find(|l| l.starts_with("0 ")).unwrap();
        assert!(row.contains("Rental (FAULT)"), "{row}");
        assert!(!row.contains("65"), "{row}");
        assert!(text.contains("fault: GPU fell off the bus"), "{text}");
    }

    #[test]
    fn expired_overrides_unknown_idle_and_config_errors() {
        let mut snap = snapshot();
        snap.at = "2026-11-24T23:30:00Z".parse().unwrap();
        snap.activity.input_idle_s = None;
        snap.activity.input_idle_source = "unavailable: Wayland".into();
        snap.config.error = Some("line 3: unknown field `tick`".into());
        snap.gpus.clear();
        let text = render(&snap);
        assert!(text.contains("Overrides: none (automatic)"), "{text}");
        assert!(
            text.contains("Input idle: unknown (unavailable: Wayland)"),
            "{text}"
        );
        assert!(
            text.contains("ERROR: line 3: unknown field `tick`"),
            "{text}"
        );
        assert!(
            text.contains("previous configuration stays in force"),
            "{text}"
        );
        assert!(text.contains("No GPUs found."), "{text}");
    }
}
