import type { OverviewResponse } from '../api.js';
import { AuditTable } from '../audit-table.js';
import { LineChart } from '../charts.js';
import { Async, Card, num, pct, Stat, useApi } from '../ui.js';

export function OverviewPage(_: { params: URLSearchParams }) {
  const ov = useApi<OverviewResponse>('/api/overview', 5000);
  return (
    <Async state={ov} what="overview">
      {(o) => {
        const m = o.model;
        const acc = m?.metrics.test_acc_mean ?? m?.metrics.val_acc_mean ?? m?.metrics.val_acc ?? null;
        const accName = m?.metrics.test_acc_mean !== undefined ? 'test accuracy (mean)' : 'validation accuracy';
        const t = o.traffic;
        return (
          <div class="grid">
            <Card title="Served model">
              {m ? (
                <>
                  <div class="stats">
                    <Stat label="model" value={<span id="served-model">{m.name}</span>} />
                    <Stat label="version" value={<span id="served-version">v{m.version}</span>} />
                    <Stat label={accName} value={<span id="served-accuracy">{pct(acc)}</span>} />
                  </div>
                  <dl class="kv">
                    <dt>following</dt>
                    <dd>{m.source ?? m.ref}</dd>
                    <dt>aliases</dt>
                    <dd>{m.aliases?.length ? m.aliases.join(', ') : '—'}</dd>
                    <dt>dataset</dt>
                    <dd>{m.dataset ?? '—'}</dd>
                    <dt>run</dt>
                    <dd>
                      {m.run_id ? (
                        <a href={`#/experiments?run=${m.run_id}`}>
                          <code>{m.run_id.slice(0, 12)}</code>
                        </a>
                      ) : (
                        '—'
                      )}
                    </dd>
                    <dt>loaded</dt>
                    <dd>{m.loaded_at.replace('T', ' ').slice(0, 19)}</dd>
                    <dt>graph nodes</dt>
                    <dd>{num(m.graph_nodes)}</dd>
                  </dl>
                </>
              ) : (
                <p class="error">No model is loaded yet: the server is {o.ready ? 'ready' : 'not ready'}.</p>
              )}
            </Card>
            <Card title="Traffic (prediction routes)">
              <div class="stats">
                <Stat
                  label="requests/s"
                  value={<span id="traffic-rps">{num(t.rps, 2)}</span>}
                  hint={`over the last ${t.interval_s.toFixed(0)} s`}
                />
                <Stat
                  label="p50 latency"
                  value={t.p50_ms === null ? '—' : `${num(t.p50_ms, 1)} ms`}
                  hint={`over the last ${num(t.latency_window_s, 0)} s`}
                />
                <Stat
                  label="p99 latency"
                  value={t.p99_ms === null ? '—' : `${num(t.p99_ms, 1)} ms`}
                  hint={`over the last ${num(t.latency_window_s, 0)} s`}
                />
                <Stat label="requests" value={<span id="traffic-total">{num(t.requests_total)}</span>} />
                <Stat label="errors" value={num(t.errors_total)} />
              </div>
              {t.series.length > 1 ? (
                <LineChart
                  height={160}
                  xLabel="seconds ago"
                  series={[
                    {
                      name: 'requests/s',
                      color: '#4e79a7',
                      points: t.series.map((p) => ({ x: (p.t - Date.now()) / 1000, y: p.rps })),
                    },
                  ]}
                />
              ) : (
                <p class="muted">The rate chart fills in as the server samples its counters (every 5 s).</p>
              )}
            </Card>
            <Card title="Drift">
              {o.drift ? (
                <div class="stats">
                  <Stat
                    label="status"
                    value={
                      <span id="overview-drift" class={o.drift.drifted ? 'bad' : 'good'}>
                        {o.drift.drifted ? 'drifting' : 'no drift'}
                      </span>
                    }
                  />
                  <Stat label="drifted features" value={pct(o.drift.share)} />
                  <Stat label="checked" value={o.drift.checked_at.slice(11, 19)} />
                </div>
              ) : (
                <p class="muted">
                  No drift check yet. <a href="#/drift">Open the Drift page</a> to run one on the request log.
                </p>
              )}
            </Card>
            <Card title="Last promotions" wide>
              {o.promotions.length === 0 ? (
                <p class="muted">No alias has moved yet.</p>
              ) : (
                <AuditTable id="promotions" entries={o.promotions} withModel />
              )}
            </Card>
          </div>
        );
      }}
    </Async>
  );
}
