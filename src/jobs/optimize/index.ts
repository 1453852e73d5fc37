/**
 * `gnnops models optimize`: an optimised variant of a registered model (or checkpoint), measured against its source
 * side by side and registered with its lineage.
 *
 * Registration: the variant becomes a NEW VERSION OF THE SAME registered model (default; `name` overrides), so that
 * serving it is an ordinary promotion (`gnnops models promote NAME VERSION production`, picked up by hot reload) and
 * a rollback undoes it. No alias moves here. The version's tags hold the lineage: `variant_of` (NAME/VERSION or the
 * checkpoint path), `source_checkpoint_digest`, `optimization` (quantize|prune) with its parameter (`quantize`
 * int8, `prune_fraction`), the runtime the metrics were measured with, and for int8 the ONNX artifact's digest in
 * the artifact store (`onnx_int8_digest`). Because it is the newest version, `NAME` and `NAME/latest` resolve to it:
 * serve `NAME@production` to keep serving the source.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { GraphData } from '../../data/graph.js';
import { loadDataset } from '../../data/load.js';
import {
  type CheckpointMeta,
  decodeCheckpoint,
  encodeCheckpointState,
  readCheckpoint,
  writeCheckpoint,
} from '../../nn/checkpoint.js';
import { gcnWeightsFromCheckpoint } from '../../nn/export/onnx/from-checkpoint.js';
import { exportGcnOnnx } from '../../nn/export/onnx/gcn.js';
import { registeredTemperature } from '../../registry/calibration.js';
import { Registry } from '../../registry/registry.js';
import type { Runtime } from '../../serve/model.js';
import { fetchMissingBlobs, publishBlobs } from '../../storage/sync.js';
import { gitInfo } from '../../track/git.js';
import { openStore } from '../../track/store.js';
import { ErrorCodes, GnnopsError, isGnnopsError } from '../../util/errors.js';
import { sha256, writeFileAtomic } from '../../util/fs.js';
import { homePath } from '../../util/home.js';
import { log } from '../../util/logger.js';
import { versionReferenceProfile } from '../reference-profile.js';
import { modelNameFor } from '../train-and-register.js';
import { compareSides, type RuntimeComparison } from './measure.js';
import { describeOptimization, type Optimization, optimizationLabel } from './spec.js';
import { makeVariant } from './variant.js';

export { compareSides, median, type RuntimeComparison, requestSubgraph, type SideMetrics } from './measure.js';
export { describeOptimization, type Optimization, optimizationLabel, parseOptimization } from './spec.js';
export { makeVariant, type Variant, weightMatrixNames } from './variant.js';

export interface OptimizeOptions {
  /** NAME@ALIAS, NAME/VERSION, NAME (latest) or a checkpoint path. */
  ref: string;
  optimization: Optimization;
  /** Runtimes to measure, side by side (default ['native']); the first one's numbers are registered. */
  runtimes?: Runtime[];
  /** Register the variant (default true). */
  register?: boolean;
  /** Registry name for the variant (default: the source's registered name; `<dataset>-<model>` for a file). */
  name?: string;
  /** Raw dataset mirror (as `gnnops evaluate --mirror`). */
  mirror?: string;
  repeats?: number;
  requests?: number;
  /** Progress: step `index` (1-based) of `total`. */
  onStep?(label: string, index: number, total: number): void;
}

export interface OptimizeReport {
  source: { ref: string; model: string | null; version: number | null; checkpoint: string; kind: string };
  optimization: Optimization & { label: string; description: string };
  dataset: { name: string; hash: string; synthetic: boolean; split: number };
  variant: {
    model: string | null;
    version: number | null;
    checkpoint: string;
    /** The int8 ONNX artifact written next to the exports (int8 on a GCN only). */
    onnx: string | null;
    onnx_digest: string | null;
    onnx_unavailable?: string;
  };
  weights: { matrices: string[]; total: number; zero: number; source_zero: number; sparsity: number };
  size: {
    source_checkpoint_bytes: number;
    variant_checkpoint_bytes: number;
    source_checkpoint_gzip_bytes: number;
    variant_checkpoint_gzip_bytes: number;
    /** ONNX exports (GCN only): float32 of the source; of the variant int8 for quantize, float32 for prune. */
    source_onnx_bytes: number | null;
    variant_onnx_bytes: number | null;
  };
  runtimes: Omit<RuntimeComparison, 'variantPredictions' | 'variantLogits'>[];
  /** The metrics registered with the variant. */
  metrics: Record<string, number>;
}

/** Refs that name a file rather than a registered model (as the server's loader). */
const PATH_LIKE = /^(\.{0,2}\/|~\/)|\.(safetensors|ckpt|pt|json|bin)$/i;

function countZeros(arrays: Iterable<Float32Array>): number {
  let z = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++) if (a[i] === 0) z++;
  return z;
}

