/**
 * gemm.wat, the WASM backend's matMul (src/engine/kernels/wasm/gemm.ts): float64 sums' numbers at
 * every edge of its blocks (rows not a multiple of 4, columns not a multiple of 8, an inner
 * dimension over one block of panels, transposes, a bias), nothing written outside its blocks, and
 * nothing left on the heap.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerKernels } from '../../../../src/engine/kernels/registry';
import { GEMM_WASM } from '../../../../src/engine/kernels/wasm/generated/gemm.generated';
import { PANEL_ROWS, canGemm, gemmMatMul, packPanels, panelsMatMul } from '../../../../src/engine/kernels/wasm/gemm';
import { disableWasmGemm, wasmGemm, wasmSimd, type WasmGemm } from '../../../../src/engine/kernels/wasm/modules';
import { Rng } from '../../../../src/data/rng';

const values = (n: number, seed: number) => {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
};

/** a × b in float64, a [M, K] and b [K, N] row-major (given transposed where asked). */
function reference(a: Float32Array, b: Float32Array, M: number, K: number, N: number, ta: boolean, tb: boolean) {
  const out = new Float64Array(M * N);
  for (let m = 0; m < M; m++)
    for (let k = 0; k < K; k++) {
      const x = ta ? a[k * M + m] : a[m * K + k];
      for (let n = 0; n < N; n++) out[m * N + n] += x * (tb ? b[n * K + k] : b[k * N + n]);
    }
  return out;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, K: number) {
  expect(got).toHaveLength(want.length);
  const tolerance = 2e-6 * Math.sqrt(K) + 1e-6; // float32 sums of K terms of size ≤ 1
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(tolerance);
}

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('wasm');
  registerKernels('wasm');
});
afterEach(() => disableWasmGemm(false));

const SHAPES = [
  [1, 1, 1],
  [3, 5, 7],
  [4, 8, 8],
  [5, 9, 13],
  [6, 40, 80],
  [64, 33, 100],
  [9, PANEL_ROWS + 3, 17], // two blocks of panels, the second of 3 rows
  [10, 1024, 12], // rows 4 KB apart: read through a copy with padded rows
];

const TRANSPOSES = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

