/**
 * Small dense linear algebra in float64 JavaScript for the metrics: tfjs has no eigendecomposition or matrix square
 * root, and the d × d matrices involved are small next to the [n, d] feature sets, so the backend does the
 * reductions over samples and these routines finish the job on the read-back matrices.
 *
 * Matrices are row-major `Float64Array`s of length n².
 * @module
 * @internal
 */

/** A symmetric matrix's eigenvalues and, when asked for, its eigenvectors: row j of `vectors` goes with value j. */
export interface SymmetricEigen {
  readonly values: Float64Array;
  readonly vectors: Float64Array | undefined;
}

/**
 * Eigendecomposition of a real symmetric matrix: Householder reduction to tridiagonal form, then the implicit QL
 * algorithm with Wilkinson-style shifts (EISPACK's tred2 and tql2, as transcribed in the public-domain JAMA). It costs
 * about (4/3)n³ multiply-adds for the values alone and about 9n³ with the vectors; only the upper triangle is read.
 * The working matrix is JAMA's transposed, so that every inner loop walks along a row of the row-major array (the
 * eigenvectors come out as rows) rather than down a column, which is what makes it fast in JavaScript.
 *
 * @param matrix - n × n, symmetric, row-major; not modified
 * @param n - the order
 * @param wantVectors - whether to accumulate the eigenvectors
 * @internal
 */
export function symmetricEigen(matrix: Float64Array, n: number, wantVectors: boolean): SymmetricEigen {
  const v = Float64Array.from(matrix);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return { values: d, vectors: wantVectors ? v : undefined };
  tridiagonalize(v, d, e, n, wantVectors);
  diagonalize(v, d, e, n, wantVectors);
  return { values: d, vectors: wantVectors ? v : undefined };
}

