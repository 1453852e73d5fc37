import { useState } from 'preact/hooks';
import type {
  ColumnDriftJson,
  DriftAccuracyResponse,
  DriftChecksResponse,
  DriftHistoryResponse,
  DriftLatestResponse,
  DriftReplicasResponse,
} from '../api.js';
import { BarChart, LineChart } from '../charts.js';
import { Async, Card, classColor, num, pct, Stat, useApi, when } from '../ui.js';

function DrillDown({ f }: { f: ColumnDriftJson }) {
  return (
    <Card title={`Feature ${f.name}`} wide>
      <div id="drill-down">
        <div class="stats">
          <Stat label={f.test_label ?? f.test} value={num(f.score, 4)} />
          <Stat label="threshold" value={num(f.threshold, 4)} />
          <Stat label="reference mean ± std" value={`${num(f.ref_mean)} ± ${num(f.ref_std)}`} />
          <Stat label="current mean ± std" value={`${num(f.cur_mean)} ± ${num(f.cur_std)}`} />
          <Stat label="current rows" value={num(f.cur_n)} />
        </div>
        {f.hist ? (
          <BarChart
            legend={['reference', 'current']}
            bars={f.hist.ref.map((r, i) => ({ label: num(f.hist!.edges[i], 2), value: r, value2: f.hist!.cur[i] }))}
          />
        ) : (
          <p class="muted">No histogram for this column.</p>
        )}
      </div>
    </Card>
  );
}

