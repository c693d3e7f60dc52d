//! The agent's snapshot in the Prometheus text exposition format (0.0.4), served at `/metrics`.
//!
//! Hand-written because the format is small and a metrics crate would add a registry and global
//! state for what is one pure function of the snapshot. A reading the GPU does not report (or a
//! faulted GPU's stale one) is left out, never exported as 0, so dashboards show gaps, not lies.

use std::fmt::Write;

use overtime_core::mode::effective_override;
use overtime_core::money::Money;
use overtime_core::{GpuReading, Mode, ThrottleReasons};

use crate::providers::ProviderKind;
use crate::snapshot::{AgentSnapshot, GpuStatus};

/// The `Content-Type` of [`render`]'s output.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

const BYTES_PER_MIB: f64 = 1024.0 * 1024.0;
const HZ_PER_MHZ: f64 = 1_000_000.0;

#[derive(Clone, Copy)]
enum Kind {
    Gauge,
    Counter,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Gauge => "gauge",
            Kind::Counter => "counter",
        }
    }
}

type Labels = Vec<(&'static str, String)>;

/// Accumulates families; each family's samples are written together, as the format requires.
struct Exposition {
    out: String,
}

impl Exposition {
    fn family(&mut self, name: &str, kind: Kind, help: &str, samples: Vec<(Labels, f64)>) {
        // Non-finite values mean a broken reading; leaving them out is the honest choice.
        let samples: Vec<_> = samples.into_iter().filter(|(_, v)| v.is_finite()).collect();
        if samples.is_empty() {
            return;
        }
        let _ = writeln!(self.out, "# HELP {name} {help}");
        let _ = writeln!(self.out, "# TYPE {name} {}", kind.as_str());
        for (labels, value) in samples {
            self.out.push_str(name);
            if !labels.is_empty() {
                self.out.push('{');
                for (i, (key, val)) in labels.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    let _ = write!(self.out, "{key}=\"{}\"", escape_label_value(val));
                }
                self.out.push('}');
            }
            let _ = writeln!(self.out, " {value}");
        }
    }
}

/// Escapes a label value: backslash, double quote and line feed, as the text format requires.
pub fn escape_label_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

fn gpu_labels(gpu: &GpuStatus) -> Labels {
    vec![
        ("gpu", gpu.gpu.index.to_string()),
        ("uuid", gpu.gpu.uuid.clone()),
        ("name", gpu.gpu.name.clone()),
    ]
}

fn with(mut labels: Labels, key: &'static str, value: impl Into<String>) -> Labels {
    labels.push((key, value.into()));
    labels
}

/// Every throttle reason name, so inactive ones can be exported as 0 rather than vanish.
fn all_throttle_names() -> Vec<&'static str> {
    ThrottleReasons {
        idle: true,
        app_clocks: true,
        sw_power_cap: true,
        hw_slowdown: true,
        sw_thermal: true,
        hw_thermal: true,
        hw_power_brake: true,
        sync_boost: true,
        display_clocks: true,
    }
    .active_names()
}