/** tred2: on return `d` is the diagonal, `e[1..n-1]` the subdiagonal, and `v` the transposed transformation. */
function tridiagonalize(v: Float64Array, d: Float64Array, e: Float64Array, n: number, wantVectors: boolean): void {
  for (let j = 0; j < n; j++) d[j] = v[j * n + n - 1]!;
  for (let i = n - 1; i > 0; i--) {
    // Scaling the row keeps the squared norms below from underflowing or overflowing.
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = v[j * n + i - 1]!;
        v[j * n + i] = 0;
        v[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] = d[k]! / scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = f > 0 ? -Math.sqrt(h) : Math.sqrt(h);
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        v[i * n + j] = f;
        g = e[j]! + v[j * n + j]! * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[j * n + k]! * d[k]!;
          e[k] = e[k]! + v[j * n + k]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = e[j]! / h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) v[j * n + k] = v[j * n + k]! - (f * e[k]! + g * d[k]!);
        d[j] = v[j * n + i - 1]!;
        v[j * n + i] = 0;
      }
    }
    d[i] = h;
  }
  if (!wantVectors) {
    // Without the accumulation below, the tridiagonal's diagonal is where the reduction left it.
    for (let j = 0; j < n; j++) d[j] = v[j * n + j]!;
    e[0] = 0;
    return;
  }
  for (let i = 0; i < n - 1; i++) {
    v[i * n + n - 1] = v[i * n + i]!;
    v[i * n + i] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[(i + 1) * n + k]! / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[(i + 1) * n + k]! * v[j * n + k]!;
        for (let k = 0; k <= i; k++) v[j * n + k] = v[j * n + k]! - g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) v[(i + 1) * n + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[j * n + n - 1]!;
    v[j * n + n - 1] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** tql2: the implicit QL iteration on the tridiagonal (d, e), rotating the rows of `v` along when wanted. */
function diagonalize(v: Float64Array, d: Float64Array, e: Float64Array, n: number, wantVectors: boolean): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]!) > eps * tst1) m++;
    if (m > l) {
      // Convergence is cubic in practice; the cap only guards against a pathological (non-finite) input.
      for (let iter = 0; iter < 100 && Math.abs(e[l]!) > eps * tst1; iter++) {
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] = d[i]! - h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          if (wantVectors) {
            const [row, next] = [i * n, (i + 1) * n];
            for (let k = 0; k < n; k++) {
              h = v[next + k]!;
              v[next + k] = s * v[row + k]! + c * h;
              v[row + k] = c * v[row + k]! - s * h;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      }
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}

/**
 * A square-root factor W of a symmetric positive semi-definite Σ (Σ = W Wᵀ), from Σ = V Λ Vᵀ as W = V Λ^{1/2}
 * restricted to the eigenvalues above `floor`·λmax: `[d, r]` row-major, r the number kept.
 */
function sqrtFactor(sigma: Float64Array, d: number, floor: number): { readonly w: Float64Array; readonly r: number } {
  const { values, vectors } = symmetricEigen(sigma, d, true);
  const top = values.reduce((a, b) => Math.max(a, b), 0);
  const kept: number[] = [];
  for (let j = 0; j < d; j++) if (values[j]! > floor * top && values[j]! > 0) kept.push(j);
  const r = kept.length;
  const w = new Float64Array(d * r);
  kept.forEach((j, c) => {
    const scale = Math.sqrt(values[j]!);
    for (let i = 0; i < d; i++) w[i * r + c] = vectors![j * d + i]! * scale;
  });
  return { w, r };
}

/**
 * Tr((Σ₁Σ₂)^{1/2}) for symmetric positive semi-definite Σ₁, Σ₂. With Σ₁ = W₁W₁ᵀ and Σ₂ = W₂W₂ᵀ, the eigenvalues of
 * Σ₁Σ₂ are the squared singular values of B = W₁ᵀW₂ (padded with zeros), so the trace is the sum of those singular
 * values: Σ √μ over the eigenvalues μ of the small symmetric B Bᵀ or BᵀB. Unlike scipy's sqrtm on the non-symmetric
 * product, this never produces a complex part to discard.
 *
 * Eigenvalues of each Σ up to `floor`·λmax(Σ) count as zero (negative ones always do). The square root is steepest
 * at zero, so a singular covariance (fewer samples than dimensions) whose null space holds rounding noise of relative
 * size ε would otherwise add about √ε per null direction to the trace; a floor above the noise removes it, at the
 * cost of ignoring genuine eigenvalues below it.
 *
 * Cost: two decompositions with vectors, two products and one without vectors, about 22d³ multiply-adds.
 *
 * @param sigma1 - d × d, row-major
 * @param sigma2 - d × d, row-major
 * @param floor - the relative eigenvalue floor, >= 0
 * @internal
 */
export function traceSqrtProduct(sigma1: Float64Array, sigma2: Float64Array, d: number, floor = 0): number {
  const { w: w1, r: r1 } = sqrtFactor(sigma1, d, floor);
  const { w: w2, r: r2 } = sqrtFactor(sigma2, d, floor);
  if (r1 === 0 || r2 === 0) return 0;
  const b = new Float64Array(r1 * r2); // W₁ᵀ W₂: [r1, r2]
  for (let i = 0; i < d; i++) {
    for (let a = 0; a < r1; a++) {
      const x = w1[i * r1 + a]!;
      for (let c = 0; c < r2; c++) b[a * r2 + c] = b[a * r2 + c]! + x * w2[i * r2 + c]!;
    }
  }
  const r = Math.min(r1, r2);
  const g = new Float64Array(r * r); // B Bᵀ [r1, r1] or Bᵀ B [r2, r2], whichever is smaller
  if (r1 <= r2) {
    for (let a = 0; a < r1; a++) {
      for (let c = 0; c <= a; c++) {
        let dot = 0;
        for (let k = 0; k < r2; k++) dot += b[a * r2 + k]! * b[c * r2 + k]!;
        g[a * r + c] = g[c * r + a] = dot;
      }
    }
  } else {
    for (let a = 0; a < r1; a++) {
      for (let c = 0; c < r2; c++) {
        const x = b[a * r2 + c]!;
        for (let k = 0; k < r2; k++) g[c * r + k] = g[c * r + k]! + x * b[a * r2 + k]!;
      }
    }
  }
  let trace = 0;
  for (const mu of symmetricEigen(g, r, false).values) if (mu > 0) trace += Math.sqrt(mu);
  return trace;
}
