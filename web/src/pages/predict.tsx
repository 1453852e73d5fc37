import { useEffect, useMemo, useState } from 'preact/hooks';
import {
  ApiError,
  api,
  type NeighbourhoodResponse,
  type NodesResponse,
  type PredictResponse,
  type SearchResponse,
  type Subgraph,
} from '../api.js';
import { BarChart } from '../charts.js';
import { GraphView, type ViewNode } from '../graph-view.js';
import { Async, Card, classColor, ErrorBox, num, pct, Spinner, useApi } from '../ui.js';

function Legend({ names }: { names: string[] }) {
  return (
    <p class="legend">
      {names.map((n, c) => (
        <span key={n}>
          <i style={{ background: classColor(c) }} /> {n}
        </span>
      ))}
      <span class="muted"> · fill = predicted class, ring = true class</span>
    </p>
  );
}

function NodeResult({
  id,
  hops,
  maxNodes,
  onPick,
}: {
  id: number;
  hops: number;
  maxNodes: number;
  onPick: (id: number) => void;
}) {
  const [pred, setPred] = useState<{ data?: NodesResponse; error?: ApiError }>({});
  useEffect(() => {
    setPred({});
    api<NodesResponse>('/v1/predict/nodes', { method: 'POST', body: { node_ids: [id] } }).then(
      (data) => setPred({ data }),
      (e: unknown) => setPred({ error: e instanceof ApiError ? e : new ApiError(0, String(e)) }),
    );
  }, [id]);
  const nb = useApi<NeighbourhoodResponse>(`/api/graph/neighbourhood?node=${id}&hops=${hops}&max_nodes=${maxNodes}`);
  const view = useMemo(() => {
    const d = nb.data;
    if (!d) return null;
    const nodes: ViewNode[] = d.nodes.map((n) => ({
      id: n.id,
      fill: n.predicted ?? n.label,
      ring: n.label,
      label: n.title ? (n.title.length > 18 ? `${n.title.slice(0, 17)}…` : n.title) : String(n.id),
      center: n.id === d.center,
      level: n.hop,
    }));
    return { nodes, edges: d.edges as [number, number][] };
  }, [nb.data]);
  const p = pred.data?.predictions[0];
  const names = nb.data?.class_names ?? [];
  const wrong = nb.data
    ? nb.data.nodes.filter((n) => n.predicted !== undefined && n.label >= 0 && n.predicted !== n.label).length
    : 0;
  return (
    <div class="row">
      <Card title={`Node ${id}`}>
        {pred.error && <ErrorBox error={pred.error} />}
        {!p && !pred.error && <Spinner what="prediction" />}
        {p && (
          <div id="prediction">
            {p.title && <p class="title">{p.title}</p>}
            <p>
              Predicted:{' '}
              <b id="predicted-label" style={{ color: classColor(p.class) }}>
                {p.label ?? p.class}
              </b>{' '}
              ({pct(p.probabilities[p.class])})
              {nb.data?.nodes[0] && nb.data.nodes[0].label >= 0 && (
                <>
                  {' '}
                  · true: <b id="true-label">{names[nb.data.nodes[0].label] ?? nb.data.nodes[0].label}</b>
                </>
              )}
            </p>
            <p class="muted">
              by {pred.data?.model} v{pred.data?.version}
            </p>
            <BarChart
              bars={p.probabilities.map((v, c) => ({ label: names[c] ?? String(c), value: v, color: classColor(c) }))}
              height={190}
            />
          </div>
        )}
      </Card>
      <Card title={`Neighbourhood (${hops} hop${hops > 1 ? 's' : ''})`}>
        <Async state={nb} what="neighbourhood">
          {(d) => (
            <>
              <p class="muted" id="nb-summary">
                {d.nodes.length} nodes, {d.edges.length} edges
                {d.truncated ? ` (first ${d.nodes.length} of ${num(d.ball_size)} in the ball, nearest first)` : ''};{' '}
                {wrong} misclassified
                {d.model ? ` by ${d.model}` : ''}. Click a node to open it.
              </p>
              {view && <GraphView nodes={view.nodes} edges={view.edges} onPick={onPick} />}
              <Legend names={d.class_names} />
            </>
          )}
        </Async>
      </Card>
    </div>
  );
}

