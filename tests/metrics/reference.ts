/**
 * Float64 reference implementations for the metric tests, written independently of src/metrics and, where the
 * library uses an eigendecomposition, by another route (Denman–Beavers iteration, cyclic Jacobi rotations).
 * Matrices are arrays of rows.
 */

export type Matrix = number[][];

/** A seeded standard-normal generator (mulberry32 + Box–Muller), so test data never depends on a backend. */
export function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/**
 * n rows of d features: x = z A + offset with z standard normal and A a fixed random mixing matrix, so the covariance
 * AᵀA is full and far from diagonal. Values are rounded to float32, the precision the tensors will hold.
 */
export function correlatedFeatures(n: number, d: number, seed: number, offset = 0, mixScale = 1): Matrix {
  const g = gaussian(seed);
  const mix = Array.from({ length: d }, (_, i) =>
    Array.from({ length: d }, (_, j) => (i === j ? 1 : 0) + mixScale * 0.4 * g()),
  );
  return Array.from({ length: n }, () => {
    const z = Array.from({ length: d }, g);
    return Array.from({ length: d }, (_, j) => Math.fround(z.reduce((s, zi, i) => s + zi * mix[i]![j]!, 0) + offset));
  });
}

export function meanOf(x: Matrix): number[] {
  const d = x[0]!.length;
  return Array.from({ length: d }, (_, j) => x.reduce((s, row) => s + row[j]!, 0) / x.length);
}

/** The unbiased (n − 1) covariance, numpy's np.cov(x, rowvar=False). */
export function covarianceOf(x: Matrix): Matrix {
  const mu = meanOf(x);
  const d = mu.length;
  return Array.from({ length: d }, (_, i) =>
    Array.from(
      { length: d },
      (_, j) => x.reduce((s, row) => s + (row[i]! - mu[i]!) * (row[j]! - mu[j]!), 0) / (x.length - 1),
    ),
  );
}

export function matMul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
}

const identity = (d: number): Matrix =>
  Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));
const trace = (a: Matrix): number => a.reduce((s, row, i) => s + row[i]!, 0);

/** Gauss–Jordan inverse with partial pivoting. */
export function inverse(a: Matrix): Matrix {
  const d = a.length;
  const m = a.map((row, i) => [...row, ...identity(d)[i]!]);
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const pivot = m[c]![c]!;
    m[c] = m[c]!.map((v) => v / pivot);
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      m[r] = m[r]!.map((v, j) => v - f * m[c]![j]!);
    }
  }
  return m.map((row) => row.slice(d));
}

/**
 * The principal square root of a matrix with positive real eigenvalues (here Σ₁Σ₂, not symmetric), by the
 * Denman–Beavers iteration Y ← (Y + Z⁻¹)/2, Z ← (Z + Y⁻¹)/2 from Y = M, Z = I.
 */
export function sqrtmDenmanBeavers(m: Matrix, iterations = 60): Matrix {
  let y = m;
  let z = identity(m.length);
  for (let k = 0; k < iterations; k++) {
    const [yInv, zInv] = [inverse(y), inverse(z)];
    y = y.map((row, i) => row.map((v, j) => (v + zInv[i]![j]!) / 2));
    z = z.map((row, i) => row.map((v, j) => (v + yInv[i]![j]!) / 2));
  }
  return y;
}

/** FD from float64 moments with Tr((Σ₁Σ₂)^{1/2}) by Denman–Beavers (needs Σ₁Σ₂ nonsingular). */
export function frechetReference(mu1: number[], s1: Matrix, mu2: number[], s2: Matrix): number {
  const meanTerm = mu1.reduce((s, v, i) => s + (v - mu2[i]!) ** 2, 0);
  return meanTerm + trace(s1) + trace(s2) - 2 * trace(sqrtmDenmanBeavers(matMul(s1, s2)));
}

/** Eigenvalues of a symmetric matrix by cyclic Jacobi rotations. */
export function jacobiEigenvalues(input: Matrix): number[] {
  const a = input.map((row) => [...row]);
  const d = a.length;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p]![q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        if (a[p]![q] === 0) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * a[p]![q]!);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const [akp, akq] = [a[k]![p]!, a[k]![q]!];
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const [apk, aqk] = [a[p]![k]!, a[q]![k]!];
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
      }
    }
  }
  return a.map((row, i) => row[i]!);
}