/// Renders `snapshot` as Prometheus text format 0.0.4 (see [`CONTENT_TYPE`]).
///
/// Per-GPU series carry the labels `gpu` (index), `uuid` and `name`. Reading series are present
/// only for GPUs that answer and report that reading.
pub fn render(snapshot: &AgentSnapshot) -> String {
    let mut x = Exposition {
        out: String::with_capacity(8 * 1024),
    };

    x.family(
        "overtime_info",
        Kind::Gauge,
        "Agent version and sensor backend (always 1).",
        vec![(
            vec![
                ("version", snapshot.agent_version.clone()),
                ("sensor_backend", snapshot.sensor_backend.clone()),
            ],
            1.0,
        )],
    );
    x.family(
        "overtime_simulated",
        Kind::Gauge,
        "1 when the GPU readings are simulated (demo mode), 0 for real hardware.",
        vec![(vec![], bool_value(snapshot.simulated))],
    );

    // Readings of GPUs that currently answer; a faulted GPU's last reading is stale.
    let live: Vec<(&GpuStatus, &GpuReading)> = snapshot
        .gpus
        .iter()
        .filter(|g| g.fault.is_none())
        .filter_map(|g| g.reading.as_ref().map(|r| (g, r)))
        .collect();
    let reading_family = |x: &mut Exposition,
                          name: &str,
                          kind: Kind,
                          help: &str,
                          get: &dyn Fn(&GpuReading) -> Option<f64>| {
        let samples = live
            .iter()
            .filter_map(|(g, r)| get(r).map(|v| (gpu_labels(g), v)))
            .collect();
        x.family(name, kind, help, samples);
    };

    x.family(
        "overtime_gpu_up",
        Kind::Gauge,
        "1 when the GPU answers its sensors, 0 when it is faulted or not read yet.",
        snapshot
            .gpus
            .iter()
            .map(|g| {
                let up = g.fault.is_none() && g.reading.is_some();
                (gpu_labels(g), bool_value(up))
            })
            .collect(),
    );
    reading_family(
        &mut x,
        "overtime_gpu_temperature_celsius",
        Kind::Gauge,
        "GPU core temperature in degrees Celsius.",
        &|r| r.temp_c,
    );
    reading_family(
        &mut x,
        "overtime_gpu_load_ratio",
        Kind::Gauge,
        "GPU utilisation, 0 to 1.",
        &|r| r.load_pct.map(|p| p / 100.0),
    );
    reading_family(
        &mut x,
        "overtime_gpu_memory_used_bytes",
        Kind::Gauge,
        "GPU memory in use, in bytes.",
        &|r| r.mem_used_mib.map(|m| m as f64 * BYTES_PER_MIB),
    );
    reading_family(
        &mut x,
        "overtime_gpu_memory_total_bytes",
        Kind::Gauge,
        "GPU memory installed, in bytes.",
        &|r| r.mem_total_mib.map(|m| m as f64 * BYTES_PER_MIB),
    );
    reading_family(
        &mut x,
        "overtime_gpu_power_watts",
        Kind::Gauge,
        "Board power draw in watts.",
        &|r| r.power_w,
    );
    reading_family(
        &mut x,
        "overtime_gpu_power_limit_watts",
        Kind::Gauge,
        "Power limit currently enforced, in watts.",
        &|r| r.power_limit_w,
    );
    reading_family(
        &mut x,
        "overtime_gpu_fan_ratio",
        Kind::Gauge,
        "Fan speed as a share of its maximum, 0 to 1.",
        &|r| r.fan_pct.map(|p| p / 100.0),
    );
    reading_family(
        &mut x,
        "overtime_gpu_sm_clock_hertz",
        Kind::Gauge,
        "Streaming multiprocessor clock in hertz.",
        &|r| r.sm_clock_mhz.map(|m| f64::from(m) * HZ_PER_MHZ),
    );
    reading_family(
        &mut x,
        "overtime_gpu_mem_clock_hertz",
        Kind::Gauge,
        "Memory clock in hertz.",
        &|r| r.mem_clock_mhz.map(|m| f64::from(m) * HZ_PER_MHZ),
    );
    reading_family(
        &mut x,
        "overtime_gpu_energy_joules_total",
        Kind::Counter,
        "Energy the GPU consumed since the driver loaded, in joules.",
        &|r| r.energy_mj.map(|mj| mj as f64 / 1000.0),
    );

    let throttle_names = all_throttle_names();
    x.family(
        "overtime_gpu_throttle",
        Kind::Gauge,
        "1 for each reason the driver is holding the GPU's clocks down, 0 otherwise.",
        live.iter()
            .filter_map(|(g, r)| r.throttle.map(|t| (g, t.active_names())))
            .flat_map(|(g, active)| {
                throttle_names.iter().map(move |name| {
                    (
                        with(gpu_labels(g), "reason", *name),
                        bool_value(active.contains(name)),
                    )
                })
            })
            .collect(),
    );
    x.family(
        "overtime_gpu_power_cap_watts",
        Kind::Gauge,
        "Power limit the thermal guard lowered the GPU to, in watts (absent when not capped).",
        snapshot
            .gpus
            .iter()
            .filter_map(|g| g.power_cap_w.map(|w| (gpu_labels(g), w)))
            .collect(),
    );
    x.family(
        "overtime_gpu_electricity_cost_per_hour",
        Kind::Gauge,
        "Electricity cost of running the GPU for an hour now (with the rest of the PC, at the tariff in force): the break-even a rental offer must beat. The source label says where the draw came from.",
        snapshot
            .gpus
            .iter()
            .filter_map(|g| {
                let cost = g.running_cost.as_ref()?;
                let labels = with(
                    with(
                        gpu_labels(g),
                        "currency",
                        cost.per_hour.currency.to_string(),
                    ),
                    "source",
                    cost.source.code(),
                );
                Some((labels, money_value(&cost.per_hour)))
            })
            .collect(),
    );
    x.family(
        "overtime_gpu_mode",
        Kind::Gauge,
        "1 for the mode the GPU is in, 0 for the others.",
        snapshot
            .gpus
            .iter()
            .flat_map(|g| {
                Mode::ALL.iter().map(move |m| {
                    (
                        with(gpu_labels(g), "mode", m.as_str()),
                        bool_value(g.mode == *m),
                    )
                })
            })
            .collect(),
    );
    x.family(
        "overtime_gpu_mode_reason_info",
        Kind::Gauge,
        "Why the GPU is in its mode, as a stable reason code (always 1).",
        snapshot
            .gpus
            .iter()
            .map(|g| (with(gpu_labels(g), "reason", g.reason.code()), 1.0))
            .collect(),
    );
    x.family(
        "overtime_override_active",
        Kind::Gauge,
        "1 when a manual override decides the GPU's mode, 0 when it is automatic.",
        snapshot
            .gpus
            .iter()
            .map(|g| {
                let active =
                    effective_override(&snapshot.overrides, &g.gpu.uuid, snapshot.at).is_some();
                (gpu_labels(g), bool_value(active))
            })
            .collect(),
    );
    x.family(
        "overtime_decisions_total",
        Kind::Counter,
        "Mode changes decided since the agent started.",
        vec![(vec![], snapshot.decisions_total as f64)],
    );
    x.family(
        "overtime_games_running",
        Kind::Gauge,
        "Games (or listed applications) running now.",
        vec![(vec![], snapshot.activity.games.len() as f64)],
    );
    x.family(
        "overtime_input_idle_seconds",
        Kind::Gauge,
        "Seconds since the last keyboard or mouse input (absent when the platform cannot tell).",
        snapshot
            .activity
            .input_idle_s
            .map(|s| (vec![], s as f64))
            .into_iter()
            .collect(),
    );
    x.family(
        "overtime_provider_up",
        Kind::Gauge,
        "1 when the provider's last status check succeeded, 0 when it failed or has not run.",
        snapshot
            .providers
            .iter()
            .map(|p| {
                let kind = match p.kind {
                    ProviderKind::Rental => "rental",
                    ProviderKind::Volunteer => "volunteer",
                };
                let up = p.error.is_none() && p.status.is_some();
                (
                    vec![("provider", p.name.clone()), ("kind", kind.to_owned())],
                    bool_value(up),
                )
            })
            .collect(),
    );
    if let Some(ledger) = &snapshot.ledger {
        ledger_families(&mut x, snapshot, ledger);
    }
    x.out
}

