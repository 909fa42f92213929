/**
 * The kernels of simd.wat (the LSTM cell, a column sum, a row scatter-add, a transpose, a
 * matMul of a few rows) and of gemm.wat (a matMul),
 * instantiated on tfjs-backend-wasm's own memory, so they read and write tensors where they lie.
 * The threaded build's memory is shared, so it gets the same code compiled to import a shared
 * memory. `null` where they cannot run (no WebAssembly SIMD, no memory found); callers then run
 * JavaScript loops or the stock kernel.
 */
import { GEMM_WASM, GEMM_WASM_SHARED } from './generated/gemm.generated';
import { helperReady, pairedGemm, type WasmGemm } from './gemm-pair';
import { SIMD_WASM, SIMD_WASM_SHARED } from './generated/simd.generated';

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
  /** out [cols, rows] = x [rows, cols]ᵀ, out's rows `ld` floats apart. */
  transpose(x: number, rows: number, cols: number, out: number, ld: number): void;
  matMulRows(a: number, w: number, B: number, K: number, N: number, out: number): void;
}

export type { WasmGemm } from './gemm-pair'; // gemm.wat's kernels

const decode = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
const simdInstances = new WeakMap<WebAssembly.Memory, WasmSimd | null>();
const gemmInstances = new WeakMap<WebAssembly.Memory, WasmGemm | null>();
const pairs = new WeakMap<WebAssembly.Memory, { gemm: WasmGemm; control: Int32Array }>(); // shared heaps with a helper
let disabled = false;
let gemmDisabled = false;

/** Whether `memory` is shared (the threaded build's heap); never where SharedArrayBuffer is missing. */
export const isShared = (memory: WebAssembly.Memory) =>
  typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;

function instantiate<T>(memory: WebAssembly.Memory, plain: string, shared: string): T | null {
  const bytes = decode(isShared(memory) ? shared : plain);
  try {
    if (!WebAssembly.validate(bytes)) return null;
    const module = new WebAssembly.Module(bytes); // 2 KB: compiling synchronously is allowed anywhere
    return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as T;
  } catch {
    return null;
  }
}

/** The backend's heap: the plain builds export their memory; the threaded one imports it (Module.wasmMemory). */
export function wasmHeapMemory(backend: unknown): WebAssembly.Memory | null {
  const wasm = (backend as { wasm?: { asm?: { memory?: unknown }; wasmMemory?: unknown } }).wasm;
  const memory = wasm?.asm?.memory ?? wasm?.wasmMemory;
  return memory instanceof WebAssembly.Memory ? memory : null;
}

/** The SIMD kernels for this backend, or null (see above). */
export function wasmSimd(backend: unknown): WasmSimd | null {
  const memory = disabled ? null : wasmHeapMemory(backend);
  if (!memory) return null;
  if (!simdInstances.has(memory)) simdInstances.set(memory, instantiate(memory, SIMD_WASM, SIMD_WASM_SHARED));
  return simdInstances.get(memory)!;
}

/**
 * gemm.wat for this backend, or null. On the threaded build (shared memory) XNNPACK spreads a
 * matMul over its threads, and gemm.wat on one is not faster: there it runs only split with a
 * helper thread (gemm-pair.ts, attachGemmHelper) once that helper is ready.
 */
export function wasmGemm(backend: unknown): WasmGemm | null {
  const memory = disabled || gemmDisabled ? null : wasmHeapMemory(backend);
  if (!memory) return null;
  if (isShared(memory)) {
    const pair = pairs.get(memory);
    return pair && helperReady(pair.control) ? pair.gemm : null;
  }
  return gemmOn(memory);
}

/** gemm.wat instantiated on `memory` (once per memory), or null where it cannot run. */
export function gemmOn(memory: WebAssembly.Memory): WasmGemm | null {
  if (!gemmInstances.has(memory)) gemmInstances.set(memory, instantiate(memory, GEMM_WASM, GEMM_WASM_SHARED));
  return gemmInstances.get(memory)!;
}

/**
 * Splits gemm.wat's calls on this shared heap with the helper thread serving `control`
 * (gemm-pair.ts): wasmGemm returns the pair while that helper is ready. False where it cannot.
 */
export function attachGemmHelper(memory: WebAssembly.Memory, control: Int32Array): boolean {
  const gemm = isShared(memory) ? gemmOn(memory) : null;
  if (gemm) pairs.set(memory, { gemm: pairedGemm(gemm, control), control });
  return gemm !== null;
}

/** The SIMD cell for a layer of U units: U must be a multiple of 4 (four lanes). */
export const wasmCell = (backend: unknown, U: number) => (U % 4 === 0 ? wasmSimd(backend) : null);

/** Turns the SIMD kernels off (true) or back on, so tests and the bench can compare them with the loops. */
export function disableWasmSimd(off: boolean): void {
  disabled = off;
}

/** Turns gemm.wat off (true), leaving the matMuls to XNNPACK, or back on: for tests and the bench. */
export function disableWasmGemm(off: boolean): void {
  gemmDisabled = off;
}
