//! `overtime mode`: force what the GPUs do (rental, volunteer, idle/pause), for a while or until
//! a time, or hand them back to the automatic schedule with `auto`.

use std::time::Duration;

use clap::{Args, ValueEnum};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use overtime_agent::api::wire::{GpuSelector, OverrideApplied, OverrideCleared, OverrideRequest};
use overtime_core::GpuId;

use crate::api_client::ApiClient;
use crate::status::one_line;
use crate::when::{UntilArg, describe_until, parse_duration, parse_until};

/// What the user asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeChoice {
    /// Back to the schedule and the automatic choice.
    Auto,
    /// List for rent.
    Rental,
    /// Run volunteer work.
    Volunteer,
    /// Leave the GPU alone.
    Idle,
    /// Same as idle.
    Pause,
}

/// `overtime mode auto|rental|volunteer|idle|pause [--for D | --until T] [--gpu N|UUID]`.
#[derive(Debug, Clone, Args)]
pub struct ModeArgs {
    /// What the GPUs should do.
    #[arg(value_enum)]
    pub mode: ModeChoice,
    /// How long: 90s, 45m, 2h, 1h30m, 1d (at most 30 days). Default: until `overtime mode auto`.
    #[arg(long = "for", value_name = "DURATION", value_parser = parse_duration, conflicts_with = "until")]
    pub for_duration: Option<Duration>,
    /// Until a local time: 23:00 (the next one), 2026-12-01T08:00, or an RFC 3339 time.
    #[arg(long, value_name = "TIME", value_parser = parse_until)]
    pub until: Option<UntilArg>,
    /// Only this GPU, by index (as in nvidia-smi) or UUID. Default: all GPUs.
    #[arg(long, value_name = "N|UUID")]
    pub gpu: Option<String>,
}

/// Sends the override (or clears it) and prints what the agent accepted.
pub async fn run(args: ModeArgs, api: &ApiClient) -> anyhow::Result<()> {
    let now = Timestamp::now();
    // `--until 23:00` means 23:00 where the agent's schedule lives (its configured zone), the
    // same clock `overtime status` shows, and the answer is told on that clock too.
    let tz = agent_zone(api).await;
    match request_for(&args, now, &tz)? {
        None => {
            let cleared = api.clear_override(args.gpu.as_deref()).await?;
            println!("{}", describe_cleared(&cleared));
        }
        Some(request) => {
            let applied = api.set_override(&request).await?;
            println!("{}", describe_applied(&applied, Timestamp::now(), &tz));
        }
    }
    Ok(())
}

/// The agent's configured time zone, or the system's when the agent does not name a known one.
async fn agent_zone(api: &ApiClient) -> TimeZone {
    match api.status().await {
        Ok(snapshot) => TimeZone::get(&snapshot.timezone).unwrap_or_else(|_| TimeZone::system()),
        Err(_) => TimeZone::system(),
    }
}

/// The API request for `args` at `now` in `tz`; `None` means "clear the override" (`auto`).
pub fn request_for(
    args: &ModeArgs,
    now: Timestamp,
    tz: &TimeZone,
) -> anyhow::Result<Option<OverrideRequest>> {
    let mode = match args.mode {
        ModeChoice::Auto => {
            if args.for_duration.is_some() || args.until.is_some() {
                anyhow::bail!(
                    "`auto` takes no --for or --until: it hands the GPUs back to the schedule now"
                );
            }
            return Ok(None);
        }
        ModeChoice::Rental => "rental",
        ModeChoice::Volunteer => "volunteer",
        ModeChoice::Idle | ModeChoice::Pause => "idle",
    };
    let until = args
        .until
        .map(|u| u.resolve(now, tz))
        .transpose()
        .map_err(anyhow::Error::msg)?;
    Ok(Some(OverrideRequest {
        mode: mode.to_owned(),
        gpu: args.gpu.clone().map(GpuSelector::Text),
        // Exact instants cross as UTC RFC 3339; a duration lets the agent count from its clock.
        until: until.map(|u| u.to_string()),
        for_s: args.for_duration.map(|d| d.as_secs()),
    }))
}

fn whom(gpu: Option<&GpuId>) -> String {
    gpu.map_or_else(
        || "All GPUs".to_owned(),
        |g| format!("GPU {} ({})", g.index, one_line(&g.name)),
    )
}

