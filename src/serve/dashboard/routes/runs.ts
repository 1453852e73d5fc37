import type { FastifyInstance } from 'fastify';
import { artifactEntity, runEntity } from '../../../track/entities.js';
import type { RunRecord } from '../../../track/types.js';
import { ErrorCodes, GnnopsError } from '../../../util/errors.js';
import { finiteOrNull } from '../schemas/common.js';
import {
  type MetricSeriesResponse,
  metricSeriesRouteSchema,
  type RunClassificationResponse,
  type RunDetailResponse,
  type RunSummary,
  type RunsQuery,
  type RunsResponse,
  runClassificationRouteSchema,
  runDetailRouteSchema,
  runsRouteSchema,
} from '../schemas/runs.js';
import type { DashboardState } from '../state.js';

/** Most metric curves one request may ask for. */
const MAX_SERIES = 64;

function summary(r: RunRecord, metrics: Record<string, { value: number }>): RunSummary {
  const model = (r.config as { model?: { name?: unknown } } | null)?.model?.name;
  const m: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(metrics)) if (!k.includes('/')) m[k] = finiteOrNull(v.value);
  return { ...runEntity.toJson(r), model: typeof model === 'string' ? model : null, metrics: m };
}

/** The classification report a training run logs beside its checkpoint (jobs/train-and-register.ts). */
const REPORT_ARTIFACT = 'classification.json';

/** Runs list, one run's detail, its metric curves and its classification report. */
export async function runsRoutes(app: FastifyInstance, d: DashboardState): Promise<void> {
  app.get<{ Querystring: RunsQuery; Reply: RunsResponse }>('/api/runs', { schema: runsRouteSchema }, async (req) => {
    const t = await d.sources.tracker();
    const q = req.query;
    const runs = await t.listRuns({
      experiment: q.experiment,
      status: q.status,
      sweepId: q.sweep,
      limit: q.limit ?? 1000,
    });
    const last = await t.latestMetricsOfRuns(runs.map((r) => r.id));
    return {
      runs: runs.map((r) => summary(r, last.get(r.id) ?? {})),
      experiments: (await t.listExperiments()).map((e) => ({ name: e.name, runs: e.runs })),
    };
  });

  app.get<{ Params: { id: string }; Reply: RunDetailResponse }>(
    '/api/runs/:id',
    { schema: runDetailRouteSchema },
    async (req) => {
      const t = await d.sources.tracker();
      const det = await t.detail(req.params.id);
      const metrics: RunDetailResponse['metrics'] = {};
      for (const [k, v] of Object.entries(det.metrics)) metrics[k] = { value: finiteOrNull(v.value), step: v.step };
      return {
        run: summary(det.run, det.metrics),
        params: det.params,
        metrics,
        tags: det.tags,
        metric_keys: await t.metricKeys(det.run.id),
        artifacts: det.artifacts.map((a) => artifactEntity.toJson(a)),
        lineage: {
          parent: det.lineage.parent,
          sweep: det.lineage.sweep,
          children: det.lineage.children,
          model_versions: det.lineage.modelVersions,
        },
      };
    },
  );

  app.get<{ Params: { id: string }; Reply: RunClassificationResponse }>(
    '/api/runs/:id/classification',
    { schema: runClassificationRouteSchema },
    async (req) => {
      const t = await d.sources.tracker();
      const run = await t.getRun(req.params.id);
      const artifacts = await t.artifacts(run.id);
      const report = artifacts.find((a) => a.name === REPORT_ARTIFACT);
      if (!report)
        throw new GnnopsError(
          ErrorCodes.NOT_FOUND,
          `run ${run.id} recorded no classification report (${REPORT_ARTIFACT}): only training runs that produced a checkpoint have one`,
          { run: run.id },
        );
      const { cas } = await d.sources.store();
      let parsed: RunClassificationResponse['report'];
      try {
        parsed = JSON.parse(cas.read(report.digest).toString('utf8')) as RunClassificationResponse['report'];
      } catch (e) {
        throw new GnnopsError(
          ErrorCodes.DATA_INVALID,
          `run ${run.id}: ${REPORT_ARTIFACT} is not JSON (${(e as Error).message})`,
          { run: run.id },
        );
      }
      const charts = artifacts
        .filter((a) => a.kind === 'chart' && a.name.endsWith('.svg'))
        .map((a) => ({ name: a.name, svg: cas.read(a.digest).toString('utf8') }));
      return { run_id: run.id, artifact: REPORT_ARTIFACT, report: parsed, charts };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { keys: string }; Reply: MetricSeriesResponse }>(
    '/api/runs/:id/metrics',
    { schema: metricSeriesRouteSchema },
    async (req) => {
      const t = await d.sources.tracker();
      const run = await t.getRun(req.params.id);
      const keys = [...new Set(req.query.keys.split(',').map((k) => k.trim()))].filter(Boolean).slice(0, MAX_SERIES);
      const series: MetricSeriesResponse['series'] = {};
      for (const k of keys) {
        series[k] = (await t.metricHistory(run.id, k)).map((p) => ({ step: p.step, value: finiteOrNull(p.value) }));
      }
      return { run_id: run.id, series };
    },
  );
}
