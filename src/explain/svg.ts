/**
 * One explanation as a standalone SVG: the computation subgraph on rings by hop distance (the explained node in
 * the centre), each edge drawn with a width and opacity by |importance| (the top-k in the accent colour, negative
 * saliency dashed), and beside it a bar chart of the top features.
 */
import { escapeXml, PALETTE } from '../charts/svg.js';
import type { ExplanationJson } from './json.js';

const W = 760;
const H = 460;
const R = 185;

export function explanationSvg(e: ExplanationJson, title?: string): string {
  const cx = 230;
  const cy = 258;
  // Tooltips name nodes by their original ids when the dataset has them.
  const idOf = new Map(e.nodes.map((v, i) => [v, e.node_ids?.[i] ?? String(v)]));
  const name = (v: number) => escapeXml(idOf.get(v) ?? String(v));
  const pos = new Map<number, [number, number]>();
  const byHop = new Map<number, number[]>();
  e.nodes.forEach((v, i) => {
    const d = e.distance[i];
    byHop.set(d, [...(byHop.get(d) ?? []), v]);
  });
  const hops = Math.max(1, ...e.distance);
  for (const [d, vs] of byHop) {
    vs.forEach((v, i) => {
      const a = (2 * Math.PI * i) / vs.length + d * 0.4;
      const r = (R * d) / hops;
      pos.set(v, [cx + r * Math.cos(a), cy + r * Math.sin(a)]);
    });
  }
  const top = new Set(e.top_edges.map((t) => `${t.source}>${t.target}`));
  const maxAbs = Math.max(1e-12, ...e.edges.map((t) => Math.abs(t.importance)));
  const parts: string[] = [];
  // weakest first, so the important edges are drawn on top
  const order = e.edges
    .map((_, k) => k)
    .sort((a, b) => Math.abs(e.edges[a].importance) - Math.abs(e.edges[b].importance));
  for (const k of order) {
    const t = e.edges[k];
    const [x1, y1] = pos.get(t.source) ?? [cx, cy];
    const [x2, y2] = pos.get(t.target) ?? [cx, cy];
    const s = Math.abs(t.importance) / maxAbs;
    const isTop = top.has(`${t.source}>${t.target}`);
    parts.push(
      `<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" stroke="${isTop ? PALETTE[2] : PALETTE[0]}" stroke-width="${(0.5 + 6 * s).toFixed(2)}" stroke-opacity="${(0.25 + 0.75 * s).toFixed(2)}"${t.importance < 0 ? ' stroke-dasharray="4 3"' : ''}><title>${name(t.source)} → ${name(t.target)}: ${t.importance.toPrecision(3)}</title></line>`,
    );
  }
  e.nodes.forEach((v, i) => {
    const [x, y] = pos.get(v) ?? [cx, cy];
    const centre = i === 0;
    parts.push(
      `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${centre ? 9 : 4}" fill="${centre ? PALETTE[2] : '#555'}"><title>node ${name(v)} (hop ${e.distance[i]})</title></circle>`,
    );
  });
  const fx = 500;
  const fw = 220;
  const maxF = Math.max(1e-12, ...e.top_features.map((f) => Math.abs(f.importance)));
  const bars = e.top_features.map((f, i) => {
    const y = 90 + i * 24;
    const w = (fw * Math.abs(f.importance)) / maxF;
    return (
      `<text x="${fx - 6}" y="${y + 12}" text-anchor="end" font-size="11">#${f.feature}</text>` +
      `<rect x="${fx}" y="${y}" width="${w.toFixed(1)}" height="16" fill="${f.importance < 0 ? PALETTE[1] : PALETTE[4]}"><title>feature ${f.feature}: ${f.importance.toPrecision(3)}</title></rect>` +
      `<text x="${(fx + w + 4).toFixed(1)}" y="${y + 12}" font-size="10">${f.importance.toPrecision(3)}</text>`
    );
  });
  const head =
    title ??
    `node ${e.node_id}: class ${e.label ?? e.class} (p = ${e.probability.toFixed(3)}), ${e.method}, ${e.edges.length} edges over ${e.hops} hops`;
  const fid = `fidelity+ ${e.fidelity_plus.toFixed(3)} · fidelity− ${e.fidelity_minus.toFixed(3)} · random ${e.fidelity_random.toFixed(3)} (top ${e.top_edges.length} edges)`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="12" y="22" font-size="14">${escapeXml(head)}</text>`,
    `<text x="12" y="42" font-size="11" fill="#555">${escapeXml(fid)}</text>`,
    `<text x="${fx}" y="76" font-size="12">top features by |importance|</text>`,
    ...parts,
    ...bars,
    '</svg>',
  ].join('\n');
}
