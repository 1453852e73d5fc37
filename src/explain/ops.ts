/**
 * The differentiable pieces explanations need beyond the engine's ops, each with its backward beside it (every one
 * is checked by finite differences in test/explain/ops.test.ts):
 *   sigmoid(x)                       σ(x) = 1 / (1 + e^{−x}), the soft masks
 *   binaryEntropy(m)                 −m·ln(m + ε) − (1 − m)·ln(1 − m + ε), GNNExplainer's entropy regulariser
 *   scaleColumns(x, v)               x[i, f] · v[f], a feature mask shared by every node
 *   spreadEdges(m, positions, n)     an n × 1 edge vector holding m[k] at positions[k] and 1 elsewhere, so a mask over
 *                                    the explained edges leaves the self-loops the layers add untouched
 */
import type { Tensor } from '../engine/index.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';

/** The ε inside the logarithms (PyG's GNNExplainer uses 1e-15), so a mask at exactly 0 or 1 stays finite. */
export const ENTROPY_EPS = 1e-15;

export function sigmoid(x: Tensor): Tensor {
  const tape = x.tape;
  const out = tape.result(x.shape, x);
  const o = out.data;
  const v = x.data;
  for (let i = 0; i < o.length; i++) o[i] = 1 / (1 + Math.exp(-v[i]));
  if (out.requiresGrad) {
    tape.record(out, (g) =>
      tape.gradInto(x, (buf, beta) => {
        for (let i = 0; i < g.length; i++) buf[i] = g[i] * o[i] * (1 - o[i]) + beta * buf[i];
      }),
    );
  }
  return out;
}

export function binaryEntropy(m: Tensor): Tensor {
  const tape = m.tape;
  const out = tape.result(m.shape, m);
  const o = out.data;
  const v = m.data;
  for (let i = 0; i < o.length; i++)
    o[i] = -v[i] * Math.log(v[i] + ENTROPY_EPS) - (1 - v[i]) * Math.log(1 - v[i] + ENTROPY_EPS);
  if (out.requiresGrad) {
    tape.record(out, (g) =>
      tape.gradInto(m, (buf, beta) => {
        for (let i = 0; i < g.length; i++) {
          const p = v[i];
          // d/dp: −ln(p + ε) − p/(p + ε) + ln(1 − p + ε) + (1 − p)/(1 − p + ε)
          const d =
            -Math.log(p + ENTROPY_EPS) -
            p / (p + ENTROPY_EPS) +
            Math.log(1 - p + ENTROPY_EPS) +
            (1 - p) / (1 - p + ENTROPY_EPS);
          buf[i] = g[i] * d + beta * buf[i];
        }
      }),
    );
  }
  return out;
}

/** x (rows × cols) times v (cols entries) broadcast over rows. */
export function scaleColumns(x: Tensor, v: Tensor): Tensor {
  const cols = x.cols;
  if (v.size !== cols) shapeError(`scaleColumns: v has ${v.size} entries, x has ${cols} columns`);
  const rows = x.rows;
  const tape = x.tape;
  const out = tape.result(x.shape, x, v);
  const o = out.data;
  const xv = x.data;
  const vv = v.data;
  for (let i = 0; i < rows; i++) for (let f = 0; f < cols; f++) o[i * cols + f] = xv[i * cols + f] * vv[f];
  if (out.requiresGrad) {
    tape.record(out, (g) => {
      if (x.requiresGrad) {
        tape.gradInto(x, (buf, beta) => {
          for (let i = 0; i < rows; i++)
            for (let f = 0; f < cols; f++) buf[i * cols + f] = g[i * cols + f] * vv[f] + beta * buf[i * cols + f];
        });
      }
      if (v.requiresGrad) {
        tape.gradInto(v, (buf, beta) => {
          for (let f = 0; f < cols; f++) {
            let s = 0;
            for (let i = 0; i < rows; i++) s += g[i * cols + f] * xv[i * cols + f];
            buf[f] = s + beta * buf[f];
          }
        });
      }
    });
  }
  return out;
}

/** n × 1: m[k] at positions[k] (distinct, in 0..n−1), 1 everywhere else. */
export function spreadEdges(m: Tensor, positions: Int32Array, n: number): Tensor {
  if (m.size !== positions.length)
    shapeError(`spreadEdges: the mask has ${m.size} entries for ${positions.length} positions`);
  const tape = m.tape;
  const out = tape.result([n, 1], m);
  const o = out.data;
  o.fill(1);
  const v = m.data;
  for (let k = 0; k < positions.length; k++) {
    const p = positions[k];
    if (!(p >= 0 && p < n)) shapeError(`spreadEdges: position ${p} is outside 0..${n - 1}`);
    o[p] = v[k];
  }
  if (out.requiresGrad) {
    tape.record(out, (g) =>
      tape.gradInto(m, (buf, beta) => {
        for (let k = 0; k < positions.length; k++) buf[k] = g[positions[k]] + beta * buf[k];
      }),
    );
  }
  return out;
}

function shapeError(message: string): never {
  throw new GnnopsError(ErrorCodes.INTERNAL, message);
}
