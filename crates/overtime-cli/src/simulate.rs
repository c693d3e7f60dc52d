//! `overtime simulate`: replay a schedule over some days with a simulated GPU and print the
//! resulting mode timeline, so users can preview a configuration before trusting it.
//!
//! It runs the real policy minute by minute against simulated telemetry. It assumes a rental
//! marketplace and a volunteer client are available and that no renter ever shows up (listings
//! only), and no game runs: the timeline shows what the schedule, the thermal rules and the
//! money allow.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use overtime_agent::config_file;
use overtime_agent::sensors::simulated::SimulatedSensors;
use overtime_agent::sensors::{Sensors, Workload};
use overtime_core::activity::ActivityState;
use overtime_core::gpu::GpuTelemetry;
use overtime_core::i18n::Catalogue;
use overtime_core::mode::Mode;
use overtime_core::policy::{
    GpuInputs, PolicyInputs, PolicySettings, PolicyState, RentalAvailability,
    VolunteerAvailability, decide,
};
use overtime_core::running_cost::{RunningCost, WorkingDraw};
use serde::Serialize;

#[derive(clap::Args)]
pub struct SimulateArgs {
    /// Configuration file to replay.
    #[arg(long)]
    pub config: PathBuf,
    /// First day (YYYY-MM-DD, local to the configured time zone). Default: today.
    #[arg(long)]
    pub from: Option<Date>,
    /// Number of days to replay (1–62).
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u16).range(1..=62))]
    pub days: u16,
    /// Simulation step in seconds (10–3600).
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(10..=3600))]
    pub step_s: u32,
    /// Print the timeline as JSON.
    #[arg(long)]
    pub json: bool,
}

/// One stretch of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stretch {
    pub start: Timestamp,
    pub end: Timestamp,
    pub mode: Mode,
    pub reason: String,
}

pub fn run(args: SimulateArgs) -> anyhow::Result<ExitCode> {
    let config = match config_file::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::from(2));
        }
    };
    let tz = config.time_zone().unwrap_or_else(TimeZone::system);
    let from_date = args
        .from
        .unwrap_or_else(|| Timestamp::now().to_zoned_datetime(tz.clone()).date());
    let start = from_date
        .to_zoned_datetime(tz.clone())
        .context("that day does not exist in the time zone")?
        .timestamp();
    let end = start + SignedDuration::from_hours(24 * i64::from(args.days));
    let settings = PolicySettings::new(config, tz.clone());
    let timeline = replay(
        &settings,
        start,
        end,
        SignedDuration::from_secs(i64::from(args.step_s)),
    );

    if args.json {
        println!("{}", serde_json::to_string_pretty(&timeline)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Simulated replay, {} day(s) from {} ({}), one simulated GPU; assumes a rental marketplace and a volunteer client are\navailable, no renter takes the listing and no game runs.\n",
        args.days,
        from_date,
        tz.iana_name().unwrap_or("system time zone")
    );
    let mut hours = [0i64; 3];
    for s in &timeline {
        let a = s.start.to_zoned_datetime(tz.clone());
        let b = s.end.to_zoned_datetime(tz.clone());
        println!(
            "{}  {:02}:{:02} – {}{:02}:{:02}  {:<9}  {}",
            a.strftime("%a %d %b"),
            a.hour(),
            a.minute(),
            if a.date() == b.date() {
                String::new()
            } else {
                format!("{} ", b.strftime("%a"))
            },
            b.hour(),
            b.minute(),
            s.mode.as_str(),
            s.reason
        );
        let i = Mode::ALL.iter().position(|m| *m == s.mode).unwrap_or(2);
        hours[i] += s.end.duration_since(s.start).as_secs();
    }
    println!(
        "\nTotals: rental {:.1} h, volunteer {:.1} h, idle {:.1} h",
        hours[0] as f64 / 3600.0,
        hours[1] as f64 / 3600.0,
        hours[2] as f64 / 3600.0
    );
    Ok(ExitCode::SUCCESS)
}

/// Run the policy from `start` to `end` every `step` and merge equal consecutive results.
pub fn replay(
    settings: &PolicySettings,
    start: Timestamp,
    end: Timestamp,
    step: SignedDuration,
) -> Vec<Stretch> {
    let mut sensors = SimulatedSensors::new(1, 1);
    let gpu = sensors.gpus().into_iter().next();
    let Some(gpu) = gpu else { return Vec::new() };
    let mut state = PolicyState::default();
    let activity = ActivityState::default();
    let mut out: Vec<Stretch> = Vec::new();
    let mut t = start;
    while t < end {
        let reading = sensors
            .sample(t)
            .into_iter()
            .next()
            .and_then(|s| s.reading.ok());
        let input = GpuInputs {
            // No history to average here: the power limit, as for a GPU never seen working.
            running_cost: WorkingDraw::pick(None, reading.as_ref(), false)
                .map(|d| RunningCost::price(&d, &settings.config.electricity, t, &settings.tz)),
            telemetry: GpuTelemetry {
                gpu: gpu.clone(),
                reading,
                read_at: Some(t),
                fault: None,
            },
            rental: RentalAvailability::Ready,
            volunteer: VolunteerAvailability::Ready,
            can_set_power_limit: false,
        };
        let plan = decide(
            t,
            PolicyInputs {
                gpus: std::slice::from_ref(&input),
                activity: &activity,
            },
            settings,
            &[],
            &state,
        );
        let Some(g) = plan.gpus.first() else { break };
        sensors.note_workload(
            &g.uuid,
            if g.volunteer_on {
                Workload::Volunteer
            } else {
                Workload::None
            },
        );
        let next = (t + step).min(end);
        let sentence = g.reason.sentence(Catalogue::english(), &settings.tz);
        match out.last_mut() {
            Some(last) if last.mode == g.mode && same_kind(&last.reason, &sentence) => {
                last.end = next
            }
            _ => out.push(Stretch {
                start: t,
                end: next,
                mode: g.mode,
                reason: sentence,
            }),
        }
        state = plan.state;
        t = next;
    }
    out
}

/// Sentences that differ only in their numbers (a temperature, a renewed end date) belong to
/// one stretch of the timeline.
fn same_kind(a: &str, b: &str) -> bool {
    let strip = |s: &str| {
        s.chars()
            .filter(|c| !c.is_ascii_digit())
            .collect::<String>()
    };
    strip(a) == strip(b)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use overtime_core::config::Config;

    #[test]
    fn an_evening_idle_window_shows_up_every_day() {
        let text = r#"
            [general]
            timezone = "Europe/Berlin"
            [[schedule.window]]
            name = "gaming"
            days = ["daily"]
            start = "18:00"
            end = "23:00"
            modes = ["idle"]
        "#;
        let config = Config::parse(text, None).unwrap();
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let settings = PolicySettings::new(config, tz.clone());
        let start = jiff::civil::date(2026, 11, 30)
            .to_zoned_datetime(tz.clone())
            .unwrap()
            .timestamp();
        let end = start + SignedDuration::from_hours(24 * 7);
        let timeline = replay(&settings, start, end, SignedDuration::from_secs(60));
        let idle: Vec<_> = timeline.iter().filter(|s| s.mode == Mode::Idle).collect();
        assert_eq!(idle.len(), 7, "{timeline:#?}");
        for s in idle {
            let a = s.start.to_zoned_datetime(tz.clone());
            assert_eq!((a.hour(), a.minute()), (18, 0));
            assert_eq!(s.end.duration_since(s.start), SignedDuration::from_hours(5));
        }
        assert_eq!(timeline.first().unwrap().start, start);
        assert_eq!(timeline.last().unwrap().end, end);
    }
}
