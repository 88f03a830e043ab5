import { describe, expect, it } from 'vitest';
import { symmetricEigen, traceSqrtProduct } from '../../src/metrics/linalg';
import {
  correlatedFeatures,
  covarianceOf,
  gaussian,
  jacobiEigenvalues,
  matMul,
  sqrtmDenmanBeavers,
  type Matrix,
} from './reference';

const flat = (m: Matrix): Float64Array => Float64Array.from(m.flat());

function randomSymmetric(d: number, seed: number): Matrix {
  const g = gaussian(seed);
  const a: Matrix = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) a[i]![j] = a[j]![i] = g();
  return a;
}

const sorted = (v: ArrayLike<number>): number[] => Array.from(v).sort((a, b) => a - b);

describe('symmetricEigen (Householder + implicit QL)', () => {
  it.each([1, 2, 3, 8, 40])('matches cyclic Jacobi eigenvalues and reconstructs A = V Λ Vᵀ (d = %i)', (d) => {
    const a = randomSymmetric(d, 100 + d);
    const { values, vectors } = symmetricEigen(flat(a), d, true);
    const only = symmetricEigen(flat(a), d, false);
    const want = sorted(jacobiEigenvalues(a));
    const scale = Math.max(...want.map(Math.abs));
    sorted(values).forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(1e-12 * scale * d));
    sorted(only.values).forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(1e-12 * scale * d));
    expect(only.vectors).toBeUndefined();
    // Row j of `vectors` is the eigenvector of values[j]: Σ_j λ_j v_j v_jᵀ = A, and the rows are orthonormal.
    let [rebuildError, orthogonalityError] = [0, 0];
    for (let p = 0; p < d; p++) {
      for (let q = 0; q < d; q++) {
        let rebuilt = 0;
        let gram = 0;
        for (let j = 0; j < d; j++) {
          rebuilt += values[j]! * vectors![j * d + p]! * vectors![j * d + q]!;
          gram += vectors![p * d + j]! * vectors![q * d + j]!;
        }
        rebuildError = Math.max(rebuildError, Math.abs(rebuilt - a[p]![q]!));
        orthogonalityError = Math.max(orthogonalityError, Math.abs(gram - (p === q ? 1 : 0)));
      }
    }
    expect(rebuildError).toBeLessThan(1e-12 * scale * d);
    expect(orthogonalityError).toBeLessThan(1e-12 * d);
  });

  it('handles diagonal, zero and repeated-eigenvalue matrices', () => {
    expect(sorted(symmetricEigen(flat([[3, 0, 0], [0, -1, 0], [0, 0, 2]]), 3, false).values)).toEqual([-1, 2, 3]);
    expect(sorted(symmetricEigen(new Float64Array(9), 3, true).values)).toEqual([0, 0, 0]);
    // J − I for the all-ones 4 × 4 J: eigenvalues 3 and −1 (three times).
    const ones = Array.from({ length: 4 }, (_, i) => Array.from({ length: 4 }, (_, j) => (i === j ? 0 : 1)));
    const values = sorted(symmetricEigen(flat(ones), 4, true).values);
    values.forEach((v, i) => expect(v).toBeCloseTo([-1, -1, -1, 3][i]!, 12));
  });
});

describe('traceSqrtProduct', () => {
  it('equals Tr of the Denman–Beavers square root of Σ₁Σ₂ on full-rank covariances', () => {
    const d = 12;
    const s1 = covarianceOf(correlatedFeatures(80, d, 1));
    const s2 = covarianceOf(correlatedFeatures(90, d, 2, 0.5));
    const root = sqrtmDenmanBeavers(matMul(s1, s2));
    const want = root.reduce((s, row, i) => s + row[i]!, 0);
    const got = traceSqrtProduct(flat(s1), flat(s2), d);
    expect(Math.abs(got - want) / want).toBeLessThan(1e-11);
    // The trace is symmetric in its two arguments.
    expect(Math.abs(traceSqrtProduct(flat(s2), flat(s1), d) - got) / want).toBeLessThan(1e-11);
  });

  it('is Σ √(aᵢbᵢ) for diagonal matrices, including zero variances', () => {
    const a = [4, 0, 9, 1];
    const b = [1, 5, 4, 0];
    const diag = (v: number[]): Float64Array => flat(v.map((x, i) => v.map((_, j) => (i === j ? x : 0))));
    expect(traceSqrtProduct(diag(a), diag(b), 4)).toBeCloseTo(2 + 0 + 6 + 0, 12);
    expect(traceSqrtProduct(new Float64Array(16), diag(b), 4)).toBe(0);
  });
});
