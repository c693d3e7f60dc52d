//! Semantic validation: every rule the types cannot express (ranges, day names, overlapping
//! windows, currencies). It collects every problem instead of stopping at the first, so one
//! run of `overtime doctor` lists everything to fix.

use std::ops::RangeInclusive;

use rust_decimal::Decimal;

use super::days::{format_minute_of_day, parse_day_entry, parse_time_of_day};
use super::locate::FieldPath;
use super::problem::Problem;
use super::providers::{HookKind, RentalChoice, VolunteerChoice};
use super::{Config, ThermalLimits, ThermalLimitsOverride, WindowConfig};

/// One problem: where, and what is wrong and what to do.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Issue {
    pub(crate) path: FieldPath,
    pub(crate) problem: Problem,
}

/// Minutes in a week; windows are compared on this circle.
const WEEK_MIN: usize = 7 * 1440;
/// Thermal ranges, shared by `[thermal]` and its per-GPU overrides.
const SOFT_LIMIT_C: RangeInclusive<f64> = 40.0..=105.0;
const HYSTERESIS_C: RangeInclusive<f64> = 1.0..=30.0;
const CRITICAL_LIMIT_C: RangeInclusive<f64> = 40.0..=110.0;
const COOLDOWN_S: RangeInclusive<u64> = 0..=3600;
const STALE_AFTER_S: RangeInclusive<u64> = 2..=600;
const POWER_LIMIT_PCT: RangeInclusive<u64> = 30..=100;
const POWER_LIMIT_GRACE_S: RangeInclusive<u64> = 0..=3600;
/// The largest GPU index accepted as a `[thermal.gpu."<index>"]` key.
const MAX_GPU_INDEX: u32 = 63;

/// Every problem in `config`, in file order as far as sections go.
pub(crate) fn validate(config: &Config) -> Vec<Issue> {
    let mut v = Validator { issues: Vec::new() };
    let root = FieldPath::root();
    v.general(config, &root.key("general"));
    v.schedule(config, &root.key("schedule"));
    v.thermal(config, &root.key("thermal"));
    v.activity(config, &root.key("activity"));
    v.policy(config, &root.key("policy"));
    v.rental(config, &root.key("rental"));
    v.electricity(config, &root.key("electricity"));
    v.api(config, &root.key("api"));
    v.providers(config, &root.key("providers"));
    v.issues
}

/// A window's days and minutes, once its strings read correctly.
pub(crate) struct CompiledWindow {
    pub(crate) days: [bool; 7],
    pub(crate) start_min: u16,
    pub(crate) end_min: u16,
}

/// Reads a window's `days`, `start` and `end`, reporting each bad part under `path`.
pub(crate) fn compile_window(
    window: &WindowConfig,
    path: &FieldPath,
    issues: &mut Vec<Issue>,
) -> Option<CompiledWindow> {
    let mut days = [false; 7];
    let mut days_ok = true;
    if window.days.is_empty() {
        days_ok = false;
        issues.push(Issue {
            path: path.key("days"),
            problem: Problem::new("config-days-none"),
        });
    }
    for (i, entry) in window.days.iter().enumerate() {
        match parse_day_entry(entry) {
            Ok(selected) => {
                for (day, on) in days.iter_mut().zip(selected) {
                    *day |= on;
                }
            }
            Err(problem) => {
                days_ok = false;
                issues.push(Issue {
                    path: path.key("days").index(i),
                    problem,
                });
            }
        }
    }
    let start = parse_time_of_day(&window.start, false);
    let end = parse_time_of_day(&window.end, true);
    if let Err(problem) = &start {
        issues.push(Issue {
            path: path.key("start"),
            problem: problem.clone(),
        });
    }
    if let Err(problem) = &end {
        issues.push(Issue {
            path: path.key("end"),
            problem: problem.clone(),
        });
    }
    let (Ok(start_min), Ok(end_min)) = (start, end) else {
        return None;
    };
    if start_min == end_min {
        issues.push(Issue {
            path: path.key("end"),
            problem: Problem::new("config-window-empty")
                .text("time", format_minute_of_day(start_min)),
        });
        return None;
    }
    days_ok.then_some(CompiledWindow {
        days,
        start_min,
        end_min,
    })
}

