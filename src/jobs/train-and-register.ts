/**
 * One training job end to end, shared by `gnnops train`, `npm start` and sweep trials:
 *   load data → run the protocol (splits/seeds) → write the checkpoint (the best run by val accuracy) →
 *   record the run in the tracking store (flattened config as params, per-epoch series, per-split test metrics,
 *   summary, dataset name + hash, checkpoint artifact, the checkpoint's classification report on test with its
 *   temperature fitted on val) → register `<dataset>-<model>` with that temperature → auto-promote per the rule.
 */
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { GraphData } from '../data/graph.js';
import { type LoadOptions, loadDataset } from '../data/load.js';
import { argmaxRows } from '../engine/index.js';
import type { ClassificationReport } from '../monitor/classification.js';
import { confusionChartSvg, reliabilityDiagramSvg } from '../monitor/classification-charts.js';
import { type CheckpointMeta, encodeCheckpointState, writeCheckpoint } from '../nn/checkpoint.js';
import {
  type AutoPromoteDecision,
  autoPromoteRuleFromConfig,
  hooksFromConfig,
  maybeAutoPromote,
  Registry,
} from '../registry/index.js';
import { publishBlobs } from '../storage/sync.js';
import { openStore, type Run, type Store, trackerFromConfig } from '../track/index.js';
import { type Batching, resolveBatching } from '../train/minibatch.js';
import { type ProtocolResult, type ProtocolSummary, runProtocol } from '../train/protocol.js';
import { taskFromWeights } from '../train/restore.js';
import type { BatchProgress, EpochMetrics } from '../train/trainer.js';
import { homePath } from '../util/home.js';
import { log } from '../util/logger.js';
import { versionReferenceProfile } from './reference-profile.js';

export interface TrainingJob {
  config: Config;
  /** A graph already in memory (else loaded from config.data). */
  data?: GraphData;
  load?: LoadOptions;
  /** Where to write the checkpoint (default: <home>/models/<dataset>-<model>/<run id or time>.safetensors). */
  checkpointPath?: string;
  /** Record in the tracking store and register the model (default true). */
  track?: boolean;
  register?: boolean;
  runName?: string;
  parentRunId?: string;
  sweepId?: string;
  tags?: Record<string, string>;
  onRunStart?(index: number, total: number, maxEpochs: number): void;
  onEpoch?(index: number, m: EpochMetrics): boolean | undefined;
  /** Mini-batch runs: the batching in use (once, before the first run), then progress after every batch. */
  onBatching?(b: Batching): void;
  onBatch?(index: number, p: BatchProgress): void;
  onRunEnd?(index: number, testAcc: number): void;
}

export interface TrainingReport extends ProtocolSummary {
  run_id: string | null;
  model_version: number | null;
  model_name: string;
  checkpoint: string;
  /** Which run's weights the checkpoint holds (split index for WikiCS, seed index for Planetoid). */
  checkpoint_split: number;
  dataset_hash: string;
  synthetic: boolean;
  promotion: Pick<AutoPromoteDecision, 'promoted' | 'reason'> | null;
  /** The checkpoint's weights on the test mask: macro-F1, per-class scores, confusion, ECE before and after the
   * temperature fitted on val. */
  classification: ClassificationReport;
  per_split: {
    index: number;
    split: number;
    seed: number;
    test_acc: number;
    val_acc: number;
    epochs: number;
    best_epoch: number;
  }[];
}

/** Registry name for a dataset/model pair: `<dataset>-<model>` (letters, digits, _ . - only). */
export function modelNameFor(dataset: string, model: string): string {
  return `${dataset}-${model}`.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
}