async function loadData(ckptPath: string, meta: CheckpointMeta, mirror?: string): Promise<GraphData> {
  const data = await loadDataset(meta.config.data, { mirror, progress: false });
  const { numFeatures, numClasses } = meta.dims;
  if (data.numFeatures !== numFeatures || data.numClasses !== numClasses) {
    throw new GnnopsError(
      ErrorCodes.CHECKPOINT_INVALID,
      `${ckptPath}: graph "${data.name}" has ${data.numFeatures} features / ${data.numClasses} classes; the model expects ${numFeatures} / ${numClasses}`,
      { numFeatures: data.numFeatures, expected: numFeatures },
    );
  }
  if (data.hash !== meta.dataset.hash) {
    log.warn(
      { trained_on: meta.dataset.hash, graph: data.hash },
      'measuring on a graph that differs from the training data',
    );
  }
  return data;
}

export async function optimizeModel(o: OptimizeOptions): Promise<OptimizeReport> {
  const runtimes = o.runtimes?.length ? [...new Set(o.runtimes)] : (['native'] as Runtime[]);
  const register = o.register ?? true;
  const repeats = Math.max(1, o.repeats ?? 3);
  const total = 2 + runtimes.length * (2 * (repeats + 1) + 1) + (register ? 1 : 0);
  let step = 0;
  const onStep = (label: string) => o.onStep?.(label, ++step, total);

  const store = await openStore();
  try {
    const registry = new Registry(store);
    // 1. the source
    let path: string;
    let srcModel: string | null = null;
    let srcVersion: number | null = null;
    let srcDigest: string;
    let srcTemperature: number | null = null;
    if (existsSync(o.ref)) {
      path = resolve(o.ref);
      srcDigest = sha256(readFileSync(path));
    } else if (PATH_LIKE.test(o.ref)) {
      throw new GnnopsError(ErrorCodes.NOT_FOUND, `ref: checkpoint file not found: ${o.ref}`, {
        field: 'ref',
        ref: o.ref,
      });
    } else {
      try {
        const v = await registry.resolve(o.ref);
        path = v.checkpointPath;
        srcModel = v.model;
        srcVersion = v.version;
        srcDigest = v.checkpointDigest;
        srcTemperature = registeredTemperature(v);
        await fetchMissingBlobs(store.cas, [srcDigest], undefined, `${v.model}/${v.version}`);
      } catch (e) {
        if (isGnnopsError(e)) {
          throw new GnnopsError(e.code, `ref "${o.ref}": ${e.message}`, { ...e.details, field: 'ref', ref: o.ref });
        }
        throw e;
      }
    }
    const ckpt = readCheckpoint(path);
    srcTemperature ??= registeredTemperature(ckpt.meta);
    if (runtimes.includes('onnx')) {
      try {
        gcnWeightsFromCheckpoint(ckpt);
      } catch (e) {
        if (isGnnopsError(e)) {
          throw new GnnopsError(e.code, `--runtime onnx: ${e.message}`, { field: 'runtime', value: 'onnx' });
        }
        throw e;
      }
    }
    const name = o.name ?? srcModel ?? modelNameFor(ckpt.meta.dataset.name, ckpt.meta.model.name);
    onStep('loading the dataset');
    const data = await loadData(path, ckpt.meta, o.mirror);
    const split = data.splits.length > 1 ? Math.min(ckpt.meta.split, data.splits.length - 1) : 0;

    // 2. the variant
    onStep(`making the ${optimizationLabel(o.optimization)} variant`);
    const label = optimizationLabel(o.optimization);
    const sourceLabel = srcVersion !== null ? `v${srcVersion}` : basename(path).replace(/\.safetensors$/, '');
    const variant = makeVariant(
      ckpt,
      o.optimization,
      {
        source: srcModel ? `${srcModel}/${srcVersion}` : path,
        dataset: ckpt.meta.dataset.name,
        dataset_hash: ckpt.meta.dataset.hash,
      },
      srcTemperature ?? 1,
    );
    const variantPath = homePath('models', name, `${sourceLabel}-${label}.safetensors`);
    const baseMeta: CheckpointMeta = { ...ckpt.meta, metrics: {} };
    writeCheckpoint(variantPath, encodeCheckpointState(variant.tensors, baseMeta), baseMeta);
    const variantCkpt = { meta: baseMeta, tensors: variant.tensors };

    // 3. measurements, one runtime after the other, source and variant side by side
    const comparisons: RuntimeComparison[] = [];
    for (const rt of runtimes) {
      comparisons.push(
        await compareSides(
          { name: srcModel ?? 'source', version: String(srcVersion ?? 'file'), checkpointPath: path, ckpt },
          {
            name,
            version: 'candidate',
            checkpointPath: variantPath,
            ckpt: variantCkpt,
            ...(variant.onnx ? { onnx: variant.onnx } : {}),
          },
          data,
          split,
          rt,
          { repeats, requests: o.requests, onStep },
        ),
      );
    }
    const first = comparisons[0];
    const metrics: Record<string, number> = {
      test_acc: first.variant.test_acc,
      val_acc: first.variant.val_acc,
      source_test_acc: first.source.test_acc,
      source_val_acc: first.source.val_acc,
      max_abs_dprob: first.max_abs_dprob,
      top1_agreement: first.top1_agreement,
      weight_sparsity: variant.zeroWeights / variant.weights,
      subgraph_ms: first.variant.subgraph_ms,
      source_subgraph_ms: first.source.subgraph_ms,
      load_full_graph_ms: first.variant.load_full_graph_ms,
      source_load_full_graph_ms: first.source.load_full_graph_ms,
      // The source's calibration temperature serves the variant too (and is inside its int8 ONNX): the variant's
      // probabilities differ from the source's by at most max_abs_dprob, so it is not fitted again.
      ...(srcTemperature !== null ? { temperature: srcTemperature } : {}),
    };
    const finalMeta: CheckpointMeta = {
      ...ckpt.meta,
      metrics: {
        test_acc: metrics.test_acc,
        val_acc: metrics.val_acc,
        max_abs_dprob: metrics.max_abs_dprob,
        weight_sparsity: metrics.weight_sparsity,
      },
    };
    const bytes = writeCheckpoint(variantPath, encodeCheckpointState(variant.tensors, finalMeta), finalMeta);
    decodeCheckpoint(bytes, variantPath); // what is registered must load
    const sourceBytes = readFileSync(path);
    let sourceOnnx: number | null = null;
    let variantOnnx: number | null = null;
    try {
      sourceOnnx = exportGcnOnnx(gcnWeightsFromCheckpoint(ckpt)).byteLength;
      variantOnnx = variant.onnx?.byteLength ?? exportGcnOnnx(gcnWeightsFromCheckpoint(variantCkpt)).byteLength;
    } catch (e) {
      if (!isGnnopsError(e)) throw e; // not a GCN: no ONNX sizes
    }
    metrics.checkpoint_gzip_bytes = gzipSync(bytes).byteLength;
    if (variantOnnx !== null) metrics.onnx_bytes = variantOnnx;

    // 4. registration (no alias moves)
    let version: number | null = null;
    let onnxFile: string | null = null;
    let onnxDigest: string | null = null;
    if (variant.onnx) {
      onnxDigest = register ? store.cas.putBytes(variant.onnx).digest : sha256(variant.onnx);
    }
    if (register) {
      onStep(`registering ${name}`);
      const tags: Record<string, string> = {
        variant_of: srcModel ? `${srcModel}/${srcVersion}` : path,
        source_checkpoint_digest: srcDigest,
        optimization: o.optimization.kind,
        measured_runtime: first.runtime,
        ...(o.optimization.kind === 'prune'
          ? { prune_fraction: String(o.optimization.fraction) }
          : { quantize: o.optimization.dtype, quantize_scheme: 'symmetric per-output-column, dequantised to float32' }),
        ...(onnxDigest ? { onnx_int8_digest: onnxDigest } : {}),
      };
      const mv = await registry.registerVersion({
        model: name,
        checkpoint: bytes,
        dataset: { name: data.name, hash: data.hash },
        config: ckpt.meta.config,
        metrics,
        git: gitInfo(),
        referenceProfile: await versionReferenceProfile(data, variantPath, {
          predictions: first.variantPredictions,
          logits: first.variantLogits,
        }),
        description: `${describeOptimization(o.optimization)} of ${tags.variant_of}: test ${(100 * metrics.test_acc).toFixed(2)}% (source ${(100 * metrics.source_test_acc).toFixed(2)}%), max |Δp| ${metrics.max_abs_dprob.toPrecision(3)}`,
        tags,
      });
      version = mv.version;
      await publishBlobs(store.cas, [mv.checkpointDigest, mv.referenceProfileDigest, onnxDigest]);
    }
    if (variant.onnx) {
      onnxFile = join(
        homePath('models', 'exports'),
        `${name}-${version !== null ? `v${version}` : sourceLabel}-${label}.onnx`,
      );
      writeFileAtomic(onnxFile, variant.onnx);
    }
    return {
      source: { ref: o.ref, model: srcModel, version: srcVersion, checkpoint: path, kind: ckpt.meta.model.name },
      optimization: { ...o.optimization, label, description: describeOptimization(o.optimization) },
      dataset: { name: data.name, hash: data.hash, synthetic: data.synthetic === true, split },
      variant: {
        model: register ? name : null,
        version,
        checkpoint: variantPath,
        onnx: onnxFile,
        onnx_digest: onnxDigest,
        ...(variant.onnxUnavailable ? { onnx_unavailable: variant.onnxUnavailable } : {}),
      },
      weights: {
        matrices: variant.matrices,
        total: variant.weights,
        zero: variant.zeroWeights,
        source_zero: countZeros(variant.matrices.map((n) => ckpt.tensors.get(n)!.data)),
        sparsity: variant.zeroWeights / variant.weights,
      },
      size: {
        source_checkpoint_bytes: sourceBytes.byteLength,
        variant_checkpoint_bytes: bytes.byteLength,
        source_checkpoint_gzip_bytes: gzipSync(sourceBytes).byteLength,
        variant_checkpoint_gzip_bytes: metrics.checkpoint_gzip_bytes,
        source_onnx_bytes: sourceOnnx,
        variant_onnx_bytes: variantOnnx,
      },
      runtimes: comparisons.map(({ variantPredictions: _, variantLogits: _l, ...c }) => c),
      metrics,
    };
  } finally {
    await store.close();
  }
}
