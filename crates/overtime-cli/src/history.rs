//! `overtime export` and `overtime earnings`: read the earnings ledger through the agent's
//! reports (read-only, so they work whether or not the agent runs) and print or export exact
//! figures, the same rows and sums the window shows.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use overtime_agent::config_file;
use overtime_agent::ledger_feed::read_earnings;
use overtime_agent::paths::Paths;
use overtime_agent::reports::LedgerAccess;
use overtime_agent::reports::export::write_csv;

#[derive(clap::Args)]
pub struct ExportArgs {
    /// First day to include (YYYY-MM-DD, local time).
    #[arg(long)]
    pub from: Date,
    /// Last day to include (YYYY-MM-DD, local time), inclusive.
    #[arg(long)]
    pub to: Date,
    /// Where to write the CSV (one row per session and per earnings record; see
    /// crates/overtime-ledger/docs/ledger-csv.md). `-` writes to standard output.
    #[arg(long)]
    pub csv: PathBuf,
}

#[derive(clap::Args)]
pub struct EarningsArgs {
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
}

struct Ledger {
    path: PathBuf,
    config: overtime_core::config::Config,
    tz: TimeZone,
}

fn ledger() -> anyhow::Result<Ledger> {
    let paths = Paths::from_env()?;
    let config = config_file::load(&paths.config_file).map_err(|e| anyhow::anyhow!("{e}"))?;
    let tz = config.time_zone().unwrap_or_else(TimeZone::system);
    let path = paths.data_dir.join("ledger.sqlite");
    if !path.exists() {
        anyhow::bail!(
            "no earnings ledger at {} yet: it is created when `overtime daemon` first runs",
            path.display()
        );
    }
    Ok(Ledger { path, config, tz })
}

pub fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let l = ledger()?;
    if args.to < args.from {
        anyhow::bail!("--to {} is before --from {}", args.to, args.from);
    }
    let start = |d: Date| -> anyhow::Result<Timestamp> {
        Ok(d.to_zoned_datetime(l.tz.clone())
            .with_context(|| format!("{d} does not exist in the time zone"))?
            .timestamp())
    };
    let from = start(args.from)?;
    let to = start(
        args.to
            .tomorrow()
            .context("--to is the last day there is")?,
    )?;
    let access = LedgerAccess::offline(l.path.clone(), &l.config, &l.tz);
    let now = Timestamp::now();
    let summary = if args.csv.as_os_str() == "-" {
        write_csv(&access, from, to, now, std::io::stdout().lock())?
    } else {
        let file = std::fs::File::create(&args.csv)
            .with_context(|| format!("cannot create {}", args.csv.display()))?;
        let summary = write_csv(&access, from, to, now, std::io::BufWriter::new(file))?;
        eprintln!("wrote {}", args.csv.display());
        summary
    };
    eprintln!(
        "exported {} session(s) and {} earnings record(s)",
        summary.sessions, summary.earnings
    );
    Ok(ExitCode::SUCCESS)
}

pub fn earnings(args: EarningsArgs) -> anyhow::Result<ExitCode> {
    let l = ledger()?;
    let access = LedgerAccess::offline(l.path.clone(), &l.config, &l.tz);
    let view = read_earnings(
        &access.path,
        &access.model,
        Timestamp::now(),
        access.simulated,
    )?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&view)?);
        return Ok(ExitCode::SUCCESS);
    }
    if view.includes_simulated {
        println!(
            "SIMULATED: demo providers are configured; their earnings and credits are not real.\n"
        );
    }
    let money = |list: &[overtime_core::money::Money]| overtime_core::money::format_totals(list, 2);
    println!(
        "{:<6} {:>14} {:>14} {:>14} {:>14} {:>9}",
        "range", "gross", "of it est.", "electricity", "net", "kWh"
    );
    for p in &view.periods {
        println!(
            "{:<6} {:>14} {:>14} {:>14} {:>14} {:>9.2}",
            p.range,
            money(&p.gross),
            money(&p.estimated),
            money(&p.electricity),
            money(&p.net),
            p.energy_kwh
        );
    }
    Ok(ExitCode::SUCCESS)
}
