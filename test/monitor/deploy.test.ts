import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { gnnopsMetricsIn, SERVER_METRICS } from '../../src/monitor/metric-names.js';
import { ServeMetrics } from '../../src/serve/metrics.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const prom = join(root, 'deploy/prometheus');
const grafana = join(root, 'deploy/grafana');
const known = new Set<string>(Object.values(SERVER_METRICS));

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const noPromtool =
  promtool.error || promtool.status !== 0
    ? 'promtool not found: install the Debian package `prometheus` (apt-get install -y prometheus) to run this check'
    : false;

function run(args: string[]): { code: number | null; out: string } {
  const r = spawnSync('promtool', args, { cwd: prom, encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

interface Rule {
  alert: string;
  expr: string;
  labels?: Record<string, string>;
}

describe('Prometheus rules and config', () => {
  const alerts = parseYaml(readFileSync(join(prom, 'alerts.yml'), 'utf8')) as { groups: { rules: Rule[] }[] };
  const rules = alerts.groups.flatMap((g) => g.rules);

  it('promtool accepts the rules and the scrape config', { skip: noPromtool }, () => {
    const rulesCheck = run(['check', 'rules', 'alerts.yml']);
    assert.equal(rulesCheck.code, 0, rulesCheck.out);
    assert.match(rulesCheck.out, new RegExp(`SUCCESS: ${rules.length} rules found`));
    const cfg = run(['check', 'config', 'prometheus.yml']);
    assert.equal(cfg.code, 0, cfg.out);
  });

  it('promtool test rules: every alert fires on its synthetic series and stays silent on healthy ones', {
    skip: noPromtool,
  }, () => {
    const r = run(['test', 'rules', 'alerts.test.yml']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /SUCCESS/);
  });

  it('covers the alerts the issue asks for, and each has a firing test case', () => {
    const names = rules.map((r) => r.alert);
    for (const want of [
      'GnnopsHigh5xxRatio',
      'GnnopsHighP99Latency',
      'GnnopsDatasetDrift',
      'GnnopsRequestLogDropped',
      'GnnopsModelNotReady',
      'GnnopsEstimatedAccuracyDrop',
    ])
      assert.ok(names.includes(want), `missing alert ${want}`);
    const tests = parseYaml(readFileSync(join(prom, 'alerts.test.yml'), 'utf8')) as {
      tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const cases = tests.tests.flatMap((t) => t.alert_rule_test);
    for (const name of names) {
      assert.ok(
        cases.some((c) => c.alertname === name && c.exp_alerts.length > 0),
        `${name} never fires in a test`,
      );
      assert.ok(
        cases.some((c) => c.alertname === name && c.exp_alerts.length === 0),
        `${name} has no silent case`,
      );
    }
    assert.ok(rules.find((r) => r.alert === 'GnnopsDatasetDrift')?.expr.includes('gnnops_drift_share >= 0.5'));
  });

  it('uses only metrics the server exports', () => {
    for (const r of rules)
      for (const m of gnnopsMetricsIn(r.expr)) assert.ok(known.has(m), `${r.alert} uses unknown metric ${m}`);
  });
});

describe('SERVER_METRICS', () => {
  it('names only metrics that src/serve/metrics.ts registers', async () => {
    const m = new ServeMetrics([0.01, 0.1, 1], { defaultMetrics: false });
    const registered = new Set((await m.registry.getMetricsAsJSON()).map((x) => x.name));
    for (const name of known) assert.ok(registered.has(name), `server does not register ${name}`);
  });
});

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string; datasource: { uid: string } }[];
}

describe('Grafana provisioning and dashboard', () => {
  const ds = parseYaml(readFileSync(join(grafana, 'provisioning/datasources/prometheus.yml'), 'utf8')) as {
    datasources: { uid: string; type: string }[];
  };
  const uid = ds.datasources[0].uid;
  const providers = parseYaml(readFileSync(join(grafana, 'provisioning/dashboards/gnnops.yml'), 'utf8')) as {
    providers: { type: string; options: { path: string } }[];
  };
  const dash = JSON.parse(readFileSync(join(grafana, 'dashboards/gnnops.json'), 'utf8')) as {
    uid: string;
    panels: Panel[];
  };

  it('parses, with a file provider and a Prometheus datasource', () => {
    assert.equal(ds.datasources[0].type, 'prometheus');
    assert.equal(providers.providers[0].type, 'file');
    assert.ok(dash.uid.length > 0);
  });

  it('has unique panel ids inside the 24-column grid, every query on the provisioned datasource', () => {
    const ids = dash.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const p of dash.panels) {
      assert.ok(p.gridPos.x >= 0 && p.gridPos.x + p.gridPos.w <= 24, `${p.title} overflows the grid`);
      if (p.type === 'row') continue;
      assert.equal(p.datasource?.uid, uid, `${p.title} datasource`);
      assert.ok((p.targets ?? []).length > 0, `${p.title} has no query`);
      for (const t of p.targets ?? []) assert.equal(t.datasource.uid, uid);
    }
  });

  it('queries only exported metrics, and shows RED, model version, drift share and predictions by class', () => {
    const used = new Set<string>();
    for (const p of dash.panels)
      for (const t of p.targets ?? [])
        for (const m of gnnopsMetricsIn(t.expr)) {
          assert.ok(known.has(m), `panel "${p.title}" uses unknown metric ${m}`);
          used.add(m);
        }
    for (const need of [
      SERVER_METRICS.requestsTotal,
      SERVER_METRICS.requestDuration,
      SERVER_METRICS.modelInfo,
      SERVER_METRICS.driftShare,
      SERVER_METRICS.predictionsTotal,
    ])
      assert.ok(used.has(need), `dashboard never queries ${need}`);
    const exprs = dash.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).join('\n');
    assert.match(exprs, /sum by \(class\)/);
    assert.match(exprs, /status=~"5\.\."/);
  });
});
