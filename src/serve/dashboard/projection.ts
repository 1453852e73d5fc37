/**
 * 2-D PCA by power iteration with deflation on the d × d covariance (d = feature or class count). The mean and
 * covariance are fitted on an evenly strided sample of at most `fitRows` rows (default 1,000), which keeps the
 * O(rows·d²) step to ~0.1 s at d = 300 (the server's event loop must not stall for seconds); every row is then
 * projected, O(n·d). Components are sign-fixed (largest |loading| positive) so repeated calls agree.
 */
export interface Pca2 {
  /** Row-major rows × 2 coordinates. */
  coords: Float64Array;
  /** Share of the total variance carried by each component. */
  explained: [number, number];
}

export function pca2(
  x: Float32Array,
  rows: number,
  cols: number,
  opts: { fitRows?: number; iterations?: number } = {},
): Pca2 {
  const iterations = opts.iterations ?? 200;
  const stride = Math.max(1, Math.ceil(rows / (opts.fitRows ?? 1000)));
  const fit: number[] = [];
  for (let i = 0; i < rows; i += stride) fit.push(i);
  const mean = new Float64Array(cols);
  for (const i of fit) for (let c = 0; c < cols; c++) mean[c] += x[i * cols + c];
  for (let c = 0; c < cols; c++) mean[c] /= Math.max(1, fit.length);
  // centred sample, column-major: each covariance entry is then a dot product of two contiguous columns
  const m = fit.length;
  const colsMajor = new Float64Array(cols * m);
  for (let k = 0; k < m; k++) {
    const off = fit[k] * cols;
    for (let c = 0; c < cols; c++) colsMajor[c * m + k] = x[off + c] - mean[c];
  }
  const cov = new Float64Array(cols * cols);
  for (let a = 0; a < cols; a++) {
    const oa = a * m;
    for (let b = a; b < cols; b++) {
      const ob = b * m;
      let s = 0;
      for (let k = 0; k < m; k++) s += colsMajor[oa + k] * colsMajor[ob + k];
      cov[a * cols + b] = s;
    }
  }
  for (let a = 0; a < cols; a++) for (let b = a; b < cols; b++) cov[b * cols + a] = cov[a * cols + b];
  let trace = 0;
  for (let a = 0; a < cols; a++) trace += cov[a * cols + a];

  const comps: Float64Array[] = [];
  const values: number[] = [];
  for (let k = 0; k < 2; k++) {
    let v = Float64Array.from({ length: cols }, (_, i) => 1 + ((i * 7919) % 13) / 13);
    let lambda = 0;
    for (let it = 0; it < iterations; it++) {
      const w = new Float64Array(cols);
      for (let a = 0; a < cols; a++) {
        let s = 0;
        const off = a * cols;
        for (let b = 0; b < cols; b++) s += cov[off + b] * v[b];
        w[a] = s;
      }
      for (const u of comps) {
        let d = 0;
        for (let a = 0; a < cols; a++) d += w[a] * u[a];
        for (let a = 0; a < cols; a++) w[a] -= d * u[a];
      }
      let sq = 0;
      for (let a = 0; a < cols; a++) sq += w[a] * w[a];
      const norm = Math.sqrt(sq);
      if (norm === 0) break;
      for (let a = 0; a < cols; a++) w[a] /= norm;
      const done = Math.abs(norm - lambda) <= 1e-12 * norm;
      lambda = norm;
      v = w;
      if (done) break; // the eigenvalue estimate has converged
    }
    let big = 0;
    for (let a = 0; a < cols; a++) if (Math.abs(v[a]) > Math.abs(v[big])) big = a;
    if (v[big] < 0) for (let a = 0; a < cols; a++) v[a] = -v[a];
    comps.push(v);
    values.push(lambda);
  }
  const coords = new Float64Array(rows * 2);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < 2; k++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += (x[i * cols + c] - mean[c]) * comps[k][c];
      coords[i * 2 + k] = s;
    }
  }
  const share = (l: number) => (trace > 0 ? l / trace : 0);
  return { coords, explained: [share(values[0]), share(values[1])] };
}
