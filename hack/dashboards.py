#!/usr/bin/env python3
"""Writes the Grafana dashboards (skiff-models.json, skiff-operator.json) into helm/skiff/dashboards.

The dashboards are generated so every panel follows the same conventions (datasource variable, label
filters, units), and so the dashboard contract test can read each panel's PromQL from the committed
JSON. `python3 hack/dashboards.py --check` fails when the committed JSON is stale.
No `__inputs` / `${DS_...}` placeholders: Grafana's sidecar provisioning does not resolve them.
"""
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent.parent / "helm" / "skiff" / "dashboards"
DS = {"type": "prometheus", "uid": "${datasource}"}
# Label filter shared by every runtime panel.
SEL = 'namespace=~"$namespace", model=~"$model", version=~"$version"'
RATE = "$__rate_interval"


def variable(name, label, query, multi=True):
    return {
        "name": name,
        "label": label,
        "type": "query",
        "datasource": DS,
        "definition": query,
        "query": {"query": query, "refId": f"{name}-query"},
        "refresh": 2,
        "multi": multi,
        "includeAll": True,
        "allValue": ".*",
        "current": {"selected": True, "text": "All", "value": "$__all"},
        "sort": 1,
    }


def datasource_variable():
    return {
        "name": "datasource",
        "label": "Data source",
        "type": "datasource",
        "query": "prometheus",
        "current": {},
        "hide": 0,
    }


class Layout:
    """Places panels two per row on Grafana's 24-column grid."""

    def __init__(self):
        self.next_id = 1
        self.x = 0
        self.y = 0

    def panel(self, title, description, targets, unit, kind="timeseries", width=12, height=8):
        if self.x + width > 24:
            self.x, self.y = 0, self.y + height
        panel = {
            "id": self.next_id,
            "type": kind,
            "title": title,
            "description": description,
            "datasource": DS,
            "gridPos": {"x": self.x, "y": self.y, "w": width, "h": height},
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
            "options": {"legend": {"displayMode": "table", "placement": "bottom"}},
            "targets": [
                {"refId": chr(ord("A") + i), "datasource": DS, "expr": expr, "legendFormat": legend}
                for i, (expr, legend) in enumerate(targets)
            ],
        }
        self.next_id += 1
        self.x += width
        return panel


def dashboard(uid, title, description, variables, panels):
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["skiff"],
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "time": {"from": "now-1h", "to": "now"},
        "refresh": "30s",
        "templating": {"list": variables},
        "panels": panels,
    }


def quantiles(metric, by="version"):
    return [
        (
            f"histogram_quantile({q}, sum by (le, {by}) (rate({metric}_bucket{{{SEL}}}[{RATE}])))",
            f"p{int(q * 100)} {{{{{by}}}}}",
        )
        for q in (0.5, 0.95, 0.99)
    ]