impl CompiledWindow {
    /// The week minutes (0 = Monday 00:00) the window occupies; a window crossing midnight
    /// occupies the next day's early minutes, and Sunday night wraps to Monday.
    fn occupancy(&self) -> Vec<bool> {
        let start = usize::from(self.start_min);
        let end = if self.end_min > self.start_min {
            usize::from(self.end_min)
        } else {
            usize::from(self.end_min) + 1440
        };
        let mut week = vec![false; WEEK_MIN];
        for day in (0..7).filter(|d| self.days[*d]) {
            for minute in day * 1440 + start..day * 1440 + end {
                week[minute % WEEK_MIN] = true;
            }
        }
        week
    }
}

struct Validator {
    issues: Vec<Issue>,
}

impl Validator {
    fn push(&mut self, path: FieldPath, problem: Problem) {
        self.issues.push(Issue { path, problem });
    }

    /// Whole numbers are shown as written (a port is "65535", not "65.535").
    fn int_range(&mut self, path: FieldPath, value: u64, range: RangeInclusive<u64>, unit: &str) {
        if !range.contains(&value) {
            self.push(
                path,
                Problem::new("config-outOfRange")
                    .text("value", value)
                    .text("min", range.start())
                    .text("max", range.end())
                    .text("unit", unit),
            );
        }
    }

    /// Measurements are numbers each language writes its own way (40,5 °C).
    fn float_range(&mut self, path: FieldPath, value: f64, range: RangeInclusive<f64>, unit: &str) {
        if !range.contains(&value) {
            self.push(
                path,
                Problem::new("config-outOfRange")
                    .number("value", value)
                    .number("min", *range.start())
                    .number("max", *range.end())
                    .text("unit", unit),
            );
        }
    }

    fn non_negative(&mut self, path: FieldPath, value: Decimal) {
        if value.is_sign_negative() && !value.is_zero() {
            self.push(
                path,
                Problem::new("config-price-negative").text("value", value),
            );
        }
    }

    fn general(&mut self, config: &Config, path: &FieldPath) {
        let zone = config.general.timezone.trim();
        if !zone.is_empty() && jiff::tz::db().get(zone).is_err() {
            self.push(
                path.key("timezone"),
                Problem::new("config-timezone-unknown").text("zone", zone),
            );
        }
        self.int_range(
            path.key("tick_ms"),
            config.general.tick_ms,
            200..=60_000,
            " ms",
        );
    }

    fn schedule(&mut self, config: &Config, path: &FieldPath) {
        let mut compiled: Vec<(usize, CompiledWindow)> = Vec::new();
        for (i, window) in config.schedule.windows.iter().enumerate() {
            let window_path = path.key("window").index(i);
            if let Some(c) = compile_window(window, &window_path, &mut self.issues) {
                compiled.push((i, c));
            }
        }
        let occupancies: Vec<(usize, Vec<bool>)> =
            compiled.iter().map(|(i, c)| (*i, c.occupancy())).collect();
        for (later_pos, (later, later_week)) in occupancies.iter().enumerate() {
            for (earlier, earlier_week) in &occupancies[..later_pos] {
                let Some(minute) = (0..WEEK_MIN).find(|&m| later_week[m] && earlier_week[m]) else {
                    continue;
                };
                let problem = Problem::new("config-window-overlap")
                    .text("later", describe_window(config, *later, path))
                    .text("earlier", describe_window(config, *earlier, path))
                    .number("day", weekday(minute / 1440))
                    .text(
                        "time",
                        format_minute_of_day(u16::try_from(minute % 1440).unwrap_or(0)),
                    );
                self.push(path.key("window").index(*later), problem);
            }
        }
    }