/**
 * FD by Jacobi, for a singular Σ₁: Tr((Σ₁Σ₂)^{1/2}) = Σ √λ(Σ₂^{1/2} Σ₁ Σ₂^{1/2}), with Σ₂^{1/2} (Σ₂ nonsingular) by
 * Denman–Beavers: the root of the other matrix than the library's, by another method.
 */
export function frechetReferenceJacobi(mu1: number[], s1: Matrix, mu2: number[], s2: Matrix): number {
  const meanTerm = mu1.reduce((s, v, i) => s + (v - mu2[i]!) ** 2, 0);
  const root = sqrtmDenmanBeavers(s2);
  const sym = matMul(matMul(root, s1), root);
  const symmetric = sym.map((row, i) => row.map((v, j) => (v + sym[j]![i]!) / 2));
  const traceSqrt = jacobiEigenvalues(symmetric).reduce((s, l) => s + Math.sqrt(Math.max(l, 0)), 0);
  return meanTerm + trace(s1) + trace(s2) - 2 * traceSqrt;
}

/** The unbiased MMD² with k(x, y) = (xᵀy/d + 1)³ on the full sets (m = n required by this form). */
export function mmdUnbiased(x: Matrix, y: Matrix): number {
  const d = x[0]!.length;
  const k = (a: number[], b: number[]): number => (a.reduce((s, v, i) => s + v * b[i]!, 0) / d + 1) ** 3;
  const within = (s: Matrix): number => {
    let acc = 0;
    for (let i = 0; i < s.length; i++) for (let j = 0; j < s.length; j++) if (i !== j) acc += k(s[i]!, s[j]!);
    return acc / (s.length * (s.length - 1));
  };
  let cross = 0;
  for (const a of x) for (const b of y) cross += k(a, b);
  return within(x) + within(y) - (2 * cross) / (x.length * y.length);
}

/** Improved precision and recall by brute force in float64. */
export function precisionRecallReference(real: Matrix, fake: Matrix, k: number): { precision: number; recall: number } {
  const dist = (a: number[], b: number[]): number => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));
  const radii = (set: Matrix): number[] => set.map((a) => set.map((b) => dist(a, b)).sort((p, q) => p - q)[k]!);
  const inside = (queries: Matrix, ref: Matrix, r: number[]): number =>
    queries.filter((q) => ref.some((p, i) => dist(q, p) <= r[i]!)).length / queries.length;
  return { precision: inside(fake, real, radii(real)), recall: inside(real, fake, radii(fake)) };
}

/**
 * FD for sets with fewer samples than dimensions (both covariances singular), in sample space: with centred X₁, X₂,
 * the nonzero eigenvalues of Σ₁Σ₂ are those of the n₁ × n₁ symmetric (X₁X₂ᵀ)(X₂X₁ᵀ) / ((n₁ − 1)(n₂ − 1)), by Jacobi.
 */
export function frechetReferenceSampleSpace(x1: Matrix, x2: Matrix): number {
  const centre = (x: Matrix): Matrix => {
    const mu = meanOf(x);
    return x.map((row) => row.map((v, j) => v - mu[j]!));
  };
  const [c1, c2] = [centre(x1), centre(x2)];
  const t = (m: Matrix): Matrix => m[0]!.map((_, j) => m.map((row) => row[j]!));
  const cross = matMul(c1, t(c2)); // [n₁, n₂]
  const scale = (x1.length - 1) * (x2.length - 1);
  const g = matMul(cross, t(cross)).map((row) => row.map((v) => v / scale));
  const traceSqrt = jacobiEigenvalues(g).reduce((s, l) => s + Math.sqrt(Math.max(l, 0)), 0);
  const [s1, s2] = [covarianceOf(x1), covarianceOf(x2)];
  const [mu1, mu2] = [meanOf(x1), meanOf(x2)];
  return mu1.reduce((s, v, i) => s + (v - mu2[i]!) ** 2, 0) + trace(s1) + trace(s2) - 2 * traceSqrt;
}
