/**
 * Drift report speed and behaviour: `npm run bench -- drift [--data-file data.json] [--runs 5] [--windows 20]`.
 *
 * - Reference: 11,701 × 300 WikiCS-shaped features (src/monitor/synthetic.ts) or a WikiCS-format --data-file.
 * - Speed: profile once; then parse the profile JSON + driftReport over a 5,000-row window + HTML render, against
 *   the exact computation on the raw reference (sort both samples per column, exact KS and Wasserstein).
 * - Accuracy of the profile: worst |normalised W1| and |KS D| error against the exact values.
 * - False positives: 20 clean windows sampled from the reference rows (and 20 fresh draws of the same population).
 * - Detection: feature shift, noise, class-mix change and degree change.
 */
import { parseWikiCSFile } from '../src/data/datasets/wikics.js';
import { type CurrentWindow, driftReport } from '../src/monitor/drift-report.js';
import { csrDegrees, khopSizes } from '../src/monitor/graph-stats.js';
import { renderDriftHtml } from '../src/monitor/html-report.js';
import { computeProfile, sortedColumn } from '../src/monitor/profile.js';
import { parseProfile, serializeProfile } from '../src/monitor/profile-io.js';
import { buildSketch, compareSketch } from '../src/monitor/sketch.js';
import { ksStatisticSorted } from '../src/monitor/stats/ks.js';
import { normalisedWasserstein, wasserstein1Sorted } from '../src/monitor/stats/wasserstein.js';
import { applyDrift, type SyntheticGraphWindow, sampleRows, syntheticWindow } from '../src/monitor/synthetic.js';

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function loadReference(dataFile: string | undefined): Promise<SyntheticGraphWindow> {
  if (!dataFile) return syntheticWindow({ rows: 11701, cols: 300, seed: 1 });
  const g = await parseWikiCSFile(dataFile);
  const degrees = csrDegrees(g.indptr);
  const sizes = khopSizes(g.indptr, g.indices, 2);
  // No trained model here: the labels stand in for the reference predictions.
  return {
    features: g.features,
    rows: g.numNodes,
    cols: g.numFeatures,
    labels: g.labels,
    predictions: g.labels.map((y) => Math.max(0, y)),
    degrees,
    subgraphSizes: sizes,
  };
}

/** The exact per-column computation on raw data that a profile-free tool does: both samples sorted, then merged. */
function exactRaw(ref: SyntheticGraphWindow, cur: CurrentWindow): { ms: number; w: Float64Array; ks: Float64Array } {
  const t0 = performance.now();
  const w = new Float64Array(ref.cols);
  const ks = new Float64Array(ref.cols);
  for (let c = 0; c < ref.cols; c++) {
    const r = sortedColumn(ref.features, ref.rows, ref.cols, c);
    const x = sortedColumn(cur.features, cur.rows, cur.cols, c);
    let s = 0;
    let ss = 0;
    for (let i = 0; i < r.length; i++) s += r[i];
    const mean = s / r.length;
    for (let i = 0; i < r.length; i++) ss += (r[i] - mean) ** 2;
    w[c] = normalisedWasserstein(wasserstein1Sorted(r, x), Math.sqrt(ss / r.length));
    ks[c] = ksStatisticSorted(r, x);
  }
  return { ms: performance.now() - t0, w, ks };
}

