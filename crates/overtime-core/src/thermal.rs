//! The per-GPU thermal guard: a soft limit with hysteresis and a cool-down, a critical limit, and
//! a staleness rule, as a pure state machine.
//!
//! Over the soft limit the guard first lowers the GPU's power limit (when the user allows it and
//! the agent has the rights), giving that a grace period to work; only then does it pause work.
//! Work resumes once the GPU has stayed `hysteresis_c` below the soft limit for `cooldown_s`, and
//! the original power limit is restored at the same moment.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::config::ThermalLimits;
use crate::gpu::GpuTelemetry;

/// Where one GPU is in the guard's cycle.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "phase")]
pub enum ThermalPhase {
    #[default]
    Normal,
    /// Over the soft limit with a lowered power limit; pauses if still hot after the grace period.
    Capped {
        since: Timestamp,
        cool_since: Option<Timestamp>,
    },
    /// Work paused for heat; `cool_since` is when the GPU last got under the resume temperature.
    Paused {
        since: Timestamp,
        cool_since: Option<Timestamp>,
    },
    /// At or over the critical limit.
    Critical { since: Timestamp },
}

/// The guard's memory for one GPU.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ThermalState {
    pub phase: ThermalPhase,
    /// The lowered power limit in force, in W, if the guard set one.
    pub power_cap_w: Option<f64>,
}

/// What the guard concludes for one GPU at one instant.
#[derive(Debug, Clone, PartialEq)]
pub enum ThermalVerdict {
    /// Nothing to do.
    Ok,
    /// Hot, but working at a lowered power limit for now.
    PowerCapped { temp_c: f64, power_limit_w: f64 },
    /// Work must pause; resumes when under `resume_below_c` and, once there, not before
    /// `resume_not_before` (unknown until the GPU has cooled under that temperature).
    Cooling {
        temp_c: Option<f64>,
        resume_below_c: f64,
        resume_not_before: Option<Timestamp>,
    },
    /// At or over the critical limit: stop every interruptible thing now.
    Critical { temp_c: f64 },
    /// No trustworthy reading for longer than `stale_after_s`.
    Stale {
        age_s: Option<u64>,
        fault: Option<String>,
    },
}

impl ThermalVerdict {
    /// True when the safety rule (rule 1) applies.
    pub fn is_safety(&self) -> bool {
        matches!(
            self,
            ThermalVerdict::Critical { .. } | ThermalVerdict::Stale { .. }
        )
    }
}

/// What to do with the GPU's power limit after this evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action", content = "watts")]
pub enum PowerLimitAction {
    Keep,
    Set(f64),
    /// Put the board's default limit back.
    Restore,
}

/// Everything the guard needs about one GPU at one instant.
#[derive(Debug, Clone, Copy)]
pub struct ThermalInput<'a> {
    pub now: Timestamp,
    pub telemetry: &'a GpuTelemetry,
    pub limits: &'a ThermalLimits,
    /// The agent can change this GPU's power limit (rights and driver support).
    pub can_set_power_limit: bool,
}

