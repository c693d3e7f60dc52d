//! The monitoring files under `deploy/` checked against what the agent really exports: every
//! PromQL query in the Grafana dashboard must parse and name only metrics, labels and label
//! values that `/metrics` (or the ledger's coming metrics) carry, and the Prometheus example must
//! be valid YAML with the scrape job the dashboard queries. A renamed metric fails here, not on a
//! user's blank panel.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api_fixture;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use openmetrics_parser::prometheus::parse_prometheus;
use overtime_agent::metrics::render;
use overtime_agent::snapshot::AgentSnapshot;
use promql_parser::label::MatchOp;
use promql_parser::parser::{Expr, LabelModifier};
use promql_parser::util::{ExprVisitor, walk_expr};
use serde_json::Value as Json;

/// Metrics the earnings ledger is about to export, with their labels. They are not in
/// `metrics::render` yet; the dashboard already charts them. Once the ledger's metrics land in
/// `render`, [`representative_snapshot`] should produce them and this list can go.
const LEDGER_METRICS: &[(&str, &[&str])] = &[
    ("overtime_earnings_gross_total", &["currency"]),
    ("overtime_electricity_cost_total", &["currency"]),
    ("overtime_energy_kwh_total", &["gpu", "uuid"]),
    ("overtime_volunteer_credits_total", &["provider", "project"]),
    ("overtime_ledger_recording", &[]),
];

/// Series Prometheus adds to every scrape target itself (not the agent's).
const PROMETHEUS_METRICS: &[&str] = &["up"];

/// Labels Prometheus attaches to every scraped series.
const TARGET_LABELS: &[&str] = &["instance", "job"];

/// Grafana's built-in variables that may appear in a query.
const GRAFANA_BUILTINS: &[&str] = &["__rate_interval", "__interval", "__range"];

/// Exported families the dashboard leaves out on purpose, and why.
const NOT_ON_DASHBOARD: &[(&str, &str)] = &[
    (
        "overtime_gpu_energy_joules_total",
        "the ledger's overtime_energy_kwh_total charts the same energy per day, and the driver's \
         counter restarts with the driver",
    ),
    (
        "overtime_gpu_electricity_cost_per_hour",
        "a break-even figure for the moment, for the app and `overtime status --json` beside each \
         GPU; the fleet dashboard charts money over time from the ledger's counters",
    ),
];

