import erfc from '@stdlib/math-base-special-erfc';
import gammainc from '@stdlib/math-base-special-gammainc';

/**
 * The statistics behind Evidently's drift tests, over aggregates only (sorted distinct values with
 * their counts per side, category counts, histogram shares): DuckDB aggregates, these functions
 * do the final small math. Each follows what scipy computes for the test Evidently calls.
 */

/** scipy's `ks_2samp` switches from the exact distribution to the asymptotic one above this sample size. */
export const KS_EXACT_MAX_N = 10000;

/** numpy's round: halves to even. */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const clip01 = (p: number) => Math.min(1, Math.max(0, p));

/** Pr(D_{n,n} >= h/n) for two samples of equal size (scipy's `_compute_prob_outside_square`). */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
  }
  return 2 * p;
}

/** 1 − the share of lattice paths staying strictly inside |x/m − y/n| < h/lcm (Hodges' inside method, Viehmann's recursion for 1 − p). */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 < n0 ? [n0, m0] : [m0, n0];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const a = new Float64Array(lenA).fill(1);
  a.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (a[jj + minj - lastminj] * i + val * j) / (i + j);
      a[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) a.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return a[maxj - minj - 1];
}

// ---- The two-sided one-sample Kolmogorov distribution (scipy's kstwo.sf), Simard & L'Ecuyer's choice of method ----

const E128 = 2 ** 128;
const EM128 = 2 ** -128;

/** Pr(D_n <= d), Durbin's matrix algorithm as Marsaglia, Tsang and Wang compute it. */
function kolmogorovDurbin(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  let H = Array.from({ length: m }, () => new Float64Array(m));
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * fac;
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r][i] = w[r - i + 1];
  for (let r = 0; r < m; r++) H[r][0] = v[r];
  for (let c = 0; c < m; c++) H[m - 1][c] = v[m - 1 - c];
  const multiply = (x: Float64Array[], y: Float64Array[]) =>
    x.map((row) => {
      const out = new Float64Array(m);
      for (let t = 0; t < m; t++) {
        const xv = row[t];
        if (xv === 0) continue;
        const yr = y[t];
        for (let c = 0; c < m; c++) out[c] += xv * yr[c];
      }
      return out;
    });
  let power = Array.from({ length: m }, (_, r) => {
    const row = new Float64Array(m);
    row[r] = 1;
    return row;
  });
  let nn = n;
  let exponent = 0;
  let hExponent = 0;
  while (nn > 0) {
    if (nn % 2) {
      power = multiply(power, H);
      exponent += hExponent;
    }
    H = multiply(H, H);
    hExponent *= 2;
    if (Math.abs(H[k - 1][k - 1]) > E128) {
      H = H.map((row) => row.map((x) => x / E128));
      hExponent += 128;
    }
    nn = Math.floor(nn / 2);
  }
  let p = power[k - 1][k - 1];
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= E128;
      exponent -= 128;
    }
  }
  return clip01(p * 2 ** exponent);
}

function pomeranzBounds(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = half - 1 - ll - roundf - 1;
        j2 = half + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = half - 1 - ll - 1;
      j2 = half + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** Pr(D_n <= x), Pomeranz's recursion. */
function kolmogorovPomeranz(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  const gpower = new Float64Array(npwrs);
  const twogpower = new Float64Array(npwrs);
  const onem2gpower = new Float64Array(npwrs);
  gpower[0] = twogpower[0] = onem2gpower[0] = 1;
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = (gpower[m - 1] * (g / n)) / m;
    twogpower[m] = (twogpower[m - 1] * ((2 * g) / n)) / m;
    onem2gpower[m] = (onem2gpower[m - 1] * ((1 - 2 * g) / n)) / m;
  }
  let v0 = new Float64Array(npwrs);
  let v1 = new Float64Array(npwrs);
  v1[0] = 1;
  let v0s = 0;
  let v1s = 0;
  let exponent = 0;
  let [j1, j2] = pomeranzBounds(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [v0, v1] = [v1, v0];
    [v0s, v1s] = [v1s, v0s];
    v1.fill(0);
    [j1, j2] = pomeranzBounds(i, n, ll, ceilf, roundf);
    const pwrs = i === 1 || i === 2 * n + 1 ? gpower : i % 2 ? twogpower : onem2gpower;
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      const start = j1 - k1;
      const len = j2 - j1 + 1;
      // The entries start … start+len of the full convolution of V0[k1-V0s … +ln2] with pwrs[0 … ln2].
      for (let c = 0; c < len; c++) {
        const at = start + c;
        let sum = 0;
        for (let s = Math.max(0, at - ln2 + 1); s <= Math.min(at, ln2 - 1); s++) sum += v0[k1 - v0s + s] * pwrs[at - s];
        v1[c] = sum;
      }
      let max = 0;
      for (let c = 0; c < npwrs; c++) max = Math.max(max, v1[c]);
      if (max > 0 && max < EM128) {
        for (let c = 0; c < npwrs; c++) v1[c] *= E128;
        exponent -= 128;
      }
      v1s = v0s + j1 - k1;
    }
  }
  let answer = v1[n - v1s];
  for (let m = 1; m <= n; m++) {
    if (Math.abs(answer) > E128) {
      answer *= EM128;
      exponent += 128;
    }
    answer *= m;
  }
  return clip01(answer * 2 ** exponent);
}