/// Run the guard once. Pure: the same input and state always give the same result.
pub fn evaluate(
    input: ThermalInput<'_>,
    state: &ThermalState,
) -> (ThermalVerdict, ThermalState, PowerLimitAction) {
    let ThermalInput {
        now,
        telemetry,
        limits,
        can_set_power_limit,
    } = input;
    let mut next = *state;
    let mut action = PowerLimitAction::Keep;

    // A cap the user no longer allows is handed back at once.
    if next.power_cap_w.is_some() && !(limits.power_limit_control && can_set_power_limit) {
        next.power_cap_w = None;
        action = PowerLimitAction::Restore;
        if matches!(next.phase, ThermalPhase::Capped { .. }) {
            next.phase = ThermalPhase::Paused {
                since: now,
                cool_since: None,
            };
        }
    }

    let Some(temp_c) = trustworthy_temp(now, telemetry, limits) else {
        let age_s = telemetry.age(now).map(|a| a.as_secs().max(0) as u64);
        return (
            ThermalVerdict::Stale {
                age_s,
                fault: telemetry.fault.clone(),
            },
            next,
            action,
        );
    };

    let soft = limits.soft_limit_c;
    let resume_below = soft - limits.hysteresis_c;
    let cooldown = SignedDuration::from_secs(limits.cooldown_s as i64);

    if temp_c >= limits.critical_limit_c {
        if !matches!(next.phase, ThermalPhase::Critical { .. }) {
            next.phase = ThermalPhase::Critical { since: now };
        }
        return (ThermalVerdict::Critical { temp_c }, next, action);
    }

    let cooling = |cool_since: Option<Timestamp>| ThermalVerdict::Cooling {
        temp_c: Some(temp_c),
        resume_below_c: resume_below,
        resume_not_before: cool_since.map(|c| c + cooldown),
    };

    let verdict = match next.phase {
        ThermalPhase::Critical { .. } => {
            // Out of the critical zone, the GPU still has to cool like after a soft trip.
            let cool_since = (temp_c <= resume_below).then_some(now);
            next.phase = ThermalPhase::Paused {
                since: now,
                cool_since,
            };
            cooling(cool_since)
        }
        ThermalPhase::Normal if temp_c >= soft => {
            match cap_for(telemetry, limits, can_set_power_limit) {
                Some(cap_w) => {
                    next.phase = ThermalPhase::Capped {
                        since: now,
                        cool_since: None,
                    };
                    next.power_cap_w = Some(cap_w);
                    action = PowerLimitAction::Set(cap_w);
                    ThermalVerdict::PowerCapped {
                        temp_c,
                        power_limit_w: cap_w,
                    }
                }
                None => {
                    next.phase = ThermalPhase::Paused {
                        since: now,
                        cool_since: None,
                    };
                    cooling(None)
                }
            }
        }
        ThermalPhase::Normal => ThermalVerdict::Ok,
        ThermalPhase::Capped { since, cool_since } => {
            let cap_w = next.power_cap_w.unwrap_or(0.0);
            if temp_c >= soft {
                let grace = SignedDuration::from_secs(limits.power_limit_grace_s as i64);
                if now.duration_since(since) >= grace {
                    next.phase = ThermalPhase::Paused {
                        since: now,
                        cool_since: None,
                    };
                    cooling(None)
                } else {
                    next.phase = ThermalPhase::Capped {
                        since,
                        cool_since: None,
                    };
                    ThermalVerdict::PowerCapped {
                        temp_c,
                        power_limit_w: cap_w,
                    }
                }
            } else if temp_c <= resume_below {
                let cool_since = cool_since.unwrap_or(now);
                if now.duration_since(cool_since) >= cooldown {
                    next = ThermalState::default();
                    action = PowerLimitAction::Restore;
                    ThermalVerdict::Ok
                } else {
                    next.phase = ThermalPhase::Capped {
                        since,
                        cool_since: Some(cool_since),
                    };
                    ThermalVerdict::PowerCapped {
                        temp_c,
                        power_limit_w: cap_w,
                    }
                }
            } else {
                // Between the resume temperature and the soft limit: the cap is doing its job.
                next.phase = ThermalPhase::Capped {
                    since,
                    cool_since: None,
                };
                ThermalVerdict::PowerCapped {
                    temp_c,
                    power_limit_w: cap_w,
                }
            }
        }
        ThermalPhase::Paused { since, cool_since } => {
            if temp_c <= resume_below {
                let cool_since = cool_since.unwrap_or(now);
                if now.duration_since(cool_since) >= cooldown {
                    if next.power_cap_w.take().is_some() {
                        action = PowerLimitAction::Restore;
                    }
                    next.phase = ThermalPhase::Normal;
                    ThermalVerdict::Ok
                } else {
                    next.phase = ThermalPhase::Paused {
                        since,
                        cool_since: Some(cool_since),
                    };
                    cooling(Some(cool_since))
                }
            } else {
                next.phase = ThermalPhase::Paused {
                    since,
                    cool_since: None,
                };
                cooling(None)
            }
        }
    };
    (verdict, next, action)
}

/// The temperature if the reading is recent enough to act on.
fn trustworthy_temp(
    now: Timestamp,
    telemetry: &GpuTelemetry,
    limits: &ThermalLimits,
) -> Option<f64> {
    let age = telemetry.age(now)?;
    if age > SignedDuration::from_secs(limits.stale_after_s as i64) {
        return None;
    }
    telemetry.reading.as_ref()?.temp_c.filter(|t| t.is_finite())
}

