/**
 * RowScatterAdd (x [N, C], ids int32 [N]; attr `rows` V) -> [V, C]: row ids[n] of the result is
 * the sum of the rows of x whose id is ids[n]; ids outside [0, V) add nothing. The gradient of a
 * row lookup (tfjs' UnsortedSegmentSum, which its WASM backend lacks). Registered for CPU (a loop)
 * and WASM (simd.wat's `rowScatterAdd` on the heap, or the same loop where SIMD cannot run).
 */
import * as tf from '@tensorflow/tfjs';
import { cpuMemory, wasmMemory, type Memory } from './memory';
import { wasmSimd } from './wasm/modules';

export const ROW_SCATTER_ADD = 'InklingRowScatterAdd';

type Ins = { x: tf.TensorInfo; ids: tf.TensorInfo };

function loop(x: Float32Array, ids: Int32Array, C: number, out: Float32Array): void {
  const V = out.length / C;
  out.fill(0);
  for (let n = 0; n < ids.length; n++) {
    const id = ids[n];
    if (id < 0 || id >= V) continue;
    for (let j = 0; j < C; j++) out[id * C + j] += x[n * C + j];
  }
}

function scatterOn(memory: Memory, { x, ids }: Ins, V: number) {
  const C = x.shape[1];
  const out = memory.make([V, C]);
  loop(memory.read(x), memory.read(ids) as unknown as Int32Array, C, out.values());
  return out.info;
}

const rowsOf = (attrs: unknown) => (attrs as { rows: number }).rows;

const cpu: tf.KernelFunc = ({ inputs, backend, attrs }) => scatterOn(cpuMemory(backend), inputs as Ins, rowsOf(attrs));

const wasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, ids } = inputs as Ins;
  const [V, [N, C]] = [rowsOf(attrs), x.shape];
  const simd = wasmSimd(backend);
  const memory = wasmMemory(backend);
  if (!simd || C % 4 !== 0 || N === 0 || C === 0) return scatterOn(memory, inputs as Ins, V);
  const out = memory.make([V, C]);
  const at = (t: tf.TensorInfo) => memory.read(t).byteOffset;
  simd.rowScatterAdd(at(x), at(ids), N, C, at(out.info), V);
  return out.info;
};

function register(backendName: string, kernelFunc: tf.KernelFunc): void {
  if (!tf.getKernel(ROW_SCATTER_ADD, backendName))
    tf.registerKernel({ kernelName: ROW_SCATTER_ADD, backendName, kernelFunc });
}

export const registerCpuRowScatterAdd = () => register('cpu', cpu);
export const registerWasmRowScatterAdd = () => register('wasm', wasm);

// Registered on import so that the engine runs under Node with no set-up (the table: registry.ts).
registerCpuRowScatterAdd();
registerWasmRowScatterAdd();

/** Whether the current backend has the kernel (CPU and WASM). */
export const hasRowScatterAdd = () => tf.getKernel(ROW_SCATTER_ADD, tf.getBackend()) !== undefined;

/** x [N, C], ids int32 [N] -> [V, C]: each row of x added into the row its id names. */
export function rowScatterAdd(x: tf.Tensor2D, ids: tf.Tensor1D, V: number): tf.Tensor2D {
  return tf.engine().runKernel(ROW_SCATTER_ADD, { x, ids }, { rows: V }) as tf.Tensor2D;
}