    fn thermal(&mut self, config: &Config, path: &FieldPath) {
        let thermal = &config.thermal;
        self.limits(&thermal.limits, path);
        self.limit_relations(&thermal.limits, path, false);
        for (key, overrides) in &thermal.per_gpu {
            let gpu_path = path.key("gpu").key(key);
            if !is_gpu_key(key) {
                self.push(
                    gpu_path.clone(),
                    Problem::new("config-thermal-gpuKey")
                        .text("key", key)
                        .text("max", MAX_GPU_INDEX),
                );
            }
            self.limit_overrides(overrides, &gpu_path);
            let merged = merge(&thermal.limits, overrides);
            let sets_a_related_limit = overrides.soft_limit_c.is_some()
                || overrides.critical_limit_c.is_some()
                || overrides.hysteresis_c.is_some();
            if sets_a_related_limit {
                self.limit_relations(&merged, &gpu_path, true);
            }
        }
    }

    fn limits(&mut self, l: &ThermalLimits, path: &FieldPath) {
        self.float_range(
            path.key("soft_limit_c"),
            l.soft_limit_c,
            SOFT_LIMIT_C,
            " °C",
        );
        self.float_range(
            path.key("hysteresis_c"),
            l.hysteresis_c,
            HYSTERESIS_C,
            " °C",
        );
        self.int_range(path.key("cooldown_s"), l.cooldown_s, COOLDOWN_S, " s");
        self.float_range(
            path.key("critical_limit_c"),
            l.critical_limit_c,
            CRITICAL_LIMIT_C,
            " °C",
        );
        self.int_range(
            path.key("stale_after_s"),
            l.stale_after_s,
            STALE_AFTER_S,
            " s",
        );
        self.int_range(
            path.key("power_limit_pct"),
            u64::from(l.power_limit_pct),
            POWER_LIMIT_PCT,
            " %",
        );
        self.int_range(
            path.key("power_limit_grace_s"),
            l.power_limit_grace_s,
            POWER_LIMIT_GRACE_S,
            " s",
        );
    }

    fn limit_overrides(&mut self, o: &ThermalLimitsOverride, path: &FieldPath) {
        if let Some(v) = o.soft_limit_c {
            self.float_range(path.key("soft_limit_c"), v, SOFT_LIMIT_C, " °C");
        }
        if let Some(v) = o.hysteresis_c {
            self.float_range(path.key("hysteresis_c"), v, HYSTERESIS_C, " °C");
        }
        if let Some(v) = o.cooldown_s {
            self.int_range(path.key("cooldown_s"), v, COOLDOWN_S, " s");
        }
        if let Some(v) = o.critical_limit_c {
            self.float_range(path.key("critical_limit_c"), v, CRITICAL_LIMIT_C, " °C");
        }
        if let Some(v) = o.stale_after_s {
            self.int_range(path.key("stale_after_s"), v, STALE_AFTER_S, " s");
        }
        if let Some(v) = o.power_limit_pct {
            self.int_range(
                path.key("power_limit_pct"),
                u64::from(v),
                POWER_LIMIT_PCT,
                " %",
            );
        }
        if let Some(v) = o.power_limit_grace_s {
            self.int_range(
                path.key("power_limit_grace_s"),
                v,
                POWER_LIMIT_GRACE_S,
                " s",
            );
        }
    }