function Search({ onPick }: { onPick: (id: number) => void }) {
  const [q, setQ] = useState('');
  const [res, setRes] = useState<{ data?: SearchResponse; error?: ApiError; loading?: boolean }>({});
  const submit = async (e: Event) => {
    e.preventDefault();
    const t = q.trim();
    if (/^\d+$/.test(t)) {
      onPick(Number(t));
      return;
    }
    if (!t) return;
    setRes({ loading: true });
    try {
      setRes({ data: await api<SearchResponse>(`/api/graph/search?q=${encodeURIComponent(t)}&limit=15`) });
    } catch (err) {
      setRes({ error: err instanceof ApiError ? err : new ApiError(0, String(err)) });
    }
  };
  return (
    <form onSubmit={submit} class="toolbar">
      <input
        id="node-query"
        type="search"
        value={q}
        onInput={(e) => setQ((e.target as HTMLInputElement).value)}
        placeholder="Node id, or an article title (WikiCS)"
        size={40}
      />
      <button type="submit" id="node-go">
        Find
      </button>
      {res.loading && <Spinner what="matches" />}
      {res.error && <ErrorBox error={res.error} />}
      {res.data && !res.data.titles && <span class="muted">This dataset has no titles: enter a node id.</span>}
      {res.data?.titles && (
        <ul class="hits" id="search-hits">
          {res.data.hits.length === 0 && <li class="muted">No title matches.</li>}
          {res.data.hits.map((h) => (
            <li key={h.id}>
              <a href={`#/predict?node=${h.id}`} onClick={() => onPick(h.id)}>
                {h.title}
              </a>{' '}
              <span class="muted">#{h.id}</span>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}

/** Paste or upload a `/predict` body ({x, edge_index}); draw the subgraph coloured by prediction. */
function SubgraphPredict() {
  const [text, setText] = useState('');
  const [res, setRes] = useState<{ data?: PredictResponse; error?: Error; graph?: Subgraph; loading?: boolean }>({});
  const run = async () => {
    let body: Subgraph;
    try {
      body = JSON.parse(text) as Subgraph;
      if (!Array.isArray(body.x) || !Array.isArray(body.edge_index))
        throw new Error('expected {"x": [[…]], "edge_index": [[…], […]]}');
    } catch (e) {
      setRes({ error: new Error(`not a /predict body: ${(e as Error).message}`) });
      return;
    }
    setRes({ loading: true });
    try {
      setRes({ data: await api<PredictResponse>('/predict', { method: 'POST', body }), graph: body });
    } catch (e) {
      setRes({ error: e as Error });
    }
  };
  const view = useMemo(() => {
    if (!res.data?.node_predictions || !res.graph) return null;
    const preds = res.data.node_predictions;
    const n = res.graph.x.length;
    if (n > 500) return null;
    const [src, dst] = res.graph.edge_index;
    const seen = new Set<string>();
    const edges: [number, number][] = [];
    for (let e = 0; e < Math.min(src.length, dst.length); e++) {
      const a = Math.min(src[e], dst[e]);
      const b = Math.max(src[e], dst[e]);
      if (a === b || seen.has(`${a},${b}`)) continue;
      seen.add(`${a},${b}`);
      edges.push([a, b]);
    }
    const nodes: ViewNode[] = preds.map((c, i) => ({
      id: i,
      fill: c,
      ring: -1,
      label: String(i),
      level: i === 0 ? 0 : 1,
      center: i === 0,
    }));
    return { nodes, edges };
  }, [res.data, res.graph]);
  return (
    <Card title="Predict a subgraph (POST /predict body)" wide>
      <div class="toolbar">
        <input
          type="file"
          accept=".json,application/json"
          onChange={async (e) => {
            const f = (e.target as HTMLInputElement).files?.[0];
            if (f) setText(await f.text());
          }}
        />
        <button type="button" id="subgraph-go" onClick={run} disabled={!text.trim()}>
          Predict
        </button>
      </div>
      <textarea
        id="subgraph-json"
        rows={5}
        value={text}
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        placeholder='{"x": [[0.1, …], …], "edge_index": [[0, 1], [1, 0]]}'
      />
      {res.loading && <Spinner what="predictions" />}
      {res.error && <ErrorBox error={res.error} />}
      {res.data?.node_predictions && (
        <div class="row" id="subgraph-result">
          <table class="compact">
            <thead>
              <tr>
                <th>node</th>
                <th>class</th>
                <th>p</th>
              </tr>
            </thead>
            <tbody>
              {res.data.node_predictions.slice(0, 50).map((c, i) => (
                <tr key={i}>
                  <td>{i}</td>
                  <td style={{ color: classColor(c) }}>{res.data?.labels?.[i] ?? c}</td>
                  <td class="num">{pct(res.data?.probabilities?.[i]?.[c])}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {view && <GraphView nodes={view.nodes} edges={view.edges} />}
        </div>
      )}
    </Card>
  );
}

export function PredictPage({ params }: { params: URLSearchParams }) {
  const initial = params.get('node');
  const [node, setNode] = useState<number | null>(initial !== null && /^\d+$/.test(initial) ? Number(initial) : null);
  // the URL wins when it changes (a link, the back button, an edited address)
  useEffect(() => {
    if (initial !== null && /^\d+$/.test(initial)) setNode(Number(initial));
  }, [initial]);
  const [hops, setHops] = useState(2);
  const [maxNodes, setMaxNodes] = useState(120);
  const pick = (id: number) => {
    setNode(id);
    history.replaceState(null, '', `#/predict?node=${id}`);
  };
  return (
    <div class="grid">
      <Card title="Pick a node" wide>
        <Search onPick={pick} />
        <div class="toolbar">
          <label>
            Hops{' '}
            <select value={hops} onChange={(e) => setHops(Number((e.target as HTMLSelectElement).value))}>
              <option value={1}>1</option>
              <option value={2}>2</option>
            </select>
          </label>
          <label>
            Max nodes{' '}
            <select value={maxNodes} onChange={(e) => setMaxNodes(Number((e.target as HTMLSelectElement).value))}>
              {[50, 120, 250, 500].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
        </div>
      </Card>
      {node !== null && (
        <NodeResult key={`${node}-${hops}-${maxNodes}`} id={node} hops={hops} maxNodes={maxNodes} onPick={pick} />
      )}
      <SubgraphPredict />
    </div>
  );
}
