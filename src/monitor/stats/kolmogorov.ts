/**
 * Distributions of the Kolmogorov–Smirnov statistic.
 *
 * - kolmogorovSf(z): the limiting distribution of √n·D_n (Kolmogorov 1933), P(K > z) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²z²}.
 *   Textbook critical values: K > 1.224 (α = 0.10), 1.358 (0.05), 1.628 (0.01).
 * - kolmogorovNSf(n, d): P(D_n ≥ d) for a sample of size n, computed as Simard & L'Ecuyer (2011, "Computing the
 *   two-sided Kolmogorov–Smirnov distribution", J. Stat. Softw. 39(11)) recommend and scipy.stats.kstwo implements:
 *   exact Ruben–Gambino end pieces, the Durbin matrix (Marsaglia, Tsang & Wang 2003) where it is cheap,
 *   the Pelz–Good (1976) asymptotic series elsewhere, and 2 × the exact one-sided Smirnov tail for large n·d².
 */

/** Limiting Kolmogorov survival function. */
export function kolmogorovSf(z: number): number {
  if (z <= 0) return 1;
  if (z < 1) {
    // Small z: the Jacobi-theta form of the CDF converges in a few terms; the alternating series does not.
    const q = Math.exp((-Math.PI * Math.PI) / (8 * z * z));
    let s = 0;
    for (let k = 1; k < 20; k++) s += q ** ((2 * k - 1) * (2 * k - 1));
    return 1 - (Math.sqrt(2 * Math.PI) / z) * s;
  }
  let s = 0;
  for (let k = 1; k < 100; k++) {
    const t = Math.exp(-2 * k * k * z * z);
    s += (k % 2 === 1 ? 1 : -1) * t;
    if (t < 1e-18) break;
  }
  return Math.min(1, Math.max(0, 2 * s));
}

/** Exact one-sided Smirnov tail P(D⁺_n ≥ d) (Birnbaum & Tingey 1951), summed in log space. */
export function smirnovSf(n: number, d: number): number {
  if (d <= 0) return 1;
  if (d >= 1) return 0;
  const jmax = Math.floor(n * (1 - d));
  const lnN = lnFact(n);
  let s = 0;
  let lnFactJ = 0;
  for (let j = 0; j <= jmax; j++) {
    if (j > 0) lnFactJ += Math.log(j);
    const a = 1 - d - j / n;
    if (a <= 0) continue;
    const lnTerm = lnN - lnFactJ - lnFact(n - j) + (n - j) * Math.log(a) + (j - 1) * Math.log(d + j / n);
    s += Math.exp(lnTerm);
  }
  return Math.min(1, Math.max(0, d * s));
}

// ln(k!) from a table grown on demand: the Smirnov sum needs it for every k ≤ n.
let lnFactTable = new Float64Array(2);
function lnFact(k: number): number {
  if (k >= lnFactTable.length) {
    const size = Math.max(k + 1, 2 * lnFactTable.length);
    lnFactTable = new Float64Array(size);
    for (let i = 2; i < size; i++) lnFactTable[i] = lnFactTable[i - 1] + Math.log(i);
  }
  return lnFactTable[k];
}

/** Durbin-matrix CDF P(D_n < d) (Marsaglia, Tsang & Wang 2003), with explicit exponent tracking against overflow. */
export function kolmogorovDurbinCdf(n: number, d: number): number {
  const k = Math.floor(n * d) + 1;
  const m = 2 * k - 1;
  const h = k - n * d;
  const H = new Float64Array(m * m);
  const fact = new Float64Array(m + 2);
  fact[0] = 1;
  for (let i = 1; i <= m + 1; i++) fact[i] = fact[i - 1] * i;
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (i - j + 1 >= 0) H[i * m + j] = 1 / fact[i - j + 1];
  for (let i = 0; i < m; i++) {
    H[i * m] -= h ** (i + 1) / fact[i + 1];
    H[(m - 1) * m + i] -= h ** (m - i) / fact[m - i];
  }
  if (2 * h - 1 > 0) H[(m - 1) * m] += (2 * h - 1) ** m / fact[m];
  const { mat, exp10 } = matrixPower(H, m, n);
  let s = mat[(k - 1) * m + (k - 1)];
  let e = exp10;
  for (let i = 1; i <= n; i++) {
    s *= i / n;
    if (s < 1e-140) {
      s *= 1e140;
      e -= 140;
    }
  }
  return Math.min(1, Math.max(0, s * 10 ** e));
}

function matMul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const c = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k];
      if (aik === 0) continue;
      for (let j = 0; j < m; j++) c[i * m + j] += aik * b[k * m + j];
    }
  return c;
}

