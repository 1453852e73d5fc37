/** Re-exports of the server's schema-derived types (see api.ts). */
import type { GraphStats } from '../../src/data/stats.js';
import type { StatsResponse } from '../../src/serve/dashboard/schemas/data.js';

export type { ProjectionResponse, StatsResponse } from '../../src/serve/dashboard/schemas/data.js';
export type {
  ColumnDriftJson,
  DriftAccuracyResponse,
  DriftChecksResponse,
  DriftHistoryResponse,
  DriftLatestResponse,
  DriftReplicasResponse,
} from '../../src/serve/dashboard/schemas/drift.js';
export type { GraphNodeJson, NeighbourhoodResponse, SearchResponse } from '../../src/serve/dashboard/schemas/graph.js';
export type { OverviewResponse } from '../../src/serve/dashboard/schemas/overview.js';
export type {
  AliasChangeResponse,
  AuditEntryJson,
  ModelDetailResponse,
  ModelsListResponse,
  ModelVersionJson,
  PromoteBody,
  RegisteredModelJson,
  RollbackBody,
} from '../../src/serve/dashboard/schemas/registry.js';
export type {
  MetricSeriesResponse,
  RunClassificationResponse,
  RunDetailResponse,
  RunSummary,
  RunsResponse,
} from '../../src/serve/dashboard/schemas/runs.js';
export type {
  SweepDetailResponse,
  SweepSummaryJson,
  SweepsResponse,
  TrialJson,
} from '../../src/serve/dashboard/schemas/sweeps.js';
export type { ExplainBody, ExplainResponse } from '../../src/serve/schemas/explain.js';
export type { NodePrediction, NodesBody, NodesResponse } from '../../src/serve/schemas/nodes.js';
export type { PredictBody, PredictResponse, Subgraph } from '../../src/serve/schemas/predict.js';
export type { GraphStats };

/** GET /api/data/stats with its `stats` typed as the data module's GraphStats. */
export type DataStats = Omit<StatsResponse, 'stats'> & { stats: GraphStats };
