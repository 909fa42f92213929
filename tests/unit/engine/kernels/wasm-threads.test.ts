/**
 * What WASM threads rest on, checked under Node: the SIMD kernels compiled for a shared memory
 * (tfjs' threaded build) compute what the plain ones do, and the build plugin that keeps the
 * threaded factory self-contained finds what it removes in the tfjs actually installed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { wasmSimd, type WasmSimd } from '../../../../src/engine/kernels/wasm/modules';
import { matMulRows } from '../../../../src/engine/kernels/lstm-step-math';
import { withoutOuterScriptDir } from '../../../../scripts/vite-wasm-threads.mjs';

const PAGE = 65536;

/** The kernels on a fresh memory (shared or not), as the backend would hand it over. */
function kernelsOn(shared: boolean): { simd: WasmSimd; heap: Float32Array } {
  const memory = new WebAssembly.Memory({
    initial: 4,
    maximum: shared ? 65536 : 100,
    shared,
  } as WebAssembly.MemoryDescriptor);
  const backend = shared ? { wasm: { wasmMemory: memory } } : { wasm: { asm: { memory } } };
  const simd = wasmSimd(backend);
  if (!simd) throw new Error('no SIMD kernels');
  return { simd, heap: new Float32Array(memory.buffer) };
}

describe('the SIMD kernels on a shared memory (the threaded build)', () => {
  it('instantiate on the memory the threaded build creates', () => {
    const { heap } = kernelsOn(true);
    expect(heap.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('transpose, sum columns and run the LSTM cell exactly as on a plain memory', () => {
    const [rows, cols, B, U] = [13, 20, 3, 8];
    const results = [false, true].map((shared) => {
      const { simd, heap } = kernelsOn(shared);
      for (let i = 0; i < PAGE; i++) heap[i] = Math.sin(i * 0.37) * 3;
      // transpose [13, 20] at 0 into 4096; column sums into 8192; the cell's output at 16384
      simd.transpose(0, rows, cols, 4096 * 4, rows);
      simd.colSum(0, rows, cols, 8192 * 4);
      simd.cell(0, 1024 * 4, 2048 * 4, 6 * U, B, U, 16384 * 4);
      return [
        heap.slice(4096, 4096 + rows * cols),
        heap.slice(8192, 8192 + cols),
        heap.slice(16384, 16384 + B * 6 * U),
      ];
    });
    const [plain, shared] = results;
    expect(plain[0][1]).toBeCloseTo(Math.sin(cols * 0.37) * 3, 6); // row 0 of the transpose is column 0
    for (let k = 0; k < 3; k++) expect(Array.from(shared[k])).toEqual(Array.from(plain[k]));
  });

  // 48 columns: one block of 32 and the 16 after it; 64: blocks of 32 only; 16: the 16 alone.
  it.each([48, 64, 16])(
    "multiply a few rows (generation's and Try it's recurrent matMul) as plain loops do, on either memory: %i columns",
    (N) => {
      const [B, K] = [3, 40]; // a [3, 40] at 0, w [40, N] at 1024, out at 8192
      const results = [false, true].map((shared) => {
        const { simd, heap } = kernelsOn(shared);
        for (let i = 0; i < PAGE; i++) heap[i] = Math.sin(i * 0.37) * 3;
        simd.matMulRows(0, 1024 * 4, B, K, N, 8192 * 4);
        const want = new Float32Array(B * N);
        matMulRows(heap.subarray(0, B * K), K, heap.subarray(1024, 1024 + K * N), B, K, want);
        return { got: heap.slice(8192, 8192 + B * N), want, after: heap[8192 + B * N] };
      });
      for (const { got, want } of results)
        got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-4 * (1 + Math.abs(want[i]))));
      expect(Array.from(results[1].got)).toEqual(Array.from(results[0].got));
      expect(results[0].got[N - 1]).not.toBe(0); // the last column of a row is written too
      // nothing written past the rows
      for (const { after } of results) expect(after).toBe(Math.fround(Math.sin((8192 + B * N) * 0.37) * 3));
    },
  );
});

describe('the build plugin for the threaded factory', () => {
  const file = createRequire(import.meta.url).resolve(
    '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js',
  );
  const code = readFileSync(file, 'utf8');

  it('removes the outer _scriptDir, leaving the factory only guarded references to it', () => {
    const fixed = withoutOuterScriptDir(code);
    expect(code).toMatch(/var _scriptDir =/);
    expect(fixed).not.toMatch(/var _scriptDir\b/);
    expect(fixed).toContain('typeof _scriptDir !== "undefined" && _scriptDir');
    expect(fixed.length).toBeLessThan(code.length);
  });

  it('fails the build when tfjs no longer has the lines it removes', () => {
    expect(() => withoutOuterScriptDir(code.replace('var _scriptDir =', 'var scriptDir ='))).toThrow(/did tfjs change/);
  });
});
