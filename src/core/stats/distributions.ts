// The regularized incomplete beta function and Student's t tail, accurate to about 1e-13 relative
// even for p-values like 1e-30 and df in the millions. Two things make that possible: log Beta(a, b)
// is computed from Stirling-series corrections (as R's lbeta does) instead of differences of huge
// log-gammas, and the t tail passes both x and 1 − x in exactly, so neither is lost to cancellation.

const LN_SQRT_2PI = 0.9189385332046727418; // log(√(2π))

/** Stirling series remainder: log Γ(x) − [(x − ½) log x − x + log √(2π)], for x ≥ 10. */
function stirlingCorrection(x: number): number {
  const r = 1 / (x * x);
  // Coefficients B_2k / (2k (2k − 1)); at x = 10 the next term is below 1e-18.
  return (1 / x) * (1 / 12 + r * (-1 / 360 + r * (1 / 1260 + r * (-1 / 1680 + r * (1 / 1188 +
    r * (-691 / 360360 + r * (1 / 156 + r * (-3617 / 122400))))))));
}

/** log Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma: x must be positive, got ${x}`);
  if (x >= 10) return (x - 0.5) * Math.log(x) - x + LN_SQRT_2PI + stirlingCorrection(x);
  // Shift up to 10 with Γ(x) = Γ(x + k) / (x (x + 1) … (x + k − 1)).
  let product = 1, shifted = x;
  while (shifted < 10) { product *= shifted; shifted += 1; }
  return logGamma(shifted) - Math.log(product);
}

/** log B(a, b) without cancellation between large log-gammas. */
export function logBeta(a: number, b: number): number {
  const p = Math.min(a, b), q = Math.max(a, b);
  if (!(p > 0)) throw new RangeError(`logBeta: a and b must be positive, got ${a}, ${b}`);
  if (p >= 10) {
    const correction = stirlingCorrection(p) + stirlingCorrection(q) - stirlingCorrection(p + q);
    return -0.5 * Math.log(q) + LN_SQRT_2PI + correction + (p - 0.5) * Math.log(p / (p + q)) + q * Math.log1p(-p / (p + q));
  }
  if (q >= 10) {
    const correction = stirlingCorrection(q) - stirlingCorrection(p + q);
    return logGamma(p) + correction + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-p / (p + q));
  }
  return logGamma(p) + logGamma(q) - logGamma(p + q);
}

/** I_x(a, b), the regularized incomplete beta function (the Beta(a, b) CDF at x). */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new RangeError(`regularizedIncompleteBeta: a and b must be positive, got ${a}, ${b}`);
  if (!(x >= 0 && x <= 1)) throw new RangeError(`regularizedIncompleteBeta: x must be in [0, 1], got ${x}`);
  return incompleteBetaTails(x, 1 - x, Math.log(x), Math.log1p(-x), a, b).lower;
}

/**
 * Both tails I_x(a, b) and 1 − I_x(a, b), where y = 1 − x and the logs are given by the caller,
 * who can often compute them more exactly than from x. The smaller tail is always computed
 * directly by the continued fraction, never as 1 minus something.
 */
function incompleteBetaTails(x: number, y: number, logX: number, logY: number, a: number, b: number): { lower: number; upper: number } {
  if (x === 0) return { lower: 0, upper: 1 };
  if (y === 0) return { lower: 1, upper: 0 };
  // The continued fraction loses about a·ε when x is within ~1/a of 1, which Student's t with a
  // large df always is; the asymptotic expansion in 1/a has no such loss.
  if (a >= 15 && b <= 1) {
    const lower = largeAsymptotic(a, b, logX);
    if (lower !== null) return { lower, upper: 1 - lower };
  }
  if (b >= 15 && a <= 1) {
    const upper = largeAsymptotic(b, a, logY);
    if (upper !== null) return { lower: 1 - upper, upper };
  }
  // x^a y^b / B(a, b): the leading factor shared by both orientations of the continued fraction.
  const front = Math.exp(a * logX + b * logY - logBeta(a, b));
  if (x < (a + 1) / (a + b + 2)) {
    const lower = (front * betaContinuedFraction(x, a, b)) / a;
    return { lower, upper: 1 - lower };
  }
  const upper = (front * betaContinuedFraction(y, b, a)) / b;
  return { lower: 1 - upper, upper };
}

/**
 * I_x(a, b) for a ≥ 15 and b ≤ 1 by the asymptotic expansion of DiDonato & Morris (TOMS 708, BGRAT),
 * in powers of 1/ν with ν = a + (b − 1)/2, seeded by the incomplete gamma ratio Q(b, z), z = −ν log x.
 * Returns null where the expansion does not apply (then the continued fraction is used).
 */
