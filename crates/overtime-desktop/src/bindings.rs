//! The TypeScript the UI imports (`ui/src/lib/bindings.ts`), generated from the wire types.
//!
//! A test compares the committed file with what the Rust types produce now and fails when they
//! differ; run `OVERTIME_UPDATE_BINDINGS=1 cargo test -p overtime-desktop bindings` to refresh.

#[cfg(test)]
use ts_rs::TS;

/// Where the generated file lives, relative to this crate.
#[cfg(test)]
const BINDINGS_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/src/lib/bindings.ts");

/// The whole bindings file as the Rust types describe it now.
#[cfg(test)]
fn render() -> String {
    use crate::earnings::{UiCredit, UiEarnings, UiLedger, UiMoney, UiPeriod, UiRange};
    use crate::recent::UiRecentGpu;
    use crate::service::{HostRequest, WindowRequest};
    use crate::settings::autostart::AutostartState;
    use crate::wire::{
        ApiState, UiGpu, UiLimits, UiMode, UiOverride, UiProvider, UiReading, UiSnapshot,
    };
    use overtime_agent::control::PausePreset;
    use overtime_agent::error::{CommandErrorWire, ErrorCode, FieldError};
    use overtime_agent::reports::export::ExportDone;
    use overtime_agent::reports::history::{
        HistoryDay, HistoryGpu, HistoryQuery, HistorySession, HistoryView,
    };
    use overtime_agent::reports::timeline::{
        HistoryState, UiGpuTimeline, UiHourTick, UiPlanSpan, UiSpan, UiTimeline,
    };
    use overtime_agent::reports::{ModeHours, PeriodFigures, ProjectCreditWire};
    use overtime_agent::service::AgentRequest;
    use overtime_agent::settings::credentials::{CredentialName, CredentialState, SetCredential};
    use overtime_agent::settings::provider_check::{CheckOutcome, ProviderCheck, ProviderTarget};
    use overtime_core::Period;
    use overtime_core::config::Problem;
    use overtime_core::config::edit::api::ApiForm;
    use overtime_core::config::edit::electricity::{ElectricityForm, TariffPeriodForm};
    use overtime_core::config::edit::notifications::NotificationsForm;
    use overtime_core::config::edit::providers::{
        BoincForm, FahForm, HookForm, HookPick, ProvidersForm, RentalPick, VastForm, VolunteerPick,
    };
    use overtime_core::config::edit::{Paint, SettingsView, ThermalForm};

    let decls = [
        UiMode::decl(),
        UiRecentGpu::decl(),
        UiSnapshot::decl(),
        ApiState::decl(),
        UiGpu::decl(),
        UiReading::decl(),
        UiLimits::decl(),
        UiOverride::decl(),
        UiProvider::decl(),
        UiLedger::decl(),
        UiEarnings::decl(),
        UiRange::decl(),
        UiPeriod::decl(),
        UiMoney::decl(),
        UiCredit::decl(),
        UiTimeline::decl(),
        HistoryState::decl(),
        UiGpuTimeline::decl(),
        UiSpan::decl(),
        UiPlanSpan::decl(),
        UiHourTick::decl(),
        PausePreset::decl(),
        Paint::decl(),
        ThermalForm::decl(),
        SettingsView::decl(),
        ElectricityForm::decl(),
        TariffPeriodForm::decl(),
        ProvidersForm::decl(),
        VolunteerPick::decl(),
        RentalPick::decl(),
        BoincForm::decl(),
        FahForm::decl(),
        VastForm::decl(),
        HookForm::decl(),
        HookPick::decl(),
        NotificationsForm::decl(),
        ApiForm::decl(),
        CredentialName::decl(),
        CredentialState::decl(),
        ProviderTarget::decl(),
        CheckOutcome::decl(),
        ProviderCheck::decl(),
        AutostartState::decl(),
        ErrorCode::decl(),
        Problem::decl(),
        FieldError::decl(),
        CommandErrorWire::decl(),
        Period::decl(),
        HistoryQuery::decl(),
        ModeHours::decl(),
        ProjectCreditWire::decl(),
        PeriodFigures::decl(),
        HistoryDay::decl(),
        HistorySession::decl(),
        HistoryGpu::decl(),
        HistoryView::decl(),
        ExportDone::decl(),
        SetCredential::decl(),
        AgentRequest::decl(),
        HostRequest::decl(),
        WindowRequest::decl(),
        answers(),
    ];
    let mut out = String::from(
        "// Generated from the agent's and the desktop's wire types by ts-rs; do not edit.\n\
         // Refresh: OVERTIME_UPDATE_BINDINGS=1 cargo test -p overtime-desktop bindings\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// `WindowAnswers`: the type of the answer to every method, from the tables beside the
/// request enums, so `ipc.ts` types each call's result without naming it by hand.
#[cfg(test)]
fn answers() -> String {
    use crate::service::HostRequest;
    use overtime_agent::service::AgentResponse;

    let mut out = String::from("type WindowAnswers = {\n");
    for (method, ty) in AgentResponse::TYPESCRIPT
        .iter()
        .chain(HostRequest::TYPESCRIPT.iter())
    {
        out.push_str(&format!("  {method}: {ty};\n"));
    }
    out.push('}');
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn committed_bindings_match_the_rust_types() {
        let now = render();
        if std::env::var_os("OVERTIME_UPDATE_BINDINGS").is_some() {
            std::fs::write(BINDINGS_PATH, &now).unwrap();
        }
        let committed = std::fs::read_to_string(BINDINGS_PATH).unwrap_or_default();
        assert!(
            committed == now,
            "ui/src/lib/bindings.ts is stale; run OVERTIME_UPDATE_BINDINGS=1 cargo test -p overtime-desktop bindings"
        );
    }
}