    /// The rules between fields: critical above soft, hysteresis below soft. Skipped for a
    /// value already reported out of range, so one mistake gives one message. `merged`: `l` is
    /// one GPU's overrides over `[thermal]`, which the message says.
    fn limit_relations(&mut self, l: &ThermalLimits, path: &FieldPath, merged: bool) {
        let id =
            |plain: &'static str, merged_id: &'static str| if merged { merged_id } else { plain };
        let soft_ok = SOFT_LIMIT_C.contains(&l.soft_limit_c);
        let critical_ok = CRITICAL_LIMIT_C.contains(&l.critical_limit_c);
        let hysteresis_ok = HYSTERESIS_C.contains(&l.hysteresis_c);
        if soft_ok && critical_ok && l.critical_limit_c <= l.soft_limit_c {
            self.push(
                path.key("critical_limit_c"),
                Problem::new(id(
                    "config-thermal-criticalNotAboveSoft",
                    "config-thermal-criticalNotAboveSoft-merged",
                ))
                .number("critical", l.critical_limit_c)
                .number("soft", l.soft_limit_c),
            );
        }
        if soft_ok && hysteresis_ok && l.hysteresis_c >= l.soft_limit_c {
            self.push(
                path.key("hysteresis_c"),
                Problem::new(id(
                    "config-thermal-hysteresisNotBelowSoft",
                    "config-thermal-hysteresisNotBelowSoft-merged",
                ))
                .number("hysteresis", l.hysteresis_c)
                .number("soft", l.soft_limit_c),
            );
        }
    }

    fn activity(&mut self, config: &Config, path: &FieldPath) {
        let activity = &config.activity;
        for (list, name) in [(&activity.games, "games"), (&activity.ignore, "ignore")] {
            for (i, pattern) in list.iter().enumerate() {
                let entry_path = path.key(name).index(i);
                if pattern.trim().is_empty() {
                    self.push(entry_path, Problem::new("config-activity-emptyName"));
                } else if let Err(e) = globset::GlobBuilder::new(pattern)
                    .case_insensitive(true)
                    .build()
                {
                    self.push(
                        entry_path,
                        Problem::new("config-activity-badGlob")
                            .text("pattern", pattern)
                            .text("detail", e.kind()),
                    );
                }
            }
        }
        self.int_range(
            path.key("user_idle_after_s"),
            activity.user_idle_after_s,
            10..=86_400,
            " s",
        );
        self.int_range(
            path.key("resume_grace_s"),
            activity.resume_grace_s,
            0..=3600,
            " s",
        );
        self.int_range(path.key("poll_ms"), activity.poll_ms, 50..=5000, " ms");
    }

    fn policy(&mut self, config: &Config, path: &FieldPath) {
        self.int_range(
            path.key("min_dwell_s"),
            config.policy.min_dwell_s,
            0..=86_400,
            " s",
        );
    }

    fn rental(&mut self, config: &Config, path: &FieldPath) {
        let rental = &config.rental;
        self.non_negative(path.key("price_per_gpu_hour"), rental.price_per_gpu_hour);
        self.int_range(
            path.key("min_margin_pct"),
            u64::from(rental.min_margin_pct),
            0..=1000,
            " %",
        );
        self.int_range(
            path.key("max_listing_h"),
            u64::from(rental.max_listing_h),
            1..=720,
            " h",
        );
        match rental.exchange_rate {
            Some(rate) if rate <= Decimal::ZERO => self.push(
                path.key("exchange_rate"),
                Problem::new("config-rental-badExchangeRate")
                    .text("rate", rate)
                    .text("power", &config.electricity.currency)
                    .text("rental", &rental.currency),
            ),
            None if rental.currency != config.electricity.currency => self.push(
                path.key("currency"),
                Problem::new("config-rental-currencyMismatch")
                    .text("power", &config.electricity.currency)
                    .text("rental", &rental.currency),
            ),
            _ => {}
        }
    }