function largeAsymptotic(a: number, b: number, logX: number): number | null {
  const bm1 = b - 1;
  const nu = a + 0.5 * bm1;
  const z = -nu * logX;
  if (!(b * z > 0) || !Number.isFinite(z)) return null;
  // u = e^{-z} z^b / Γ(b) · Γ(a + b) / (Γ(a) ν^b), in logs: −z + b log(z/ν) − log B(a, b).
  const logU = -z + b * Math.log(-logX) - logBeta(a, b);
  const u = Math.exp(logU);
  if (u === 0) return 0;
  const v = 0.25 / (nu * nu);
  const t2 = 0.25 * logX * logX;
  // j_0 = Q(b, z) / (e^{-z} z^b / Γ(b)): the upper incomplete gamma ratio without its leading factor.
  let j = upperGammaRatioOverLeading(b, z);
  let sum = j, t = 1, cn = 1, n2 = 0;
  const c = new Float64Array(31), d = new Float64Array(31);
  for (let n = 1; n <= 30; n++) {
    const bp2n = b + n2;
    j = (bp2n * (bp2n + 1) * j + (z + bp2n + 1) * t) * v;
    n2 += 2;
    t *= t2;
    cn /= n2 * (n2 + 1);
    c[n] = cn;
    let s = 0;
    let coef = b - n;
    for (let i = 1; i < n; i++) { s += coef * c[i] * d[n - i]; coef += b; }
    d[n] = bm1 * cn + s / n;
    const dj = d[n] * j;
    sum += dj;
    if (sum <= 0) return null;
    if (Math.abs(dj) <= 1e-16 * sum) return u * sum;
  }
  return null;
}

/** Q(b, z) · Γ(b) / (e^{-z} z^b), where Q is the regularized upper incomplete gamma function. */
function upperGammaRatioOverLeading(b: number, z: number): number {
  if (z >= b + 1) {
    // Legendre's continued fraction for Γ(b, z) (Numerical Recipes' gcf), modified Lentz.
    const TINY = 1e-300;
    let bb = z + 1 - b, c = 1 / TINY, d = 1 / bb, h = d;
    for (let i = 1; i <= 100000; i++) {
      const an = -i * (i - b);
      bb += 2;
      d = an * d + bb; if (Math.abs(d) < TINY) d = TINY;
      c = bb + an / c; if (Math.abs(c) < TINY) c = TINY;
      d = 1 / d;
      const step = d * c;
      h *= step;
      if (Math.abs(step - 1) < 1e-16) return h;
    }
    throw new RangeError(`incomplete gamma continued fraction did not converge (b=${b}, z=${z})`);
  }
  // Series for the lower ratio P(b, z) = e^{-z} z^b / Γ(b + 1) · Σ z^n / ((b + 1) … (b + n)); Q = 1 − P.
  let term = 1 / b, sum = term;
  for (let n = 1; n <= 100000; n++) {
    term *= z / (b + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
  }
  const leading = Math.exp(-z + b * Math.log(z) - logGamma(b));
  return (1 - leading * sum) / leading;
}

/** Modified Lentz evaluation of the continued fraction for I_x(a, b) (Numerical Recipes' betacf). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const TINY = 1e-300, EPS = 1e-16, MAX_TERMS = 100000;
  const qab = a + b, qap = a + 1, qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_TERMS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d; if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c; if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d; if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c; if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < EPS) return h;
  }
  throw new RangeError(`incomplete beta continued fraction did not converge (x=${x}, a=${a}, b=${b})`);
}

/** Two-sided p-value P(|T| ≥ |t|) for Student's t with df degrees of freedom (df may be fractional). */
export function studentTTwoSidedP(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`studentTTwoSidedP: df must be positive, got ${df}`);
  if (Number.isNaN(t)) throw new RangeError('studentTTwoSidedP: t is NaN');
  const t2 = t * t;
  if (!Number.isFinite(t2)) return 0;
  if (t2 === 0) return 1;
  // P(|T| ≥ |t|) = I_x(df/2, 1/2) with x = df / (df + t²) and 1 − x = t² / (df + t²).
  const x = df / (df + t2), y = t2 / (df + t2);
  const logX = -Math.log1p(t2 / df), logY = -Math.log1p(df / t2);
  return incompleteBetaTails(x, y, logX, logY, df / 2, 0.5).lower;
}