/// Money and energy from the earnings ledger. Money is a float here because dashboards plot
/// it; the exact amounts are in the ledger and `overtime export`.
fn ledger_families(
    x: &mut Exposition,
    snapshot: &AgentSnapshot,
    ledger: &crate::ledger_feed::LedgerView,
) {
    x.family(
        "overtime_ledger_recording",
        Kind::Gauge,
        "1 while the earnings ledger records history, 0 while writes fail (GPU control goes on).",
        vec![(vec![], bool_value(ledger.recording))],
    );
    let by_gpu = snapshot
        .gpus
        .iter()
        .map(|g| {
            let kwh = ledger
                .energy_kwh
                .iter()
                .find(|(u, _)| *u == g.gpu.uuid)
                .map_or(0.0, |(_, k)| *k);
            (
                vec![
                    ("gpu", g.gpu.index.to_string()),
                    ("uuid", g.gpu.uuid.clone()),
                ],
                kwh,
            )
        })
        .collect();
    x.family(
        "overtime_energy_kwh_total",
        Kind::Counter,
        "Energy the GPU drew since the agent started, in kWh (from the energy counter where the GPU has one).",
        by_gpu,
    );
    let Some(all) = ledger
        .earnings
        .as_ref()
        .and_then(|e| e.periods.iter().find(|p| p.range == "all"))
    else {
        return;
    };
    let money = |list: &[Money]| -> Vec<(Labels, f64)> {
        list.iter()
            .map(|m| (vec![("currency", m.currency.to_string())], money_value(m)))
            .collect()
    };
    x.family(
        "overtime_earnings_gross_total",
        Kind::Counter,
        "Earnings reported by rental providers' statements, all time, per currency.",
        money(&all.gross),
    );
    x.family(
        "overtime_earnings_estimated",
        Kind::Gauge,
        "Live estimate of rental earnings no statement covers yet (contract price × elapsed time).",
        money(&all.estimated),
    );
    x.family(
        "overtime_electricity_cost_total",
        Kind::Counter,
        "Electricity cost of the GPUs' work (and the rest of the PC while working), all time.",
        money(&all.electricity),
    );
    x.family(
        "overtime_volunteer_credits_total",
        Kind::Counter,
        "Volunteer credit earned on this machine, per provider and project.",
        all.credits
            .iter()
            .map(|(provider, project, credit)| {
                (
                    vec![("provider", provider.clone()), ("project", project.clone())],
                    *credit,
                )
            })
            .collect(),
    );
}

/// Money as a float for dashboards (a value that will not convert is left out, never 0).
fn money_value(m: &Money) -> f64 {
    m.amount.to_string().parse().unwrap_or(f64::NAN)
}

fn bool_value(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}
