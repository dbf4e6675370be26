//! The report for people, as one self-contained HTML page: inline CSS, charts as inline SVG
//! drawn here, a little inline script to filter and sort; nothing is fetched, so it opens from
//! S3, a mail attachment or a laptop offline, and prints cleanly.
//!
//! Rendered by askama, which escapes every value by default: names, tags, ARNs and details come
//! from AWS and are attacker-controlled, so none of them is ever markup.

use std::collections::HashSet;
use std::io::{self, Write};

use askama::Template;

use super::html_compliance::{blocks, FrameworkBlock};
use super::{anchor, short_type, Render};
use crate::exposures::{Exposure, ExposureStep};
use crate::model::{AuditError, CheckResult, Severity};
use crate::report::Report;
use crate::services::checks::registry;

pub struct HtmlRenderer;

/// One horizontal bar of a chart: a label, a count and its width in the 300-unit SVG.
struct Bar {
    label: String,
    count: usize,
    width: usize,
    y: usize,
    css: &'static str,
}

struct Row<'a> {
    result: &'a CheckResult,
    anchor: String,
    severity: &'static str,
    resource_type: &'a str,
    is_new: bool,
    first_seen: String,
    age_days: String,
}

struct ExposureView<'a> {
    exposure: &'a Exposure,
    severity: &'static str,
    steps: Vec<StepView<'a>>,
}

struct StepView<'a> {
    step: &'a ExposureStep,
    role: &'static str,
    resource_type: &'a str,
    anchor: String,
    /// Its finding has a row on this page (open or muted); a report edited by hand may lack it.
    linked: bool,
}

fn exposure_view<'a>(exposure: &'a Exposure, on_page: &HashSet<&str>) -> ExposureView<'a> {
    let steps = exposure
        .steps
        .iter()
        .map(|step| StepView {
            role: step.role.as_str(),
            resource_type: short_type(&step.resource_type),
            anchor: anchor(&step.result_id),
            linked: on_page.contains(step.result_id.as_str()),
            step,
        })
        .collect();
    ExposureView {
        exposure,
        severity: exposure.severity.as_str(),
        steps,
    }
}

#[derive(Template)]
#[template(
    ext = "html",
    source = r##"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>secaudit — {{ report.account_id }} — {{ score_text }}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:1.5em;color:#1d2433}
