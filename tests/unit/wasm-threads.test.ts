/**
 * What WASM threads rest on, checked under Node: the SIMD kernels compiled for a shared memory
 * (tfjs' threaded build) compute what the plain ones do, and the build plugin that keeps the
 * threaded factory self-contained finds what it removes in the tfjs actually installed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { wasmSimd, type WasmSimd } from '../../src/engine/kernels/wasm-simd';
import { withoutOuterScriptDir } from '../../scripts/vite-wasm-threads.mjs';

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
      simd.transpose(0, rows, cols, 4096 * 4);
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