/// The lowered power limit for this GPU, if capping is allowed, possible and would lower it.
pub fn cap_for(
    telemetry: &GpuTelemetry,
    limits: &ThermalLimits,
    can_set_power_limit: bool,
) -> Option<f64> {
    if !(limits.power_limit_control && can_set_power_limit) {
        return None;
    }
    let r = telemetry.reading.as_ref()?;
    let default_w = r.power_limit_default_w.or(r.power_limit_w)?;
    let mut cap = default_w * f64::from(limits.power_limit_pct) / 100.0;
    if let Some(min) = r.power_limit_min_w {
        cap = cap.max(min);
    }
    if let Some(max) = r.power_limit_max_w {
        cap = cap.min(max);
    }
    let current = r.power_limit_w.unwrap_or(default_w);
    (cap.is_finite() && cap > 0.0 && cap < current - 0.5).then_some(cap.round())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::gpu::{GpuId, GpuReading};

    fn t(s: i64) -> Timestamp {
        Timestamp::from_second(1_780_000_000 + s).unwrap()
    }

    fn telemetry(temp_c: Option<f64>, read_at: Option<Timestamp>) -> GpuTelemetry {
        GpuTelemetry {
            gpu: GpuId {
                uuid: "GPU-A".into(),
                index: 0,
                name: "Test".into(),
            },
            reading: Some(GpuReading {
                temp_c,
                power_limit_w: Some(300.0),
                power_limit_default_w: Some(300.0),
                power_limit_min_w: Some(100.0),
                power_limit_max_w: Some(350.0),
                ..GpuReading::default()
            }),
            read_at,
            fault: None,
        }
    }

    fn limits(power_control: bool) -> ThermalLimits {
        ThermalLimits {
            soft_limit_c: 80.0,
            hysteresis_c: 5.0,
            cooldown_s: 60,
            critical_limit_c: 90.0,
            stale_after_s: 10,
            power_limit_control: power_control,
            power_limit_pct: 70,
            power_limit_grace_s: 30,
        }
    }

    /// Feeds a temperature trace (seconds, °C) through the guard, returning each step's result.
    fn run(
        trace: &[(i64, f64)],
        l: &ThermalLimits,
        can_set: bool,
    ) -> Vec<(ThermalVerdict, PowerLimitAction)> {
        let mut state = ThermalState::default();
        trace
            .iter()
            .map(|&(s, temp)| {
                let tel = telemetry(Some(temp), Some(t(s)));
                let (v, next, a) = evaluate(
                    ThermalInput {
                        now: t(s),
                        telemetry: &tel,
                        limits: l,
                        can_set_power_limit: can_set,
                    },
                    &state,
                );
                state = next;
                (v, a)
            })
            .collect()
    }

    #[test]
    fn under_the_soft_limit_nothing_happens() {
        let out = run(&[(0, 40.0), (1, 79.9)], &limits(true), true);
        assert!(
            out.iter()
                .all(|(v, a)| *v == ThermalVerdict::Ok && *a == PowerLimitAction::Keep)
        );
    }

    #[test]
    fn soft_limit_pauses_at_once_without_power_control() {
        let out = run(&[(0, 80.0)], &limits(false), true);
        assert!(matches!(
            out[0].0,
            ThermalVerdict::Cooling {
                resume_not_before: None,
                ..
            }
        ));
        assert_eq!(out[0].1, PowerLimitAction::Keep);
    }

    #[test]
    fn soft_limit_pauses_when_the_agent_lacks_rights() {
        let out = run(&[(0, 81.0)], &limits(true), false);
        assert!(matches!(out[0].0, ThermalVerdict::Cooling { .. }));
    }

    #[test]
    fn soft_limit_first_lowers_the_power_limit_then_pauses_after_the_grace() {
        let out = run(&[(0, 81.0), (29, 82.0), (30, 82.0)], &limits(true), true);
        assert_eq!(
            out[0],
            (
                ThermalVerdict::PowerCapped {
                    temp_c: 81.0,
                    power_limit_w: 210.0
                },
                PowerLimitAction::Set(210.0)
            )
        );
        assert_eq!(
            out[1].0,
            ThermalVerdict::PowerCapped {
                temp_c: 82.0,
                power_limit_w: 210.0
            }
        );
        assert_eq!(out[1].1, PowerLimitAction::Keep);
        assert!(
            matches!(out[2].0, ThermalVerdict::Cooling { .. }),
            "still hot after grace: {:?}",
            out[2]
        );
    }

    #[test]
    fn a_cap_that_works_is_restored_after_the_cooldown() {
        // Capped, drops under 75 °C at t=10, stays there 60 s → restored at t=70, not earlier.
        let out = run(
            &[(0, 81.0), (10, 74.0), (69, 74.0), (70, 74.0)],
            &limits(true),
            true,
        );
        assert!(matches!(out[1].0, ThermalVerdict::PowerCapped { .. }));
        assert!(matches!(out[2].0, ThermalVerdict::PowerCapped { .. }));
        assert_eq!(out[3], (ThermalVerdict::Ok, PowerLimitAction::Restore));
    }

    #[test]
    fn hysteresis_keeps_work_paused_between_resume_and_soft_temperature() {
        let out = run(
            &[(0, 85.0), (100, 78.0), (500, 77.0)],
            &limits(false),
            false,
        );
        assert!(out.iter().all(|(v, _)| matches!(
            v,
            ThermalVerdict::Cooling {
                resume_not_before: None,
                ..
            }
        )));
    }

    #[test]
    fn cooldown_restarts_when_the_gpu_warms_again() {
        let out = run(
            &[
                (0, 85.0),
                (10, 74.0),
                (40, 76.0),
                (50, 74.0),
                (109, 74.0),
                (110, 74.0),
            ],
            &limits(false),
            false,
        );
        assert!(
            matches!(out[1].0, ThermalVerdict::Cooling { resume_not_before: Some(x), .. } if x == t(70))
        );
        assert!(matches!(
            out[2].0,
            ThermalVerdict::Cooling {
                resume_not_before: None,
                ..
            }
        ));
        assert!(
            matches!(out[3].0, ThermalVerdict::Cooling { resume_not_before: Some(x), .. } if x == t(110))
        );
        assert!(matches!(out[4].0, ThermalVerdict::Cooling { .. }));
        assert_eq!(out[5].0, ThermalVerdict::Ok);
    }

    #[test]
    fn critical_limit_stops_at_once_and_then_needs_a_full_cooldown() {
        let out = run(
            &[
                (0, 70.0),
                (1, 91.0),
                (2, 85.0),
                (3, 74.0),
                (62, 74.0),
                (63, 74.0),
            ],
            &limits(false),
            false,
        );
        assert_eq!(out[1].0, ThermalVerdict::Critical { temp_c: 91.0 });
        assert!(matches!(
            out[2].0,
            ThermalVerdict::Cooling {
                resume_not_before: None,
                ..
            }
        ));
        assert!(
            matches!(out[3].0, ThermalVerdict::Cooling { resume_not_before: Some(x), .. } if x == t(63))
        );
        assert!(matches!(out[4].0, ThermalVerdict::Cooling { .. }));
        assert_eq!(out[5].0, ThermalVerdict::Ok);
    }

    #[test]
    fn a_reading_older_than_the_staleness_limit_is_unsafe() {
        let l = limits(false);
        let tel = telemetry(Some(40.0), Some(t(0)));
        let fresh = evaluate(
            ThermalInput {
                now: t(10),
                telemetry: &tel,
                limits: &l,
                can_set_power_limit: false,
            },
            &ThermalState::default(),
        );
        assert_eq!(fresh.0, ThermalVerdict::Ok);
        let stale = evaluate(
            ThermalInput {
                now: t(11),
                telemetry: &tel,
                limits: &l,
                can_set_power_limit: false,
            },
            &ThermalState::default(),
        );
        assert_eq!(
            stale.0,
            ThermalVerdict::Stale {
                age_s: Some(11),
                fault: None
            }
        );
        assert!(stale.0.is_safety());
    }

    #[test]
    fn no_reading_at_all_or_no_temperature_is_unsafe() {
        let l = limits(false);
        for tel in [
            telemetry(Some(40.0), None),
            telemetry(None, Some(t(0))),
            telemetry(Some(f64::NAN), Some(t(0))),
        ] {
            let (v, _, _) = evaluate(
                ThermalInput {
                    now: t(0),
                    telemetry: &tel,
                    limits: &l,
                    can_set_power_limit: false,
                },
                &ThermalState::default(),
            );
            assert!(
                matches!(v, ThermalVerdict::Stale { .. }),
                "{tel:?} gave {v:?}"
            );
        }
    }

    #[test]
    fn turning_power_control_off_restores_the_limit() {
        let on = limits(true);
        let tel = telemetry(Some(81.0), Some(t(0)));
        let (_, state, a) = evaluate(
            ThermalInput {
                now: t(0),
                telemetry: &tel,
                limits: &on,
                can_set_power_limit: true,
            },
            &ThermalState::default(),
        );
        assert_eq!(a, PowerLimitAction::Set(210.0));
        let off = limits(false);
        let (v, state, a) = evaluate(
            ThermalInput {
                now: t(1),
                telemetry: &tel,
                limits: &off,
                can_set_power_limit: true,
            },
            &state,
        );
        assert_eq!(a, PowerLimitAction::Restore);
        assert_eq!(state.power_cap_w, None);
        assert!(matches!(v, ThermalVerdict::Cooling { .. }));
    }

    #[test]
    fn the_cap_respects_the_boards_minimum() {
        let mut l = limits(true);
        l.power_limit_pct = 30;
        assert_eq!(
            cap_for(&telemetry(Some(81.0), Some(t(0))), &l, true),
            Some(100.0)
        );
    }

    #[test]
    fn no_cap_when_it_would_not_lower_the_limit() {
        let mut l = limits(true);
        l.power_limit_pct = 100;
        assert_eq!(cap_for(&telemetry(Some(81.0), Some(t(0))), &l, true), None);
    }
}
