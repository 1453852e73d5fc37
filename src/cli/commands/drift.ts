/**
 * `gnnops drift profile` computes a reference profile of a dataset's features;
 * `gnnops drift report` compares a current window with a profile and writes a self-contained HTML report.
 */
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { Command } from 'commander';
import { resolveConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { parseWikiCSFile, wikicsFromJson } from '../../data/datasets/wikics.js';
import type { GraphData } from '../../data/graph.js';
import { generateSynthetic } from '../../data/synth.js';
import { databaseTarget } from '../../db/index.js';
import { TEST_INFO } from '../../monitor/column-drift.js';
import { windowFromRequestLog } from '../../monitor/drift-check.js';
import {
  accuracyEstimateSection,
  type DriftReport,
  driftReport,
  type OodReport,
  rankFeatures,
  summarizeDrift,
  withOodCheck,
} from '../../monitor/drift-report.js';
import { type VersionEstimate, type VersionFacts, versionFacts } from '../../monitor/estimate.js';
import { csrDegrees, khopSizes } from '../../monitor/graph-stats.js';
import { renderDriftHtml } from '../../monitor/html-report.js';
import { openLogStore } from '../../monitor/log-store.js';
import { computeProfile, type ProfileExtra, type ReferenceProfile } from '../../monitor/profile.js';
import { parseProfile, readProfile, writeProfile } from '../../monitor/profile-io.js';
import { makeRequestSampler, requestShapedStructure, simulateTraffic } from '../../monitor/simulate.js';
import { readIntVector, readWindowFile } from '../../monitor/window-file.js';
import { Registry } from '../../registry/index.js';
import { readRequestLog } from '../../request-log/reader.js';
import { openStore } from '../../track/store.js';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/fs.js';
import { homePath } from '../../util/home.js';
import { emit, intFlag, table } from '../output.js';
import { registerDriftHistory } from './drift-history.js';
import { registerPruneLog } from './drift-prune-log.js';
import { useStoreConfig } from './runs.js';

interface ProfileOpts {
  dataFile?: string;
  rowsFile?: string;
  dataset?: string;
  predictions?: string;
  numClasses?: string;
  hops?: string;
  maxNodes?: string;
  structure?: string;
  out?: string;
  config?: string;
  json?: boolean;
}

interface SimulateOpts {
  url: string;
  dataFile?: string;
  dataset?: string;
  requests?: string;
  concurrency?: string;
  shift?: string;
  noise?: string;
  fraction?: string;
  classMix?: string;
  toClass?: string;
  hops?: string;
  maxNodes?: string;
  seed?: string;
  apiKey?: string;
  json?: boolean;
}

/**
 * The reference of a report: a profile file, or the profile registered with a model version (computed once at
 * registration, so the raw training data is never read again).
 */
async function loadReference(
  ref: string | undefined,
  model: string | undefined,
): Promise<{
  profile: ReferenceProfile;
  defaultedModel?: string;
  version?: { model: string; version: number };
  file?: string;
}> {
  // Anything that exists or looks like a file is a profile file (so a missing one is reported as such).
  if (ref && (existsSync(ref) || /\.json$|^\.{0,2}\//i.test(ref)))
    return { profile: readProfile(ref), file: resolve(ref) };
  const store = await openStore({ recover: false });
  try {
    const registry = new Registry(store);
    const defaultedModel = ref || model ? undefined : await registry.soleModelWithAlias('production');
    const v = await registry.resolve(ref ?? `${model ?? defaultedModel}@production`);
    if (!v.referenceProfileDigest || !store.cas.has(v.referenceProfileDigest)) {
      throw new GnnopsError(
        ErrorCodes.NOT_FOUND,
        `${v.model}/${v.version} was registered without a reference profile; pass --reference PROFILE.json (gnnops drift profile)`,
        { field: 'reference', model: v.model, version: v.version },
      );
    }
    const profile = parseProfile(store.cas.read(v.referenceProfileDigest).toString('utf8'), `${v.model}/${v.version}`);
    const version = { model: v.model, version: v.version };
    return defaultedModel ? { profile, defaultedModel, version } : { profile, version };
  } finally {
    await store.close();
  }
}

interface ReportOpts {
  reference?: string;
  current?: string;
  window?: string;
  since?: string;
  model?: string;
  replica?: string;
  out?: string;
  method?: string;
  shareThreshold?: string;
  config?: string;
  json?: boolean;
}

function numOption(name: string, v: string | undefined, lo: number, hi: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < lo || n > hi)
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `--${name} must be a number in [${lo}, ${hi}], got "${v}"`, {
      field: name,
      value: v,
    });
  return n;
}

async function loadGraph(opts: { dataFile?: string; dataset?: string }): Promise<GraphData | undefined> {
  if (opts.dataFile) return parseWikiCSFile(opts.dataFile);
  if (opts.dataset === 'synthetic') return wikicsFromJson(generateSynthetic(), { source: 'synthetic' });
  if (opts.dataset)
    throw new GnnopsError(
      ErrorCodes.INVALID_ARGUMENT,
      `--dataset ${opts.dataset}: only "synthetic" is available here; pass the dataset file with --data-file PATH`,
      { field: 'dataset', value: opts.dataset },
    );
  return undefined;
}

async function buildProfile(opts: ProfileOpts, cfg: Config): Promise<ReferenceProfile> {
  const sources = [opts.dataFile, opts.rowsFile, opts.dataset].filter((s) => s !== undefined);
  if (sources.length !== 1)
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, 'give exactly one of --data-file, --rows-file or --dataset');
  const hops = intFlag('hops', opts.hops, 0, 5) ?? 2;
  const extra: ProfileExtra = { quantiles: cfg.drift.quantiles };
  const graph = await loadGraph(opts);
  let features: Float32Array;
  let rows: number;
  let cols: number;
  if (graph) {
    ({ features, numNodes: rows, numFeatures: cols } = graph);
    const maxNodes = intFlag('max-nodes', opts.maxNodes, 1, 100000) ?? 200;
    const structure = opts.structure ?? 'requests';
    if (structure === 'requests') {
      // What the server logs for subgraph requests: in-request degrees and node counts of ego subgraphs.
      const s = requestShapedStructure(graph, { hops, maxNodes, samples: 2000 });
      extra.degrees = s.degrees;
      extra.subgraphSizes = s.subgraphSizes;
    } else if (structure === 'graph') {
      extra.degrees = csrDegrees(graph.indptr);
      // 2,000 sampled roots describe the k-hop size distribution well and keep this well under a second.
      if (hops > 0) extra.subgraphSizes = khopSizes(graph.indptr, graph.indices, hops, 2000);
    } else
      throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `--structure must be requests or graph, got "${structure}"`, {
        field: 'structure',
        value: structure,
      });
    extra.numClasses = graph.numClasses;
    extra.meta = { dataset: graph.name, datasetHash: graph.hash, hops, maxNodes, structure };
  } else {
    const w = readWindowFile(opts.rowsFile!);
    ({ features, rows, cols } = w);
    if (w.predictions) extra.predictions = w.predictions;
    if (w.degrees) extra.degrees = w.degrees;
    if (w.subgraphSizes) extra.subgraphSizes = w.subgraphSizes;
    extra.meta = { source: opts.rowsFile };
  }
  if (opts.predictions) extra.predictions = readIntVector(opts.predictions);
  const k = intFlag('num-classes', opts.numClasses, 1, 100000);
  if (k !== undefined) extra.numClasses = k;
  if (extra.predictions && extra.numClasses === undefined)
    extra.numClasses = Math.max(...Array.from(extra.predictions)) + 1;
  return computeProfile(features, rows, cols, extra);
}