/// "All GPUs: idle until Tue 24 Nov 23:00 (in 2 h 14 min)".
pub fn describe_applied(applied: &OverrideApplied, now: Timestamp, tz: &TimeZone) -> String {
    let until = applied.until.map_or_else(
        || "until you resume with `overtime mode auto`".to_owned(),
        |u| format!("until {}", describe_until(u, now, tz)),
    );
    format!("{}: {} {until}", whom(applied.gpu.as_ref()), applied.mode)
}

/// "GPU 0 (…): back to automatic".
pub fn describe_cleared(cleared: &OverrideCleared) -> String {
    format!("{}: back to automatic", whom(cleared.gpu.as_ref()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use clap::Parser;
    use overtime_core::{Mode, OverrideScope};

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: ModeArgs,
    }

    fn parse(argv: &[&str]) -> Result<ModeArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("mode").chain(argv.iter().copied())).map(|c| c.args)
    }

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").unwrap()
    }

    fn now() -> Timestamp {
        "2026-11-24T19:46:00Z".parse().unwrap()
    }

    #[test]
    fn command_lines_become_api_requests() {
        let cases: [(&[&str], Option<OverrideRequest>); 6] = [
            (&["auto"], None),
            (&["auto", "--gpu", "1"], None),
            (
                &["pause", "--for", "1h30m"],
                Some(OverrideRequest {
                    mode: "idle".into(),
                    for_s: Some(5400),
                    ..OverrideRequest::default()
                }),
            ),
            (
                &["rental", "--gpu", "0"],
                Some(OverrideRequest {
                    mode: "rental".into(),
                    gpu: Some(GpuSelector::Text("0".into())),
                    ..OverrideRequest::default()
                }),
            ),
            (
                &["volunteer", "--until", "23:00"],
                Some(OverrideRequest {
                    mode: "volunteer".into(),
                    until: Some("2026-11-24T22:00:00Z".into()),
                    ..OverrideRequest::default()
                }),
            ),
            (
                &["idle", "--until", "2026-12-01T08:00", "--gpu", "GPU-abc"],
                Some(OverrideRequest {
                    mode: "idle".into(),
                    gpu: Some(GpuSelector::Text("GPU-abc".into())),
                    until: Some("2026-12-01T07:00:00Z".into()),
                    ..OverrideRequest::default()
                }),
            ),
        ];
        for (argv, expected) in cases {
            let args = parse(argv).unwrap();
            assert_eq!(
                request_for(&args, now(), &berlin()).unwrap(),
                expected,
                "{argv:?}"
            );
        }
    }

    #[test]
    fn contradictory_or_malformed_command_lines_are_refused() {
        assert!(parse(&["idle", "--for", "1h", "--until", "23:00"]).is_err());
        assert!(parse(&["idle", "--for", "90"]).is_err());
        assert!(parse(&["idle", "--until", "tonight"]).is_err());
        assert!(parse(&["turbo"]).is_err());
        let auto_with_time = parse(&["auto", "--for", "1h"]).unwrap();
        let err = request_for(&auto_with_time, now(), &berlin()).unwrap_err();
        assert!(err.to_string().contains("no --for or --until"));
        let past = parse(&["idle", "--until", "2026-11-24T08:00"]).unwrap();
        assert!(request_for(&past, now(), &berlin()).is_err());
    }

    #[test]
    fn the_result_is_told_in_local_time_with_time_left() {
        let applied = OverrideApplied {
            ok: true,
            mode: Mode::Idle,
            scope: OverrideScope::AllGpus,
            gpu: None,
            until: Some("2026-11-24T22:00:00Z".parse().unwrap()),
        };
        assert_eq!(
            describe_applied(&applied, now(), &berlin()),
            "All GPUs: idle until Tue 24 Nov 23:00 (in 2 h 14 min)"
        );
        let forever = OverrideApplied {
            mode: Mode::Rental,
            gpu: Some(GpuId {
                uuid: "GPU-abc".into(),
                index: 0,
                name: "RTX 4090".into(),
            }),
            until: None,
            ..applied
        };
        assert_eq!(
            describe_applied(&forever, now(), &berlin()),
            "GPU 0 (RTX 4090): rental until you resume with `overtime mode auto`"
        );
        let cleared = OverrideCleared {
            ok: true,
            scope: OverrideScope::AllGpus,
            gpu: None,
        };
        assert_eq!(describe_cleared(&cleared), "All GPUs: back to automatic");
    }
}