describe('gemm.wat on the WASM backend', () => {
  it('runs here (one thread, WebAssembly SIMD)', () => {
    expect(wasmGemm(tf.backend())).not.toBeNull();
  });

  it("gives the CPU backend's numbers at every edge of its blocks, and frees its scratch", () => {
    const backend = tf.backend();
    const kernels = { gemm: wasmGemm(backend)!, simd: wasmSimd(backend)! };
    for (const [M, K, N] of SHAPES)
      for (const [ta, tb] of TRANSPOSES) {
        const [a, b] = [values(M * K, M + K), values(K * N, K + N)];
        const x = tf.tensor2d(a, ta ? [K, M] : [M, K]);
        const y = tf.tensor2d(b, tb ? [N, K] : [K, N]);
        const ids = backend.numDataIds();
        const out = gemmMatMul(kernels, backend, [x, y], [ta, tb]);
        expect(backend.numDataIds()).toBe(ids + 1); // the product, and no scratch
        const product = tf.engine().makeTensorFromTensorInfo(out);
        expect(product.shape).toEqual([M, N]);
        expectClose(product.dataSync(), reference(a, b, M, K, N, ta, tb), K);
        tf.dispose([x, y, product]);
      }
  });

  it('multiplies rows read in place, any stride apart, by a right operand packed once', () => {
    const backend = tf.backend();
    const gemm = wasmGemm(backend)!;
    for (const [M, K, N, ld, offset] of [
      [5, 9, 13, 20, 3], // rows 20 apart from the fourth value on, as the step reads h out of a state
      [8, 40, 1024, 1024, 0], // rows 4 KB apart
      [6, PANEL_ROWS + 5, 24, PANEL_ROWS + 9, 2], // two blocks of panels
    ])
      for (const tb of [false, true]) {
        const [a, b] = [values(offset + M * ld, ld), values(K * N, K)];
        const [x, y] = [tf.tensor1d(a), tf.tensor2d(b, tb ? [N, K] : [K, N])];
        const panels = packPanels(gemm, backend, y, tb);
        const ids = backend.numDataIds();
        const out = panelsMatMul(gemm, backend, { info: x, offset, ld }, M, panels, N);
        expect(backend.numDataIds()).toBe(ids + 1); // the product, and no copy of a
        const rows = Float32Array.from({ length: M * K }, (_, i) => a[offset + Math.floor(i / K) * ld + (i % K)]);
        const product = tf.engine().makeTensorFromTensorInfo(out);
        expect(product.shape).toEqual([M, N]);
        expectClose(product.dataSync(), reference(rows, b, M, K, N, false, tb), K);
        backend.disposeData(panels.dataId);
        tf.dispose([x, y, product]);
      }
  });

  it('serves tf.matMul and tf.fused.matMul (transposes, a bias) with the same numbers, leaking nothing', () => {
    for (const [M, K, N] of SHAPES)
      for (const [ta, tb] of TRANSPOSES) {
        const [a, b, bias] = [values(M * K, 1), values(K * N, 2), values(N, 3)];
        const before = tf.memory().numTensors;
        const [plain, fused] = tf.tidy(() => {
          const x = tf.tensor3d(a, ta ? [1, K, M] : [1, M, K]);
          const y = tf.tensor3d(b, tb ? [1, N, K] : [1, K, N]);
          const biased = tf.fused.matMul({ a: x, b: y, transposeA: ta, transposeB: tb, bias: tf.tensor1d(bias) });
          return [tf.matMul(x, y, ta, tb).dataSync(), biased.dataSync()];
        });
        expect(tf.memory().numTensors).toBe(before);
        const want = reference(a, b, M, K, N, ta, tb);
        expectClose(plain, want, K);
        expectClose(
          fused,
          want.map((v, i) => v + bias[i % N]),
          K,
        );
      }
  });

  it('leaves what it cannot take to the stock kernel: batches, activations, other dtypes', () => {
    const f32 = (shape: number[]) => ({ dataId: {}, shape, dtype: 'float32' as const });
    expect(canGemm(f32([2, 3, 4]), f32([2, 4, 5]), false, false)).toBe(false);
    expect(canGemm(f32([3, 4]), f32([4, 5]), false, false, f32([4]))).toBe(false); // a bias of the wrong size
    expect(canGemm(f32([5, 4]), f32([4, 5]), false, false, f32([5, 1]))).toBe(false); // a column: one bias a row
    expect(canGemm(f32([5, 4]), f32([4, 5]), false, false, f32([1, 5]))).toBe(true);
    expect(canGemm({ ...f32([3, 4]), dtype: 'int32' }, f32([4, 5]), false, false)).toBe(false);
    expect(canGemm(f32([3, 4]), f32([5, 4]), false, true, f32([5]))).toBe(true);
    expect(canGemm(f32([4, 3]), f32([5, 4]), true, true, f32([5]))).toBe(true); // aᵀ [3, 4]
    expect(canGemm(f32([3, 4]), f32([4, 5]), true, false)).toBe(false); // aᵀ [4, 3] × [4, 5]
    const relu = tf.tidy(() =>
      tf.fused.matMul({ a: tf.tensor2d([[1, -2]]), b: tf.tensor2d([[1], [1]]), activation: 'relu' }).dataSync(),
    );
    expect(Array.from(relu)).toEqual([0]);
  });

  it('writes whole blocks of 4 rows × 8 columns and nothing outside them, adding into out when asked', async () => {
    const memory = new WebAssembly.Memory({ initial: 4 });
    const bytes = Uint8Array.from(atob(GEMM_WASM), (c) => c.charCodeAt(0));
    const { instance } = await WebAssembly.instantiate(bytes, { env: { memory } });
    const gemm = instance.exports as unknown as WasmGemm;
    const heap = new Float32Array(memory.buffer);
    const [M, K, N, Mp] = [7, 11, 16, 8]; // a block of 4 rows and one of 3: out holds 8
    const [A, B, WP, OUT] = [64, 1024, 2048, 8192]; // byte offsets
    heap.set(values(M * K, 4), A / 4);
    heap.set(values(K * N, 5), B / 4);
    heap.fill(7, OUT / 4 - 16, OUT / 4 + Mp * N + 16); // a sentinel around out
    gemm.pack(B, K, N, 0, K, 0, WP);
    gemm.gemm(A, K * 4, WP, M, K, N, OUT, N * 4, 0);
    const sentinel = () => [
      ...heap.subarray(OUT / 4 - 16, OUT / 4),
      ...heap.subarray(OUT / 4 + Mp * N, OUT / 4 + Mp * N + 16),
    ];
    expect(sentinel()).toEqual(Array(32).fill(7));
    const want = reference(heap.slice(A / 4, A / 4 + M * K), heap.slice(B / 4, B / 4 + K * N), M, K, N, false, false);
    expectClose(heap.subarray(OUT / 4, OUT / 4 + M * N), want, K);
    gemm.gemm(A, K * 4, WP, M, K, N, OUT, N * 4, 1); // accumulate: twice the product
    expectClose(
      heap.subarray(OUT / 4, OUT / 4 + M * N),
      want.map((v) => 2 * v),
      K,
    );
    expect(sentinel()).toEqual(Array(32).fill(7));
  });

  it('can be turned off, leaving the matMuls to XNNPACK', () => {
    disableWasmGemm(true);
    expect(wasmGemm(tf.backend())).toBeNull();
  });
});