    fn electricity(&mut self, config: &Config, path: &FieldPath) {
        let electricity = &config.electricity;
        self.non_negative(path.key("price_per_kwh"), electricity.price_per_kwh);
        self.int_range(
            path.key("rest_of_pc_w"),
            u64::from(electricity.rest_of_pc_w),
            0..=2000,
            " W",
        );
        if let Some(g) = electricity.carbon_g_per_kwh
            && !(g.is_finite() && (0.0..=2000.0).contains(&g))
        {
            self.push(
                path.key("carbon_g_per_kwh"),
                Problem::new("config-electricity-carbon").number("value", g),
            );
        }
        // Each weekday-hour may belong to one period only.
        let mut owner: [[Option<usize>; 24]; 7] = [[None; 24]; 7];
        for (i, p) in electricity.periods.iter().enumerate() {
            let at = path.key("period").index(i);
            self.non_negative(at.key("price_per_kwh"), p.price_per_kwh);
            if p.days.is_empty() {
                self.push(at.key("days"), Problem::new("config-period-noDays"));
            }
            for (j, d) in p.days.iter().enumerate() {
                if let Err(e) = parse_day_entry(d) {
                    self.push(at.key("days").index(j), e);
                }
            }
            let mut bad_hours = false;
            if p.start_hour > 23 {
                bad_hours = true;
                self.push(
                    at.key("start_hour"),
                    Problem::new("config-period-startHour").text("hour", p.start_hour),
                );
            }
            if p.end_hour == 0 || p.end_hour > 24 {
                bad_hours = true;
                self.push(
                    at.key("end_hour"),
                    Problem::new("config-period-endHour").text("hour", p.end_hour),
                );
            }
            if p.start_hour == p.end_hour {
                bad_hours = true;
                self.push(at.key("end_hour"), Problem::new("config-period-empty"));
            }
            if bad_hours {
                continue;
            }
            let covered = crate::tariff::period_hours(p);
            for (day, hours) in owner.iter_mut().enumerate() {
                for (hour, slot) in hours.iter_mut().enumerate() {
                    if !covered[day * 24 + hour] {
                        continue;
                    }
                    match slot {
                        Some(other) if *other != i => {
                            let other = *other;
                            self.push(
                                at.key("start_hour"),
                                Problem::new("config-period-overlap")
                                    .text("other", other)
                                    .number("day", weekday(day))
                                    .text("time", format!("{hour:02}:00")),
                            );
                            return;
                        }
                        _ => *slot = Some(i),
                    }
                }
            }
        }
    }

    fn api(&mut self, config: &Config, path: &FieldPath) {
        self.int_range(
            path.key("port"),
            u64::from(config.api.port),
            1024..=65_535,
            "",
        );
    }
}

