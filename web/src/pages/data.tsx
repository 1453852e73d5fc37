import { useState } from 'preact/hooks';
import type { DataStats, ProjectionResponse } from '../api.js';
import { BarChart, Scatter } from '../charts.js';
import { Async, Card, classColor, num, pct, Stat, useApi } from '../ui.js';

const SOURCES: Record<string, string> = {
  hidden: 'the served model’s last hidden layer',
  output: 'the served model’s class probabilities',
  features: 'the node features',
};

function Projection() {
  const [source, setSource] = useState<'hidden' | 'output' | 'features'>('hidden');
  const [colorBy, setColorBy] = useState<'label' | 'predicted'>('label');
  const p = useApi<ProjectionResponse>(`/api/data/projection?source=${source}&max_points=3000`);
  return (
    <Card title="Embedding projection" wide>
      <div class="toolbar">
        <label>
          Of{' '}
          <select
            value={source}
            onChange={(e) => setSource((e.target as HTMLSelectElement).value as 'hidden' | 'output' | 'features')}
          >
            <option value="hidden">model hidden layer (embeddings)</option>
            <option value="output">model output (class probabilities)</option>
            <option value="features">input features</option>
          </select>
        </label>
        <label>
          Colour by{' '}
          <select
            value={colorBy}
            onChange={(e) => setColorBy((e.target as HTMLSelectElement).value as 'label' | 'predicted')}
          >
            <option value="label">true class</option>
            <option value="predicted">predicted class</option>
          </select>
        </label>
      </div>
      <Async state={p} what="projection">
        {(d) => (
          <div id="projection">
            <p class="muted">
              PCA of {SOURCES[d.source] ?? d.source} ({d.dims}-d): {d.points.length} of {num(d.total)} nodes (evenly
              strided); components explain {pct(d.explained[0])} and {pct(d.explained[1])} of the variance.
            </p>
            <Scatter
              points={d.points.map((q) => ({
                x: q.x,
                y: q.y,
                color: classColor(colorBy === 'predicted' ? (q.predicted ?? q.label) : q.label),
              }))}
            />
            <p class="legend">
              {d.class_names.map((n, c) => (
                <span key={n}>
                  <i style={{ background: classColor(c) }} /> {n}
                </span>
              ))}
            </p>
          </div>
        )}
      </Async>
    </Card>
  );
}

export function DataPage(_: { params: URLSearchParams }) {
  const st = useApi<DataStats>('/api/data/stats');
  return (
    <div class="grid">
      <Async state={st} what="dataset statistics">
        {({ stats: s, for_model }) => (
          <>
            <Card title={`Dataset ${s.dataset.name}${s.dataset.synthetic ? ' (synthetic)' : ''}`} wide>
              <div class="stats" id="data-stats">
                <Stat label="nodes" value={<span id="stat-nodes">{num(s.nodes)}</span>} />
                <Stat label="undirected edges" value={num(s.edges.undirected)} />
                <Stat label="features" value={num(s.features)} />
                <Stat label="classes" value={num(s.classes)} />
                <Stat label="edge homophily" value={num(s.homophily.edge, 3)} />
                <Stat label="mean degree" value={num(s.degree.mean, 2)} />
                <Stat label="isolated nodes" value={num(s.edges.isolatedNodes)} />
                <Stat label="splits" value={num(s.splits.count)} />
              </div>
              <p class="muted">
                hash <code>{s.dataset.hash}</code> · for model {for_model} · feature density{' '}
                {pct(s.featureSummary.density)} · test set {num(s.splits.test.size)} nodes
              </p>
            </Card>
            <Card title="Class balance">
              <BarChart
                bars={s.labels.counts.map((c, i) => ({
                  label: s.classNames[i] ?? String(i),
                  value: c,
                  color: classColor(i),
                }))}
              />
            </Card>
            <Card title="Degree distribution">
              <BarChart
                bars={[
                  { label: '0', value: s.degree.histogram.zero },
                  ...s.degree.histogram.counts.map((c, i) => ({
                    label: `${s.degree.histogram.edges[i]}–${(s.degree.histogram.edges[i + 1] ?? s.degree.histogram.edges[i] * 2) - 1}`,
                    value: c,
                  })),
                ]}
              />
              <p class="muted">
                degree min {s.degree.min}, median {num(s.degree.median)}, max {num(s.degree.max)} (log-2 bins)
              </p>
            </Card>
            <Card title="Homophily per class">
              <BarChart
                bars={s.homophily.perClass.map((h) => ({
                  label: h.name,
                  value: h.homophily,
                  color: classColor(h.class),
                }))}
              />
              <p class="muted">
                node homophily {num(s.homophily.node)}, class-insensitive {num(s.homophily.classInsensitive)}
              </p>
            </Card>
            <Card title="Split sizes (mean over splits)">
              <table class="compact">
                <tbody>
                  {(['train', 'val', 'stopping'] as const).map((k) => (
                    <tr key={k}>
                      <td>{k}</td>
                      <td class="num">{num(s.splits[k].size.mean, 1)}</td>
                    </tr>
                  ))}
                  <tr>
                    <td>test</td>
                    <td class="num">{num(s.splits.test.size)}</td>
                  </tr>
                </tbody>
              </table>
            </Card>
          </>
        )}
      </Async>
      <Projection />
    </div>
  );
}
