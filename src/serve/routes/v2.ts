import type { FastifyInstance } from 'fastify';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import type { ServeContext } from '../context.js';
import { requestError } from '../errors.js';
import { predictNodes, predictSubgraph } from '../inference.js';
import type { ServedModel } from '../model.js';
import type { ModelEntry } from '../model-holder.js';
import {
  type InferRequest,
  type InferResponse,
  inferRouteSchema,
  type ModelMetadata,
  type ModelParams,
  modelMetadataRouteSchema,
  modelReadyRouteSchema,
  type OutputTensor,
} from '../schemas/v2.js';
import {
  BINARY_CONTENT_TYPE,
  binaryPartOf,
  encodeBinaryBody,
  INFERENCE_HEADER,
  registerBinaryParser,
} from '../v2-binary.js';
import { decodeV2Inputs } from '../v2-tensors.js';

const OUTPUTS = ['probabilities', 'predictions'] as const;

/** The entry serving `name`, or 404 naming the served model. */
function entryFor(ctx: ServeContext, name: string): ModelEntry {
  const entry = ctx.holder.acquire();
  if (entry.model.name !== name) {
    ctx.holder.release(entry);
    throw new GnnopsError(
      ErrorCodes.NOT_FOUND,
      `model ${JSON.stringify(name)} is not served here; this server serves ${JSON.stringify(entry.model.name)}`,
      { field: 'name' },
    );
  }
  return entry;
}

export function metadataOf(model: ServedModel): ModelMetadata {
  const inputs = [
    { name: 'x', datatype: 'FP32', shape: [-1, model.numFeatures] },
    { name: 'edge_index', datatype: 'INT64', shape: [2, -1] },
  ];
  if (model.graph) inputs.push({ name: 'node_ids', datatype: 'INT64', shape: [-1] });
  return {
    name: model.name,
    versions: [model.version],
    platform: 'gnnops',
    inputs,
    outputs: [
      { name: 'probabilities', datatype: 'FP32', shape: [-1, model.numClasses] },
      { name: 'predictions', datatype: 'INT64', shape: [-1] },
    ],
  };
}

/** Open Inference Protocol (KServe V2) model routes. Health and server metadata live in health.ts. */
export async function v2Routes(app: FastifyInstance, ctx: ServeContext): Promise<void> {
  app.get<{ Params: ModelParams; Reply: ModelMetadata }>(
    '/v2/models/:name',
    { schema: modelMetadataRouteSchema },
    async (req) => {
      const entry = entryFor(ctx, req.params.name);
      ctx.holder.release(entry);
      return metadataOf(entry.model);
    },
  );

  app.get<{ Params: ModelParams }>('/v2/models/:name/ready', { schema: modelReadyRouteSchema }, async (req) => {
    const entry = entryFor(ctx, req.params.name);
    ctx.holder.release(entry);
    return { name: entry.model.name, ready: true };
  });

  // the infer route alone also takes the binary tensor data extension (application/octet-stream)
  await app.register(async (infer) => {
    registerBinaryParser(infer, ctx.config.body_limit);
    infer.post<{ Params: ModelParams; Body: InferRequest; Reply: InferResponse | Buffer }>(
      '/v2/models/:name/infer',
      { schema: inferRouteSchema(ctx.limits) },
      async (req, reply) => {
        const entry = entryFor(ctx, req.params.name);
        try {
          const model = entry.model;
          const allBinary = req.body.parameters?.binary_data_output === true;
          const requested = (req.body.outputs ?? []).map((o, i) => {
            if (!(OUTPUTS as readonly string[]).includes(o.name)) {
              throw requestError(
                ErrorCodes.INVALID_ARGUMENT,
                `outputs[${i}].name`,
                `unknown output ${JSON.stringify(o.name)}; available: ${OUTPUTS.join(', ')}`,
              );
            }
            return { name: o.name, binary: o.parameters?.binary_data ?? allBinary };
          });
          const wanted = new Map(
            requested.length > 0 ? requested.map((o) => [o.name, o.binary]) : OUTPUTS.map((n) => [n, allBinary]),
          );
          const input = decodeV2Inputs(req.body.inputs, model, ctx.limits, binaryPartOf(req.body));
          const meta = { route: '/v2/models/:name/infer', requestId: req.id, item: 0 };
          const opts = { calibrated: req.body.parameters?.calibrated };
          const p =
            input.kind === 'nodes'
              ? await predictNodes(ctx, model, input.ids, meta, opts)
              : await predictSubgraph(ctx, model, input.subgraph, meta, opts);
          const n = p.classes.length;
          const outputs: OutputTensor[] = [];
          const raw: (Float32Array | BigInt64Array)[] = [];
          const probs = wanted.get('probabilities');
          if (probs !== undefined) {
            const t: OutputTensor = { name: 'probabilities', datatype: 'FP32', shape: [n, model.numClasses] };
            if (probs) {
              raw.push(p.probs);
              t.parameters = { binary_data_size: p.probs.byteLength };
            } else t.data = Array.from(p.probs);
            outputs.push(t);
          }
          const preds = wanted.get('predictions');
          if (preds !== undefined) {
            const t: OutputTensor = { name: 'predictions', datatype: 'INT64', shape: [n] };
            if (preds) {
              raw.push(BigInt64Array.from(p.classes, (c) => BigInt(c)));
              t.parameters = { binary_data_size: n * 8 };
            } else t.data = Array.from(p.classes);
            outputs.push(t);
          }
          const res: InferResponse = {
            model_name: model.name,
            model_version: model.version,
            parameters: { temperature: p.temperature },
            outputs,
          };
          if (req.body.id !== undefined) res.id = req.body.id;
          if (raw.length === 0) return res;
          // binary outputs: the JSON part, then the tensors' bytes in output order (no response schema applies)
          const { body, jsonLength } = encodeBinaryBody(res, raw);
          return reply.type(BINARY_CONTENT_TYPE).header(INFERENCE_HEADER, jsonLength).send(body);
        } finally {
          ctx.holder.release(entry);
        }
      },
    );
  });
}