/** Pr(D_n <= x), the Pelz–Good asymptotic series. */
function kolmogorovPelzGood(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z ** 2;
  const z4 = z ** 4;
  const z6 = z ** 6;
  const qlog = -(Math.PI ** 2) / 8 / z2;
  if (qlog < -708) return 0;
  let q = Math.exp(qlog);
  const pi2 = Math.PI ** 2;
  const pi4 = Math.PI ** 4;
  const pi6 = Math.PI ** 6;
  const k1a = -z2;
  const k1b = pi2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * pi2) / 4;
  const k2c = (pi4 * (1 - 2 * z2)) / 16;
  const k3d = (pi6 * (5 - 30 * z2)) / 64;
  const k3c = (pi4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (pi2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m ** 2;
    const m4 = m ** 4;
    const m6 = m ** 6;
    const qpower = q ** (8 * k);
    const coeffs = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) K[i] = K[i] * qpower + coeffs[i];
  }
  const sqrt2pi = Math.sqrt(2 * Math.PI);
  const divisors = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = (K[i] * q * sqrt2pi) / divisors[i];
  q = Math.exp(-pi2 / 2 / z2);
  let k2extra = 0;
  let k3extra = 0;
  const sqrt3z = Math.sqrt(3) * z;
  for (let k = maxk; k > 0; k--) {
    const qk = q ** (k * k);
    k2extra += k * k * qk;
    k3extra += (sqrt3z + Math.PI * k) * (sqrt3z - Math.PI * k) * k * k * qk;
  }
  K[2] += (k2extra * pi2 * sqrt2pi) / (-36 * z ** 3);
  K[3] += (k3extra * pi2 * sqrt2pi) / (216 * z6);
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += K[i] / n ** (i / 2);
  return sum;
}

/** Pr(D_n^+ >= x), the one-sided statistic: the Birnbaum–Tingey sum, in logarithms. */
export function smirnovSf(n: number, x: number): number {
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  let logBinomial = 0;
  let sum = 0;
  const last = Math.floor(n * (1 - x));
  for (let j = 0; j <= last; j++) {
    if (j > 0) logBinomial += Math.log(n - j + 1) - Math.log(j);
    const low = 1 - x - j / n;
    const high = x + j / n;
    if (low <= 0 && n - j > 0) continue;
    const logLow = n - j === 0 ? 0 : (n - j) * Math.log(low);
    sum += Math.exp(logBinomial + logLow + (j - 1) * Math.log(high));
  }
  return clip01(x * sum);
}