fn repo_file(relative: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The API fixture, plus the series it leaves out (a thermal power cap, a known input idle
/// time), so every family `render` can produce is present.
fn representative_snapshot() -> AgentSnapshot {
    let mut snap = api_fixture::snapshot();
    snap.gpus[0].power_cap_w = Some(300.0);
    snap.activity.input_idle_s = Some(125);
    snap
}

/// What the dashboard may query: metric name → label name → values seen (empty for labels whose
/// values are not known in advance, such as the ledger's).
type Catalogue = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

fn catalogue() -> Catalogue {
    let text = render(&representative_snapshot());
    let exposition = parse_prometheus(&text).unwrap();
    let mut out = Catalogue::new();
    for (name, family) in &exposition.families {
        let labels = out.entry(name.clone()).or_default();
        for sample in family.iter_samples() {
            for (key, value) in sample.get_labelset().unwrap().iter() {
                labels.entry(key.clone()).or_default().insert(value.clone());
            }
        }
    }
    for (name, labels) in LEDGER_METRICS {
        let entry = out.entry((*name).to_owned()).or_default();
        for label in *labels {
            entry.entry((*label).to_owned()).or_default();
        }
    }
    for name in PROMETHEUS_METRICS {
        out.entry((*name).to_owned()).or_default();
    }
    out
}

fn dashboard() -> Json {
    serde_json::from_str(&repo_file("deploy/grafana/overtime-fleet.json")).unwrap()
}

/// One query of the dashboard, with where it came from for messages.
struct Query {
    origin: String,
    promql: String,
    legend: Option<String>,
}

/// Every panel's target queries, rows' nested panels included.
fn panel_queries(dashboard: &Json) -> Vec<Query> {
    fn walk(panels: &Json, out: &mut Vec<Query>) {
        for panel in panels.as_array().into_iter().flatten() {
            let title = panel["title"].as_str().unwrap_or("(untitled)");
            for target in panel["targets"].as_array().into_iter().flatten() {
                out.push(Query {
                    origin: format!("panel {title:?} target {}", target["refId"]),
                    promql: target["expr"].as_str().unwrap().to_owned(),
                    legend: target["legendFormat"].as_str().map(str::to_owned),
                });
            }
            walk(&panel["panels"], out);
        }
    }
    let mut out = Vec::new();
    walk(&dashboard["panels"], &mut out);
    out
}

/// `label_values(selector, label)` of each query variable, as (variable, selector, label).
fn variable_queries(dashboard: &Json) -> Vec<(String, String, String)> {
    template_variables(dashboard)
        .iter()
        .filter(|v| v["type"] == "query")
        .map(|v| {
            let definition = v["definition"].as_str().unwrap();
            let inner = definition
                .strip_prefix("label_values(")
                .and_then(|rest| rest.strip_suffix(')'))
                .unwrap_or_else(|| panic!("not a label_values query: {definition}"));
            let (selector, label) = inner.rsplit_once(',').unwrap();
            (
                v["name"].as_str().unwrap().to_owned(),
                selector.trim().to_owned(),
                label.trim().to_owned(),
            )
        })
        .collect()
}

fn template_variables(dashboard: &Json) -> Vec<Json> {
    dashboard["templating"]["list"].as_array().unwrap().clone()
}

/// The Grafana variables a query uses (`$name`, `${name}`, `${name:format}`).
fn variables_used(promql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = promql;
    while let Some(at) = rest.find('$') {
        rest = &rest[at + 1..];
        let braced = rest.starts_with('{');
        let body = if braced { &rest[1..] } else { rest };
        let name: String = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        out.push(name);
    }
    out
}

/// The query as Prometheus receives it: interval variables become a duration, the others a
/// plain value (they only ever appear inside label matcher strings).
fn substitute_variables(promql: &str) -> String {
    let mut out = String::new();
    let mut rest = promql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        let braced = rest.starts_with('{');
        let (name, after) = if braced {
            let end = rest.find('}').unwrap();
            let inner = &rest[1..end];
            (inner.split(':').next().unwrap(), &rest[end + 1..])
        } else {
            let len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            (&rest[..len], &rest[len..])
        };
        out.push_str(if GRAFANA_BUILTINS.contains(&name) {
            "5m"
        } else {
            "value"
        });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// A label matcher: label, operator, value.
type Matcher = (String, MatchOp, String);

/// What a parsed query selects: metric names with the label matchers used on each, and the
/// labels named in `by`/`without`/`on`/`ignoring`/`group_left`/`group_right`.
#[derive(Default, Debug)]
struct Selected {
    metrics: Vec<(String, Vec<Matcher>)>,
    grouping_labels: BTreeSet<String>,
}

impl ExprVisitor for Selected {
    type Error = String;

    fn pre_visit(&mut self, expr: &Expr) -> Result<bool, String> {
        let selector = match expr {
            Expr::VectorSelector(vs) => Some(vs),
            Expr::MatrixSelector(ms) => Some(&ms.vs),
            _ => None,
        };
        if let Some(vs) = selector {
            let name = vs
                .name
                .clone()
                .ok_or_else(|| "a selector without a metric name".to_owned())?;
            if !vs.matchers.or_matchers.is_empty() {
                return Err("`or` inside a selector is not checked here".to_owned());
            }
            let matchers = vs
                .matchers
                .matchers
                .iter()
                .map(|m| (m.name.clone(), m.op.clone(), m.value.clone()))
                .collect();
            self.metrics.push((name, matchers));
        }
        let mut grouping = |m: &Option<LabelModifier>| {
            if let Some(m) = m {
                self.grouping_labels
                    .extend(m.labels().labels.iter().cloned());
            }
        };
        match expr {
            Expr::Aggregate(a) => grouping(&a.modifier),
            Expr::Binary(b) => {
                if let Some(m) = &b.modifier {
                    grouping(&m.matching);
                    if let Some(labels) = m.card.labels() {
                        self.grouping_labels.extend(labels.labels.iter().cloned());
                    }
                }
            }
            _ => {}
        }
        Ok(true)
    }
}

fn selected(promql: &str) -> Result<Selected, String> {
    let expr = promql_parser::parser::parse(&substitute_variables(promql))?;
    let mut out = Selected::default();
    walk_expr(&mut out, &expr)?;
    Ok(out)
}

/// Problems with one query against the catalogue; empty when it is sound.
fn problems(query: &Query, catalogue: &Catalogue) -> Vec<String> {
    let selected = match selected(&query.promql) {
        Ok(s) => s,
        Err(e) => return vec![format!("{}: does not parse: {e}", query.origin)],
    };
    let mut out = Vec::new();
    let mut output_labels: BTreeSet<String> =
        TARGET_LABELS.iter().map(|l| (*l).to_owned()).collect();
    for (metric, matchers) in &selected.metrics {
        let Some(labels) = catalogue.get(metric) else {
            out.push(format!("{}: no metric {metric}", query.origin));
            continue;
        };
        output_labels.extend(labels.keys().cloned());
        for (label, op, value) in matchers {
            if TARGET_LABELS.contains(&label.as_str()) {
                continue;
            }
            let Some(values) = labels.get(label) else {
                out.push(format!("{}: {metric} has no label {label}", query.origin));
                continue;
            };
            // An exact value must be one the agent exports (e.g. a real mode name), where the
            // values are known.
            if matches!(op, MatchOp::Equal) && !values.is_empty() && !values.contains(value) {
                out.push(format!(
                    "{}: {metric}{{{label}=\"{value}\"}} never exported; values are {values:?}",
                    query.origin
                ));
            }
        }
    }
    if selected.metrics.is_empty() {
        out.push(format!("{}: selects no metric", query.origin));
    }
    for label in &selected.grouping_labels {
        if !output_labels.contains(label) {
            out.push(format!(
                "{}: groups by {label}, which no metric it selects has",
                query.origin
            ));
        }
    }
    for label in legend_labels(query.legend.as_deref().unwrap_or("")) {
        if !output_labels.contains(&label) {
            out.push(format!(
                "{}: legend names {label}, which no metric it selects has",
                query.origin
            ));
        }
    }
    out
}

/// The labels a legend format interpolates (`{{instance}} GPU {{gpu}}`).
fn legend_labels(legend: &str) -> Vec<String> {
    legend
        .split("{{")
        .skip(1)
        .filter_map(|part| {
            part.split_once("}}")
                .map(|(name, _)| name.trim().to_owned())
        })
        .collect()
}

#[test]
fn the_checker_itself_rejects_unknown_metrics_labels_values_and_bad_syntax() {
    let catalogue = catalogue();
    let check = |promql: &str, legend: &str| {
        problems(
            &Query {
                origin: "case".to_owned(),
                promql: promql.to_owned(),
                legend: Some(legend.to_owned()),
            },
            &catalogue,
        )
    };
    let cases: [(&str, &str, bool); 9] = [
        (
            r#"sum by (instance, gpu) (overtime_gpu_mode{instance=~"$instance", mode="rental"})"#,
            "{{instance}} {{gpu}}",
            true,
        ),
        (
            "increase(overtime_earnings_gross_total[$__rate_interval])",
            "{{currency}}",
            true,
        ),
        ("overtime_gpu_temprature_celsius", "", false),
        (r#"overtime_gpu_mode{mode="rented"}"#, "", false),
        (r#"overtime_gpu_mode{colour="red"}"#, "", false),
        ("sum by (project) (overtime_gpu_power_watts)", "", false),
        ("overtime_gpu_power_watts", "{{project}}", false),
        ("sum(overtime_gpu_power_watts", "", false),
        ("time()", "", false),
    ];
    for (promql, legend, sound) in cases {
        let found = check(promql, legend);
        assert_eq!(found.is_empty(), sound, "{promql}: {found:?}");
    }
}

#[test]
fn every_dashboard_query_parses_and_uses_only_exported_metrics_labels_and_values() {
    let catalogue = catalogue();
    let dashboard = dashboard();
    let queries = panel_queries(&dashboard);
    assert!(queries.len() > 20, "only {} queries found", queries.len());
    let found: Vec<String> = queries
        .iter()
        .flat_map(|q| problems(q, &catalogue))
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn every_family_the_agent_exports_is_on_the_dashboard_or_left_out_for_a_reason() {
    let dashboard = dashboard();
    let mut used = BTreeSet::new();
    for query in panel_queries(&dashboard) {
        for (metric, _) in selected(&query.promql).unwrap().metrics {
            used.insert(metric);
        }
    }
    let exported = parse_prometheus(&render(&representative_snapshot())).unwrap();
    let missing: Vec<&String> = exported
        .families
        .keys()
        .filter(|name| !used.contains(*name))
        .filter(|name| !NOT_ON_DASHBOARD.iter().any(|(n, _)| n == name))
        .collect();
    assert!(missing.is_empty(), "not on the dashboard: {missing:?}");
    for (name, _) in LEDGER_METRICS {
        assert!(used.contains(*name), "ledger metric {name} not charted");
    }
}

#[test]
fn template_variables_are_defined_and_query_exported_labels() {
    let dashboard = dashboard();
    let catalogue = catalogue();
    let defined: BTreeSet<String> = template_variables(&dashboard)
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_owned())
        .collect();
    for name in ["instance", "gpu"] {
        assert!(defined.contains(name), "no template variable {name}");
    }

    let mut used: Vec<(String, String)> = panel_queries(&dashboard)
        .into_iter()
        .flat_map(|q| {
            variables_used(&q.promql)
                .into_iter()
                .map(move |v| (q.origin.clone(), v))
        })
        .collect();
    for (variable, selector, label) in variable_queries(&dashboard) {
        let query = Query {
            origin: format!("variable {variable}"),
            promql: selector.clone(),
            legend: Some(format!("{{{{{label}}}}}")),
        };
        let found = problems(&query, &catalogue);
        assert!(found.is_empty(), "{}", found.join("\n"));
        used.extend(
            variables_used(&selector)
                .into_iter()
                .map(|v| (query.origin.clone(), v)),
        );
    }
    for (origin, variable) in used {
        assert!(
            defined.contains(&variable) || GRAFANA_BUILTINS.contains(&variable.as_str()),
            "{origin} uses ${variable}, which is not defined"
        );
    }
}

#[test]
fn every_panel_uses_the_prometheus_datasource_input_and_has_a_unique_id() {
    let dashboard = dashboard();
    assert_eq!(dashboard["schemaVersion"].as_u64(), Some(39));
    let inputs = dashboard["__inputs"].as_array().unwrap();
    assert!(
        inputs
            .iter()
            .any(|i| i["name"] == "DS_PROMETHEUS" && i["pluginId"] == "prometheus")
    );

    let mut ids = BTreeSet::new();
    let mut stack: Vec<Json> = dashboard["panels"].as_array().unwrap().clone();
    while let Some(panel) = stack.pop() {
        let title = panel["title"].as_str().unwrap_or("");
        assert!(
            ids.insert(panel["id"].as_u64().unwrap()),
            "{title}: id reused"
        );
        let grid = &panel["gridPos"];
        let right = grid["x"].as_u64().unwrap() + grid["w"].as_u64().unwrap();
        assert!(right <= 24, "{title}: wider than the grid");
        if panel["type"] != "row" {
            assert_eq!(panel["datasource"]["uid"], "${DS_PROMETHEUS}", "{title}");
            for target in panel["targets"].as_array().unwrap() {
                assert_eq!(target["datasource"]["uid"], "${DS_PROMETHEUS}", "{title}");
            }
        }
        stack.extend(panel["panels"].as_array().into_iter().flatten().cloned());
    }
    for variable in template_variables(&dashboard) {
        assert_eq!(variable["datasource"]["uid"], "${DS_PROMETHEUS}");
    }
}

#[test]
fn demo_mode_has_a_panel_of_its_own() {
    let dashboard = dashboard();
    let panels = dashboard["panels"].as_array().unwrap();
    let demo = panels
        .iter()
        .find(|p| p["title"] == "SIMULATED (demo mode)")
        .expect("no demo-mode panel");
    assert_eq!(demo["type"], "stat");
    let expr = demo["targets"][0]["expr"].as_str().unwrap();
    assert_eq!(selected(expr).unwrap().metrics[0].0, "overtime_simulated");
    // It sits in the first row of the dashboard, where nobody misses it.
    assert!(demo["gridPos"]["y"].as_u64().unwrap() <= 1);
}

#[test]
fn the_prometheus_example_is_valid_yaml_with_the_job_the_dashboard_queries() {
    let config: serde_norway::Value =
        serde_norway::from_str(&repo_file("deploy/prometheus/prometheus.yml")).unwrap();
    assert_eq!(config["global"]["scrape_interval"].as_str(), Some("15s"));

    let jobs = config["scrape_configs"].as_sequence().unwrap();
    let job = jobs
        .iter()
        .find(|j| j["job_name"].as_str() == Some("overtime"))
        .expect("no scrape job named overtime");
    assert_eq!(job["metrics_path"].as_str(), Some("/metrics"));
    let targets: Vec<&str> = job["static_configs"]
        .as_sequence()
        .unwrap()
        .iter()
        .flat_map(|c| c["targets"].as_sequence().unwrap())
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(targets.len() >= 3, "{targets:?}");
    for target in &targets {
        let (host, port) = target.rsplit_once(':').unwrap();
        assert!(!host.is_empty() && port.parse::<u16>().is_ok(), "{target}");
    }
    let relabels = job["relabel_configs"].as_sequence().unwrap();
    assert!(
        relabels
            .iter()
            .any(|r| r["target_label"].as_str() == Some("instance")),
        "instance is not relabelled to a machine name"
    );

    // The dashboard's job matchers name this job.
    for query in panel_queries(&dashboard()) {
        for (_, matchers) in selected(&query.promql).unwrap().metrics {
            for (label, _, value) in matchers {
                if label == "job" {
                    assert!(
                        jobs.iter().any(|j| j["job_name"].as_str() == Some(&value)),
                        "{}: job {value:?} is not scraped",
                        query.origin
                    );
                }
            }
        }
    }
}

/// Not a check: prints what `/metrics` serves for the representative snapshot, for writing
/// dashboards (`cargo test -p overtime-agent --test deploy_files -- --ignored --nocapture`).
#[test]
#[ignore]
fn print_a_sample_exposition() {
    println!("{}", render(&representative_snapshot()));
}
