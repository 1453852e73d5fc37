/**
 * A drift report as one self-contained HTML file: inline CSS and inline SVG, no scripts, fonts or URLs, so it
 * opens offline and can be attached to a ticket. Sections: summary, features (drifted first, each with its test,
 * score, threshold and a reference-vs-current histogram), prediction drift, graph-structure drift, the served
 * OOD scores against the reference's, and the label-free accuracy estimate.
 */
import { barChart, escapeXml } from '../charts/svg.js';
import { TEST_INFO } from './column-drift.js';
import {
  type DriftReport,
  type HistogramPair,
  type NumericColumnReport,
  type OodReport,
  rankFeatures,
  type ScoreSummary,
} from './drift-report.js';
import type { VersionEstimate } from './estimate.js';

const REF_COLOR = '#9aa5b1';
const CUR_COLOR = '#e15759';

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) return v.toExponential(2);
  return v.toPrecision(4).replace(/\.?0+$/, '');
}

/**
 * Overlaid histograms: reference as a grey outline, current as translucent red bars. `width × height` pixels;
 * axis-free on purpose (a sparkline), with the range and the peak share in the tooltip.
 */
export function histogramSparkline(h: HistogramPair, width = 160, height = 36, label = ''): string {
  const bins = h.ref.length;
  const peak = Math.max(...h.ref, ...h.cur, 1e-12);
  const bw = width / bins;
  const y = (v: number) => height - 1 - (v / peak) * (height - 3);
  const bars = h.cur
    .map((v, i) => {
      const top = y(v);
      return `<rect x="${(i * bw).toFixed(1)}" y="${top.toFixed(1)}" width="${Math.max(bw - 0.6, 0.5).toFixed(1)}" height="${(height - 1 - top).toFixed(1)}" fill="${CUR_COLOR}" fill-opacity="0.55"/>`;
    })
    .join('');
  let path = `M0 ${height - 1}`;
  h.ref.forEach((v, i) => {
    path += ` L${(i * bw).toFixed(1)} ${y(v).toFixed(1)} L${((i + 1) * bw).toFixed(1)} ${y(v).toFixed(1)}`;
  });
  path += ` L${width} ${height - 1}`;
  const title = `${label} range [${fmt(h.edges[0])}, ${fmt(h.edges[bins])}]: grey = reference, red = current`;
  return `<svg class="spark" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img"><title>${escapeXml(title)}</title>${bars}<path d="${path}" fill="none" stroke="${REF_COLOR}" stroke-width="1.4"/><line x1="0" y1="${height - 0.5}" x2="${width}" y2="${height - 0.5}" stroke="#ccc"/></svg>`;
}

function badge(drifted: boolean): string {
  return drifted ? '<span class="badge bad">drift</span>' : '<span class="badge ok">ok</span>';
}

function testCell(c: { test: keyof typeof TEST_INFO; score: number; threshold: number }): string {
  const info = TEST_INFO[c.test];
  const rel = info.pValue ? '&lt;' : '≥';
  return `<td>${escapeXml(info.label)}</td><td class="num">${fmt(c.score)}</td><td class="num">${rel} ${fmt(c.threshold)}</td>`;
}

function featureRow(f: NumericColumnReport): string {
  return `<tr class="${f.drifted ? 'drifted' : ''}"><td>${escapeXml(f.name)}</td><td>${badge(f.drifted)}</td>${testCell(f)}<td class="num">${fmt(f.refMean)} ± ${fmt(f.refStd)}</td><td class="num">${fmt(f.curMean)} ± ${fmt(f.curStd)}</td><td>${f.hist ? histogramSparkline(f.hist, 160, 36, f.name) : ''}</td></tr>`;
}

const FEATURE_HEAD =
  '<tr><th>feature</th><th></th><th>test</th><th>score</th><th>drift when</th><th>reference mean ± std</th><th>current mean ± std</th><th>reference vs current</th></tr>';