impl Validator {
    /// `[providers]`: the documented ranges and forms, so a typo is caught when the file is
    /// saved rather than when the provider is first asked to work.
    fn providers(&mut self, config: &Config, path: &FieldPath) {
        let p = &config.providers;
        for (kind, chosen, choice_key) in [
            (HookKind::Rental, p.rental == RentalChoice::Hooks, "rental"),
            (
                HookKind::Volunteer,
                p.volunteer == VolunteerChoice::Hooks,
                "volunteer",
            ),
        ] {
            if chosen && !p.hooks.iter().any(|h| h.kind == kind) {
                self.push(
                    path.key(choice_key),
                    Problem::new("config-providers-noHook").text("kind", choice_key),
                );
            }
        }

        let boinc = path.key("boinc");
        let host = p.boinc.host.trim();
        if host.is_empty() || host.contains(char::is_whitespace) {
            self.push(
                boinc.key("host"),
                Problem::new("config-boinc-host").text("host", &p.boinc.host),
            );
        }
        self.int_range(boinc.key("port"), u64::from(p.boinc.port), 1..=65_535, "");
        self.int_range(boinc.key("pause_s"), p.boinc.pause_s, 60..=3600, " s");

        let url = p.fah.url.trim();
        let after_scheme = url
            .strip_prefix("ws://")
            .or_else(|| url.strip_prefix("wss://"));
        if after_scheme.is_none_or(str::is_empty) {
            self.push(
                path.key("fah").key("url"),
                Problem::new("config-fah-url").text("url", url),
            );
        }

        let vast = path.key("vast");
        let api_url = p.vast.api_url.trim();
        let after_scheme = api_url
            .strip_prefix("https://")
            .or_else(|| api_url.strip_prefix("http://"));
        if after_scheme.is_none_or(str::is_empty) {
            self.push(
                vast.key("api_url"),
                Problem::new("config-vast-url").text("url", api_url),
            );
        }
        for (key, text, optional) in [
            ("price_disk", &p.vast.price_disk, false),
            ("price_inetu", &p.vast.price_inetu, false),
            ("price_inetd", &p.vast.price_inetd, false),
            ("min_bid", &p.vast.min_bid, true),
        ] {
            if optional && text.trim().is_empty() {
                continue;
            }
            match text.trim().parse::<Decimal>() {
                Ok(price) => self.non_negative(vast.key(key), price),
                Err(_) => self.push(
                    vast.key(key),
                    Problem::new(if optional {
                        "config-vast-price-optional"
                    } else {
                        "config-vast-price"
                    })
                    .text("text", text),
                ),
            }
        }
        if p.vast.min_chunk == 0 {
            self.push(vast.key("min_chunk"), Problem::new("config-vast-minChunk"));
        }

        for (i, hook) in p.hooks.iter().enumerate() {
            let at = path.key("hooks").index(i);
            if hook.name.trim().is_empty() {
                self.push(at.key("name"), Problem::new("config-hook-name"));
            }
            for (key, command) in [("start", &hook.start), ("stop", &hook.stop)] {
                if command
                    .first()
                    .is_none_or(|program| program.trim().is_empty())
                {
                    self.push(
                        at.key(key),
                        Problem::new("config-hook-noCommand").text("key", key),
                    );
                }
            }
            if hook
                .status
                .first()
                .is_some_and(|program| program.trim().is_empty())
            {
                self.push(
                    at.key("status"),
                    Problem::new("config-hook-noStatusProgram"),
                );
            }
            self.int_range(at.key("timeout_s"), hook.timeout_s, 1..=600, " s");
        }
    }
}

/// `schedule.window[1] ("gaming evenings")`, to name a window in a message.
fn describe_window(config: &Config, index: usize, schedule_path: &FieldPath) -> String {
    let path = schedule_path.key("window").index(index);
    match config
        .schedule
        .windows
        .get(index)
        .and_then(|w| w.name.as_deref())
    {
        Some(name) => format!("{path} (\"{name}\")"),
        None => path.to_string(),
    }
}

/// A weekday index (0 = Monday) as a message argument; the messages select the day's name in
/// their own language by it.
fn weekday(day: usize) -> f64 {
    // Always 0..7, so the conversion is exact.
    f64::from(u8::try_from(day % 7).unwrap_or(0))
}

/// A GPU UUID as NVML prints it (`GPU-` and hex groups) or a small index.
fn is_gpu_key(key: &str) -> bool {
    if let Some(rest) = key.strip_prefix("GPU-") {
        return !rest.is_empty() && rest.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    }
    !key.is_empty()
        && key.len() <= 2
        && key.bytes().all(|b| b.is_ascii_digit())
        && key.parse::<u32>().is_ok_and(|i| i <= MAX_GPU_INDEX)
}

/// `[thermal]` with one GPU's overrides applied.
fn merge(base: &ThermalLimits, o: &ThermalLimitsOverride) -> ThermalLimits {
    ThermalLimits {
        soft_limit_c: o.soft_limit_c.unwrap_or(base.soft_limit_c),
        hysteresis_c: o.hysteresis_c.unwrap_or(base.hysteresis_c),
        cooldown_s: o.cooldown_s.unwrap_or(base.cooldown_s),
        critical_limit_c: o.critical_limit_c.unwrap_or(base.critical_limit_c),
        stale_after_s: o.stale_after_s.unwrap_or(base.stale_after_s),
        power_limit_control: o.power_limit_control.unwrap_or(base.power_limit_control),
        power_limit_pct: o.power_limit_pct.unwrap_or(base.power_limit_pct),
        power_limit_grace_s: o.power_limit_grace_s.unwrap_or(base.power_limit_grace_s),
    }
}
