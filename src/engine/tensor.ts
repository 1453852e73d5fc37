/**
 * A dense row-major tensor whose storage comes from the kernel backend (`Backend.alloc`), so kernels read and write
 * it without copies. Float storage is float32 (float64 on the reference backend for gradient checks); integer
 * indices (labels, row selections, CSR arrays) are plain `Int32Array`s passed to ops as arguments.
 *
 * Three kinds:
 *  - `param`: trainable, persistent, `requiresGrad`; its grad buffer persists and `Optimizer.zeroGrad` clears it;
 *  - `constant`: persistent input data (features), no gradient;
 *  - `temp`: an op's output, owned by the tape and released by `tape.reset()`.
 */
import type { FArray } from './backend/types.js';
import { argError } from './check.js';
import type { Tape } from './tape.js';

export type Shape = readonly number[];
export type TensorKind = 'param' | 'constant' | 'temp';
/** Receives this tensor's gradient and adds its inputs' contributions (through `tape.gradInto`/`gradViaTemp`). */
export type BackwardFn = (grad: FArray) => void;

const EMPTY = new Float32Array(0);

export class Tensor {
  readonly tape: Tape;
  readonly shape: Shape;
  readonly size: number;
  kind: TensorKind;
  data: FArray;
  /** Gradient of the loss w.r.t. this tensor (same size as data), or null when none has flowed in yet. */
  grad: FArray | null = null;
  /**
   * True while `grad` holds zeros that the next contribution may overwrite instead of adding to (set by
   * `zeroGrad` and on allocation); lets kernels with a beta argument skip the read of old contents.
   */
  gradFresh = false;
  requiresGrad: boolean;
  /** Keep this temp's gradient after backward (by default intermediate grads are freed as soon as they are used). */
  retainGrad = false;
  /** Set by ops that record themselves on the tape. */
  backwardFn: BackwardFn | null = null;
  name: string | undefined;
  private disposed = false;

  constructor(tape: Tape, data: FArray, shape: Shape, requiresGrad: boolean, kind: TensorKind, name?: string) {
    let size = 1;
    for (const d of shape) size *= d;
    if (data.length !== size) argError('data', `${data.length} elements for shape [${shape}], which needs ${size}`);
    this.tape = tape;
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.size = size;
    this.requiresGrad = requiresGrad;
    this.kind = kind;
    this.name = name;
  }

  /** Last dimension (1 for a scalar). */
  get cols(): number {
    return this.shape.length === 0 ? 1 : this.shape[this.shape.length - 1];
  }

  /** Product of all but the last dimension. */
  get rows(): number {
    const c = this.cols;
    return c === 0 ? 0 : this.size / c;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** The single value of a one-element tensor (a loss). */
  item(): number {
    if (this.size !== 1) argError('item', `needs a one-element tensor, got shape [${this.shape}]`);
    return this.data[0];
  }

  /** A float32 copy of the values that survives `tape.reset()`. */
  toFloat32(): Float32Array {
    return Float32Array.from(this.data);
  }

  /** Overwrite the values (e.g. loading a checkpoint). */
  assign(values: ArrayLike<number>): void {
    if (values.length !== this.size) {
      argError('assign', `${values.length} values for a tensor of shape [${this.shape}] (${this.size})`);
    }
    this.data.set(values);
  }

  /**
   * Returns the storage to the backend (`release` false: the tape has already taken the buffers back into its pool).
   * Further use of the tensor is an error.
   */
  dispose(release = true): void {
    if (this.disposed) return;
    this.disposed = true;
    if (release) {
      const be = this.tape.backend;
      if (this.data.length > 0) be.free(this.data);
      if (this.grad) be.free(this.grad);
    }
    this.data = EMPTY;
    this.grad = null;
    this.backwardFn = null;
  }
}
