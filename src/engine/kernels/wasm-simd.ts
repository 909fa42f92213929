/**
 * The kernels of simd.wat (the LSTM cell, a column sum, a row scatter-add, a transpose, a
 * matMul of a few rows)
 * instantiated on tfjs-backend-wasm's own memory, so they read and write tensors where they lie.
 * The threaded build's memory is shared, so it gets the same code compiled to import a shared
 * memory. `null` where they cannot run (no WebAssembly SIMD, no memory found); callers then run
 * JavaScript loops or the stock kernel.
 */
import { SIMD_WASM, SIMD_WASM_SHARED } from './simd-wasm';

/** Pointers are byte offsets into the backend's heap; 0 for `dhRec` means none. */
export interface WasmSimd {
  cell(zx: number, hr: number, prev: number, prevW: number, B: number, U: number, out: number): void;
  cellGrad(
    state: number,
    prev: number,
    prevW: number,
    dOut: number,
    dhRec: number,
    dc: number,
    dcW: number,
    B: number,
    U: number,
    out: number,
  ): void;
  colSum(x: number, rows: number, cols: number, out: number): void;
  rowScatterAdd(x: number, ids: number, N: number, C: number, out: number, V: number): void;
  transpose(x: number, rows: number, cols: number, out: number): void;
  matMulRows(a: number, w: number, B: number, K: number, N: number, out: number): void;
}

const decode = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
const instances = new WeakMap<WebAssembly.Memory, WasmSimd | null>();
let disabled = false;

function instantiate(memory: WebAssembly.Memory): WasmSimd | null {
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const bytes = decode(shared ? SIMD_WASM_SHARED : SIMD_WASM);
  try {
    if (!WebAssembly.validate(bytes)) return null;
    const module = new WebAssembly.Module(bytes); // 2 KB: compiling synchronously is allowed anywhere
    return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as WasmSimd;
  } catch {
    return null;
  }
}

/** The SIMD kernels for this backend, or null (see above). */
export function wasmSimd(backend: unknown): WasmSimd | null {
  if (disabled) return null;
  // the plain builds export their memory; the threaded one creates it and imports it (Module.wasmMemory)
  const wasm = (backend as { wasm?: { asm?: { memory?: unknown }; wasmMemory?: unknown } }).wasm;
  const memory = wasm?.asm?.memory ?? wasm?.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  if (!instances.has(memory)) instances.set(memory, instantiate(memory));
  return instances.get(memory)!;
}

/** The SIMD cell for a layer of U units: U must be a multiple of 4 (four lanes). */
export const wasmCell = (backend: unknown, U: number) => (U % 4 === 0 ? wasmSimd(backend) : null);

/** Turns the SIMD kernels off (true) or back on, so tests and the bench can compare them with the loops. */
export function disableWasmSimd(off: boolean): void {
  disabled = off;
}
