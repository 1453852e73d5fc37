/**
 * 2-D PCA by power iteration with deflation on the d × d covariance of the rows (d = feature or class count),
 * so the cost is O(n·d²) once for the covariance plus O(d²) per iteration — a 11,701 × 300 matrix takes a
 * fraction of a second. Components are sign-fixed (largest |loading| positive) so repeated calls agree.
 */
export interface Pca2 {
  /** Row-major rows × 2 coordinates. */
  coords: Float64Array;
  /** Share of the total variance carried by each component. */
  explained: [number, number];
}

export function pca2(x: Float32Array, rows: number, cols: number, iterations = 200): Pca2 {
  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c++) mean[c] += x[i * cols + c];
  for (let c = 0; c < cols; c++) mean[c] /= Math.max(1, rows);
  const cov = new Float64Array(cols * cols);
  const row = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < cols; c++) row[c] = x[i * cols + c] - mean[c];
    for (let a = 0; a < cols; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      const off = a * cols;
      for (let b = a; b < cols; b++) cov[off + b] += ra * row[b];
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
      const norm = Math.hypot(...w);
      if (norm === 0) break;
      for (let a = 0; a < cols; a++) w[a] /= norm;
      lambda = norm;
      v = w;
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