export default async function bench(args: string[]): Promise<void> {
  const runs = Number(arg(args, 'runs') ?? 5);
  const windows = Number(arg(args, 'windows') ?? 20);
  const windowRows = Number(arg(args, 'window') ?? 5000);
  const ref = await loadReference(arg(args, 'data-file'));
  console.log(
    `reference: ${ref.rows} × ${ref.cols}${arg(args, 'data-file') ? ` from ${arg(args, 'data-file')}` : ' (synthetic WikiCS-shaped)'}`,
  );

  let t = performance.now();
  const profile = computeProfile(ref.features, ref.rows, ref.cols, {
    predictions: ref.predictions,
    numClasses: 10,
    degrees: ref.degrees,
    subgraphSizes: ref.subgraphSizes,
  });
  const profileMs = performance.now() - t;
  const text = serializeProfile(profile);
  console.log(`profile: ${profileMs.toFixed(0)} ms, ${(text.length / 1e6).toFixed(2)} MB JSON`);

  const current = sampleRows(ref, windowRows, 1000);
  const reportMs: number[] = [];
  const e2eMs: number[] = [];
  const exactMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    t = performance.now();
    const p = parseProfile(text);
    const t1 = performance.now();
    const r = driftReport(p, current);
    const t2 = performance.now();
    renderDriftHtml(r);
    e2eMs.push(performance.now() - t);
    reportMs.push(t2 - t1);
    exactMs.push(exactRaw(ref, current).ms);
  }
  console.log(
    `\n| step (300 features, ${ref.rows}-row reference, ${windowRows}-row window) | median of ${runs} |\n|---|---|`,
  );
  console.log(`| driftReport (sketch-based, all tests + histograms) | ${median(reportMs).toFixed(0)} ms |`);
  console.log(`| end to end: parse profile JSON + driftReport + HTML | ${median(e2eMs).toFixed(0)} ms |`);
  console.log(`| exact KS + Wasserstein on the raw reference (no profile) | ${median(exactMs).toFixed(0)} ms |`);

  // Approximation error of the profile against the exact computation, clean and shifted windows.
  let worstW = 0;
  let worstKs = 0;
  for (const win of [current, applyDrift(current, { shift: 0.2, noise: 0.3 })]) {
    const exact = exactRaw(ref, win);
    for (let c = 0; c < ref.cols; c++) {
      const cur = sortedColumn(win.features, win.rows, win.cols, c);
      const cmp = compareSketch(profile.features[c], cur);
      worstW = Math.max(worstW, Math.abs(normalisedWasserstein(cmp.w1, profile.features[c].std) - exact.w[c]));
      worstKs = Math.max(worstKs, Math.abs(cmp.ks - exact.ks[c]));
    }
  }
  console.log(
    `\nprofile vs exact on raw data: worst |Δ normalised W1| = ${worstW.toExponential(2)}, worst |Δ KS D| = ${worstKs.toExponential(2)}`,
  );

  // False positives.
  let fpSampled = 0;
  let fpFresh = 0;
  let maxShare = 0;
  for (let i = 0; i < windows; i++) {
    const a = driftReport(profile, sampleRows(ref, windowRows, 2000 + i), { histBins: 0 });
    const b = driftReport(profile, syntheticWindow({ rows: windowRows, cols: ref.cols, seed: 5000 + i }), {
      histBins: 0,
    });
    if (a.dataset.drifted) fpSampled++;
    if (b.dataset.drifted && !arg(args, 'data-file')) fpFresh++;
    maxShare = Math.max(maxShare, a.dataset.share, arg(args, 'data-file') ? 0 : b.dataset.share);
  }
  console.log(
    `\nclean windows flagged as dataset drift: ${fpSampled}/${windows} sampled from the reference rows` +
      `${arg(args, 'data-file') ? '' : `, ${fpFresh}/${windows} fresh draws of the same population`}; largest drift share ${maxShare.toFixed(3)}`,
  );

  // Detection.
  const base = sampleRows(ref, windowRows, 3000);
  const cases: [string, Parameters<typeof applyDrift>[1]][] = [
    ['feature shift +0.2 std, all features', { shift: 0.2 }],
    ['feature shift +0.5 std, 60% of features', { shift: 0.5, fraction: 0.6 }],
    ['Gaussian noise 0.5 std, all features', { noise: 0.5 }],
    ['Gaussian noise 1.0 std, all features', { noise: 1 }],
    ['class mix: 30% of predictions → class 0', { classMix: 0.3, toClass: 0 }],
    ['degrees × 1.5', { degreeScale: 1.5 }],
    [
      'all at once: shift 0.3, noise 0.5, class mix 0.3, degrees × 1.5',
      { shift: 0.3, noise: 0.5, classMix: 0.3, toClass: 0, degreeScale: 1.5 },
    ],
  ];
  console.log('\n| drifted window | dataset drift (share) | prediction drift (JS) | degree drift |\n|---|---|---|---|');
  for (const [name, spec] of cases) {
    const r = driftReport(profile, applyDrift(base, { ...spec, seed: 7 }), { histBins: 0 });
    console.log(
      `| ${name} | ${r.dataset.drifted ? 'yes' : 'no'} (${r.dataset.share.toFixed(2)}) | ${r.predictions?.drifted ? 'yes' : 'no'} (${r.predictions?.stats.js.toFixed(3)}) | ${r.structure.degrees?.drifted ? 'yes' : 'no'} (${r.structure.degrees?.score.toFixed(3)}) |`,
    );
  }

  // Noise of 0.5 std sits at the edge of the default rule: what the other tests make of it (and of a clean window).
  const noisy = applyDrift(base, { noise: 0.5, seed: 7 });
  const share = (w: typeof base, o: Parameters<typeof driftReport>[2]) =>
    driftReport(profile, w, { ...o, histBins: 0 }).dataset.share.toFixed(2);
  console.log(
    `\nnoise 0.5 std, drift share by test: auto ${share(noisy, {})}, ks ${share(noisy, { method: 'ks' })} (clean ${share(base, { method: 'ks' })}), ` +
      `psi ${share(noisy, { method: 'psi' })}, wasserstein at threshold 0.08 ${share(noisy, { threshold: 0.08 })}`,
  );

  // The small-reference path: KS p-values (asymptotic above the exact budget) on 1,000 reference rows.
  const small = sampleRows(ref, 1000, 4000);
  const smallProfile = computeProfile(small.features, small.rows, small.cols, { quantiles: 1000 });
  const ksMs: number[] = [];
  let ksReport = driftReport(smallProfile, current, { histBins: 0 });
  for (let i = 0; i < runs; i++) {
    t = performance.now();
    ksReport = driftReport(smallProfile, current, { histBins: 0 });
    ksMs.push(performance.now() - t);
  }
  const exactSketch = buildSketch(sortedColumn(small.features, small.rows, small.cols, 0)).kind;
  console.log(
    `\nKS path (1,000-row reference, ${exactSketch} sketches, ${windowRows}-row window): ${median(ksMs).toFixed(0)} ms, ` +
      `test ${ksReport.features[0].test}, ${ksReport.dataset.driftedFeatures}/${ksReport.dataset.numFeatures} features below p = 0.05`,
  );
}