/** Survival function of the two-sided one-sample Kolmogorov–Smirnov statistic, Pr(D_n >= x) (scipy's `kstwo.sf`). */
export function kolmogorovSf(n: number, x: number): number {
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    let cdf: number;
    if (n <= 140) {
      cdf = 1;
      for (let i = 1; i <= n; i++) cdf *= (i / n) * (2 * t - 1);
    } else {
      cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return clip01(1 - cdf);
  }
  if (t >= n - 1) return clip01(2 * (1 - x) ** n);
  if (x >= 0.5) return clip01(2 * smirnovSf(n, x));
  const nx2 = t * x;
  if (n <= 140) {
    if (nx2 <= 0.754693) return clip01(1 - kolmogorovDurbin(n, x));
    if (nx2 <= 4) return clip01(1 - kolmogorovPomeranz(n, x));
    return clip01(2 * smirnovSf(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip01(2 * smirnovSf(n, x));
  let cdf: number;
  if (nx2 >= 18) cdf = 1;
  else if (n <= 100000 && n * x ** 1.5 <= 1.4) cdf = kolmogorovDurbin(n, x);
  else cdf = kolmogorovPelzGood(n, x);
  return clip01(1 - cdf);
}

const STIRLING = [
  -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4, -5.952380952380952381e-4,
  7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
];
/** log(n! / n^n) by Stirling's series, without the n·log(n) that would cancel. */
function logFactorialOverPower(n: number): number {
  const rn = 1 / n;
  const x = rn / n;
  const poly = STIRLING.reduce((acc, c) => acc * x + c, 0);
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + rn * poly;
}

/** The two-sided p-value of the two-sample KS statistic `d` for sizes n1, n2, as `ks_2samp(method='auto')` picks it. */
export function ksTwoSamplePValue(d: number, n1: number, n2: number): number {
  if (Math.max(n1, n2) <= KS_EXACT_MAX_N) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    if (h === 0) return 1;
    const p = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
    // scipy falls back to the asymptotic distribution when the exact computation over- or underflows.
    if (Number.isFinite(p) && p >= 0 && p <= 1) return p;
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  return clip01(kolmogorovSf(roundHalfEven((m * n) / (m + n)), d));
}

/** Distinct values in ascending order, with how often each occurs in the reference and in the current data. */
export interface MergedCounts {
  values: number[];
  reference: number[];
  current: number[];
}

/**
 * One pass over the merged ECDFs: the KS statistic (largest gap) and the first Wasserstein
 * distance (the area between them), as scipy's `ks_2samp` and `wasserstein_distance` compute them.
 * Fed chunk by chunk, so a million distinct values never sit in memory at once.
 */
export class EcdfComparison {
  private cumReference = 0;
  private cumCurrent = 0;
  private maxAbove = 0;
  private maxBelow = 0;
  private area = 0;
  private previous: { value: number; gap: number } | null = null;

  constructor(
    private readonly referenceSize: number,
    private readonly currentSize: number,
  ) {}

  add(value: number, referenceCount: number, currentCount: number): void {
    if (this.previous) this.area += Math.abs(this.previous.gap) * (value - this.previous.value);
    this.cumReference += referenceCount;
    this.cumCurrent += currentCount;
    const gap = this.cumReference / this.referenceSize - this.cumCurrent / this.currentSize;
    if (gap > this.maxAbove) this.maxAbove = gap;
    if (-gap > this.maxBelow) this.maxBelow = -gap;
    this.previous = { value, gap };
  }

  get ksStatistic(): number {
    return Math.max(this.maxAbove, Math.min(1, this.maxBelow));
  }

  get wassersteinDistance(): number {
    return this.area;
  }
}

export function compareEcdfs(merged: MergedCounts): EcdfComparison {
  const n1 = merged.reference.reduce((a, b) => a + b, 0);
  const n2 = merged.current.reduce((a, b) => a + b, 0);
  const comparison = new EcdfComparison(n1, n2);
  merged.values.forEach((value, i) => comparison.add(value, merged.reference[i], merged.current[i]));
  return comparison;
}

/** Pearson's chi-squared test of observed against expected counts: statistic and p-value (scipy's `chisquare`, k − 1 degrees of freedom). */
export function chiSquareTest(observed: number[], expected: number[]): { statistic: number; p_value: number } {
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) {
    const diff = observed[i] - expected[i];
    statistic += expected[i] === 0 ? (diff === 0 ? 0 : Infinity) : (diff * diff) / expected[i];
  }
  const df = observed.length - 1;
  if (df <= 0) return { statistic, p_value: 1 };
  if (!Number.isFinite(statistic)) return { statistic, p_value: 0 };
  return { statistic, p_value: gammainc(statistic / 2, df / 2, true, true) };
}

/** Two-sided p-value of a standard normal statistic: 2·(1 − Φ(|z|)). */
export const twoSidedNormalPValue = (z: number) => erfc(Math.abs(z) / Math.SQRT2);

/** Jensen–Shannon distance (natural logarithm) between two distributions, each normalised to sum 1 (scipy's `jensenshannon`). */
export function jensenShannonDistance(p: number[], q: number[]): number {
  const sp = p.reduce((a, b) => a + b, 0);
  const sq = q.reduce((a, b) => a + b, 0);
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] / sp;
    const qi = q[i] / sq;
    const mi = (pi + qi) / 2;
    if (pi > 0) sum += pi * Math.log(pi / mi);
    if (qi > 0) sum += qi * Math.log(qi / mi);
  }
  return Math.sqrt(Math.max(sum, 0) / 2);
}

/** Evidently fills empty bins before PSI: with a millionth of the smallest share when that is ≤ 0.0001, else with 0.0001. */
export function fillEmptyShares(shares: number[]): number[] {
  const nonZero = shares.filter((s) => s !== 0);
  if (nonZero.length === 0) return shares;
  const smallest = Math.min(...nonZero);
  const fill = smallest <= 0.0001 ? smallest / 1e6 : 0.0001;
  return shares.map((s) => (s === 0 ? fill : s));
}

/** Population stability index over per-bin shares, empty bins filled as Evidently fills them. */
export function populationStabilityIndex(reference: number[], current: number[]): number {
  const r = fillEmptyShares(reference);
  const c = fillEmptyShares(current);
  let sum = 0;
  for (let i = 0; i < r.length; i++) sum += (r[i] - c[i]) * Math.log(r[i] / c[i]);
  return sum;
}

/**
 * numpy's `histogram_bin_edges(combined, bins='sturges')`: equal-width bins over the combined
 * range, their count from Sturges' rule computed as numpy computes it.
 */
export function sturgesEdges(min: number, max: number, size: number): number[] {
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = (max - min) / (Math.log2(size) + 1);
  const bins = width ? Math.ceil((last - first) / width) : 1;
  const step = (last - first) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => i * step + first);
  edges[bins] = last;
  return edges;
}

/** The bin of a value as `np.histogram` places it for explicit edges: [e_i, e_{i+1}), the last bin closed. */
export function binOf(edges: number[], value: number): number {
  const bins = edges.length - 1;
  if (value === edges[bins]) return bins - 1;
  let lo = 0;
  let hi = bins;
  // The number of edges ≤ value, minus one.
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (edges[mid] <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