/** `30m`, `2h`, `1d` ago, or an ISO time, as epoch milliseconds. */
export function parseSince(v: string, now = Date.now()): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(v.trim());
  if (m) return now - Number(m[1]) * { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[m[2] as 's' | 'm' | 'h' | 'd'];
  const t = Date.parse(v);
  if (Number.isNaN(t))
    throw new GnnopsError(
      ErrorCodes.INVALID_ARGUMENT,
      `--since must be an age (30m, 2h, 1d) or an ISO time, got "${v}"`,
      {
        field: 'since',
        value: v,
      },
    );
  return t;
}

/**
 * The current window from the request log of the workspace store (every replica's rows, or one replica's), and the
 * label-free accuracy estimate of each model version served in it, beside what the registry knows of the version
 * (fitted temperature, test accuracy).
 */
async function storeWindow(
  cols: number,
  o: { last: number; since?: string; model?: string; replica?: string },
): Promise<{ window: ReturnType<typeof windowFromRequestLog>; estimate: VersionEstimate[] }> {
  const log = await openLogStore(databaseTarget());
  let entries: Awaited<ReturnType<typeof readRequestLog>>;
  try {
    entries = await readRequestLog(log.db, {
      last: o.last,
      ...(o.since ? { since: parseSince(o.since) } : {}),
      ...(o.model ? { model: o.model } : {}),
      ...(o.replica ? { replica: o.replica } : {}),
    });
  } finally {
    await log.db.close();
  }
  const w = windowFromRequestLog(entries, cols);
  if (w.rows === 0)
    throw new GnnopsError(
      ErrorCodes.DATA_NOT_FOUND,
      `the request log has no sampled feature rows of width ${cols} in this window (${entries.length} requests read${
        o.replica ? ` of replica ${o.replica}` : ''
      }); raise serve.log_sample_rate or pass --current FILE`,
      { requests: entries.length },
    );
  const store = await openStore({ recover: false });
  try {
    const registry = new Registry(store);
    const known = new Map<string, VersionFacts | undefined>();
    for (const e of entries) {
      const key = `${e.model}/${e.version}`;
      if (known.has(key)) continue;
      try {
        known.set(key, versionFacts((await registry.getVersion(e.model, e.version)).metrics));
      } catch {
        // a bare checkpoint (or a version since deleted): the estimate stands without the registry's facts
        known.set(key, undefined);
      }
    }
    return {
      window: w,
      estimate: accuracyEstimateSection(entries, (model, version) => known.get(`${model}/${version}`)),
    };
  } finally {
    await store.close();
  }
}

