/**
 * The stock ops Inkling re-registers on some backends, on the current backend against plain-JS
 * maths: matMul (every transpose, with and without a bias), sums by column and by row, the row
 * maximum, the 2-D transpose, stack and concat along the first axis, a row lookup, and a sum of
 * 12 tensors. Which replaced kernel each figure runs on which backend is listed in the kernel
 * table, kernels/registry.ts. Part of the engine check.
 */
import * as tf from '@tensorflow/tfjs';

type Rand = (n: number) => Float32Array;

/** Largest |a - b|, relative to the largest |b|. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

/** C = op(A) × op(B) (+ bias) by the definition; A is stored [K, M] when `tA`, B [N, K] when `tB`. */
function product(a: Float32Array, b: Float32Array, [M, K, N]: number[], tA: boolean, tB: boolean, bias?: Float32Array) {
  const out = new Float32Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let sum = bias ? bias[j] : 0;
      for (let k = 0; k < K; k++) sum += (tA ? a[k * M + i] : a[i * K + k]) * (tB ? b[j * K + k] : b[k * N + j]);
      out[i * N + j] = sum;
    }
  return out;
}

/** Worst error over matMuls whose shapes do (12 × 8 × 16) and do not (7 × 6 × 10) fit 4×4 blocks. */
async function checkMatMuls(rand: Rand): Promise<Record<string, number>> {
  let [plain, fused] = [0, 0];
  for (const [M, K, N] of [
    [12, 8, 16],
    [7, 6, 10],
  ])
    for (const [tA, tB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const [a, b, bias] = [rand(M * K), rand(K * N), rand(N)];
      const [ta, tb, tbias] = [
        tf.tensor2d(a, tA ? [K, M] : [M, K]),
        tf.tensor2d(b, tB ? [N, K] : [K, N]),
        tf.tensor1d(bias),
      ];
      const c = tf.matMul(ta, tb, tA, tB);
      const cb = tf.fused.matMul({ a: ta, b: tb, transposeA: tA, transposeB: tB, bias: tbias });
      plain = Math.max(plain, relError(await c.data(), product(a, b, [M, K, N], tA, tB)));
      fused = Math.max(fused, relError(await cb.data(), product(a, b, [M, K, N], tA, tB, bias)));
      tf.dispose([ta, tb, tbias, c, cb]);
    }
  return { matMul: plain, matMulBias: fused };
}

const GATHER = [4, 0, 7, 4]; // rows looked up by id (an embedding's lookup), one twice

/** Column and row sums, row maxima, the 2-D transpose, stack / concat and a row lookup on axis 0, by the maths. */
async function checkReshuffles(rand: Rand): Promise<Record<string, number>> {
  const [M, N] = [9, 12];
  const x = rand(M * N);
  const sums = new Float32Array(N).map((_, j) => x.filter((_, i) => i % N === j).reduce((p, v) => p + v, 0));
  const turned = new Float32Array(M * N).map((_, i) => x[(i % M) * N + Math.floor(i / M)]);
  const row = (i: number) => x.subarray(i * N, (i + 1) * N);
  const rowSums = new Float32Array(M).map((_, i) => row(i).reduce((p, v) => p + v, 0));
  const rowMax = new Float32Array(M).map((_, i) => Math.max(...row(i)));
  const got = tf.tidy(() => {
    const t = tf.tensor2d(x, [M, N]);
    const fresh = (y: tf.Tensor) => tf.add(y, 0); // computed, not a view: WebGL blits only whole textures
    const rows = tf.unstack(t).map(fresh);
    const blocks = [0, 3, 6].map((i) => tf.matMul(t.slice(i, 3), tf.eye(N))); // packed 2×2 on WebGL
    const byRows = [tf.sum(t.reshape([3, 3, N]), -1, true), tf.max(t, 1)];
    const joined = [tf.stack(rows), tf.concat([fresh(t.slice(0, 4)), fresh(t.slice(4))]), tf.stack(blocks)];
    return [tf.sum(t, 0), ...byRows, tf.transpose(t), ...joined, tf.gather(t, tf.tensor1d(GATHER, 'int32'))];
  });
  const gathered = new Float32Array(GATHER.length * N).map((_, i) => row(GATHER[Math.floor(i / N)])[i % N]);
  const [sum, rowSum, max, transpose, stack, concat, stackBlocks, gather] = await Promise.all(got.map((t) => t.data()));
  tf.dispose(got);
  return {
    columnSum: relError(sum, sums),
    rowSum: relError(rowSum, rowSums),
    rowMax: relError(max, rowMax),
    transpose: relError(transpose, turned),
    stack: relError(stack, x),
    concat: relError(concat, x),
    stackBlocks: relError(stackBlocks, x),
    gatherRows: relError(gather, gathered),
  };
}

/** A sum of 12 tensors (more than one WebGPU program may read: kernels/webgpu/addn.ts) against the maths. */
async function checkAddN(rand: Rand): Promise<Record<string, number>> {
  const xs = Array.from({ length: 12 }, () => rand(5));
  const sum = new Float32Array(5).map((_, j) => xs.reduce((s, x) => s + x[j], 0));
  const got = tf.tidy(() => tf.addN(xs.map((x) => tf.tensor1d(x))));
  const error = relError(await got.data(), sum);
  got.dispose();
  return { addN: error };
}

/** Every re-registered op's worst relative error on this backend. */
export async function checkOps(rand: Rand): Promise<Record<string, number>> {
  return { ...(await checkMatMuls(rand)), ...(await checkReshuffles(rand)), ...(await checkAddN(rand)) };
}
