import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReloadBody, ServedModelInfo } from '../../src/serve/schemas/admin.js';
import type { NodesBody } from '../../src/serve/schemas/nodes.js';
import {
  type PredictBody,
  type PredictResponse,
  predictBodySchema,
  type Subgraph,
} from '../../src/serve/schemas/predict.js';
import type { Static } from '../../src/serve/schemas/static.js';
import type { InferRequest } from '../../src/serve/schemas/v2.js';

/**
 * The handler types are derived from the JSON Schemas (Static<typeof schema>). The `@ts-expect-error` lines make
 * `tsc` (npm run typecheck) fail if a derived type stops rejecting a wrong value; the runtime asserts check the
 * literal schema objects the types come from.
 */
describe('route contracts: one JSON Schema, derived types', () => {
  it('derives object, array, optional and union types', () => {
    const sg: Subgraph = { x: [[1, 2]], edge_index: [[0], [0]] };
    // @ts-expect-error x must be number[][]
    const badX: Subgraph = { x: [1, 2], edge_index: [[0], [0]] };
    // @ts-expect-error edge_index is required
    const noEdges: Subgraph = { x: [[1]] };
    const batch: PredictBody = { instances: [sg] };
    const bare: PredictBody = [sg];
    const res: PredictResponse = { model: 'm', version: '1', temperature: 1.5, node_predictions: [0] };
    // @ts-expect-error version is required
    const noVersion: PredictResponse = { model: 'm' };
    const nodes: NodesBody = { node_ids: [1, 2] };
    const reload: ReloadBody = null;
    const v2: InferRequest = { inputs: [{ name: 'x', shape: [1, 1], datatype: 'FP32', data: [0.5] }] };
    const metrics: ServedModelInfo['metrics'] = { val_acc: 0.8 };
    // @ts-expect-error metrics are numbers
    const badMetrics: ServedModelInfo['metrics'] = { val_acc: 'high' };
    type E = Static<{ enum: readonly ['a', 'b'] }>;
    const e: E = 'a';
    // @ts-expect-error not in the enum
    const badE: E = 'c';
    assert.ok([sg, badX, noEdges, batch, bare, res, noVersion, nodes, reload, v2, metrics, badMetrics, e, badE]);
  });

  it('embeds the configured limits in the schemas', () => {
    const s = predictBodySchema({ maxNodes: 7, maxEdges: 9, maxFeatures: 5, maxBatch: 3, maxExplainNodes: 2 });
    const single = s.anyOf[0];
    assert.equal(single.properties.x.maxItems, 7);
    assert.equal(single.properties.x.items.maxItems, 5);
    assert.equal(single.properties.edge_index.items.maxItems, 9);
    assert.equal(s.anyOf[1].properties.instances.maxItems, 3);
    assert.equal(s.anyOf[2].maxItems, 3);
  });
});