def models_dashboard():
    layout = Layout()
    requests = f"rate(skiff_requests_total{{{SEL}}}[{RATE}])"
    panels = [
        layout.panel(
            "Requests per second by version",
            "Inference and metadata requests answered by each model version.",
            [(f"sum by (model, version) ({requests})", "{{model}} {{version}}")],
            "reqps",
        ),
        layout.panel(
            "Traffic share by version vs declared weight",
            "Share of requests each version answered (percent), next to the weight the router "
            "was told to give it and the weight in effect after readiness.",
            [
                (
                    f"100 * sum by (version) ({requests}) / ignoring(version) group_left "
                    f"sum({requests})",
                    "share {{version}}",
                ),
                (
                    'max by (version) (skiff_router_declared_weight{namespace=~"$namespace", '
                    'model=~"$model", version=~"$version"})',
                    "declared {{version}}",
                ),
                (
                    'max by (version) (skiff_router_effective_weight{namespace=~"$namespace", '
                    'model=~"$model", version=~"$version"})',
                    "effective {{version}}",
                ),
            ],
            "percent",
        ),
        layout.panel(
            "Errors by status code",
            "Responses that were not 2xx, per status code.",
            [
                (
                    f'sum by (code) (rate(skiff_requests_total{{{SEL}, code!~"2.."}}[{RATE}]))',
                    "{{code}}",
                )
            ],
            "reqps",
        ),
        layout.panel(
            "Request latency p50 / p95 / p99",
            "Time from request start to response, including queueing and encoding.",
            quantiles("skiff_request_duration_seconds"),
            "s",
        ),
        layout.panel(
            "Inference time p50 / p95 / p99",
            "Time the backend spent running the model.",
            quantiles("skiff_inference_duration_seconds"),
            "s",
        ),
        layout.panel(
            "Queue time p99",
            "How long requests waited for an inference thread.",
            [
                (
                    "histogram_quantile(0.99, sum by (le, version) "
                    f"(rate(skiff_queue_duration_seconds_bucket{{{SEL}}}[{RATE}])))",
                    "p99 wait {{version}}",
                ),
            ],
            "s",
        ),
        layout.panel(
            "Queue depth",
            "Requests waiting for an inference thread now, per pod.",
            [('sum by (pod) (skiff_queue_depth{namespace=~"$namespace"})', "{{pod}}")],
            "short",
        ),
        layout.panel(
            "Rejected requests by reason",
            "Requests refused before inference: invalid input, auth, overload, size.",
            [
                (
                    f"sum by (reason) (rate(skiff_rejected_requests_total{{"
                    f'namespace=~"$namespace", model=~"$model"}}[{RATE}]))',
                    "{{reason}}",
                )
            ],
            "reqps",
        ),
        layout.panel(
            "Batch size (dynamic batching)",
            "Rows per model call for versions with batching in model.yaml: p50 and p99.",
            [
                (
                    f"histogram_quantile({q}, sum by (le, model, version) "
                    f"(rate(skiff_batch_size_bucket{{{SEL}}}[{RATE}])))",
                    f"p{int(q * 100)} {{{{model}}}} {{{{version}}}}",
                )
                for q in (0.5, 0.99)
            ],
            "short",
        ),
        layout.panel(
            "In-flight requests",
            "Inference requests being processed now.",
            [(f"sum by (version) (skiff_inflight_requests{{{SEL}}})", "{{version}}")],
            "short",
        ),
        layout.panel(
            "Model load time",
            "Seconds each version took to load and warm up.",
            [(f"max by (model, version) (skiff_model_load_duration_seconds{{{SEL}}})", "{{model}} {{version}}")],
            "s",
        ),
        layout.panel(
            "Versions loaded",
            "1 when every pod of the version loaded its model, 0 when one failed to.",
            [(f"min by (model, version) (skiff_model_loaded{{{SEL}}})", "{{model}} {{version}}")],
            "bool",
        ),
        layout.panel(
            "Pod CPU",
            "CPU seconds per second used by each runtime pod serving the selected models.",
            [
                (
                    f'sum by (pod) (rate(process_cpu_seconds_total{{namespace=~"$namespace"}}[{RATE}]) '
                    f"and on (namespace, pod) skiff_model_loaded{{{SEL}}})",
                    "{{pod}}",
                )
            ],
            "percentunit",
        ),
        layout.panel(
            "Pod memory",
            "Resident memory of each runtime pod serving the selected models.",
            [
                (
                    'sum by (pod) (process_resident_memory_bytes{namespace=~"$namespace"} '
                    f"and on (namespace, pod) skiff_model_loaded{{{SEL}}})",
                    "{{pod}}",
                )
            ],
            "bytes",
        ),
        layout.panel(
            "Feedback accuracy by version",
            "Share of predictions that feedback (POST /v1/models/<model>/feedback) called correct, "
            "per version: live accuracy during a canary.",
            [
                (
                    f"100 * sum by (model, version) (rate(skiff_feedback_total{{{SEL}, "
                    f'outcome="correct"}}[{RATE}])) / sum by (model, version) '
                    f"(rate(skiff_feedback_total{{{SEL}}}[{RATE}]))",
                    "{{model}} {{version}}",
                )
            ],
            "percent",
        ),
    ]
    variables = [
        datasource_variable(),
        variable("namespace", "Namespace", "label_values(skiff_model_loaded, namespace)"),
        variable("model", "Model", 'label_values(skiff_model_loaded{namespace=~"$namespace"}, model)'),
        variable(
            "version",
            "Version",
            'label_values(skiff_model_loaded{namespace=~"$namespace", model=~"$model"}, version)',
        ),
    ]
    return dashboard(
        "skiff-models",
        "Skiff models",
        "Traffic, errors, latency and load of Skiff model versions.",
        variables,
        panels,
    )


