/**
 * The fused LSTM cell as two tfjs kernels, one call per timestep each way:
 * - LstmCell (zx [B,4U], hr [B,4U], c [B,U]) -> h [B,U], c' [B,U], acts [B,4U] (gates i, f, g, o)
 * - LstmCellGrad (acts, cPrev, c', dOut, dhRec, dc) -> dz [B,4U], dcPrev [B,U]
 * Registered here for the CPU and WASM backends (plain loops over the backend's memory, see
 * lstm-cell-math.ts) and in lstm-cell-gpu.ts for WebGL and WebGPU. `cellForward` and
 * `cellBackward` below call the kernel where the current backend has it, else the same maths as
 * a few stock ops.
 */
import * as tf from '@tensorflow/tfjs';
import { cellBackward as mathBackward, cellForward as mathForward } from './lstm-cell-math';
import { cpuMemory, wasmMemory, type KernelArgs, type Memory } from './memory';

export const LSTM_CELL = 'InklingLstmCell';
export const LSTM_CELL_GRAD = 'InklingLstmCellGrad';

function forwardKernel(memoryOf: (b: KernelArgs['backend']) => Memory): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const { zx, hr, c } = inputs as Record<string, tf.TensorInfo>;
    const [B, U] = c.shape;
    const memory = memoryOf(backend);
    const [h, cn, acts] = [memory.make([B, U]), memory.make([B, U]), memory.make([B, 4 * U])];
    mathForward(memory.read(zx), memory.read(hr), memory.read(c), B, U, {
      h: h.values(),
      c: cn.values(),
      acts: acts.values(),
    });
    return [h.info, cn.info, acts.info];
  };
}

function backwardKernel(memoryOf: (b: KernelArgs['backend']) => Memory): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const { acts, cPrev, c, dOut, dhRec, dc } = inputs as Record<string, tf.TensorInfo>;
    const [B, U] = c.shape;
    const memory = memoryOf(backend);
    const [dz, dcPrev] = [memory.make([B, 4 * U]), memory.make([B, U])];
    const read = memory.read;
    mathBackward(read(acts), read(cPrev), read(c), read(dOut), read(dhRec), read(dc), B, U, {
      dz: dz.values(),
      dcPrev: dcPrev.values(),
    });
    return [dz.info, dcPrev.info];
  };
}

/** Registers a backend's pair of cell kernels, once. */
export function registerCellKernels(backendName: string, forward: tf.KernelFunc, backward: tf.KernelFunc): void {
  if (!tf.getKernel(LSTM_CELL, backendName))
    tf.registerKernel({ kernelName: LSTM_CELL, backendName, kernelFunc: forward });
  if (!tf.getKernel(LSTM_CELL_GRAD, backendName)) {
    tf.registerKernel({ kernelName: LSTM_CELL_GRAD, backendName, kernelFunc: backward });
  }
}

registerCellKernels('cpu', forwardKernel(cpuMemory), backwardKernel(cpuMemory));
registerCellKernels('wasm', forwardKernel(wasmMemory), backwardKernel(wasmMemory));

const fused = (name: string) => tf.getKernel(name, tf.getBackend()) !== undefined;

export interface CellOut {
  h: tf.Tensor2D;
  c: tf.Tensor2D;
  acts: tf.Tensor2D;
}

/** One step forward: zx + hr are the gate pre-activations ([B, 4U]), c the previous cell state. */
export function cellForward(zx: tf.Tensor2D, hr: tf.Tensor2D, c: tf.Tensor2D): CellOut {
  if (fused(LSTM_CELL)) {
    const [h, cn, acts] = tf.engine().runKernel(LSTM_CELL, { zx, hr, c }) as tf.Tensor2D[];
    return { h, c: cn, acts };
  }
  return tf.tidy(() => {
    const [i, f, g, o] = tf.split(tf.add(zx, hr), 4, 1).map((z, k) => (k === 2 ? tf.tanh(z) : tf.sigmoid(z)));
    const cn = tf.add(tf.mul(f, c), tf.mul(i, g)) as tf.Tensor2D;
    return { h: tf.mul(o, tf.tanh(cn)) as tf.Tensor2D, c: cn, acts: tf.concat([i, f, g, o], 1) as tf.Tensor2D };
  });
}

/** One step back: see lstm-cell-math.ts. Returns the pre-activation gradient and dcPrev. */
export function cellBackward(
  s: { acts: tf.Tensor2D; cPrev: tf.Tensor2D; c: tf.Tensor2D },
  dOut: tf.Tensor2D,
  dhRec: tf.Tensor2D,
  dc: tf.Tensor2D,
): { dz: tf.Tensor2D; dcPrev: tf.Tensor2D } {
  if (fused(LSTM_CELL_GRAD)) {
    const inputs = { acts: s.acts, cPrev: s.cPrev, c: s.c, dOut, dhRec, dc };
    const [dz, dcPrev] = tf.engine().runKernel(LSTM_CELL_GRAD, inputs) as tf.Tensor2D[];
    return { dz, dcPrev };
  }
  return tf.tidy(() => {
    const [i, f, g, o] = tf.split(s.acts, 4, 1);
    const dh = tf.add(dOut, dhRec);
    const tc = tf.tanh(s.c);
    const dcTotal = tf.add(dc, tf.mul(tf.mul(dh, o), tf.sub(1, tf.square(tc))));
    const sig = (a: tf.Tensor, d: tf.Tensor) => tf.mul(d, tf.mul(a, tf.sub(1, a)));
    const dz = tf.concat(
      [
        sig(i, tf.mul(dcTotal, g)),
        sig(f, tf.mul(dcTotal, s.cPrev)),
        tf.mul(tf.mul(dcTotal, i), tf.sub(1, tf.square(g))),
        sig(o, tf.mul(dh, tc)),
      ],
      1,
    ) as tf.Tensor2D;
    return { dz, dcPrev: tf.mul(dcTotal, f) as tf.Tensor2D };
  });
}
