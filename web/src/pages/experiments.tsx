import { useEffect, useMemo, useState } from 'preact/hooks';
import type {
  MetricSeriesResponse,
  RunClassificationResponse,
  RunDetailResponse,
  RunSummary,
  RunsResponse,
} from '../api.js';
import { LineChart, type Series } from '../charts.js';
import { Async, Card, classColor, ErrorBox, num, pct, Spinner, Stat, useApi, when } from '../ui.js';
import { Sweeps } from './sweeps.js';

/** Metric columns of the runs table, sorted by value: accuracy, the checkpoint's test macro-F1 and calibration error
 * (ECE before temperature scaling), speed. */
const METRIC_COLS = ['test_acc_mean', 'val_acc_mean', 'macro_f1', 'ece', 'epoch_ms_median'] as const;

type SortKey = 'name' | 'status' | 'start_time' | 'model' | 'dataset' | (typeof METRIC_COLS)[number];

function sortValue(r: RunSummary, k: SortKey): string | number {
  if ((METRIC_COLS as readonly string[]).includes(k)) return r.metrics[k] ?? Number.NEGATIVE_INFINITY;
  const v = r[k as 'name'];
  return v ?? '';
}

/** Metric keys of a run grouped by prefix: `split0/val_acc` → group `split0`, name `val_acc`. */
function groups(keys: string[]): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const k of keys) {
    const i = k.lastIndexOf('/');
    const prefix = i < 0 ? '' : k.slice(0, i);
    g.set(prefix, [...(g.get(prefix) ?? []), i < 0 ? k : k.slice(i + 1)]);
  }
  return g;
}

const CURVE_COLORS: Record<string, string> = { train: '#4e79a7', val: '#f28e2b', stopping: '#59a14f', test: '#e15759' };
const colorOf = (name: string, i: number) => CURVE_COLORS[name.split('_')[0]] ?? classColor(i + 4);

function Curves({ runId, prefix, names }: { runId: string; prefix: string; names: string[] }) {
  const keys = names.map((n) => (prefix ? `${prefix}/${n}` : n));
  const s = useApi<MetricSeriesResponse>(`/api/runs/${runId}/metrics?keys=${encodeURIComponent(keys.join(','))}`);
  const loss = names.filter((n) => n.endsWith('loss'));
  const acc = names.filter((n) => n.endsWith('acc'));
  const chart = (sel: string[], label: string, data: MetricSeriesResponse) => (
    <LineChart
      xLabel="epoch"
      yLabel={label}
      series={sel.map((n, i) => ({
        name: n,
        color: colorOf(n, i),
        points: (data.series[prefix ? `${prefix}/${n}` : n] ?? []).map((p) => ({ x: p.step, y: p.value })),
      }))}
    />
  );
  return (
    <Async state={s} what="metric curves">
      {(data) => (
        <div class="row" id="run-curves">
          {loss.length > 0 && (
            <div>
              <h3>Loss</h3>
              {chart(loss, 'loss', data)}
            </div>
          )}
          {acc.length > 0 && (
            <div>
              <h3>Accuracy</h3>
              {chart(acc, 'accuracy', data)}
            </div>
          )}
        </div>
      )}
    </Async>
  );
}

