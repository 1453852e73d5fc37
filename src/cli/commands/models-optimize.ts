/**
 * `gnnops models optimize REF (--quantize int8 | --prune FRACTION) [--runtime native|onnx|both] [--no-register]`:
 * an int8-quantised or magnitude-pruned variant of a registered model (or checkpoint), measured against its source
 * side by side (accuracy, max |Δprob|, size, latency) and registered as a new version with its lineage
 * (src/optimize). No alias moves: promote the variant to serve it.
 */
import type { Command } from 'commander';
import { type OptimizeReport, optimizeModel, parseOptimization } from '../../jobs/optimize/index.js';
import type { Runtime } from '../../serve/model.js';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { emit, intFlag, progressBar, table } from '../output.js';
import { modelsCommand } from './models.js';

interface OptimizeFlags {
  quantize?: string;
  prune?: string;
  runtime: string;
  register: boolean;
  name?: string;
  mirror?: string;
  repeats: string;
  requests: string;
  json?: boolean;
}

function runtimesOf(v: string): Runtime[] {
  if (v === 'native' || v === 'onnx') return [v];
  if (v === 'both') return ['native', 'onnx'];
  throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `--runtime: "${v}"; allowed: native, onnx, both`, {
    field: 'runtime',
    value: v,
  });
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(3));
const kib = (b: number | null) => (b === null ? '—' : `${(b / 1024).toFixed(1)} KiB`);

export function renderOptimizeReport(r: OptimizeReport): string {
  const rows: (string | number)[][] = [];
  for (const c of r.runtimes) {
    rows.push([
      c.runtime,
      'source',
      pct(c.source.test_acc),
      pct(c.source.val_acc),
      '—',
      '—',
      ms(c.source.load_full_graph_ms),
      ms(c.source.subgraph_ms),
    ]);
    rows.push([
      c.runtime,
      r.optimization.label,
      pct(c.variant.test_acc),
      pct(c.variant.val_acc),
      c.max_abs_dprob.toPrecision(3),
      pct(c.top1_agreement),
      ms(c.variant.load_full_graph_ms),
      ms(c.variant.subgraph_ms),
    ]);
  }
  const s = r.size;
  const src = r.source.model ? `${r.source.model}/${r.source.version}` : r.source.checkpoint;
  const lines = [
    `${r.optimization.description} of ${src} (${r.source.kind}) on ${r.dataset.name}${r.dataset.synthetic ? ' [SYNTHETIC]' : ''}, split ${r.dataset.split}`,
    table(
      [
        'runtime',
        'model',
        'test acc',
        'val acc',
        'max |Δp|',
        'top-1 agree',
        'load+full graph ms',
        '20-node subgraph ms',
      ],
      rows,
    ),
    '',
    table(
      ['artifact', 'source', r.optimization.label],
      [
        ['checkpoint', kib(s.source_checkpoint_bytes), kib(s.variant_checkpoint_bytes)],
        ['checkpoint, gzip', kib(s.source_checkpoint_gzip_bytes), kib(s.variant_checkpoint_gzip_bytes)],
        ['ONNX', kib(s.source_onnx_bytes), kib(s.variant_onnx_bytes)],
        [
          'zero weights',
          `${r.weights.source_zero} / ${r.weights.total}`,
          `${r.weights.zero} / ${r.weights.total} (${pct(r.weights.sparsity)})`,
        ],
      ],
    ),
    '',
    r.variant.version !== null
      ? `registered ${r.variant.model}/${r.variant.version} (no alias moved; promote it to serve it)`
      : 'not registered (--no-register)',
    `checkpoint ${r.variant.checkpoint}`,
  ];
  if (r.variant.onnx) lines.push(`int8 ONNX ${r.variant.onnx}`);
  if (r.variant.onnx_unavailable) lines.push(`no int8 ONNX artifact: ${r.variant.onnx_unavailable}`);
  return lines.join('\n');
}

export function register(program: Command): void {
  modelsCommand(program)
    .command('optimize')
    .description(
      'Make an int8-quantised or pruned variant of a model, measure it against the source (accuracy, max |Δprob|, size, latency) and register it as a new version with its lineage. No alias moves.',
    )
    .argument('<ref>', 'NAME@ALIAS, NAME/VERSION or a .safetensors checkpoint')
    .option('--quantize <dtype>', 'quantise weight matrices per output column (int8); also writes an int8 ONNX model')
    .option('--prune <fraction>', 'zero this fraction of weights, smallest |w| first across all layers, in (0, 1)')
    .option('--runtime <runtime>', 'served-model path to measure: native, onnx (GCN only) or both', 'native')
    .option('--no-register', 'measure and write the checkpoint without registering it')
    .option('--name <model>', 'register under this model name (default: the source model’s name)')
    .option('--mirror <dir|url>', 'raw dataset mirror')
    .option('--repeats <n>', 'timed model loads (full-graph pass) per side', '3')
    .option('--requests <n>', 'timed 20-node subgraph requests per side', '200')
    .option('--json', 'print JSON')
    .action(async (ref: string, f: OptimizeFlags) => {
      const optimization = parseOptimization(f);
      const runtimes = runtimesOf(f.runtime);
      const repeats = intFlag('repeats', f.repeats, 1, 100);
      const requests = intFlag('requests', f.requests, 1, 100_000);
      const bar = progressBar(f.json, { format: 'optimize [{bar}] {value}/{total} | {step}' });
      let started = false;
      try {
        const report = await optimizeModel({
          ref,
          optimization,
          runtimes,
          register: f.register,
          name: f.name,
          mirror: f.mirror,
          repeats,
          requests,
          onStep(step, index, total) {
            if (!bar) return;
            if (!started) bar.start(total, 0, { step });
            started = true;
            bar.update(index - 1, { step });
          },
        });
        bar?.stop();
        emit(Boolean(f.json), report, () => renderOptimizeReport(report));
      } finally {
        bar?.stop();
      }
    });
}