/** The report without its histograms: what --json prints. */
function reportJson(r: DriftReport): Record<string, unknown> {
  const strip = <T extends { hist?: unknown }>(c: T | undefined) => {
    if (!c) return c;
    const { hist: _hist, ...rest } = c;
    return rest;
  };
  return {
    ...r,
    summary: summarizeDrift(r),
    features: r.features.map(strip),
    structure: { degrees: strip(r.structure.degrees), subgraphSizes: strip(r.structure.subgraphSizes) },
    ...(r.ood ? { ood: r.ood.map((o) => ({ ...o, drift: o.drift ? strip(o.drift) : null })) } : {}),
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** What simulate saw of its own answers: the label-free estimate beside the accuracy against the graph's labels. */
function accuracyLine(a: { n: number; estimated: number | null; realised: number | null }): string {
  if (a.estimated === null) return '';
  const real = a.realised === null ? '' : `, realised against the graph's labels ${pct(a.realised)}`;
  return `\nover ${a.n} served nodes: estimated accuracy (mean top-class probability) ${pct(a.estimated)}${real}`;
}

/** One line per served version: the estimate, its interval and the version's test accuracy beside it. */
function estimateLine(e: VersionEstimate): string {
  const test = e.testAccuracy === null ? 'test accuracy unknown' : `test accuracy ${pct(e.testAccuracy)}`;
  const line =
    `estimated accuracy of ${e.model}/${e.version}: ${pct(e.estimated)} ` +
    `(${(e.level * 100).toFixed(0)}% interval ${pct(e.low)}–${pct(e.high)}, ${e.n} predictions; ${test}; ${e.calibration})`;
  return e.warning ? `${line}\n  note: ${e.warning}` : line;
}

/** The served OOD scores against the reference's, in one line. */
function oodLine(o: OodReport): string {
  const what = o.kind === 'nodes' ? 'node queries' : 'subgraph requests';
  const over = o.kind === 'nodes' ? `${o.current.n} queried nodes` : `${o.current.n} requests (mean per request)`;
  const head = `OOD score of ${what} over ${over}: mean ${o.current.mean.toPrecision(4)}`;
  if (!o.drift || !o.reference || o.aboveRefP95 === null || o.belowRefP5 === null)
    return `${head} (not compared: ${o.note ?? 'no reference scores'})`;
  return (
    `OOD score drift, ${what}: ${o.drift.drifted ? 'YES' : 'no'} (${TEST_INFO[o.drift.test].label} ${o.drift.score.toPrecision(4)}; ` +
    `mean ${o.current.mean.toPrecision(4)} vs the reference's ${o.reference.mean.toPrecision(4)}, over ${over}; ` +
    `${pct(o.aboveRefP95)} above the reference's 95th percentile, ${pct(o.belowRefP5)} below its 5th)`
  );
}

function humanReport(r: DriftReport, out: string | undefined): string {
  const d = r.dataset;
  const lines = [
    `dataset drift: ${d.drifted ? 'YES' : 'no'} (${d.driftedFeatures}/${d.numFeatures} features = ${(d.share * 100).toFixed(1)}%, threshold ${(d.shareThreshold * 100).toFixed(0)}%)`,
  ];
  if (r.predictions)
    lines.push(
      `prediction drift: ${r.predictions.drifted ? 'YES' : 'no'} (${TEST_INFO[r.predictions.test].label} ${r.predictions.score.toPrecision(4)})`,
    );
  for (const [label, c] of [
    ['degree drift', r.structure.degrees],
    ['subgraph-size drift', r.structure.subgraphSizes],
  ] as const)
    if (c) lines.push(`${label}: ${c.drifted ? 'YES' : 'no'} (${TEST_INFO[c.test].label} ${c.score.toPrecision(4)})`);
  for (const o of r.ood ?? []) lines.push(oodLine(o));
  for (const e of r.accuracyEstimate ?? []) lines.push(estimateLine(e));
  const top = rankFeatures(r.features)
    .filter((f) => f.drifted)
    .slice(0, 15);
  if (top.length > 0) {
    lines.push('', 'most drifted features:');
    lines.push(
      table(
        ['feature', 'test', 'score', 'threshold'],
        top.map((f) => [f.name, TEST_INFO[f.test].label, f.score.toPrecision(4), f.threshold]),
      ),
    );
  }
  lines.push(
    '',
    `${r.current.rows} current rows vs ${r.reference.rows} reference rows in ${r.durationMs.toFixed(0)} ms`,
  );
  if (out) lines.push(`report written to ${out}`);
  return lines.join('\n');
}

export function register(program: Command): void {
  const drift = program.command('drift').description('Reference profiles and drift reports (Evidently-style tests).');

  drift
    .command('profile')
    .description('Compute the reference profile of a dataset: feature sketches, degrees, k-hop sizes, predictions.')
    .option('--data-file <path>', 'WikiCS-format data.json (features + links)')
    .option('--rows-file <path>', 'plain rows: .npy (rows × features), .json or .jsonl (see drift report --current)')
    .option('--dataset <name>', 'a named dataset ("synthetic": the WikiCS-like generator)')
    .option('--predictions <path>', "the model's predicted class per row (.json array or .npy)")
    .option('--num-classes <k>', 'number of classes (default: from the dataset or the predictions)')
    .option('--hops <k>', 'hops of the request subgraphs (default 2)')
    .option('--max-nodes <n>', 'node cap per request subgraph, as drift simulate (default 200)')
    .option(
      '--structure <kind>',
      'requests: degrees/sizes as logged for ego-subgraph requests (default); graph: full-graph degrees and k-hop sizes',
    )
    .option('--out <path>', 'profile file (default $GNNOPS_HOME/profiles/<dataset>.json)')
    .option('-c, --config <file>', 'YAML config file (drift.quantiles)')
    .option('--json', 'print a JSON summary')
    .argument('[overrides...]', 'key=value config overrides, e.g. drift.quantiles=2000')
    .action(async (overrides: string[], opts: ProfileOpts) => {
      const cfg = resolveConfig({ file: opts.config, overrides });
      const t0 = performance.now();
      const profile = await buildProfile(opts, cfg);
      const name = String(profile.meta.dataset ?? 'profile');
      const out = opts.out ?? homePath('profiles', `${name}.json`);
      writeProfile(out, profile);
      const summary = {
        out,
        rows: profile.rows,
        cols: profile.cols,
        quantiles: profile.quantiles,
        exactColumns: profile.features.filter((f) => f.kind === 'exact').length,
        predictions: profile.predictions ? profile.predictions.n : 0,
        degrees: profile.degrees ? profile.degrees.n : 0,
        subgraphSizes: profile.subgraphSizes ? profile.subgraphSizes.n : 0,
        ms: Math.round(performance.now() - t0),
      };
      emit(
        Boolean(opts.json),
        summary,
        () =>
          `profile of ${summary.rows} rows × ${summary.cols} features (${summary.quantiles + 1} quantile knots per feature)` +
          `${summary.degrees ? `, ${summary.degrees} degrees` : ''}${summary.subgraphSizes ? `, ${summary.subgraphSizes} subgraph sizes` : ''}` +
          `${summary.predictions ? `, ${summary.predictions} predictions` : ''} in ${summary.ms} ms\nwritten to ${out}`,
      );
    });

  drift
    .command('simulate')
    .description(
      "Send drifted traffic (feature shift, noise, class-mix change) to a running server's POST /predict; reports the served answers' mean top-class probability beside their accuracy against the graph's labels.",
    )
    .option('--url <url>', 'server base URL', 'http://127.0.0.1:8000')
    .option('--data-file <path>', 'WikiCS-format data.json to draw ego subgraphs from')
    .option('--dataset <name>', 'a named dataset ("synthetic")')
    .option('--requests <n>', 'requests to send (default 500)')
    .option('--concurrency <n>', 'requests in flight (default 4)')
    .option('--shift <x>', 'add x × feature std to the drifted features (default 0)')
    .option('--noise <x>', 'add Gaussian noise of x × feature std (default 0)')
    .option('--fraction <x>', 'share of feature columns drifted (default 1)')
    .option('--class-mix <x>', 'share of requests rooted at a node of --to-class (default 0)')
    .option('--to-class <k>', 'class of the class-mix change (default 0)')
    .option('--hops <k>', 'ego-subgraph hops (default 2)')
    .option('--max-nodes <n>', 'nodes per subgraph cap (default 200)')
    .option('--seed <n>', 'random seed (default 1)')
    .option('--api-key <key>', 'API key (default $GNNOPS_API_KEY)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: SimulateOpts) => {
      if (!opts.dataFile && !opts.dataset)
        throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, 'give --data-file PATH or --dataset synthetic');
      const graph = (await loadGraph(opts))!;
      const next = makeRequestSampler(graph, {
        shift: numOption('shift', opts.shift, -100, 100),
        noise: numOption('noise', opts.noise, 0, 100),
        fraction: numOption('fraction', opts.fraction, 0, 1),
        classMix: numOption('class-mix', opts.classMix, 0, 1),
        toClass: intFlag('to-class', opts.toClass, 0, Math.max(0, graph.numClasses - 1)),
        hops: intFlag('hops', opts.hops, 0, 5),
        maxNodes: intFlag('max-nodes', opts.maxNodes, 1, 100000),
        seed: intFlag('seed', opts.seed, 0, 2 ** 31),
      });
      const result = await simulateTraffic(next, {
        url: opts.url,
        requests: intFlag('requests', opts.requests, 1, 10_000_000) ?? 500,
        concurrency: intFlag('concurrency', opts.concurrency, 1, 256) ?? 4,
        apiKey: opts.apiKey ?? process.env.GNNOPS_API_KEY,
        labels: graph.labels,
      });
      if (result.ok === 0)
        throw new GnnopsError(
          ErrorCodes.INVALID_ARGUMENT,
          `no request to ${opts.url}/predict succeeded (statuses ${JSON.stringify(result.statuses)}); is the server running?`,
          { url: opts.url, statuses: result.statuses },
        );
      emit(
        Boolean(opts.json),
        result,
        () =>
          `sent ${result.sent} requests in ${result.seconds.toFixed(1)} s: ${result.ok} ok, ${result.failed} failed ` +
          `(statuses ${JSON.stringify(result.statuses)})\npredicted classes: ${JSON.stringify(result.predictedClasses)}` +
          accuracyLine(result.accuracy),
      );
    });

  drift
    .command('report')
    .description(
      'Compare a current window with a reference profile; for a request-log window, also estimate each served version’s accuracy without labels (mean calibrated confidence, beside its test accuracy) and compare the OOD scores served (ood_score) with the reference’s, per kind of request. --out report.html writes the HTML report.',
    )
    .option(
      '--reference <profile|model>',
      'a profile file (from drift profile) or a registered model (NAME@ALIAS, NAME/VERSION) whose stored profile is used; default: the production version of --model, or of the only model with one',
    )
    .option(
      '--current <file>',
      'current window from a file: .npy rows × features, .json rows or {features, predictions?, degrees?, subgraphSizes?}, .jsonl requests',
    )
    .option(
      '--window <n>',
      'without --current: the last N logged requests of the workspace store (default drift.window)',
    )
    .option('--since <time>', 'without --current: only requests since this ISO time or age (30m, 2h, 1d)')
    .option('--model <name>', 'without --current: only requests served by this model')
    .option(
      '--replica <name>',
      'without --current: only requests logged by this server (serve.replica; default every replica of the store)',
    )
    .option('--out <path>', 'write the report: .html (self-contained) or .json')
    .option('--method <name>', 'feature test: auto | ks | wasserstein | psi | jensenshannon (default drift.method)')
    .option('--share-threshold <x>', 'dataset drift when this share of features drifts (default drift.share_threshold)')
    .option('-c, --config <file>', 'YAML config file (drift section)')
    .option('--json', 'print the report as JSON (without histograms)')
    .argument('[overrides...]', 'key=value config overrides, e.g. drift.psi_bins=20')
    .action(async (overrides: string[], opts: ReportOpts) => {
      const extraOverrides = [
        ...(opts.method ? [`drift.method=${opts.method}`] : []),
        ...(opts.shareThreshold ? [`drift.share_threshold=${opts.shareThreshold}`] : []),
      ];
      const cfg = resolveConfig({ file: opts.config, overrides: [...overrides, ...extraOverrides] });
      useStoreConfig(cfg.store);
      const { profile, defaultedModel, version, file } = await loadReference(opts.reference, opts.model);
      // Said on stderr so that --json output stays one document.
      if (defaultedModel) process.stderr.write(`using ${defaultedModel}@production, the only production model\n`);
      const model = opts.model ?? defaultedModel;
      const logged = opts.current
        ? undefined
        : await storeWindow(profile.cols, {
            last: intFlag('window', opts.window, 1, 10_000_000) ?? cfg.drift.window,
            since: opts.since,
            model,
            replica: opts.replica,
          });
      const current = logged ? logged.window : readWindowFile(opts.current!);
      const drifted = driftReport(profile, current, {
        method: cfg.drift.method,
        threshold: cfg.drift.threshold,
        shareThreshold: cfg.drift.share_threshold,
        psiBins: cfg.drift.psi_bins,
        ksMethod: cfg.drift.ks_method,
        histBins: cfg.drift.hist_bins,
      });
      // window files carry no served confidences, so only a request-log window has an estimate
      const report: DriftReport = logged
        ? { ...drifted, accuracyEstimate: withOodCheck(logged.estimate, drifted.ood) }
        : drifted;
      if (opts.out) {
        const ext = extname(opts.out).toLowerCase();
        if (ext === '.json') writeFileAtomic(opts.out, JSON.stringify(report));
        else writeFileAtomic(opts.out, renderDriftHtml(report));
      }
      // Which reference was used and where the report went, for the next command (promote, serve, open).
      const ids = {
        model_name: version?.model ?? null,
        model_version: version?.version ?? null,
        profile_file: file ?? null,
        report_path: opts.out ? resolve(opts.out) : null,
      };
      emit(Boolean(opts.json), { ...reportJson(report), ...ids }, () => humanReport(report, opts.out));
    });

  registerPruneLog(drift);
  registerDriftHistory(drift);
}