function structureBlock(title: string, c: NumericColumnReport | undefined): string {
  if (!c) return `<div class="card"><h3>${title}</h3><p class="muted">not in the profile or the window</p></div>`;
  return `<div class="card"><h3>${title} ${badge(c.drifted)}</h3><table>${'<tr><th>test</th><th>score</th><th>drift when</th></tr>'}<tr>${testCell(c)}</tr></table><p class="muted">reference ${fmt(c.refMean)} ± ${fmt(c.refStd)} · current ${fmt(c.curMean)} ± ${fmt(c.curStd)} (n = ${c.curN}) · KS D ${fmt(c.stats.ks_d ?? Number.NaN)}</p>${c.hist ? histogramSparkline(c.hist, 360, 90, title) : ''}</div>`;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function scoreRow(label: string, s: ScoreSummary | null): string {
  if (!s) return `<tr><td>${label}</td><td colspan="5" class="muted">—</td></tr>`;
  return `<tr><td>${label}</td><td class="num">${s.n}</td><td class="num">${fmt(s.mean)} ± ${fmt(s.std)}</td><td class="num">${fmt(s.p05)}</td><td class="num">${fmt(s.p50)}</td><td class="num">${fmt(s.p95)}</td></tr>`;
}

const OOD_KIND = { nodes: 'Node queries', subgraph: 'Subgraph requests' } as const;

/** One kind's served OOD scores against the reference's: the test, both tails, the two distributions. */
function oodBlock(o: OodReport): string {
  const d = o.drift;
  const tails =
    o.aboveRefP95 === null || o.belowRefP5 === null
      ? ''
      : `<p>${pct(o.aboveRefP95)} of the window's ${o.kind === 'nodes' ? 'nodes' : 'requests'} score above the reference's 95th percentile, ${pct(o.belowRefP5)} below its 5th (about 5% each without drift).</p>`;
  return `<div class="card"><h3>${OOD_KIND[o.kind]} ${d ? badge(d.drifted) : ''}</h3>${d ? `<table><tr><th>test</th><th>score</th><th>drift when</th></tr><tr>${testCell(d)}</tr></table>` : `<p class="muted">${escapeXml(o.note ?? 'no reference scores')}</p>`}
<table><tr><th></th><th>${o.kind === 'nodes' ? 'nodes' : 'requests'}</th><th>mean ± std</th><th>5th pct</th><th>median</th><th>95th pct</th></tr>${scoreRow('reference', o.reference)}${scoreRow('current', o.current)}</table>
${tails}${d?.hist ? histogramSparkline(d.hist, 480, 100, 'OOD score') : ''}</div>`;
}

function oodSection(ood: OodReport[] | undefined): string {
  if (!ood || ood.length === 0) return '';
  return `<h2>Out-of-distribution scores</h2>
<p class="muted legend">GNNSafe energy per served node (higher = further from the training data), against the reference's scores computed when the version was registered, the way the server scores each kind of request: each queried node over the whole graph; each subgraph request by the mean over its nodes, against request-shaped ego subgraphs of the training graph (2 hops, ≤ 200 nodes). Drift can move the score either way: features pushed past the training range can make the model more confident and the energy lower.</p>
<div class="cards">${ood.map(oodBlock).join('\n')}</div>`;
}

/**
 * One served version's label-free estimate: the whole window beside the version's test accuracy, then each
 * predicted class's expected precision.
 */
function estimateBlock(e: VersionEstimate): string {
  const gap = e.testAccuracy === null ? '—' : `${((e.estimated - e.testAccuracy) * 100).toFixed(1)} points`;
  const classes = e.perClass
    .map(
      (c) =>
        `<tr><td class="num">${c.class}</td><td class="num">${c.n}</td><td class="num">${pct(c.estimated)}</td><td class="num">${pct(c.low)} – ${pct(c.high)}</td></tr>`,
    )
    .join('');
  return `<div class="card estimate"><h3>${escapeXml(e.model)}/${escapeXml(e.version)}</h3>
<table><tr><th>predictions</th><th>requests</th><th>estimated accuracy</th><th>${(e.level * 100).toFixed(0)}% interval</th><th>test accuracy</th><th>estimate − test</th><th>confidences</th></tr>
<tr><td class="num">${e.n}</td><td class="num">${e.requests}</td><td class="num big">${pct(e.estimated)}</td><td class="num">${pct(e.low)} – ${pct(e.high)}</td><td class="num">${e.testAccuracy === null ? '—' : pct(e.testAccuracy)}</td><td class="num">${gap}</td><td>${escapeXml(e.calibration)}</td></tr></table>
${e.warning ? `<p class="muted">${escapeXml(e.warning)}</p>` : ''}
<details><summary>per predicted class (expected precision)</summary><table><tr><th>class</th><th>predictions</th><th>estimated</th><th>interval</th></tr>${classes}</table></details></div>`;
}

function estimateSection(r: DriftReport): string {
  if (!r.accuracyEstimate) return '';
  const body =
    r.accuracyEstimate.length > 0
      ? r.accuracyEstimate.map(estimateBlock).join('\n')
      : '<p class="muted">No logged predictions in the window.</p>';
  return `<h2>Estimated accuracy (label-free)</h2>
<p class="muted legend">Mean calibrated top-class probability of the served predictions (confidence-based performance estimation): the accuracy to expect if the confidences are calibrated. The interval covers the sampling noise of the window, not miscalibration.</p>
${body}`;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1f2933;background:#f7f8fa}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{margin:0 0 4px;font-size:24px}h2{margin:28px 0 10px;font-size:18px}h3{margin:0 0 8px;font-size:15px}
.muted{color:#616e7c}.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{background:#fff;border:1px solid #e4e7eb;border-radius:8px;padding:12px 16px;min-width:200px}
.card .big{font-size:26px;font-weight:600}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600}
.bad{background:#fde8e8;color:#b42318}.ok{background:#e3f9e5;color:#207227}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{padding:4px 8px;border-bottom:1px solid #eef0f2;text-align:left;vertical-align:middle}
th{font-weight:600;background:#f0f2f5;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.drifted td:first-child{font-weight:600}
details summary{cursor:pointer;margin:10px 0}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
svg.spark{display:block}
`;

/** Render the report as a standalone HTML document. */
export function renderDriftHtml(r: DriftReport, title = 'gnnops drift report'): string {
  const ranked = rankFeatures(r.features);
  const drifted = ranked.filter((f) => f.drifted);
  const stable = ranked.filter((f) => !f.drifted);
  const meta = Object.entries(r.reference.meta)
    .filter(([, v]) => v !== undefined && v !== null && typeof v !== 'object')
    .map(([k, v]) => `${escapeXml(k)}: ${escapeXml(String(v))}`)
    .join(' · ');
  const d = r.dataset;
  const p = r.predictions;
  const summary = `<div class="cards">
<div class="card"><h3>dataset drift ${badge(d.drifted)}</h3><div class="big">${(d.share * 100).toFixed(1)}%</div><div class="muted">${d.driftedFeatures} of ${d.numFeatures} features drifted; drift when ≥ ${(d.shareThreshold * 100).toFixed(0)}%</div></div>
<div class="card"><h3>prediction drift ${p ? badge(p.drifted) : ''}</h3><div class="big">${p ? fmt(p.score) : '—'}</div><div class="muted">${p ? `${escapeXml(TEST_INFO[p.test].label)}, Jensen–Shannon ${fmt(p.stats.js)}` : 'no predictions in the window or profile'}</div></div>
<div class="card"><h3>degree drift ${r.structure.degrees ? badge(r.structure.degrees.drifted) : ''}</h3><div class="big">${r.structure.degrees ? fmt(r.structure.degrees.score) : '—'}</div><div class="muted">${r.structure.degrees ? escapeXml(TEST_INFO[r.structure.degrees.test].label) : 'not available'}</div></div>
<div class="card"><h3>subgraph-size drift ${r.structure.subgraphSizes ? badge(r.structure.subgraphSizes.drifted) : ''}</h3><div class="big">${r.structure.subgraphSizes ? fmt(r.structure.subgraphSizes.score) : '—'}</div><div class="muted">${r.structure.subgraphSizes ? escapeXml(TEST_INFO[r.structure.subgraphSizes.test].label) : 'not available'}</div></div>
</div>`;
  let predSection = '<p class="muted">No prediction distribution: the profile or the window has no predictions.</p>';
  if (p) {
    const chart = barChart({
      title: 'Predicted class shares',
      categories: p.refShares.map((_, i) => String(i)),
      series: [
        { name: 'reference', values: p.refShares, color: REF_COLOR },
        { name: 'current', values: p.curShares, color: CUR_COLOR },
      ],
      xLabel: 'class',
      yLabel: 'share',
      width: 640,
      height: 300,
    }).replace(' xmlns="http://www.w3.org/2000/svg"', '');
    predSection = `<div class="card"><table><tr><th>test</th><th>score</th><th>drift when</th><th>reference rows</th><th>current rows</th></tr><tr>${testCell(p)}<td class="num">${p.refN}</td><td class="num">${p.curN}</td></tr></table>${chart}</div>`;
  }
  const stableBlock =
    stable.length > 0
      ? `<details${drifted.length === 0 ? ' open' : ''}><summary>${stable.length} features without drift</summary><table>${FEATURE_HEAD}${stable.map(featureRow).join('\n')}</table></details>`
      : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeXml(title)}</title><style>${CSS}</style></head>
<body><main>
<h1>${escapeXml(title)}</h1>
<p class="muted">generated ${escapeXml(r.generatedAt)} in ${r.durationMs.toFixed(0)} ms · reference ${r.reference.rows} rows × ${r.reference.cols} features (profile of ${escapeXml(r.reference.createdAt)}) · current window ${r.current.rows} rows${meta ? ` · ${meta}` : ''}</p>
<h2>Summary</h2>
${summary}
<h2>Features</h2>
<p class="muted legend">Tests follow Evidently's defaults (${r.options.method === 'auto' ? 'KS for ≤ 1000 reference rows, normalised Wasserstein above' : `forced: ${escapeXml(r.options.method)}`}).<span style="background:${REF_COLOR}"></span>reference<span style="background:${CUR_COLOR}"></span>current (central 99% of values)</p>
${drifted.length > 0 ? `<table>${FEATURE_HEAD}${drifted.map(featureRow).join('\n')}</table>` : '<p>No feature drifted.</p>'}
${stableBlock}
<h2>Prediction drift</h2>
${predSection}
<h2>Graph-structure drift</h2>
<div class="cards">${structureBlock('Degree of requested nodes', r.structure.degrees)}${structureBlock('Subgraph size per request', r.structure.subgraphSizes)}</div>
${oodSection(r.ood)}
${estimateSection(r)}
</main></body></html>
`;
}