h1{font-size:1.5em;margin:0 0 .2em} h2{font-size:1.15em;margin:1.6em 0 .5em;border-bottom:1px solid #dde1ea}
h3{font-size:1em;margin:1.2em 0 .2em} .muted,.st-not_covered{color:#5b6478} .st{font-weight:600;white-space:nowrap} .incomplete{background:#fff4d6;border:1px solid #e5b93d;padding:.5em .8em;margin:.8em 0}
.score{font-size:2.6em;font-weight:700} .cards{display:flex;gap:2em;flex-wrap:wrap;align-items:flex-start}
table{border-collapse:collapse;width:100%;font-size:13px} th,td{border-bottom:1px solid #e6e9f0;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f4f6fa;cursor:pointer;user-select:none} td.detail{max-width:28em}
.sev{font-weight:600;text-transform:uppercase;font-size:11px} .critical,.st-fail{color:#b3122a}.high{color:#c2410c}.medium,.st-not_evaluated{color:#a16207}.low,.st-pass{color:#4d6b2f}
rect.critical{fill:#b3122a}rect.high{fill:#ea580c}rect.medium{fill:#ca8a04}rect.low{fill:#65a30d}rect.service{fill:#3b5b9a}
.new{background:#e8f0ff;border-radius:3px;padding:0 .3em;font-size:11px} .filters{margin:.5em 0;display:flex;gap:1em;flex-wrap:wrap}
details summary{cursor:pointer} @media print{.filters{display:none} details{display:block}}
.exposure{border-left:3px solid #c7cdd9;padding:.2em .8em;margin:.7em 0} .exposure ol{margin:.3em 0;padding-left:1.6em}
.role{background:#eef1f6;border-radius:3px;padding:0 .3em;font-size:11px} .accepted{color:#5b6478;font-style:italic} tr:target{background:#fff4d6}
</style></head><body>
<h1>secaudit report — account {{ report.account_id }}</h1>
<div class="muted">Run {{ report.run_id }} · {{ report.started_at }} to {{ report.finished_at }} · regions {{ regions }}{% if let Some(env) = report.environment %} · environment {{ env }}{% endif %}</div>
{% if !report.complete %}<div class="incomplete" id="incomplete"><strong>Incomplete:</strong> {{ report.errors.len() }} error(s) left resources unevaluated; the score covers only what was evaluated.</div>{% endif %}
{%- macro exposure(view) %}<div class="exposure" data-id="{{ view.exposure.id }}">
<div><span class="sev {{ view.severity }}">{{ view.severity }}</span> <strong>{{ view.exposure.title }}</strong></div>
{% if let Some(rule) = view.exposure.muted %}<div class="muted">Hidden by rule {{ rule.rule }}: {{ rule.reason }} (expires {{ rule.expires }})</div>{% endif %}
<div>Fix: {{ view.exposure.fix }}</div>
<ol>{% for step in view.steps %}<li><span class="role">{{ step.role }}</span> {% if step.linked %}<a href="#{{ step.anchor }}">{{ step.step.check_id }} on {{ step.step.resource_id }}</a>{% else %}{{ step.step.check_id }} on {{ step.step.resource_id }}{% endif %}
<span class="muted">({{ step.resource_type }}, {{ step.step.region }})</span>: {{ step.step.contributes }}
{%- if let Some(mute) = step.step.muted %}<div class="accepted">accepted risk: {{ mute.reason }} (rule {{ mute.rule }}, expires {{ mute.expires }})</div>{% endif %}</li>{% endfor %}</ol>
</div>{% endmacro %}
<section id="exposures"><h2>Exposures ({{ exposures.len() }})</h2>
{% if exposures.is_empty() && hidden.is_empty() %}<p>No exposures: no failed findings add up to a way in.</p>
{% else if exposures.is_empty() %}<p>No open exposures: the mutelist hides every one found.</p>{% endif %}
{% for view in exposures %}{% call exposure(view) %}{% endfor %}
{% if !hidden.is_empty() %}<details id="hidden-exposures"><summary>Hidden by the mutelist ({{ hidden.len() }})</summary>
{% for view in hidden %}{% call exposure(view) %}{% endfor %}</details>{% endif %}
</section>
<div class="cards">
<div><div class="muted">Score</div><div class="score" id="score">{{ score_text }}</div>
<div id="counts" class="muted">evaluated <span id="evaluated">{{ report.summary.evaluated }}</span> · passed {{ report.summary.passed }} · failed <span id="failed">{{ report.summary.failed }}</span> · muted {{ report.summary.muted }}</div></div>
{% if trend_runs >= 2 %}<div><div class="muted">Score over the last {{ trend_runs }} runs</div>
<svg id="trend" width="320" height="140" role="img" aria-label="score trend">
<line x1="30" y1="10" x2="30" y2="130" stroke="#c7cdd9"></line><line x1="30" y1="130" x2="310" y2="130" stroke="#c7cdd9"></line>
<text x="0" y="14" font-size="11">100</text><text x="12" y="133" font-size="11">0</text>
<polyline fill="none" stroke="#3b5b9a" stroke-width="2" points="{{ trend_points }}"></polyline>
<text x="30" y="140" font-size="10">{{ trend_first }}</text><text x="230" y="140" font-size="10">{{ trend_last }}</text>
</svg></div>{% endif %}
<div><div class="muted">Failed by severity</div>
<svg width="420" height="{{ severity_height }}" role="img" aria-label="failed findings by severity">{% for bar in severity_bars %}
<text x="0" y="{{ bar.y + 13 }}" font-size="12">{{ bar.label }}</text><rect class="{{ bar.css }}" x="80" y="{{ bar.y }}" width="{{ bar.width }}" height="16"></rect><text x="{{ bar.width + 86 }}" y="{{ bar.y + 13 }}" font-size="12">{{ bar.count }}</text>{% endfor %}
</svg></div>
<div><div class="muted">Failed by service</div>
<svg width="420" height="{{ service_height }}" role="img" aria-label="failed findings by service">{% for bar in service_bars %}
<text x="0" y="{{ bar.y + 13 }}" font-size="12">{{ bar.label }}</text><rect class="{{ bar.css }}" x="80" y="{{ bar.y }}" width="{{ bar.width }}" height="16"></rect><text x="{{ bar.width + 86 }}" y="{{ bar.y + 13 }}" font-size="12">{{ bar.count }}</text>{% endfor %}
</svg></div>
</div>
{% if let Some(changes) = report.changes %}<h2>Since the previous run</h2>
<p id="changes">{{ changes.new.len() }} new · {{ changes.resolved.len() }} resolved · {{ changes.persisting.len() }} still failing · {{ changes.unverified.len() }} not verified this run{% if let Some(baseline) = report.baseline %} (compared with run {{ baseline.run_id }}, {{ baseline.finished_at }}){% endif %}</p>
{% if !resolved.is_empty() %}<details><summary>Resolved ({{ resolved.len() }})</summary><ul>{% for id in resolved %}<li>{{ id }}</li>{% endfor %}</ul></details>{% endif %}{% endif %}
<h2>Failed findings</h2>
<div class="filters">{% for severity in severities %}<label><input type="checkbox" class="sev-filter" value="{{ severity }}" checked> {{ severity }}</label>{% endfor %}
<label>service <select id="service-filter"><option value="">all</option>{% for service in services %}<option>{{ service }}</option>{% endfor %}</select></label>
<label>text <input type="search" id="text-filter" placeholder="check, resource, detail"></label></div>
<table id="findings"><thead><tr><th>Severity</th><th>Check</th><th>Resource</th><th>Region</th><th>Detail</th><th>Remediation</th><th>First seen</th><th>Age (days)</th></tr></thead><tbody>
{% for row in rows %}<tr class="finding" id="{{ row.anchor }}" data-severity="{{ row.severity }}" data-service="{{ row.result.service }}">
<td class="sev {{ row.severity }}">{{ row.severity }}</td>
<td>{{ row.result.check_id }}{% if row.is_new %} <span class="new">new</span>{% endif %}<div class="muted">{{ row.result.title }}</div></td>
<td>{{ row.result.resource_id }}{% if let Some(name) = row.result.resource_name %} ({{ name }}){% endif %}<div class="muted">{{ row.resource_type }}</div></td>
<td>{{ row.result.region }}</td><td class="detail">{{ row.result.detail }}</td>
<td>{{ row.result.remediation }} <a href="{{ row.result.reference }}">docs</a></td>
<td>{{ row.first_seen }}</td><td>{{ row.age_days }}</td></tr>{% endfor %}
</tbody></table>
{% if rows.is_empty() %}<p>No failed checks.</p>{% endif %}
{% if !compliance.is_empty() %}<section id="compliance"><h2>Compliance</h2>
{% for block in compliance %}<div class="framework" data-framework="{{ block.view.framework }}"><h3>{{ block.view.name }} {{ block.view.version }}</h3>
<div class="muted">{{ block.summary }}</div>
<details><summary>{{ block.rows.len() }} requirement(s)</summary><table class="requirements"><thead><tr><th>Requirement</th><th>Title</th><th>Status</th><th>Checks</th><th>Failing results, or why</th></tr></thead><tbody>
{% for row in block.rows %}<tr class="requirement" data-status="{{ row.status }}"><td>{{ row.requirement.id }}</td><td>{{ row.requirement.title }}</td><td class="st st-{{ row.status }}">{{ row.label }}</td><td>{{ row.requirement.checks|join(", ") }}</td>
<td>{% for link in row.failing %}<div>{% if link.linked %}<a href="#{{ link.anchor }}">{{ link.text }}</a>{% else %}{{ link.text }}{% endif %}</div>{% endfor %}{% if let Some(reason) = row.requirement.reason %}<span class="muted">{{ reason }}</span>{% endif %}</td></tr>{% endfor %}
</tbody></table></details></div>{% endfor %}</section>{% endif %}
{% if !errors.is_empty() %}<h2>What could not be read</h2><table id="errors"><thead><tr><th>Service</th><th>Region</th><th>Operation</th><th>Resource</th><th>Code</th><th>Permission to grant</th><th>Message</th></tr></thead><tbody>
{% for error in errors %}<tr><td>{{ error.service }}</td><td>{{ error.region }}</td><td>{{ error.operation }}</td><td>{{ error.resource_id.as_deref().unwrap_or("-") }}</td><td>{{ error.code }}</td><td>{{ error.required_permission.as_deref().unwrap_or("-") }}</td><td>{{ error.message }}</td></tr>{% endfor %}
</tbody></table>{% endif %}
{% if !muted.is_empty() %}<h2>Accepted risks (muted)</h2><table id="muted"><thead><tr><th>Check</th><th>Resource</th><th>Region</th><th>Reason</th><th>Owner</th><th>Expires</th></tr></thead><tbody>
{% for (anchor, result) in muted %}{% if let Some(mute) = result.muted %}<tr id="{{ anchor }}"><td>{{ result.check_id }}</td><td>{{ result.resource_id }}</td><td>{{ result.region }}</td><td>{{ mute.reason }}</td><td>{{ mute.owner.as_deref().unwrap_or("") }}</td><td>{{ mute.expires }}</td></tr>{% endif %}{% endfor %}
</tbody></table>{% endif %}
<h2>Passed checks</h2><details><summary>{{ report.summary.passed }} passed result(s) in {{ passed.len() }} check(s)</summary><table id="passed"><tbody>
{% for (check, count) in passed %}<tr><td>{{ check }}</td><td>{{ count }}</td></tr>{% endfor %}
</tbody></table></details>
<p class="muted">{{ report.api_calls.total }} API calls ({{ report.api_calls.retries }} retries) in {{ seconds }} s · secaudit {{ version }}</p>
<script>
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll('#findings tr.finding'));
  function apply() {
    var allowed = {};
    document.querySelectorAll('.sev-filter').forEach(function (box) { allowed[box.value] = box.checked; });
    var service = document.getElementById('service-filter').value;
    var text = document.getElementById('text-filter').value.toLowerCase();
    rows.forEach(function (row) {
      var shown = allowed[row.dataset.severity] && (!service || row.dataset.service === service) &&
        (!text || row.textContent.toLowerCase().indexOf(text) >= 0);
      row.style.display = shown ? '' : 'none';
    });
  }
  document.querySelectorAll('.sev-filter').forEach(function (box) { box.addEventListener('change', apply); });
  document.getElementById('service-filter').addEventListener('change', apply);
  document.getElementById('text-filter').addEventListener('input', apply);
  // A step's or a requirement's finding may be filtered out of view: clear the filters so the
  // link lands on it.
  document.querySelectorAll('#exposures a[href^="#"], #compliance a[href^="#"]').forEach(function (link) {
    link.addEventListener('click', function () {
      var target = document.getElementById(link.getAttribute('href').slice(1));
      if (!target || target.style.display !== 'none') return;
      document.querySelectorAll('.sev-filter').forEach(function (box) { box.checked = true; });
      document.getElementById('service-filter').value = '';
      document.getElementById('text-filter').value = '';
      apply();
    });
  });
  document.querySelectorAll('#findings th').forEach(function (header, column) {
    header.addEventListener('click', function () {
      var body = document.querySelector('#findings tbody');
      var order = header.dataset.order === 'asc' ? -1 : 1;
      header.dataset.order = order === 1 ? 'asc' : 'desc';
      rows.sort(function (a, b) {
        return order * a.cells[column].textContent.localeCompare(b.cells[column].textContent);
      }).forEach(function (row) { body.appendChild(row); });
    });
  });
})();
</script>
</body></html>
"##
)]
struct Page<'a> {
    report: &'a Report,
    score_text: String,
    regions: String,
    severity_bars: Vec<Bar>,
    severity_height: usize,
    service_bars: Vec<Bar>,
    service_height: usize,
    severities: Vec<&'static str>,
    services: Vec<String>,
    rows: Vec<Row<'a>>,
    resolved: Vec<&'a String>,
    /// Open exposures, most severe first; then those a mutelist rule hides.
    exposures: Vec<ExposureView<'a>>,
    hidden: Vec<ExposureView<'a>>,
    errors: &'a [AuditError],
    /// With each row's anchor: a step whose finding is accepted links here.
    muted: Vec<(String, &'a CheckResult)>,
    /// Each framework view of the report, after the findings.
    compliance: Vec<FrameworkBlock<'a>>,
    passed: Vec<(String, usize)>,
    seconds: String,
    version: &'static str,
    trend_runs: usize,
    /// `x,y` pairs of the score line, computed here: numbers only, nothing from AWS.
    trend_points: String,
    trend_first: String,
    trend_last: String,
}

fn bars(counts: Vec<(String, usize, &'static str)>) -> (Vec<Bar>, usize) {
    let most = counts.iter().map(|(_, n, _)| *n).max().unwrap_or(0).max(1);
    let bars: Vec<Bar> = counts
        .into_iter()
        .enumerate()
        .map(|(i, (label, count, css))| Bar {
            width: 280 * count / most,
            y: i * 22,
            label,
            count,
            css,
        })
        .collect();
    let height = (bars.len() * 22).max(22);
    (bars, height)
}

/// The score line: runs spread over x 30–310, scores over y 130 (0) to 10 (100); runs without
/// a score are skipped.
fn trend_points(trend: &[crate::report::history::HistoryEntry]) -> String {
    let step = 280.0 / (trend.len().max(2) - 1) as f64;
    trend
        .iter()
        .enumerate()
        .filter_map(|(i, run)| {
            let score = run.score?;
            Some(format!(
                "{:.1},{:.1}",
                30.0 + step * i as f64,
                130.0 - 1.2 * score
            ))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn page(report: &Report) -> Page<'_> {
    let severities: Vec<Severity> = Severity::ALL
        .into_iter()
        .filter(|s| registry().any(|c| c.severity == *s))
        .collect();
    let counts = &report.summary.failed_by_severity;
    let (severity_bars, severity_height) = bars(
        severities
            .iter()
            .map(|s| (s.to_string(), counts.get(*s), s.as_str()))
            .collect(),
    );
    let mut by_service: std::collections::BTreeMap<String, usize> = Default::default();
    for result in report.open() {
        *by_service.entry(result.service.to_string()).or_default() += 1;
    }
    let services: Vec<String> = by_service.keys().cloned().collect();
    let (service_bars, service_height) = bars(
        by_service
            .into_iter()
            .map(|(service, n)| (service, n, "service"))
            .collect(),
    );
    let new: HashSet<&str> = report
        .changes
        .iter()
        .flat_map(|c| c.new.iter().map(String::as_str))
        .collect();
    let finished = time::OffsetDateTime::parse(
        &report.finished_at,
        &time::format_description::well_known::Rfc3339,
    )
    .ok();
    let mut open: Vec<&CheckResult> = report.open().collect();
    open.sort_by_key(|r| std::cmp::Reverse(r.severity));
    let rows: Vec<Row> = open
        .into_iter()
        .map(|result| {
            let first_seen = result.first_seen.clone().unwrap_or_default();
            let age_days = time::OffsetDateTime::parse(
                &first_seen,
                &time::format_description::well_known::Rfc3339,
            )
            .ok()
            .zip(finished)
            .map(|(first, last)| (last - first).whole_days().to_string())
            .unwrap_or_default();
            Row {
                severity: result.severity.as_str(),
                resource_type: short_type(&result.resource_type),
                anchor: anchor(&result.id),
                is_new: new.contains(result.id.as_str()),
                first_seen,
                age_days,
                result,
            }
        })
        .collect();
    let muted: Vec<(String, &CheckResult)> = report
        .results
        .iter()
        .filter(|r| r.muted.is_some())
        .map(|r| (anchor(&r.id), r))
        .collect();
    let on_page: HashSet<&str> = rows
        .iter()
        .map(|row| row.result.id.as_str())
        .chain(muted.iter().map(|(_, r)| r.id.as_str()))
        .collect();
    let (open_exposures, hidden): (Vec<&Exposure>, Vec<&Exposure>) =
        report.exposures.iter().partition(|e| e.is_open());
    let passed: Vec<(String, usize)> = report
        .counts_by_check()
        .into_iter()
        .filter(|c| c.passed > 0)
        .map(|c| (c.check_id.to_string(), c.passed))
        .collect();
    Page {
        report,
        score_text: report
            .score
            .overall
            .map_or("n/a".into(), |s| format!("{s:.1}")),
        regions: report.regions.join(", "),
        severity_bars,
        severity_height,
        service_bars,
        service_height,
        severities: severities.iter().map(|s| s.as_str()).collect(),
        services,
        rows,
        resolved: report
            .changes
            .iter()
            .flat_map(|c| c.resolved.iter())
            .collect(),
        exposures: open_exposures
            .into_iter()
            .map(|e| exposure_view(e, &on_page))
            .collect(),
        hidden: hidden
            .into_iter()
            .map(|e| exposure_view(e, &on_page))
            .collect(),
        errors: &report.errors,
        compliance: blocks(&report.compliance, &report.results, &on_page),
        muted,
        passed,
        seconds: format!("{:.1}", report.duration_ms as f64 / 1000.0),
        version: env!("CARGO_PKG_VERSION"),
        trend_runs: report.trend.len(),
        trend_points: trend_points(&report.trend),
        trend_first: report
            .trend
            .first()
            .map_or(String::new(), |r| r.finished_at.chars().take(10).collect()),
        trend_last: report
            .trend
            .last()
            .map_or(String::new(), |r| r.finished_at.chars().take(10).collect()),
    }
}

impl Render for HtmlRenderer {
    fn content_type(&self) -> &'static str {
        "text/html; charset=utf-8"
    }

    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let html = page(report)
            .render()
            .map_err(|e| io::Error::other(e.to_string()))?;
        out.write_all(html.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exposures::StepRole;
    use crate::model::{Mute, Status};

    #[test]
    fn values_from_aws_are_text_never_markup() {
        let mut report: Report =
            serde_json::from_value(crate::report::tests::minimal_report()).unwrap();
        report.results = vec![CheckResult {
            id: "x".into(),
            check_id: "s3.versioning".into(),
            service: "s3".into(),
            severity: Severity::Medium,
            status: Status::Fail,
            resource_type: "AWS::S3::Bucket".into(),
            resource_id: "<script>alert(1)</script>".into(),
            resource_name: Some("\"><img src=x onerror=alert(2)>".into()),
            resource_arn: None,
            region: "us-east-1".into(),
            title: "t".into(),
            detail: "<b>bold</b>".into(),
            remediation: "r".into(),
            reference: "https://docs.aws.amazon.com/".into(),
            facts: Vec::new(),
            first_seen: None,
            muted: None,
        }];
        let mut bytes = Vec::new();
        HtmlRenderer.render(&report, &mut bytes).unwrap();
        let html = String::from_utf8(bytes).unwrap();
        assert!(!html.contains("<script>alert(1)"), "{html}");
        assert!(!html.contains("<img src=x"), "{html}");
        // askama escapes with numeric references: text, never tags or attributes.
        assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
        assert!(html.contains("&#34;&#62;&#60;img src=x onerror=alert(2)&#62;"));
        assert!(!html.contains("<b>bold</b>"));
    }

    fn failed(check_id: &'static str, resource_id: &str) -> CheckResult {
        CheckResult {
            id: crate::model::result_id(
                check_id,
                "123456789012",
                "us-east-1",
                "AWS::EC2::Instance",
                resource_id,
            ),
            check_id: check_id.into(),
            service: "ec2".into(),
            severity: Severity::High,
            status: Status::Fail,
            resource_type: "AWS::EC2::Instance".into(),
            resource_id: resource_id.into(),
            resource_name: None,
            resource_arn: None,
            region: "us-east-1".into(),
            title: "t".into(),
            detail: "d".into(),
            remediation: "r".into(),
            reference: "https://docs.aws.amazon.com/".into(),
            facts: Vec::new(),
            first_seen: None,
            muted: None,
        }
    }

    fn mute(rule: usize, reason: &str, exposures: bool) -> Mute {
        Mute {
            rule,
            reason: reason.into(),
            owner: None,
            expires: "2026-12-31".into(),
            exposures,
        }
    }

    fn step(result: &CheckResult, role: StepRole) -> ExposureStep {
        ExposureStep {
            result_id: result.id.clone(),
            check_id: result.check_id.to_string(),
            resource_type: result.resource_type.to_string(),
            resource_id: result.resource_id.clone(),
            region: result.region.clone(),
            role,
            contributes: format!("{} contributes", result.check_id),
            muted: result.muted.as_deref().cloned(),
        }
    }

    fn exposure(title: &str, steps: Vec<ExposureStep>, muted: Option<Mute>) -> Exposure {
        Exposure {
            id: format!("x-{title}"),
            kind: crate::exposures::ExposureKind::ReachableInstance,
            severity: Severity::Critical,
            title: title.into(),
            steps,
            fix: "Close port 22 to the internet.".into(),
            muted,
        }
    }

    /// An open exposure (its reach step accepted by rule 2) and one rule 3 hides.
    fn exposed_report() -> (Report, String) {
        let mut report: Report =
            serde_json::from_value(crate::report::tests::minimal_report()).unwrap();
        let entry = failed("ec2.public_ssh", "i-0abc");
        let mut reach = failed("iam.admin_role", "i-0abc");
        reach.muted = Some(Box::new(mute(2, "Bastion by design", false)));
        let mut other = failed("ec2.imdsv1", "i-0def");
        other.muted = Some(Box::new(mute(3, "Lab host", true)));
        report.exposures = vec![
            exposure(
                "Open instance reaches admin",
                vec![step(&entry, StepRole::Entry), step(&reach, StepRole::Reach)],
                None,
            ),
            exposure(
                "Lab instance",
                vec![step(&other, StepRole::Entry)],
                other.muted.as_deref().cloned(),
            ),
        ];
        report.results = vec![entry, reach, other];
        let mut bytes = Vec::new();
        HtmlRenderer.render(&report, &mut bytes).unwrap();
        (report, String::from_utf8(bytes).unwrap())
    }

    #[test]
    fn exposures_come_first_and_link_to_their_findings() {
        let (report, html) = exposed_report();
        let exposures = html.find(r#"<section id="exposures">"#).unwrap();
        let findings = html.find(r#"<table id="findings">"#).unwrap();
        assert!(exposures < findings, "{html}");
        assert!(html.contains("<h2>Exposures (1)</h2>"), "{html}");
        assert!(html.contains("Fix: Close port 22 to the internet."));

        // Each step's fragment is the id of its finding's row: open ones in the findings table,
        // accepted ones in the muted table.
        let links: Vec<&str> = html
            .match_indices(r##"<a href="#"##)
            .map(|(at, open)| {
                let rest = &html[at + open.len()..];
                &rest[..rest.find('"').unwrap()]
            })
            .collect();
        assert_eq!(links.len(), 3, "{html}");
        assert_eq!(links[0], anchor(&report.results[0].id));
        assert!(html.contains(&format!(r#"<tr class="finding" id="{}""#, links[0])));
        assert!(html.contains(&format!(r#"<tr id="{}">"#, links[1])));
        assert_eq!(html.matches(&format!(r#"id="{}""#, links[0])).count(), 1);
    }

    #[test]
    fn accepted_steps_show_their_rule_and_hidden_exposures_are_collapsed() {
        let (_, html) = exposed_report();
        assert!(html.contains("accepted risk: Bastion by design (rule 2, expires 2026-12-31)"));
        let details = html.find(r#"<details id="hidden-exposures">"#).unwrap();
        let end = details + html[details..].find("</details>").unwrap();
        let hidden = html.find("Lab instance").unwrap();
        assert!(details < hidden && hidden < end, "{html}");
        assert!(html[details..end].contains("Hidden by rule 3: Lab host (expires 2026-12-31)"));
        assert!(html.find("Open instance reaches admin").unwrap() < details);
    }

    #[test]
    fn no_exposures_says_so_in_one_line() {
        let report: Report =
            serde_json::from_value(crate::report::tests::minimal_report()).unwrap();
        let mut bytes = Vec::new();
        HtmlRenderer.render(&report, &mut bytes).unwrap();
        let html = String::from_utf8(bytes).unwrap();
        assert!(html.contains("<p>No exposures: no failed findings add up to a way in.</p>"));
        assert!(!html.contains("hidden-exposures"));
    }

    #[test]
    fn compliance_follows_the_findings_a_row_per_requirement_failing_ones_link_to_rows() {
        use crate::compliance::{evaluate, frameworks::find};
        let mut report: Report =
            serde_json::from_value(crate::report::tests::minimal_report()).unwrap();
        let open = failed("ec2.imdsv2_required", "i-0abc");
        let mut accepted = failed("ec2.imdsv2_required", "i-0def");
        accepted.muted = Some(Box::new(mute(4, "Legacy AMI", false)));
        report.results = vec![open, accepted];
        report.compliance = ["cis-aws-3.0", "fsbp"]
            .map(|id| evaluate(find(id).unwrap(), report.evidence()))
            .into();
        let mut bytes = Vec::new();
        HtmlRenderer.render(&report, &mut bytes).unwrap();
        let html = String::from_utf8(bytes).unwrap();

        let section = html
            .find(r#"<section id="compliance"><h2>Compliance</h2>"#)
            .expect(&html);
        assert!(html.find(r#"<table id="findings">"#).unwrap() < section);
        assert!(section < html.find("<h2>Passed checks</h2>").unwrap());
        let cis = html
            .find(r#"<div class="framework" data-framework="cis-aws-3.0">"#)
            .unwrap();
        let fsbp = html
            .find(r#"<div class="framework" data-framework="fsbp">"#)
            .unwrap();
        assert!(section < cis && cis < fsbp, "{html}");
        let end = fsbp + html[fsbp..].find("</section>").unwrap();
        let row = r#"<tr class="requirement" "#;
        assert_eq!(html[cis..fsbp].matches(row).count(), 62);
        assert_eq!(html[fsbp..end].matches(row).count(), 363);
        assert_eq!(html.matches(row).count(), 62 + 363);
        for view in &report.compliance {
            assert!(html.contains(&format!("<h3>{} {}</h3>", view.name, view.version)));
        }
        assert!(html[cis..fsbp].contains("coverage "), "{html}");

        // CIS 5.6 fails on both results: each links to its row, the open one in the findings
        // table and the accepted one in the muted table.
        let start = cis + html[cis..].find("<td>5.6</td>").unwrap();
        let cells = &html[start..start + html[start..].find("</tr>").unwrap()];
        assert!(
            cells.contains(r#"<td class="st st-fail">fail</td>"#),
            "{cells}"
        );
        let links: Vec<&str> = cells
            .match_indices(r##"<a href="#"##)
            .map(|(at, open)| {
                let rest = &cells[at + open.len()..];
                &rest[..rest.find('"').unwrap()]
            })
            .collect();
        assert_eq!(
            links,
            [anchor(&report.results[0].id), anchor(&report.results[1].id)]
        );
        assert!(html.contains(&format!(r#"<tr class="finding" id="{}""#, links[0])));
        assert!(html.contains(&format!(r#"<tr id="{}">"#, links[1])));
        assert!(html.contains(r#"<td class="st st-not_covered">not covered</td>"#));
    }

    #[test]
    fn no_compliance_views_no_section() {
        let report: Report =
            serde_json::from_value(crate::report::tests::minimal_report()).unwrap();
        let mut bytes = Vec::new();
        HtmlRenderer.render(&report, &mut bytes).unwrap();
        assert!(!String::from_utf8(bytes)
            .unwrap()
            .contains(r#"id="compliance""#));
    }
}
