/**
 * Optimizer base: PyTorch semantics (torch.optim), one parameter group. Each parameter keeps its own step count and
 * state buffers (same float type as the parameter); parameters without a gradient are skipped, as torch skips
 * `grad is None`. Subclasses implement `update` for one parameter.
 */
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import type { FArray } from '../backend/types.js';
import { argError } from '../check.js';
import type { Tensor } from '../tensor.js';

export type OptimizerKind = 'sgd' | 'adam' | 'adamw' | 'rmsprop' | 'nadam';

/** A checkpointable snapshot: buffers are copies, so the optimizer can keep training after `stateDict()`. */
export interface OptimizerState {
  kind: OptimizerKind;
  /** Hyper-parameters (lr included), for the record; `loadStateDict` restores lr only. */
  options: Record<string, number | boolean>;
  /** Steps taken per parameter. */
  steps: number[];
  /** Per-parameter state buffers by name (null = not allocated yet). */
  buffers: Record<string, (FArray | null)[]>;
  /** Per-parameter scalar state by name (NAdam's μ product). */
  scalars: Record<string, number[]>;
}

export abstract class Optimizer {
  abstract readonly kind: OptimizerKind;
  readonly params: readonly Tensor[];
  /** Learning rate; schedulers may change it between steps. */
  lr: number;
  protected readonly steps: number[];
  protected readonly buffers: Record<string, (FArray | null)[]> = {};
  protected readonly scalars: Record<string, number[]> = {};

  constructor(
    params: readonly Tensor[],
    lr: number,
    bufferNames: readonly string[],
    scalarNames: readonly string[] = [],
  ) {
    if (!(lr >= 0)) argError('lr', `${lr} must be ≥ 0`, { value: lr });
    params.forEach((p, i) => {
      if (!p.requiresGrad) argError(`params[${i}]`, `${p.name ?? 'tensor'} does not require grad`);
    });
    this.params = [...params];
    this.lr = lr;
    this.steps = params.map(() => 0);
    for (const b of bufferNames) this.buffers[b] = params.map(() => null);
    for (const s of scalarNames) this.scalars[s] = params.map(() => 0);
  }

  /** Hyper-parameters as stored in the state dict. */
  abstract options(): Record<string, number | boolean>;

  /** Updates parameter i in place from its gradient; t is its step number (1 on the first step). */
  protected abstract update(i: number, p: FArray, g: FArray, t: number): void;

  /** One optimisation step over every parameter that has a gradient. */
  step(): void {
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      if (p.grad === null) continue;
      this.steps[i]++;
      this.update(i, p.data, p.grad, this.steps[i]);
    }
  }

  /** Zeroes every parameter's gradient (the buffers are kept and reused). */
  zeroGrad(): void {
    for (const p of this.params) {
      if (p.grad !== null) {
        p.grad.fill(0);
        p.gradFresh = true;
      }
    }
  }

  /** The state buffer `name` of parameter i, allocated (zeroed) on first use. */
  protected buffer(name: string, i: number): FArray {
    const list = this.buffers[name];
    let b = list[i];
    if (b === null) {
      const p = this.params[i].data;
      b = p instanceof Float64Array ? new Float64Array(p.length) : new Float32Array(p.length);
      list[i] = b;
    }
    return b;
  }

  protected hasBuffer(name: string, i: number): boolean {
    return this.buffers[name][i] !== null;
  }

  stateDict(): OptimizerState {
    const buffers: Record<string, (FArray | null)[]> = {};
    for (const [k, list] of Object.entries(this.buffers)) buffers[k] = list.map((b) => (b ? b.slice() : null));
    const scalars: Record<string, number[]> = {};
    for (const [k, list] of Object.entries(this.scalars)) scalars[k] = [...list];
    return { kind: this.kind, options: { ...this.options(), lr: this.lr }, steps: [...this.steps], buffers, scalars };
  }

  /** Restores a snapshot taken from an optimizer of the same kind over parameters of the same sizes. */
  loadStateDict(s: OptimizerState): void {
    const bad = (msg: string): never => {
      throw new GnnopsError(ErrorCodes.CHECKPOINT_INVALID, `optimizer state: ${msg}`, { kind: s.kind });
    };
    if (s.kind !== this.kind) bad(`kind is ${s.kind}, this optimizer is ${this.kind}`);
    if (s.steps.length !== this.params.length) bad(`${s.steps.length} parameters, expected ${this.params.length}`);
    for (const name of Object.keys(this.buffers)) {
      const list = s.buffers[name];
      if (!list || list.length !== this.params.length) bad(`buffer list '${name}' missing or of the wrong length`);
      list.forEach((b, i) => {
        if (b && b.length !== this.params[i].size)
          bad(`buffer '${name}'[${i}] has ${b.length} values, expected ${this.params[i].size}`);
      });
    }
    for (const name of Object.keys(this.scalars)) {
      const list = s.scalars[name];
      if (!list || list.length !== this.params.length) bad(`scalar list '${name}' missing or of the wrong length`);
    }
    for (let i = 0; i < this.params.length; i++) this.steps[i] = s.steps[i];
    for (const name of Object.keys(this.buffers)) {
      s.buffers[name].forEach((b, i) => {
        if (b === null) this.buffers[name][i] = null;
        else this.buffer(name, i).set(b);
      });
    }
    for (const name of Object.keys(this.scalars)) this.scalars[name] = [...s.scalars[name]];
    if (typeof s.options.lr === 'number') this.lr = s.options.lr;
  }
}

/** Shared validation for hyper-parameters in [0, 1). */
export function checkUnit(field: string, v: number): void {
  if (!(v >= 0 && v < 1)) argError(field, `${v} must be in [0, 1)`, { value: v });
}

export function checkNonNeg(field: string, v: number): void {
  if (!(v >= 0)) argError(field, `${v} must be ≥ 0`, { value: v });
}