def operator_dashboard():
    layout = Layout()
    ns = 'namespace=~"$namespace"'
    panels = [
        layout.panel(
            "Reconciliations per second",
            "Reconciliations the operator started, by resource kind.",
            [(f"sum by (kind) (rate(skiff_operator_reconciliations_total[{RATE}]))", "{{kind}}")],
            "ops",
        ),
        layout.panel(
            "Reconciliation failures per second by exception",
            "Reconciliations that threw (the API server refused a write, a quota, a conflict); "
            "JOSDK retries them with backoff.",
            [
                (
                    # `or vector(0)`: a line at 0 until the first failure, not "No data"
                    f"sum by (exception) (rate(skiff_operator_reconciliation_failures_total[{RATE}]))"
                    " or vector(0)",
                    "{{exception}}",
                )
            ],
            "ops",
        ),
        layout.panel(
            "Reconciliation duration p50 / p95 / p99",
            "Time one reconciliation of a ModelDeployment takes, workflow of dependents included.",
            [
                (
                    f"histogram_quantile({q}, sum by (le) "
                    f"(rate(skiff_operator_reconciliation_duration_seconds_bucket[{RATE}])))",
                    f"p{int(q * 100)}",
                )
                for q in (0.5, 0.95, 0.99)
            ],
            "s",
        ),
        layout.panel(
            "Reconciliations in progress and queued",
            "Reconciliations running now, and resources waiting for a reconcile thread "
            "(a growing queue means too few --reconcile-threads).",
            [
                ("sum(skiff_operator_reconciliations_in_progress)", "in progress"),
                ("sum(skiff_operator_reconciliations_queued)", "queued"),
            ],
            "short",
        ),
        layout.panel(
            "Events received per second",
            "Informer events (ModelDeployments, their Deployments, Services, pods) the operator handled.",
            [(f"sum(rate(skiff_operator_events_received_total[{RATE}]))", "events")],
            "ops",
        ),
        layout.panel(
            "ModelDeployments by condition",
            "How many ModelDeployments have each condition in each status.",
            [
                (
                    f"sum by (type, status) (skiff_operator_modeldeployment_condition{{{ns}}})",
                    "{{type}}={{status}}",
                )
            ],
            "short",
        ),
        layout.panel(
            "ModelDeployments not Ready",
            "ModelDeployments whose Ready condition is False or Unknown; kubectl describe shows why.",
            [
                (
                    f'max by (namespace, name, status) (skiff_operator_modeldeployment_condition{{{ns}, '
                    f'type="Ready", status!="True"}})',
                    "{{namespace}}/{{name}}",
                )
            ],
            "short",
            kind="table",
            width=24,
        ),
    ]
    variables = [
        datasource_variable(),
        variable("namespace", "Namespace", "label_values(skiff_operator_modeldeployment_condition, namespace)"),
    ]
    return dashboard(
        "skiff-operator",
        "Skiff operator",
        "Reconciliations, failures, queue, durations and ModelDeployment conditions of the Skiff operator.",
        variables,
        panels,
    )


DASHBOARDS = {"skiff-models.json": models_dashboard, "skiff-operator.json": operator_dashboard}


# A panel's unit says what its every query measures: seconds only for `_seconds` metrics (and
# not for their counts or rates), a count unit never for them.
SECONDS_UNITS = {"s", "ms"}


def unit_problems(name, board):
    problems = []
    for panel in board["panels"]:
        unit = panel["fieldConfig"]["defaults"]["unit"]
        for target in panel["targets"]:
            expr = target["expr"]
            # quantiles of a _seconds histogram, or a _seconds gauge; not a rate of a counter
            seconds = "_seconds_bucket" in expr or ("_seconds" in expr and "rate(" not in expr)
            if (unit in SECONDS_UNITS) != seconds:
                problems.append(f"{name}: panel '{panel['title']}' has unit {unit} for {expr}")
    return problems


def render(builder):
    return json.dumps(builder(), indent=2, sort_keys=False) + "\n"


def main(argv):
    check = "--check" in argv
    stale = []
    problems = [p for name, builder in DASHBOARDS.items() for p in unit_problems(name, builder())]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    for name, builder in DASHBOARDS.items():
        path = HERE / name
        text = render(builder)
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
    if stale:
        print(f"stale dashboards {stale}: run `python3 hack/dashboards.py` and commit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