function matrixPower(a: Float64Array, m: number, n: number): { mat: Float64Array; exp10: number } {
  if (n === 1) return { mat: a, exp10: 0 };
  const half = matrixPower(a, m, Math.floor(n / 2));
  let mat = matMul(half.mat, half.mat, m);
  let exp10 = 2 * half.exp10;
  if (n % 2 === 1) mat = matMul(a, mat, m);
  const centre = Math.floor(m / 2);
  if (mat[centre * m + centre] > 1e140) {
    for (let i = 0; i < m * m; i++) mat[i] *= 1e-140;
    exp10 += 140;
  }
  return { mat, exp10 };
}

/** Pelz–Good asymptotic series for P(D_n ≤ d): K0(z) + K1(z)/√n + K2(z)/n + K3(z)/n^{3/2}, z = d√n. */
export function kolmogorovPelzGoodCdf(n: number, d: number): number {
  const z = d * Math.sqrt(n);
  const z2 = z * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const pi2 = Math.PI * Math.PI;
  const pi4 = pi2 * pi2;
  const pi6 = pi4 * pi2;
  const qlog = -pi2 / (8 * z2);
  if (qlog < -745) return 0;
  // Sums over odd m = 2k − 1 of polynomial(m²) · exp(−π² m² / (8 z²)).
  const terms = [0, 0, 0, 0];
  const kmax = Math.ceil((16 * z) / Math.PI) + 1;
  for (let k = 1; k <= kmax; k++) {
    const mm = (2 * k - 1) ** 2;
    const e = Math.exp(qlog * mm);
    if (e === 0) break;
    terms[0] += e;
    terms[1] += ((pi2 * mm) / 4 - z2) * e;
    terms[2] += (6 * z6 + 2 * z4 + ((2 * z4 - 5 * z2) * pi2 * mm) / 4 + (pi4 * (1 - 2 * z2) * mm * mm) / 16) * e;
    terms[3] +=
      (-30 * z6 -
        90 * z6 * z2 +
        ((135 * z4 - 96 * z6) * pi2 * mm) / 4 +
        ((212 * z4 - 60 * z2) * pi4 * mm * mm) / 16 +
        ((5 - 30 * z2) * pi6 * mm * mm * mm) / 64) *
      e;
  }
  const r2pi = Math.sqrt(2 * Math.PI);
  const k0 = (r2pi / z) * terms[0];
  const k1 = (r2pi / (6 * z4)) * terms[1];
  let k2 = (r2pi / (72 * z6 * z)) * terms[2];
  let k3 = (r2pi / (6480 * z6 * z4)) * terms[3];
  // Sums over all integers k ≥ 1 of k² · exp(−π² k² / (2 z²)).
  let s2 = 0;
  let s3 = 0;
  for (let k = 1; k <= kmax; k++) {
    const kk = k * k;
    const e = Math.exp((-pi2 * kk) / (2 * z2));
    if (e === 0) break;
    s2 += kk * e;
    s3 += (3 * z2 - pi2 * kk) * kk * e;
  }
  k2 += ((-pi2 * r2pi) / (36 * z2 * z)) * s2;
  k3 += ((pi2 * r2pi) / (216 * z6)) * s3;
  const rn = Math.sqrt(n);
  return k0 + k1 / rn + k2 / n + k3 / (n * rn);
}

const clamp01 = (p: number) => Math.min(1, Math.max(0, p));

/** P(D_n ≥ d) for the one-sample two-sided KS statistic (scipy.stats.kstwo.sf). */
export function kolmogorovNSf(n: number, d: number): number {
  if (!Number.isFinite(d) || n < 1) return Number.NaN;
  if (d >= 1) return 0;
  if (d <= 0) return 1;
  const t = n * d;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    // Ruben–Gambino: P(D_n < d) = n!/nⁿ (2t − 1)ⁿ for 1/(2n) ≤ d ≤ 1/n.
    const lnCdf = lnFact(n) - n * Math.log(n) + n * Math.log(2 * t - 1);
    return clamp01(1 - Math.exp(lnCdf));
  }
  if (t >= n - 1) return clamp01(2 * (1 - d) ** n);
  if (d >= 0.5) return clamp01(2 * smirnovSf(n, d));
  const nd2 = t * d;
  if (n <= 140) {
    if (nd2 <= 4) return clamp01(1 - kolmogorovDurbinCdf(n, d));
    return clamp01(2 * smirnovSf(n, d));
  }
  if (nd2 >= 370) return 0;
  if (nd2 >= 2.2) return clamp01(2 * smirnovSf(n, d));
  const cdf = n <= 100000 && n * d ** 1.5 <= 1.4 ? kolmogorovDurbinCdf(n, d) : kolmogorovPelzGoodCdf(n, d);
  return clamp01(1 - cdf);
}
