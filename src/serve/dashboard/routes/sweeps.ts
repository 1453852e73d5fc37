import type { FastifyInstance } from 'fastify';
import { parallelCoordinates } from '../../../sweep/charts.js';
import { parameterImportance } from '../../../sweep/importance.js';
import { bestTrial } from '../../../sweep/runner.js';
import { type SweepRecord, SweepStore, sweepEntity, type TrialRecord, trialEntity } from '../../../sweep/store.js';
import { finiteOrNull } from '../schemas/common.js';
import {
  type SweepDetailResponse,
  type SweepSummaryJson,
  type SweepsResponse,
  sweepDetailRouteSchema,
  sweepsListRouteSchema,
  type TrialJson,
} from '../schemas/sweeps.js';
import type { DashboardState } from '../state.js';

function summaryOf(s: SweepRecord, trials: TrialRecord[]): SweepSummaryJson {
  const best = bestTrial(s, trials);
  return {
    ...sweepEntity.toJson(s),
    trials: trials.length,
    best_value: best?.value === null || best === null ? null : finiteOrNull(best.value),
  };
}

function trialJson(t: TrialRecord): TrialJson {
  return trialEntity.toJson(t);
}

/** Sweeps list and one sweep's trials, best config, parameter association and parallel coordinates. */
export async function sweepsRoutes(app: FastifyInstance, d: DashboardState): Promise<void> {
  let sweeps: SweepStore | undefined;
  const store = async () => {
    sweeps ??= new SweepStore(await d.sources.store());
    return sweeps;
  };

  app.get<{ Reply: SweepsResponse }>('/api/sweeps', { schema: sweepsListRouteSchema }, async () => {
    const s = await store();
    const list = await s.list();
    return { sweeps: await Promise.all(list.map(async (r) => summaryOf(r, await s.trials(r.id)))) };
  });

  app.get<{ Params: { id: string }; Reply: SweepDetailResponse }>(
    '/api/sweeps/:id',
    { schema: sweepDetailRouteSchema },
    async (req) => {
      const s = await store();
      const rec = await s.get(req.params.id);
      const trials = await s.trials(rec.id);
      const best = bestTrial(rec, trials);
      const params = rec.spec.parameters;
      const res: SweepDetailResponse = {
        sweep: summaryOf(rec, trials),
        parameters: params.map((p) => ({ name: p.name, distribution: p.distribution })),
        trials: trials.map(trialJson),
        importance: parameterImportance(params, trials),
        notes: rec.notes,
      };
      if (best) res.best = trialJson(best);
      const plotted = trials.filter((t) => t.value !== null);
      if (plotted.length > 0 && rec.metricName) {
        res.parallel_svg = parallelCoordinates({
          params,
          trials: plotted.map((t) => ({ index: t.index, params: t.params, value: t.value, status: t.status })),
          metric: rec.metricName,
          goal: rec.goal ?? 'maximize',
          width: 900,
          height: 380,
        });
      }
      return res;
    },
  );
}
