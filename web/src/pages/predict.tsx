import { useEffect, useMemo, useState } from 'preact/hooks';
import {
  ApiError,
  api,
  type ExplainResponse,
  type NeighbourhoodResponse,
  type NodesResponse,
  type PredictResponse,
  type SearchResponse,
  type Subgraph,
} from '../api.js';
import { BarChart } from '../charts.js';
import { type EdgeStroke, GraphView, type ViewNode } from '../graph-view.js';
import { Async, Card, classColor, ErrorBox, num, pct, Spinner, Stat, useApi } from '../ui.js';

type Explanation = ExplainResponse['explanations'][number];

const TOP_EDGE = '#e15759';
const OTHER_EDGE = '#4e79a7';

/**
 * Edge strokes as the CLI's explanation SVG draws them: width and opacity grow with |importance| relative to the
 * largest in the subgraph, the top-k edges in the accent colour, negative (saliency) importances dashed.
 */
function explanationStrokes(e: Explanation): EdgeStroke[] {
  const maxAbs = Math.max(1e-12, ...e.edges.map((t) => Math.abs(t.importance)));
  const top = new Set(e.top_edges.map((t) => `${t.source}>${t.target}`));
  return e.edges.map((t) => {
    const s = Math.abs(t.importance) / maxAbs;
    return {
      width: 0.5 + 6 * s,
      opacity: 0.25 + 0.75 * s,
      color: top.has(`${t.source}>${t.target}`) ? TOP_EDGE : OTHER_EDGE,
      dashed: t.importance < 0,
    };
  });
}