/** The checkpoint's classification report on the test mask: per-class scores, calibration and the run's charts. */
function Classification({ runId }: { runId: string }) {
  const c = useApi<RunClassificationResponse>(`/api/runs/${runId}/classification`);
  if (c.error?.status === 404) return <p class="muted">This run recorded no classification report.</p>;
  return (
    <Async state={c} what="classification report">
      {({ report: r, charts }) => (
        <div id="run-classification">
          <h3>Test-mask classification of the checkpoint</h3>
          <div class="stats">
            <Stat label="accuracy" value={pct(r.accuracy)} />
            <Stat label="macro-F1" value={<span id="macro-f1">{num(r.macro_f1, 3)}</span>} />
            <Stat
              label="ECE (15 bins), raw → calibrated"
              value={`${num(r.ece, 3)} → ${num(r.ece_calibrated, 3)}`}
              hint="Expected calibration error of the softmax, then of softmax(logits / T)"
            />
            <Stat
              label="temperature T (fitted on val)"
              value={num(r.temperature, 3)}
              hint="Served probabilities are softmax(logits / T) unless raw ones are asked for"
            />
          </div>
          <table class="compact" id="per-class">
            <thead>
              <tr>
                <th>class</th>
                <th>precision</th>
                <th>recall</th>
                <th>F1</th>
                <th>support</th>
              </tr>
            </thead>
            <tbody>
              {r.per_class.map((k) => (
                <tr key={k.class}>
                  <td style={{ color: classColor(k.class) }}>{k.name ?? k.class}</td>
                  <td class="num">{num(k.precision, 3)}</td>
                  <td class="num">{num(k.recall, 3)}</td>
                  <td class="num">{num(k.f1, 3)}</td>
                  <td class="num">{k.support}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="row">
            {charts.map((ch) => (
              <div class="parallel run-chart" key={ch.name} data-name={ch.name}>
                {/* SVG markup the server's chart module wrote as the run's artifact (text escaped there) */}
                <div dangerouslySetInnerHTML={{ __html: ch.svg }} />
              </div>
            ))}
          </div>
        </div>
      )}
    </Async>
  );
}

function RunDetail({ id, onClose }: { id: string; onClose: () => void }) {
  const d = useApi<RunDetailResponse>(`/api/runs/${id}`);
  const [prefix, setPrefix] = useState<string | null>(null);
  return (
    <Card title="Run" wide>
      <button type="button" class="close" onClick={onClose}>
        ×
      </button>
      <Async state={d} what="run">
        {(r) => {
          const g = groups(r.metric_keys);
          // per-epoch groups (split0/, seed1/ …) first; run-level keys last
          const curvePrefixes = [...g.entries()]
            .filter(([, ns]) => ns.some((n) => /(loss|acc)$/.test(n)) && ns.length > 1)
            .sort((a, b) => Number(a[0] === '') - Number(b[0] === ''));
          const chosen = prefix ?? curvePrefixes[0]?.[0] ?? null;
          const names = chosen === null ? [] : (g.get(chosen) ?? []).filter((n) => /(loss|acc)$/.test(n)).sort();
          const summary = Object.entries(r.metrics).filter(([k]) => !k.includes('/'));
          return (
            <div id="run-detail">
              <h3>
                {r.run.name} <span class={`status ${r.run.status}`}>{r.run.status}</span>
              </h3>
              <dl class="kv">
                <dt>id</dt>
                <dd>
                  <code>{r.run.id}</code>
                </dd>
                <dt>experiment</dt>
                <dd>{r.run.experiment}</dd>
                <dt>dataset</dt>
                <dd>
                  {r.run.dataset ?? '—'} {r.run.dataset_hash && <code>{r.run.dataset_hash}</code>}
                </dd>
                <dt>git</dt>
                <dd>{r.run.git_sha ? <code>{r.run.git_sha.slice(0, 10)}</code> : '—'}</dd>
                <dt>registered as</dt>
                <dd>{r.lineage.model_versions.map((v) => `${v.model} v${v.version}`).join(', ') || '—'}</dd>
                <dt>sweep</dt>
                <dd>{r.lineage.sweep ?? '—'}</dd>
              </dl>
              {curvePrefixes.length > 0 && (
                <>
                  <label>
                    Curves of{' '}
                    <select value={chosen ?? ''} onChange={(e) => setPrefix((e.target as HTMLSelectElement).value)}>
                      {curvePrefixes.map(([p]) => (
                        <option key={p} value={p}>
                          {p || '(run level)'}
                        </option>
                      ))}
                    </select>
                  </label>
                  {chosen !== null && <Curves runId={r.run.id} prefix={chosen} names={names} />}
                </>
              )}
              <Classification runId={r.run.id} />
              <div class="row">
                <div>
                  <h3>Summary metrics</h3>
                  <table class="compact">
                    <tbody>
                      {summary.map(([k, v]) => (
                        <tr key={k}>
                          <td>{k}</td>
                          <td class="num">{num(v.value, 4)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <div>
                  <h3>Params</h3>
                  <div class="scroll">
                    <table class="compact params">
                      <tbody>
                        {Object.entries(r.params)
                          .filter(([k]) => /^(model|train|data)\./.test(k))
                          .map(([k, v]) => (
                            <tr key={k}>
                              <td>{k}</td>
                              <td>{v}</td>
                            </tr>
                          ))}
                      </tbody>
                    </table>
                  </div>
                </div>
              </div>
            </div>
          );
        }}
      </Async>
    </Card>
  );
}

/** 2–5 runs: one metric's curves overlaid (first split group that has it) and the params that differ. */
function Compare({ ids }: { ids: string[] }) {
  const details = ids.map((id) => useApi<RunDetailResponse>(`/api/runs/${id}`));
  const [metric, setMetric] = useState('val_acc');
  const failed = details.find((d) => d.error);
  if (failed?.error) return <ErrorBox error={failed.error} />;
  if (details.some((d) => !d.data)) return <Spinner what="runs to compare" />;
  const runs = details.map((d) => d.data!);
  const keyOf = (r: RunDetailResponse) => r.metric_keys.find((k) => k === metric || k.endsWith(`/${metric}`));
  const allKeys = [...new Set(runs.flatMap((r) => r.metric_keys.map((k) => k.split('/').pop()!)))]
    .filter((k) => /(loss|acc)$/.test(k))
    .sort();
  const paramKeys = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
  const diff = paramKeys.filter((k) => new Set(runs.map((r) => r.params[k] ?? '∅')).size > 1);
  return (
    <Card title={`Compare ${runs.length} runs`} wide>
      <label>
        Metric{' '}
        <select value={metric} onChange={(e) => setMetric((e.target as HTMLSelectElement).value)}>
          {allKeys.map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
      </label>
      <CompareCurves runs={runs.map((r) => ({ id: r.run.id, name: r.run.name, key: keyOf(r) }))} metric={metric} />
      <h3>Parameters that differ ({diff.length})</h3>
      <table id="param-diff">
        <thead>
          <tr>
            <th>param</th>
            {runs.map((r) => (
              <th key={r.run.id}>{r.run.name}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {diff.map((k) => (
            <tr key={k}>
              <td>{k}</td>
              {runs.map((r) => (
                <td key={r.run.id}>{r.params[k] ?? '∅'}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

function CompareCurves({
  runs,
  metric,
}: {
  runs: { id: string; name: string; key: string | undefined }[];
  metric: string;
}) {
  const series = runs.map((r) =>
    useApi<MetricSeriesResponse>(r.key ? `/api/runs/${r.id}/metrics?keys=${encodeURIComponent(r.key)}` : null),
  );
  if (series.some((s) => s.loading)) return <Spinner what="curves" />;
  const lines: Series[] = runs.flatMap((r, i) => {
    const pts = r.key ? series[i].data?.series[r.key] : undefined;
    return pts
      ? [{ name: `${r.name} (${r.key})`, color: classColor(i), points: pts.map((p) => ({ x: p.step, y: p.value })) }]
      : [];
  });
  return (
    <div id="compare-curves">
      {lines.length ? (
        <LineChart series={lines} xLabel="epoch" yLabel={metric} />
      ) : (
        <p class="muted">No run has {metric}.</p>
      )}
    </div>
  );
}

export function ExperimentsPage({ params }: { params: URLSearchParams }) {
  const runs = useApi<RunsResponse>('/api/runs');
  const [filter, setFilter] = useState('');
  const [status, setStatus] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'start_time', desc: true });
  const linked = params.get('run');
  const [open, setOpen] = useState<string | null>(linked);
  // a link to a run (from the registry's lineage or the overview) opens it
  useEffect(() => {
    if (linked) setOpen(linked);
  }, [linked]);
  const [picked, setPicked] = useState<string[]>([]);
  const [comparing, setComparing] = useState<string[] | null>(null);
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const list = (runs.data?.runs ?? []).filter(
      (r) =>
        (!status || r.status === status) &&
        (!f ||
          [r.name, r.id, r.experiment, r.model ?? '', r.dataset ?? '', r.sweep_id ?? ''].some((s) =>
            s.toLowerCase().includes(f),
          )),
    );
    const sign = sort.desc ? -1 : 1;
    return [...list].sort((a, b) => {
      const x = sortValue(a, sort.key);
      const y = sortValue(b, sort.key);
      return (x < y ? -1 : x > y ? 1 : 0) * sign;
    });
  }, [runs.data, filter, status, sort]);
  const header = (key: SortKey, label: string) => (
    <th class="sortable" onClick={() => setSort((s) => ({ key, desc: s.key === key ? !s.desc : true }))}>
      {label} {sort.key === key ? (sort.desc ? '▼' : '▲') : ''}
    </th>
  );
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id].slice(-5)));
  return (
    <div class="grid">
      <Card title="Runs" wide>
        <Async state={runs} what="runs">
          {(d) => (
            <>
              <div class="toolbar">
                <input
                  type="search"
                  placeholder="Filter by name, id, model, dataset…"
                  value={filter}
                  onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
                  id="run-filter"
                />
                <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
                  <option value="">any status</option>
                  {['running', 'finished', 'failed', 'killed'].map((s) => (
                    <option key={s}>{s}</option>
                  ))}
                </select>
                <span id="run-count" data-count={shown.length}>
                  {shown.length} of {d.runs.length} runs
                </span>
                <button
                  type="button"
                  id="compare-btn"
                  disabled={picked.length < 2}
                  onClick={() => setComparing([...picked])}
                >
                  Compare {picked.length} selected
                </button>
              </div>
              <table id="runs">
                <thead>
                  <tr>
                    <th />
                    {header('name', 'run')}
                    {header('status', 'status')}
                    {header('model', 'model')}
                    {header('dataset', 'dataset')}
                    {METRIC_COLS.map((k) => header(k, k))}
                    {header('start_time', 'started')}
                  </tr>
                </thead>
                <tbody>
                  {shown.map((r) => (
                    <tr key={r.id} class={open === r.id ? 'highlight' : ''}>
                      <td>
                        <input
                          type="checkbox"
                          checked={picked.includes(r.id)}
                          onChange={() => toggle(r.id)}
                          aria-label={`select ${r.name}`}
                        />
                      </td>
                      <td>
                        <button type="button" class="run-link" onClick={() => setOpen(r.id)}>
                          {r.name}
                        </button>
                      </td>
                      <td>
                        <span class={`status ${r.status}`}>{r.status}</span>
                      </td>
                      <td>{r.model ?? '—'}</td>
                      <td>{r.dataset ?? '—'}</td>
                      {METRIC_COLS.map((k) => (
                        <td key={k} class="num">
                          {num(r.metrics[k], 4)}
                        </td>
                      ))}
                      <td>{when(r.start_time)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </Async>
      </Card>
      {open && <RunDetail key={open} id={open} onClose={() => setOpen(null)} />}
      {comparing && <Compare key={comparing.join()} ids={comparing} />}
      <Sweeps />
    </div>
  );
}
