/**
 * WGSL for the software adapter's matMul (matmul.ts): a thread per 4×4 block of C = op(A) ×
 * op(B) (+ bias), accumulated as a mat4x4 with no workgroup memory. Where the shapes allow, every
 * operand is read as vec4s (transposed ones turned by WGSL's `transpose`); otherwise (a vocabulary
 * of 81 characters, say) the same blocks with scalar loads, clamped at the edges. Loads convert to
 * f32: tfjs casts int32 to float32 by relabelling the buffer, and a shader declares an input by
 * its buffer's type.
 */

/** Whether every load can be a vec4: K (read four at a time), N and, for a transposed A, M. */
export const fitsVec4 = (M: number, K: number, N: number, tA: boolean) =>
  K % 4 === 0 && N % 4 === 0 && (!tA || M % 4 === 0);

export interface Shape {
  batch: number;
  M: number;
  K: number;
  N: number;
  tA: boolean;
  tB: boolean;
  bias?: boolean; // a third input [N], added to every row (_FusedMatMul's bias)
  vec4: boolean; // every operand read as vec4s (see `fitsVec4`); else scalar loads
}

/** C[b] = op(A[b]) × op(B[b]), [M, N] blocks of 4×4; every index below counts vec4s. */
function vec4Wgsl({ batch, M, K, N, tA, tB, bias }: Shape): string {
  const [m4, k4, n4] = [Math.ceil(M / 4), K / 4, N / 4];
  const a = tA // A [K, M]: four k rows of four output rows, turned; else four output rows of four k
    ? `let am = transpose(mat4x4<f32>(${[0, 1, 2, 3].map((i) => `vec4<f32>(A[ao + (k * 4 + ${i}) * ${M / 4} + r0 / 4])`)}));`
    : `let am = mat4x4<f32>(${[0, 1, 2, 3].map((i) => `vec4<f32>(A[ao + min(r0 + ${i}, ${M - 1}) * ${k4} + k])`)});`;
  const b = tB // B [N, K]: four output columns of four k, turned; else four k rows of four columns
    ? `let bm = transpose(mat4x4<f32>(${[0, 1, 2, 3].map((i) => `vec4<f32>(B[bo + (c * 4 + ${i}) * ${k4} + k])`)}));`
    : `let bm = mat4x4<f32>(${[0, 1, 2, 3].map((i) => `vec4<f32>(B[bo + (k * 4 + ${i}) * ${n4} + c])`)});`;
  return `
  fn main(index : i32) {
    if (index >= ${batch * m4 * n4} || uniforms.outShape.x < 0) { return; }
    let z = index / ${m4 * n4};
    let r0 = ((index / ${n4}) % ${m4}) * 4;
    let c = index % ${n4};
    let ao = z * ${(M * K) / 4};
    let bo = z * ${(K * N) / 4};
    var acc = mat4x4<f32>();
    for (var k = 0; k < ${k4}; k++) {
      ${a}
      ${b}
      acc[0] += bm * am[0]; acc[1] += bm * am[1]; acc[2] += bm * am[2]; acc[3] += bm * am[3];
    }
    for (var i = 0; i < 4; i++) {
      if (r0 + i < ${M}) { result[(z * ${M} + r0 + i) * ${n4} + c] = acc[i]${bias ? ' + BIAS[c]' : ''}; }
    }
  }`;
}

/** The same blocks with scalar loads, any shapes: rows and columns past the edge read the last and are not written. */
function scalarWgsl({ batch, M, K, N, tA, tB, bias }: Shape): string {
  const [m4, n4] = [Math.ceil(M / 4), Math.ceil(N / 4)];
  const a = (i: number) => (tA ? `A[ao + k * ${M} + r${i}]` : `A[ao + r${i} * ${K} + k]`);
  const b = (j: number) => (tB ? `B[bo + c${j} * ${K} + k]` : `B[bo + k * ${N} + c${j}]`);
  const four = [0, 1, 2, 3];
  return `
  fn main(index : i32) {
    if (index >= ${batch * m4 * n4} || uniforms.outShape.x < 0) { return; }
    let z = index / ${m4 * n4};
    let r = ((index / ${n4}) % ${m4}) * 4;
    let c = (index % ${n4}) * 4;
    ${four.map((i) => `let r${i} = min(r + ${i}, ${M - 1}); let c${i} = min(c + ${i}, ${N - 1});`).join('\n    ')}
    let ao = z * ${M * K};
    let bo = z * ${K * N};
    var acc = mat4x4<f32>();
    for (var k = 0; k < ${K}; k++) {
      let bv = vec4<f32>(${four.map((j) => `f32(${b(j)})`)});
      ${four.map((i) => `acc[${i}] += f32(${a(i)}) * bv;`).join(' ')}
    }
    ${bias ? `acc += mat4x4<f32>(${four.map(() => `vec4<f32>(${four.map((j) => `BIAS[c${j}]`)})`)});` : ''}
    for (var i = 0; i < 4; i++) {
      for (var j = 0; j < 4; j++) {
        if (r + i < ${M} && c + j < ${N}) { result[(z * ${M} + r + i) * ${N} + c + j] = acc[i][j]; }
      }
    }
  }`;
}

/** The program's WGSL body for a product of this shape. */
export const matMulWgsl = (s: Shape) => (s.vec4 ? vec4Wgsl(s) : scalarWgsl(s));
