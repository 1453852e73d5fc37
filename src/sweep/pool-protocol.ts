import type { BandTable } from './hyperband.js';
import type { TrialOutcome, TrialTask } from './types.js';

/** Parent → worker process. */
export type ParentMessage =
  | { type: 'run'; task: TrialTask; module: string; table: BandTable }
  | { type: 'bands'; table: BandTable }
  | { type: 'abort' };

/** Worker process → parent. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'epoch'; step: number; metrics: Record<string, number> }
  | { type: 'done'; outcome: TrialOutcome };