export function DriftPage(_: { params: URLSearchParams }) {
  const [window, setWindow] = useState(5000);
  const [replica, setReplica] = useState('');
  const only = replica ? `&replica=${encodeURIComponent(replica)}` : '';
  const latest = useApi<DriftLatestResponse>(`/api/drift/latest?window=${window}${only}`);
  const hist = useApi<DriftHistoryResponse>(`/api/drift/history?window=${window}&windows=12${only}`);
  const acc = useApi<DriftAccuracyResponse>(`/api/drift/accuracy?window=${window}&windows=12${only}`);
  const replicas = useApi<DriftReplicasResponse>('/api/drift/replicas');
  const checks = useApi<DriftChecksResponse>('/api/drift/checks?limit=500');
  const [open, setOpen] = useState<string | null>(null);
  return (
    <div class="grid">
      <Card title="Latest drift report" wide>
        <div class="toolbar">
          <label>
            Window{' '}
            <select value={window} onChange={(e) => setWindow(Number((e.target as HTMLSelectElement).value))}>
              {[500, 1000, 5000, 20000].map((n) => (
                <option key={n} value={n}>
                  last {n} requests
                </option>
              ))}
            </select>
          </label>{' '}
          <label>
            Replica{' '}
            <select
              id="drift-replica"
              value={replica}
              onChange={(e) => setReplica((e.target as HTMLSelectElement).value)}
            >
              <option value="">all replicas</option>
              {(replicas.data?.replicas ?? []).map((r) => (
                <option key={r.replica} value={r.replica}>
                  {r.replica || '(unnamed)'} ({num(r.rows)} rows)
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            onClick={() => {
              latest.reload();
              hist.reload();
              acc.reload();
              checks.reload();
            }}
          >
            Recompute
          </button>
        </div>
        <Async state={latest} what="drift report">
          {(r) =>
            !r.available ? (
              <p class="muted" id="drift-unavailable">
                {r.reason}
              </p>
            ) : (
              <div id="drift-report">
                <div class="stats">
                  <Stat
                    label="dataset drift"
                    value={
                      <span class={r.dataset?.drifted ? 'bad' : 'good'} id="drift-status">
                        {r.dataset?.drifted ? 'DRIFT' : 'no drift'}
                      </span>
                    }
                  />
                  <Stat
                    label="drifted features"
                    value={`${r.dataset?.drifted_features}/${r.dataset?.num_features} (${pct(r.dataset?.share)})`}
                  />
                  <Stat label="threshold" value={pct(r.dataset?.share_threshold, 0)} />
                  <Stat label="current rows" value={num(r.current_rows)} />
                  <Stat label="requests read" value={num(r.requests)} />
                </div>
                <p class="muted">
                  reference: {r.profile_source} ({num(r.reference_rows)} rows) · generated{' '}
                  {r.generated_at?.replace('T', ' ').slice(0, 19)} in {num(r.duration_ms, 0)} ms
                </p>
                {r.predictions && (
                  <div>
                    <h3>
                      Prediction drift: {r.predictions.drifted ? 'yes' : 'no'} ({r.predictions.test}{' '}
                      {num(r.predictions.score, 4)})
                    </h3>
                    <BarChart
                      legend={['reference', 'current']}
                      bars={r.predictions.ref_shares.map((v, c) => ({
                        label: r.predictions?.class_names?.[c] ?? `class ${c}`,
                        value: v,
                        value2: r.predictions!.cur_shares[c],
                        color: classColor(0),
                      }))}
                    />
                  </div>
                )}
                <h3>Features (most drifted first; click one for its histogram)</h3>
                <div class="scroll">
                  <table id="drift-table">
                    <thead>
                      <tr>
                        <th>feature</th>
                        <th>test</th>
                        <th>score</th>
                        <th>threshold</th>
                        <th>drifted</th>
                        <th>ref mean</th>
                        <th>cur mean</th>
                      </tr>
                    </thead>
                    <tbody>
                      {[...(r.structure ?? []), ...(r.features ?? [])].map((f) => (
                        <tr
                          key={f.name}
                          class={`clickable ${open === f.name ? 'highlight' : ''}`}
                          onClick={() => setOpen(f.name)}
                        >
                          <td>{f.name}</td>
                          <td>{f.test_label ?? f.test}</td>
                          <td class="num">{num(f.score, 4)}</td>
                          <td class="num">{num(f.threshold, 3)}</td>
                          <td class={f.drifted ? 'bad' : 'good'}>{f.drifted ? 'yes' : 'no'}</td>
                          <td class="num">{num(f.ref_mean)}</td>
                          <td class="num">{num(f.cur_mean)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </div>
            )
          }
        </Async>
      </Card>
      {open &&
        latest.data &&
        [...(latest.data.structure ?? []), ...(latest.data.features ?? [])]
          .filter((f) => f.name === open)
          .map((f) => <DrillDown key={f.name} f={f} />)}
      <Card title="Drift share over time" wide>
        <Async state={hist} what="drift history">
          {(h) =>
            !h.available ? (
              <p class="muted">{h.reason}</p>
            ) : (
              <div id="drift-history">
                <LineChart
                  xLabel="window (oldest → newest)"
                  hline={
                    h.share_threshold === undefined
                      ? undefined
                      : { y: h.share_threshold, label: 'dataset drift threshold' }
                  }
                  series={[
                    {
                      name: 'share of drifted features',
                      color: '#e15759',
                      points: h.points.map((p, i) => ({ x: i + 1, y: p.share })),
                    },
                  ]}
                />
                <p class="muted">
                  {h.points.length} windows from {when(h.points[0]?.from)} to {when(h.points[h.points.length - 1]?.to)}
                </p>
              </div>
            )
          }
        </Async>
      </Card>
      <Card title="Estimated accuracy (label-free)" wide>
        <Async state={acc} what="accuracy estimate">
          {(a) => <AccuracyEstimate a={a} />}
        </Async>
      </Card>
      <Card title="Stored drift checks" wide>
        <Async state={checks} what="drift-check history">
          {(c) => <CheckHistory c={c} />}
        </Async>
      </Card>
    </div>
  );
}

/**
 * The server's scheduled checks as stored (one per interval for the whole deployment, by the replica holding the
 * drift-check lease): they outlive the request log, so this is the long view.
 */
function CheckHistory({ c }: { c: DriftChecksResponse }) {
  if (c.checks.length === 0)
    return <p class="muted">No stored checks yet: a server logging requests runs one every serve.drift_interval_s.</p>;
  const shown = c.checks.filter((k) => k.available);
  const last = c.checks.slice(-8).reverse();
  const newest = c.checks[c.checks.length - 1].ts;
  const x = (ts: number) => (ts - newest) / 60_000;
  return (
    <div id="drift-checks">
      <LineChart
        xLabel="minutes before the newest check"
        yLabel="share"
        series={[
          {
            name: 'share of drifted features',
            color: '#e15759',
            points: shown.map((k) => ({ x: x(k.ts), y: k.share ?? null })),
          },
          {
            name: 'estimated accuracy',
            color: '#4e79a7',
            points: shown.map((k) => ({ x: x(k.ts), y: k.estimated_accuracy ?? null })),
          },
        ]}
      />
      <p class="muted">
        {c.checks.length} checks from {when(c.checks[0].ts)} to {when(c.checks[c.checks.length - 1].ts)}
      </p>
      <table>
        <thead>
          <tr>
            <th>time</th>
            <th>model</th>
            <th>replica</th>
            <th>drift share</th>
            <th>estimated accuracy</th>
            <th>alerts</th>
          </tr>
        </thead>
        <tbody>
          {last.map((k) => (
            <tr key={k.id}>
              <td>{when(k.ts)}</td>
              <td>{k.model ? `${k.model}/${k.version}` : '—'}</td>
              <td>{k.leader}</td>
              <td class="num">{k.available ? pct(k.share) : 'no features'}</td>
              <td class="num">{pct(k.estimated_accuracy)}</td>
              <td class={k.dataset_drifted || k.prediction_drifted || k.accuracy_drop ? 'bad' : 'good'}>
                {[
                  k.dataset_drifted && 'dataset drift',
                  k.prediction_drifted && 'prediction drift',
                  k.accuracy_drop && 'accuracy drop',
                ]
                  .filter(Boolean)
                  .join(', ') || 'none'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The served version's estimated accuracy over consecutive windows (mean calibrated top-class probability, with
 * its interval) against the test accuracy it was registered with.
 */
function AccuracyEstimate({ a }: { a: DriftAccuracyResponse }) {
  if (!a.available || !a.latest) return <p class="muted">{a.reason}</p>;
  const l = a.latest;
  const test = l.test_accuracy ?? null;
  const xy = (f: (p: DriftAccuracyResponse['points'][number]) => number) =>
    a.points.map((p, i) => ({ x: i + 1, y: f(p) }));
  return (
    <div id="drift-accuracy">
      <div class="stats">
        <Stat label={`estimated accuracy of ${a.model}/${a.version}`} value={pct(l.estimated)} />
        <Stat label={`${Math.round(l.level * 100)}% interval`} value={`${pct(l.low)} – ${pct(l.high)}`} />
        <Stat label="test accuracy" value={test === null ? '—' : pct(test)} />
        <Stat
          label="estimate − test"
          value={test === null ? '—' : `${((l.estimated - test) * 100).toFixed(1)} points`}
        />
        <Stat label="predictions" value={num(l.n)} />
        <Stat label="confidences" value={l.calibration} />
      </div>
      {l.warning && <p class="warn">{l.warning}</p>}
      <LineChart
        xLabel="window (oldest → newest)"
        yLabel="accuracy"
        hline={test === null ? undefined : { y: test, label: 'test accuracy' }}
        series={[
          { name: 'estimated accuracy', color: '#4e79a7', points: xy((p) => p.estimated) },
          { name: 'interval low', color: '#a0cbe8', dashed: true, points: xy((p) => p.low) },
          { name: 'interval high', color: '#a0cbe8', dashed: true, points: xy((p) => p.high) },
        ]}
      />
      <p class="muted">
        Mean calibrated top-class probability of the served predictions in each of {a.points.length} windows, from{' '}
        {when(a.points[0]?.from)} to {when(a.points[a.points.length - 1]?.to)}. It tracks drops from a changed class
        mix; under feature shift confidences stop being calibrated and it overestimates (see BENCHMARKS.md).
      </p>
    </div>
  );
}
