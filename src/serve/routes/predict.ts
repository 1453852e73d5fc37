import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context.js';
import { type PredictOptions, predictSubgraph, toRows } from '../inference.js';
import type { ServedModel } from '../model.js';
import {
  type PredictBody,
  type PredictResponse,
  predictRouteSchema,
  type Subgraph,
  type SubgraphPrediction,
} from '../schemas/predict.js';
import { toSubgraph } from '../validate.js';

/** POST /predict: the `{x, edge_index}` contract of common GNN clients, single or batched. */
export async function predictRoutes(app: FastifyInstance, ctx: ServeContext): Promise<void> {
  app.post<{ Body: PredictBody; Reply: PredictResponse }>(
    '/predict',
    { schema: predictRouteSchema(ctx.limits) },
    async (req) => {
      const entry = ctx.holder.acquire();
      try {
        const model = entry.model;
        const body = req.body;
        const opts: PredictOptions = Array.isArray(body) ? {} : { calibrated: body.calibrated, ood: body.ood_score };
        // every item of a request is served at the same temperature (one model, one option); a batch has ≥ 1 item
        let temperature = 1;
        const run = async (sg: Subgraph, field: string, item: number): Promise<SubgraphPrediction> => {
          const input = toSubgraph(sg, model.numFeatures, ctx.limits, field);
          const p = await predictSubgraph(ctx, model, input, { route: '/predict', requestId: req.id, item }, opts);
          temperature = p.temperature;
          return {
            node_predictions: Array.from(p.classes),
            probabilities: toRows(p.probs, input.n, model.numClasses),
            labels: labelsOf(model, p.classes),
            ...(p.ood ? { ood_score: Array.from(p.ood) } : {}),
          };
        };
        // batch items run one after another: the model is the bottleneck either way, and order stays stable
        const batch = async (items: Subgraph[], prefix: (i: number) => string) => {
          const predictions: SubgraphPrediction[] = [];
          for (let i = 0; i < items.length; i++) predictions.push(await run(items[i], prefix(i), i));
          return { model: model.name, version: model.version, temperature, predictions };
        };
        if (Array.isArray(body)) return batch(body, (i) => `[${i}].`);
        if ('instances' in body) return batch(body.instances, (i) => `instances[${i}].`);
        const one = await run(body, '', 0);
        return { model: model.name, version: model.version, temperature, ...one };
      } finally {
        ctx.holder.release(entry);
      }
    },
  );
}

/** Class name per prediction (the class id as text when the model has no names). */
export function labelsOf(model: ServedModel, classes: Int32Array): string[] {
  const names = model.classNames;
  const out: string[] = new Array(classes.length);
  for (let i = 0; i < classes.length; i++) out[i] = names?.[classes[i]] ?? String(classes[i]);
  return out;
}
