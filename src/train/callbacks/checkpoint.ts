/**
 * ModelCheckpoint: writes the model (after EarlyStopping restored its best weights: register it after that callback)
 * to `path` as a gnnops safetensors checkpoint when fitting ends. The metadata comes from `meta()`, called then.
 */
import { type CheckpointMeta, saveCheckpoint } from '../../nn/checkpoint.js';
import type { NodeClassificationTask } from '../task.js';
import type { Trainer } from '../trainer.js';
import type { Callback } from './callback.js';

export class ModelCheckpoint implements Callback {
  readonly name = 'model_checkpoint';
  readonly path: string;
  readonly meta: (task: NodeClassificationTask) => CheckpointMeta;
  saved: string | null = null;

  constructor(path: string, meta: (task: NodeClassificationTask) => CheckpointMeta) {
    this.path = path;
    this.meta = meta;
  }

  onFitEnd(_t: Trainer, task: NodeClassificationTask): void {
    saveCheckpoint(this.path, task.model, this.meta(task));
    this.saved = this.path;
  }

  stateDict(): Record<string, unknown> {
    return { path: this.path, saved: this.saved };
  }
}