export async function runTraining(job: TrainingJob): Promise<TrainingReport> {
  const data = job.data ?? (await loadDataset(job.config.data, job.load));
  const batching = resolveBatching(job.config, data);
  // When the graph's size chose mini-batches, the run, its params and the checkpoint record the batch size and
  // fanouts actually used, so that restoring the checkpoint (and reading the run) sees the same batching.
  const cfg: Config = batching?.auto
    ? { ...job.config, train: { ...job.config.train, batch_size: batching.batchSize, fanouts: batching.fanouts } }
    : job.config;
  const modelName = modelNameFor(data.name, cfg.model.name);
  const track = job.track ?? true;
  let store: Store | null = null;
  let run: Run | null = null;
  if (track) {
    store = await openStore({ url: cfg.store.url, staleAfterMs: cfg.track.stale_after_s * 1000 });
    run = await trackerFromConfig(store, cfg.track).startRun({
      config: cfg,
      name: job.runName,
      dataset: { name: data.name, hash: data.hash },
      parentId: job.parentRunId,
      sweepId: job.sweepId,
      tags: {
        model: cfg.model.name,
        dataset: data.name,
        ...(data.synthetic ? { synthetic: 'true' } : {}),
        ...(batching?.auto ? { batching: `auto: ${batching.auto}` } : {}),
        ...job.tags,
      },
    });
  }
  try {
    const result: ProtocolResult = runProtocol({
      config: cfg,
      data,
      batching,
      sink: run ?? undefined,
      onRunStart: (i, n) => job.onRunStart?.(i, n, cfg.train.epochs),
      onEpoch: job.onEpoch,
      onBatching: job.onBatching,
      onBatch: job.onBatch,
      onRunEnd: (r) => {
        run?.logMetrics(
          { split_test_acc: r.final.test_acc, split_val_acc: r.final.val_acc, split_best_epoch: r.bestEpoch },
          r.index,
        );
        job.onRunEnd?.(r.index, r.final.test_acc);
      },
    });
    const s = result.summary;
    const metrics: Record<string, number> = {
      test_acc_mean: s.test_acc_mean,
      test_acc_std: s.test_acc_std,
      test_acc_ci95: s.test_acc_ci95,
      val_acc_mean: s.val_acc_mean,
      stopping_acc_mean: s.stopping_acc_mean,
      train_acc_mean: s.train_acc_mean,
      epoch_ms_median: s.epoch_ms_median,
      best_epoch_median: s.best_epoch_median,
      ...(s.engine_memory_bytes !== undefined ? { engine_memory_bytes: s.engine_memory_bytes } : {}),
    };
    const bestRun = result.runs[result.best.index];
    const meta: CheckpointMeta = {
      model: cfg.model,
      config: cfg,
      dims: { numFeatures: data.numFeatures, numClasses: data.numClasses },
      dataset: { name: data.name, hash: data.hash, ...(data.synthetic ? { synthetic: true } : {}) },
      split: result.best.split,
      metrics: { ...metrics, test_acc: bestRun.final.test_acc, val_acc: bestRun.final.val_acc },
      ...(data.classNames ? { classNames: data.classNames } : {}),
    };
    const stamp = run?.id ?? new Date().toISOString().replace(/[-:.]/g, '');
    const path = job.checkpointPath ?? join(homePath('models', modelName), `${stamp}.safetensors`);
    const bytes = writeCheckpoint(path, encodeCheckpointState(result.best.state, meta), meta);
    // The best weights as a task in memory: the test report and the drift reference's predictions come from the
    // model just trained, not from reading its checkpoint back.
    const trained = taskFromWeights({ meta, tensors: result.best.state }, data, result.best.split);
    let classification: ClassificationReport;
    let predictions: Int32Array;
    let logits: Float32Array;
    try {
      // Mini-batch runs hand over the logits of their final layer-wise pass over these same weights.
      logits = result.best.logits ?? trained.task.logits();
      classification = trained.task.classificationReport({ logits });
      predictions = argmaxRows(logits, data.numNodes, data.numClasses);
    } finally {
      trained.dispose();
    }
    const calibration = {
      macro_f1: classification.macro_f1,
      ece: classification.ece,
      ece_calibrated: classification.ece_calibrated,
      temperature: classification.temperature,
    };

    let version: number | null = null;
    let promotion: TrainingReport['promotion'] = null;
    if (run && store) {
      run.logMetrics({ ...metrics, ...calibration });
      const artifacts = [
        await run.logArtifact('checkpoint', bytes, 'checkpoint'),
        await run.logArtifact('classification.json', Buffer.from(JSON.stringify(classification, null, 2)), 'report'),
        await run.logArtifact('reliability.svg', Buffer.from(reliabilityDiagramSvg(classification)), 'chart'),
        await run.logArtifact('confusion.svg', Buffer.from(confusionChartSvg(classification)), 'chart'),
      ];
      await run.setTags({ checkpoint_split: String(result.best.index) });
      await run.end('finished');
      const shared = artifacts.map((a) => a.digest);
      const registry = new Registry(store, { hooks: hooksFromConfig(cfg.registry) });
      if (job.register ?? true) {
        // The drift reference, computed once here and stored with the version: features, the model's own
        // predictions and OOD scores on the training graph, and request-shaped structure.
        const referenceProfile = await versionReferenceProfile(data, path, { predictions, logits });
        const mv = await registry.registerVersion({
          model: modelName,
          checkpoint: { runArtifact: 'checkpoint' },
          referenceProfile,
          runId: run.id,
          // The temperature travels with the version's metrics: serving calibrates with it.
          // test_acc/val_acc are those of the split whose weights the version serves (the means are across splits).
          metrics: { ...metrics, test_acc: bestRun.final.test_acc, val_acc: bestRun.final.val_acc, ...calibration },
          description: `${cfg.model.name} on ${data.name}${data.synthetic ? ' (synthetic graph)' : ''}: test ${(100 * s.test_acc_mean).toFixed(2)} ± ${(100 * s.test_acc_ci95).toFixed(2)} over ${s.splits} ${s.mode}`,
        });
        version = mv.version;
        shared.push(mv.checkpointDigest);
        if (mv.referenceProfileDigest) shared.push(mv.referenceProfileDigest);
      }
      // In shared storage before any alias can point at the version, so every workspace can fetch what it serves.
      await publishBlobs(store.cas, shared, cfg.storage);
      if (version !== null) {
        const d = await maybeAutoPromote(registry, modelName, version, autoPromoteRuleFromConfig(cfg.registry));
        promotion = { promoted: d.promoted, reason: d.reason };
        log.info({ model: modelName, version, promoted: d.promoted, reason: d.reason }, 'model registered');
      }
    }
    return {
      ...s,
      run_id: run?.id ?? null,
      model_version: version,
      model_name: modelName,
      checkpoint: path,
      checkpoint_split: result.best.index,
      dataset_hash: data.hash,
      synthetic: data.synthetic === true,
      promotion,
      classification,
      per_split: result.runs.map((r) => ({
        index: r.index,
        split: r.split,
        seed: r.seed,
        test_acc: r.final.test_acc,
        val_acc: r.final.val_acc,
        epochs: r.epochs,
        best_epoch: r.bestEpoch,
      })),
    };
  } catch (e) {
    await run?.end('failed', (e as Error).message).catch(() => undefined);
    throw e;
  } finally {
    await store?.close();
  }
}
