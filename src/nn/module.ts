/**
 * The base of every layer and model (torch.nn.Module in spirit): a module owns named parameters and child modules,
 * and `namedParameters()` walks them in registration order with dotted names (`convs.0.weight`). That order is the
 * state-dict order written to safetensors, so a model rebuilt from the same config loads its weights back by name.
 */
import type { Rng, Tensor } from '../engine/index.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import type { GraphOperators } from './graph-context.js';

/** What a forward pass sees besides its input: the graph operators, the mode, and the dropout stream. */
export interface ForwardContext {
  /** The whole graph, or in a mini-batch the block of the layer being run (LayerStack picks it from `blocks`). */
  graph: GraphOperators;
  training: boolean;
  /** Seeded stream for dropout masks (a seed reproduces a run bit for bit). */
  rng: Rng;
  /**
   * Per-edge weights on the messages, E × 1 over the edges of `graph.attention` (self-loops included), for
   * explanations that learn or differentiate through edges. Absent, every edge counts fully. Layers that cannot
   * weight their messages reject it (see conv/edge-mask.ts).
   */
  edgeMask?: Tensor;
  /**
   * A mini-batch's sampled blocks, one per layer, input side first: layer l runs on blocks[l], reading
   * blocks[l].numSrc rows and producing blocks[l].numDst.
   */
  blocks?: readonly GraphOperators[];
}

export abstract class Module {
  readonly #params: [string, Tensor][] = [];
  readonly #children: [string, Module][] = [];

  /** Registers a trainable tensor under `name` and returns it. */
  protected addParam(name: string, t: Tensor): Tensor {
    t.name = name;
    this.#params.push([name, t]);
    return t;
  }

  /** Registers a child module under `name` and returns it. */
  protected addChild<M extends Module>(name: string, m: M): M {
    this.#children.push([name, m]);
    return m;
  }

  /** Every parameter with its dotted path, own parameters first, then children in registration order. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = this.#params.map(([n, t]) => [prefix + n, t]);
    for (const [n, c] of this.#children) out.push(...c.namedParameters(`${prefix}${n}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Number of trainable scalars. */
  numParameters(): number {
    let n = 0;
    for (const p of this.parameters()) n += p.size;
    return n;
  }

  /** Copies of every parameter by name (float32). */
  stateDict(): Map<string, { shape: number[]; data: Float32Array }> {
    const out = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [n, t] of this.namedParameters()) out.set(n, { shape: [...t.shape], data: t.toFloat32() });
    return out;
  }

  /** Overwrites every parameter from `state`; names and shapes must match exactly (no missing or extra keys). */
  loadStateDict(state: ReadonlyMap<string, { shape: readonly number[]; data: ArrayLike<number> }>): void {
    const named = this.namedParameters();
    const bad = (msg: string): never => {
      throw new GnnopsError(ErrorCodes.CHECKPOINT_INVALID, `state dict: ${msg}`);
    };
    for (const key of state.keys()) if (!named.some(([n]) => n === key)) bad(`unexpected tensor "${key}"`);
    for (const [n, t] of named) {
      const s = state.get(n);
      if (!s) bad(`missing tensor "${n}" (shape [${t.shape}])`);
      else if (s.shape.length !== t.shape.length || s.shape.some((d, i) => d !== t.shape[i]))
        bad(`tensor "${n}" has shape [${s.shape}], the model expects [${t.shape}]`);
      else t.assign(s.data);
    }
  }

  /** Returns every parameter's storage to the backend. */
  dispose(): void {
    for (const p of this.parameters()) p.dispose();
  }
}
