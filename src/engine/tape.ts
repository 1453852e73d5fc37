/**
 * The autograd tape. Ops append their output tensors in creation order, which is a topological order of the graph,
 * so `backward()` is a single reverse walk: each output's `backwardFn` receives its gradient and adds its inputs'
 * contributions. The tape also owns every temporary it created: `reset()` returns their buffers to the backend pool,
 * so a training loop (forward → backward → step → reset) allocates nothing new after its first epoch.
 *
 * Usage per epoch:
 *   const loss = model(x); tape.backward(loss); opt.step(); opt.zeroGrad(); tape.reset();
 * Evaluation: `tape.noGrad(() => model(x))` records nothing; call `reset()` after reading the outputs.
 */
import type { Backend, FArray } from './backend/types.js';
import { argError } from './check.js';
import { type BackwardFn, type Shape, Tensor } from './tensor.js';

export interface TensorOptions {
  requiresGrad?: boolean;
  name?: string;
}

export class Tape {
  readonly backend: Backend;
  private recording = true;
  /** Outputs with a backwardFn, in creation order. */
  private nodes: Tensor[] = [];
  /** Every temp created since the last reset. */
  private temps: Tensor[] = [];
  private scratchF: FArray[] = [];
  private scratchU8: Uint8Array[] = [];
  /**
   * Float buffers released by temps, reused by size. Op outputs and scratch take them without clearing (every op
   * writes all of its output), which skips the zero-fill `Backend.alloc` does; gradients are cleared on reuse.
   */
  private readonly pool = new Map<number, FArray[]>();

  constructor(backend: Backend) {
    this.backend = backend;
  }

  /** Whether ops record backward closures (false inside `noGrad`). */
  get isRecording(): boolean {
    return this.recording;
  }

  /** Runs fn without recording gradients (evaluation). Temps are still owned and freed by `reset()`. */
  noGrad<T>(fn: () => T): T {
    const prev = this.recording;
    this.recording = false;
    try {
      return fn();
    } finally {
      this.recording = prev;
    }
  }

  // ---- persistent tensors -------------------------------------------------------------------------------------

  /** A persistent tensor holding a copy of `values` (converted to the backend dtype). */
  tensor(values: ArrayLike<number>, shape: Shape, opts: TensorOptions = {}): Tensor {
    const buf = this.backend.alloc(values.length);
    buf.set(values);
    const kind = opts.requiresGrad ? 'param' : 'constant';
    return new Tensor(this, buf, shape, opts.requiresGrad ?? false, kind, opts.name);
  }

  /** A persistent zero tensor. */
  zeros(shape: Shape, opts: TensorOptions = {}): Tensor {
    const buf = this.backend.alloc(shapeSize(shape));
    const kind = opts.requiresGrad ? 'param' : 'constant';
    return new Tensor(this, buf, shape, opts.requiresGrad ?? false, kind, opts.name);
  }

  /** A trainable parameter; `init` fills the zeroed storage (see init.ts). */
  param(shape: Shape, init?: (buf: FArray, shape: Shape) => void, name?: string): Tensor {
    const t = this.zeros(shape, { requiresGrad: true, name });
    init?.(t.data, shape);
    return t;
  }

  /**
   * Detaches a temp from the tape so it survives `reset()` (e.g. the best epoch's predictions); it no longer takes
   * part in gradients, and the caller must `dispose()` it.
   */
  keep(t: Tensor): Tensor {
    const i = this.temps.indexOf(t);
    if (i >= 0) this.temps.splice(i, 1);
    if (t.kind === 'temp') t.kind = 'constant';
    t.requiresGrad = t.kind === 'param';
    return t;
  }

  // ---- for ops ------------------------------------------------------------------------------------------------

  /**
   * A temp output of an op on `inputs`; it requires grad iff recording and any input does. Its contents are
   * unspecified: the op must write every element.
   */
  result(shape: Shape, a?: Tensor, b?: Tensor, c?: Tensor): Tensor {
    const rg = this.recording && (a?.requiresGrad === true || b?.requiresGrad === true || c?.requiresGrad === true);
    const t = new Tensor(this, this.take(shapeSize(shape)), shape, rg, 'temp');
    this.temps.push(t);
    return t;
  }

  /** Like `result` for ops with a list of inputs (concat). */
  resultOf(shape: Shape, inputs: readonly Tensor[]): Tensor {
    const t = new Tensor(this, this.take(shapeSize(shape)), shape, false, 'temp');
    t.requiresGrad = this.recording && inputs.some((x) => x.requiresGrad);
    this.temps.push(t);
    return t;
  }

  /** Attaches `fn` as out's backward and appends out to the tape (only call when out.requiresGrad). */
  record(out: Tensor, fn: BackwardFn): void {
    out.backwardFn = fn;
    this.nodes.push(out);
  }

  /** A float buffer (contents unspecified) owned by the tape until `reset()`: saved activations, probabilities. */
  scratch(n: number): FArray {
    const buf = this.take(n);
    this.scratchF.push(buf);
    return buf;
  }

  /** A zeroed byte buffer owned by the tape until `reset()`: dropout masks. */
  bytesScratch(n: number): Uint8Array {
    const buf = this.backend.allocU8(n);
    this.scratchU8.push(buf);
    return buf;
  }

  /**
   * Adds a gradient contribution to x through `write(buf, beta)`, which must compute buf = contribution + beta·buf
   * (a kernel's beta argument). beta is 0 when x has no gradient yet (buf is zero), so kernels may overwrite.
   */
  gradInto(x: Tensor, write: (buf: FArray, beta: 0 | 1) => void): void {
    const beta = this.gradBeta(x);
    write(x.grad as FArray, beta);
  }

