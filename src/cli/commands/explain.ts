/**
 * `gnnops explain --model REF --nodes IDS [--method saliency|gnnexplainer] [--top-k K] [--json] [--out DIR]`: why a
 * model predicts what it does for some nodes: edge and feature importances over each node's computation subgraph,
 * with the fidelity of the top-k edges against a random-k baseline.
 */
import type { Command } from 'commander';
import { type ExplainMethod, ExplainMethods } from '../../explain/methods.js';
import { type ExplainReport, explainJob } from '../../jobs/explain.js';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { emit, intFlag, progressBar, table } from '../output.js';

interface Flags {
  model?: string;
  checkpoint?: string;
  nodes: string;
  method: string;
  topK: string;
  seed: string;
  out?: string;
  dataFile?: string;
  mirror?: string;
  json?: boolean;
}

/**
 * `1,5,9`, `1 5 9` or `paper-17,paper-3` → node ids, resolved against the model's graph by the job: original ids of
 * a dataset imported with ids of its own, else node indices.
 */
export function parseNodeIds(v: string): string[] {
  const parts = v.split(/[\s,]+/).filter((s) => s !== '');
  if (parts.length === 0)
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, '--nodes: give node ids, e.g. --nodes 0,12,40', {
      field: 'nodes',
    });
  return parts;
}

function methodFlag(v: string): ExplainMethod {
  if (!(ExplainMethods as readonly string[]).includes(v))
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `--method: "${v}"; allowed: ${ExplainMethods.join(', ')}`, {
      field: 'method',
      choices: [...ExplainMethods],
    });
  return v as ExplainMethod;
}

function human(r: ExplainReport): string {
  const head = `${r.model_name ? `${r.model_name}/${r.model_version} (${r.model})` : r.model} on ${r.dataset}${r.synthetic ? ' [SYNTHETIC]' : ''}: ${r.method}, top ${r.top_k} edges`;
  const rows = r.explanations.map((e) => [
    String(e.node_id),
    e.label ?? String(e.class),
    e.probability.toFixed(3),
    String(e.edges.length),
    e.top_edges.map((t) => `${t.source}→${t.target}`).join(' '),
    e.top_features
      .slice(0, 5)
      .map((f) => `#${f.feature}`)
      .join(' '),
    e.fidelity_plus.toFixed(3),
    e.fidelity_minus.toFixed(3),
    e.fidelity_random.toFixed(3),
  ]);
  return [
    head,
    table(['node', 'class', 'p', 'edges', 'top edges', 'top features', 'fid+', 'fid−', 'random'], rows),
    `mean over ${r.explanations.length} node(s): fidelity+ ${r.fidelity_plus.toFixed(4)}, fidelity− ${r.fidelity_minus.toFixed(4)}, random ${r.fidelity_random.toFixed(4)}`,
    ...(r.files.length > 0 ? [`wrote ${r.files.length} SVG(s): ${r.files.join(', ')}`] : []),
  ].join('\n');
}

export function register(program: Command): void {
  program
    .command('explain')
    .description(
      "Explain a model's predictions for some nodes: edge importances over each node's computation subgraph (its k-hop neighbourhood) and feature importances, by saliency (gradient × input, one backward pass) or GNNExplainer (soft masks learnt with its size and entropy regularisers). Reports fidelity+ (drop of the predicted class's probability when the top-k edges are removed), fidelity− (when only they are kept) and the same drop for k random edges. Explains gcn, sage and appnp models.",
    )
    .requiredOption(
      '--nodes <ids>',
      'nodes of the model’s graph, comma-separated: original ids of a dataset imported with its own ids (e.g. paper-17,paper-3), else indices (e.g. 0,12,40)',
    )
    .option('--model <ref>', 'NAME (latest version), NAME@ALIAS or NAME/VERSION; default: the only production model')
    .option('--checkpoint <path>', 'a .safetensors checkpoint written by gnnops train, instead of --model')
    .option('--method <m>', `explanation method: ${ExplainMethods.join(' | ')}`, 'saliency')
    .option('--top-k <k>', 'edges in the explanation (fidelity is measured on them)', '5')
    .option('--seed <n>', 'seed of GNNExplainer’s initial masks and of the random-k baseline', '0')
    .option('--out <dir>', 'write one SVG per node: the subgraph with edge width by importance, and the top features')
    .option('--data-file <file>', 'explain on this WikiCS-format file instead of the training data')
    .option('--mirror <dir|url>', 'raw dataset mirror')
    .option('--json', 'print JSON')
    .action(async (f: Flags) => {
      const nodes = parseNodeIds(f.nodes);
      const method = methodFlag(f.method);
      const topK = intFlag('top-k', f.topK, 1, 100_000);
      const seed = intFlag('seed', f.seed, 0);
      const bar = progressBar(f.json, { format: 'explain [{bar}] {value}/{total} nodes' });
      bar?.start(nodes.length, 0);
      try {
        const r = await explainJob({
          model: f.model,
          checkpoint: f.checkpoint,
          nodes,
          method,
          topK,
          seed,
          out: f.out,
          dataFile: f.dataFile,
          mirror: f.mirror,
          onNode: (done) => bar?.update(done),
        });
        bar?.stop();
        emit(f.json === true, r, () => human(r));
      } finally {
        bar?.stop();
      }
    });
}