/** The Explain action for one node: POST /v1/explain/nodes, then its computation subgraph, features and fidelity. */
function ExplainNode({ id, names, trueLabel }: { id: string; names: string[]; trueLabel: number }) {
  const [method, setMethod] = useState<'saliency' | 'gnnexplainer'>('saliency');
  const [topK, setTopK] = useState(5);
  const [res, setRes] = useState<{ data?: ExplainResponse; error?: ApiError; loading?: boolean }>({});
  const run = async () => {
    setRes({ loading: true });
    try {
      const data = await api<ExplainResponse>('/v1/explain/nodes', {
        method: 'POST',
        body: { node_ids: [id], method, top_k: topK },
      });
      setRes({ data });
    } catch (e) {
      setRes({ error: e instanceof ApiError ? e : new ApiError(0, String(e)) });
    }
  };
  const e = res.data?.explanations[0];
  // nodes and edges come as indices; a dataset imported with its own ids names them by those
  const nameOf = (v: number) => {
    const k = e?.nodes.indexOf(v) ?? -1;
    return e?.node_ids?.[k] ?? String(v);
  };
  const view = useMemo(() => {
    if (!e) return null;
    const nodes: ViewNode[] = e.nodes.map((v, i) => ({
      id: v,
      // the explained node in its predicted class (ring: true class); the others grey, placed by hop
      fill: i === 0 ? e.class : -1,
      ring: i === 0 ? trueLabel : -1,
      label: e.node_ids?.[i] ?? String(v),
      center: i === 0,
      level: e.distance[i],
    }));
    const edges = e.edges.map((t) => [t.source, t.target] as [number, number]);
    return { nodes, edges, strokes: explanationStrokes(e) };
  }, [e, trueLabel]);
  return (
    <Card title={`Why node ${id}?`} wide>
      <div class="toolbar">
        <label>
          Method{' '}
          <select
            id="explain-method"
            value={method}
            onChange={(ev) => setMethod((ev.target as HTMLSelectElement).value as 'saliency' | 'gnnexplainer')}
          >
            <option value="saliency">saliency (gradient × input, fast)</option>
            <option value="gnnexplainer">GNNExplainer (learnt masks, ~1 s)</option>
          </select>
        </label>
        <label>
          Top-k edges{' '}
          <input
            id="explain-top-k"
            type="number"
            min={1}
            max={1000}
            value={topK}
            onInput={(ev) => setTopK(Math.max(1, Number((ev.target as HTMLInputElement).value) || 1))}
            size={4}
          />
        </label>
        <button type="button" id="explain-go" onClick={run} disabled={res.loading}>
          Explain
        </button>
        {res.loading && <Spinner what="explanation" />}
      </div>
      {res.error && <ErrorBox error={res.error} retry={run} />}
      {e && view && (
        <div id="explanation">
          <p class="muted" id="explain-summary">
            {e.method} explanation of class{' '}
            <b style={{ color: classColor(e.class) }}>{e.label ?? names[e.class] ?? e.class}</b> (uncalibrated p ={' '}
            {num(e.probability)}, the probability fidelity is measured on) over the {e.hops}-hop computation subgraph:{' '}
            {e.nodes.length} nodes, {e.edges.length} edges; {num(e.ms, 1)} ms.
          </p>
          <div class="stats" id="fidelity">
            <Stat
              label="fidelity+ (top-k removed)"
              value={<span id="fidelity-plus">{num(e.fidelity_plus)}</span>}
              hint="Drop of the predicted class's probability when the top-k edges are removed: high is good"
            />
            <Stat
              label="fidelity− (only top-k kept)"
              value={<span id="fidelity-minus">{num(e.fidelity_minus)}</span>}
              hint="The same drop when only the top-k edges are kept: low is good"
            />
            <Stat
              label="random k removed"
              value={<span id="fidelity-random">{num(e.fidelity_random)}</span>}
              hint="The drop when k random edges are removed (mean of 5 seeded draws): the baseline for fidelity+"
            />
          </div>
          <div class="row">
            <div id="explain-graph">
              <GraphView nodes={view.nodes} edges={view.edges} strokes={view.strokes} />
              <p class="legend">
                <span>
                  <i style={{ background: TOP_EDGE }} /> top {e.top_edges.length} edges
                </span>
                <span>
                  <i style={{ background: OTHER_EDGE }} /> other edges
                </span>
                <span class="muted">
                  {' '}
                  · width and opacity = |importance| (relative to the largest), arrows = message direction, dashed =
                  negative; large node = node {id}
                </span>
              </p>
            </div>
            <div>
              <h3>Top features</h3>
              <BarChart
                bars={e.top_features.map((f) => ({
                  label: `#${f.feature}`,
                  value: Math.abs(f.importance),
                  color: f.importance < 0 ? '#f28e2b' : '#59a14f',
                }))}
                height={170}
              />
              <table class="compact" id="top-features">
                <thead>
                  <tr>
                    <th>feature</th>
                    <th>importance</th>
                  </tr>
                </thead>
                <tbody>
                  {e.top_features.map((f) => (
                    <tr key={f.feature}>
                      <td>#{f.feature}</td>
                      <td class="num">{f.importance.toPrecision(3)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <h3>Top edges</h3>
              <table class="compact" id="top-edges">
                <thead>
                  <tr>
                    <th>edge</th>
                    <th>importance</th>
                  </tr>
                </thead>
                <tbody>
                  {e.top_edges.map((t) => (
                    <tr key={`${t.source}>${t.target}`}>
                      <td>
                        {nameOf(t.source)} → {nameOf(t.target)}
                      </td>
                      <td class="num">{t.importance.toPrecision(3)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        </div>
      )}
    </Card>
  );
}

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
  id: string;
  hops: number;
  maxNodes: number;
  onPick: (id: string) => void;
}) {
  const [pred, setPred] = useState<{ data?: NodesResponse; error?: ApiError }>({});
  useEffect(() => {
    setPred({});
    api<NodesResponse>('/v1/predict/nodes', { method: 'POST', body: { node_ids: [id] } }).then(
      (data) => setPred({ data }),
      (e: unknown) => setPred({ error: e instanceof ApiError ? e : new ApiError(0, String(e)) }),
    );
  }, [id]);
  const nb = useApi<NeighbourhoodResponse>(
    `/api/graph/neighbourhood?node=${encodeURIComponent(id)}&hops=${hops}&max_nodes=${maxNodes}`,
  );
  const view = useMemo(() => {
    const d = nb.data;
    if (!d) return null;
    const nodes: ViewNode[] = d.nodes.map((n) => ({
      id: n.id,
      fill: n.predicted ?? n.label,
      ring: n.label,
      label: n.title ? (n.title.length > 18 ? `${n.title.slice(0, 17)}…` : n.title) : String(n.node_id),
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
              {view && (
                <GraphView
                  nodes={view.nodes}
                  edges={view.edges}
                  onPick={(v) => onPick(String(d.nodes.find((n) => n.id === v)?.node_id ?? v))}
                />
              )}
              <Legend names={d.class_names} />
            </>
          )}
        </Async>
      </Card>
      {p && <ExplainNode id={id} names={names} trueLabel={nb.data?.nodes[0]?.label ?? -1} />}
    </div>
  );
}

function Search({ onPick }: { onPick: (id: string) => void }) {
  const [q, setQ] = useState('');
  const [res, setRes] = useState<{ data?: SearchResponse; error?: ApiError; loading?: boolean }>({});
  const submit = async (e: Event) => {
    e.preventDefault();
    const t = q.trim();
    if (/^\d+$/.test(t)) {
      onPick(t);
      return;
    }
    if (!t) return;
    setRes({ loading: true });
    try {
      const data = await api<SearchResponse>(`/api/graph/search?q=${encodeURIComponent(t)}&limit=15`);
      // without titles the text is a node id (a dataset imported with ids of its own)
      if (!data.titles) {
        setRes({});
        onPick(t);
        return;
      }
      setRes({ data });
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
        placeholder="Node id (as imported), or an article title (WikiCS)"
        size={40}
      />
      <button type="submit" id="node-go">
        Find
      </button>
      {res.loading && <Spinner what="matches" />}
      {res.error && <ErrorBox error={res.error} />}
      {res.data?.titles && (
        <ul class="hits" id="search-hits">
          {res.data.hits.length === 0 && <li class="muted">No title matches.</li>}
          {res.data.hits.map((h) => (
            <li key={h.id}>
              <a
                href={`#/predict?node=${encodeURIComponent(String(h.node_id))}`}
                onClick={() => onPick(String(h.node_id))}
              >
                {h.title}
              </a>{' '}
              <span class="muted">#{h.node_id}</span>
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
  const [node, setNode] = useState<string | null>(initial ? initial : null);
  // the URL wins when it changes (a link, the back button, an edited address)
  useEffect(() => {
    if (initial) setNode(initial);
  }, [initial]);
  const [hops, setHops] = useState(2);
  const [maxNodes, setMaxNodes] = useState(120);
  const pick = (id: string) => {
    setNode(id);
    history.replaceState(null, '', `#/predict?node=${encodeURIComponent(id)}`);
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