  /**
   * Passes out's gradient g to x unchanged (an identity edge: bias add, sum). When x has no gradient yet the buffer
   * itself moves to x (no allocation, no copy); otherwise it is added. Call it last in a backward closure, after
   * every other use of g.
   */
  passGrad(x: Tensor, out: Tensor, g: FArray): void {
    if (x.grad === null && out.grad === g && !out.retainGrad && out.kind === 'temp') {
      x.grad = g;
      x.gradFresh = false;
      out.grad = null;
      return;
    }
    this.gradInto(x, (buf) => this.backend.axpy(1, g, buf));
  }

  /**
   * Prepares x's gradient for a kernel writing `contribution + beta·grad`: allocates it if needed and returns the
   * beta to pass (0 when the buffer is zero and may be overwritten). Read the buffer from x.grad afterwards.
   */
  gradBeta(x: Tensor): 0 | 1 {
    let beta: 0 | 1 = 1;
    if (x.grad === null) {
      x.grad = this.takeZeroed(x.size);
      beta = 0;
    } else if (x.gradFresh) beta = 0;
    x.gradFresh = false;
    return beta;
  }

  /** x's gradient buffer for `+=` accumulation in a plain loop (allocated zeroed on first use). */
  gradBuffer(x: Tensor): FArray {
    if (x.grad === null) x.grad = this.takeZeroed(x.size);
    x.gradFresh = false;
    return x.grad;
  }

  /**
   * Adds a gradient contribution computed by a kernel that can only overwrite its output: writes straight into a
   * fresh gradient, otherwise into a temporary buffer that is then added (axpy) and freed.
   */
  gradViaTemp(x: Tensor, write: (buf: FArray) => void): void {
    if (x.grad === null || x.gradFresh) {
      if (x.grad === null) x.grad = this.take(x.size);
      x.gradFresh = false;
      write(x.grad);
      return;
    }
    const tmp = this.take(x.size);
    write(tmp);
    this.backend.axpy(1, tmp, x.grad);
    this.give(tmp);
  }

  // ---- backward and reset -------------------------------------------------------------------------------------

  /**
   * Reverse-mode sweep from `root`. A one-element root is seeded with 1; otherwise pass `seed`
   * (the vector in a vector–Jacobian product, same size as root). The recorded graph is consumed: call it once per
   * forward pass. Gradients accumulate into parameters' `grad`; intermediate grads are freed once used.
   */
  backward(root: Tensor, seed?: ArrayLike<number>): void {
    if (!root.requiresGrad) argError('backward', 'the root does not require grad (no parameter reaches it, or noGrad)');
    if (seed === undefined && root.size !== 1) {
      argError('backward', `a seed is needed for a root of shape [${root.shape}]`, { shape: [...root.shape] });
    }
    if (seed !== undefined && seed.length !== root.size) {
      argError('seed', `length ${seed.length} does not match the root's size ${root.size}`);
    }
    this.gradViaTemp(root, (buf) => {
      if (seed === undefined) buf[0] = 1;
      else buf.set(seed);
    });
    const nodes = this.nodes;
    for (let i = nodes.length - 1; i >= 0; i--) {
      const n = nodes[i];
      const g = n.grad;
      if (g !== null && n.backwardFn !== null) n.backwardFn(g);
      n.backwardFn = null;
      if (n.kind === 'temp' && !n.retainGrad && n.grad !== null) {
        this.give(n.grad);
        n.grad = null;
      }
    }
    this.nodes = [];
  }

  /** Frees every temp and scratch buffer created since the last reset and forgets the recorded graph. */
  reset(): void {
    for (const t of this.temps) {
      if (t.isDisposed) continue;
      this.give(t.data);
      if (t.grad !== null) this.give(t.grad);
      t.dispose(false);
    }
    for (const b of this.scratchF) this.give(b);
    for (const b of this.scratchU8) this.backend.free(b);
    for (const n of this.nodes) n.backwardFn = null;
    this.temps = [];
    this.scratchF = [];
    this.scratchU8 = [];
    this.nodes = [];
  }

  /**
   * Returns the pooled buffers to the backend. The pool reuses buffers by exact size, which pays off when every pass
   * has the same shapes; mini-batches and inference chunks do not, so they release it after each batch rather than
   * let it collect one set of buffers per distinct size.
   */
  releasePool(): void {
    for (const list of this.pool.values()) for (const b of list) this.backend.free(b);
    this.pool.clear();
  }

  /** Frees everything the tape owns, pooled buffers included, back to the backend. */
  dispose(): void {
    this.reset();
    for (const list of this.pool.values()) for (const b of list) this.backend.free(b);
    this.pool.clear();
  }

  /** A pooled buffer of n floats with unspecified contents (a fresh zeroed one when none is pooled). */
  private take(n: number): FArray {
    return this.pool.get(n)?.pop() ?? this.backend.alloc(n);
  }

  private takeZeroed(n: number): FArray {
    const b = this.pool.get(n)?.pop();
    if (b === undefined) return this.backend.alloc(n);
    b.fill(0);
    return b;
  }

  private give(b: FArray): void {
    const list = this.pool.get(b.length);
    if (list) list.push(b);
    else this.pool.set(b.length, [b]);
  }

  /** Temps and scratch buffers currently owned (for tests of memory flatness). */
  get liveCount(): number {
    return this.temps.length + this.scratchF.length + this.scratchU8.length;
  }
}

export function shapeSize(shape: Shape): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0)
      argError('shape', `dimension ${d} is not a non-negative integer`, { shape: [...shape] });
    n *= d;
  }
  return n;
}
