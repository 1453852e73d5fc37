import type { ServeConfig } from '../config/sections/serve.js';
import type { RequestLogQueue } from '../request-log/queue.js';
import type { ClusterLink } from './cluster.js';
import type { ServeMetrics } from './metrics.js';
import type { ModelHolder } from './model-holder.js';
import type { Limits } from './schemas/common.js';

/** What every route plugin gets: the model holder, metrics, the request log and the limits. */
export interface ServeContext {
  readonly config: ServeConfig;
  readonly limits: Limits;
  readonly holder: ModelHolder;
  readonly metrics: ServeMetrics;
  readonly requestLog: RequestLogQueue | undefined;
  /** True for the requests whose inputs are logged (serve.log_sample_rate, capped by serve.log_max_inputs_per_s). */
  sample(): boolean;
  /** The admin/public API key (GNNOPS_API_KEY), if set. */
  readonly apiKey: string | undefined;
  /** Set when this server is one worker of several (serve.workers > 1). */
  readonly cluster?: ClusterLink;
}

export function limitsOf(c: ServeConfig): Limits {
  return {
    maxNodes: c.max_nodes,
    maxEdges: c.max_edges,
    maxFeatures: c.max_features,
    maxBatch: c.max_batch,
    maxExplainNodes: c.explain_max_nodes,
  };
}
