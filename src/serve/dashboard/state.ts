import type { DriftLoop } from '../drift-loop.js';
import type { DriftWorker } from './drift-worker.js';
import type { DashboardSources } from './sources.js';
import type { TrafficSampler } from './traffic.js';

/** What every dashboard route plugin gets. */
export interface DashboardState {
  sources: DashboardSources;
  traffic: TrafficSampler;
  /** Runs drift reports off the event loop. */
  drift: DriftWorker;
  /** The server's background drift loop, when one is configured. */
  driftLoop?: DriftLoop;
  /** The last drift report the dashboard computed (for the overview when there is no drift loop). */
  lastDrift?: { share: number; drifted: boolean; drifted_features: number; checked_at: string };
  /** When the overview last tried to compute it (ms). */
  lastDriftTry?: number;
}
