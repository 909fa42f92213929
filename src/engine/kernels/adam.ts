/**
 * The Adam update of one variable as one kernel, gradient clipping folded in:
 *   g' = g * scale; m' = b1 m + (1 - b1) g'; v' = b2 v + (1 - b2) g'^2
 *   x' = x - lr * (m' / c1) / (sqrt(v' / c2) + eps),  c1 = 1 - b1^t, c2 = 1 - b2^t
 * AdamUpdate (x, m, v, g, scale []) -> x', m', v'. tfjs' Adam runs ~11 kernels per variable, and
 * clipping one more. The CPU and WASM kernels are here; WebGPU's and WebGL's in webgpu/adam.ts and webgl/adam.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { cpuMemory, wasmMemory, type KernelArgs, type Memory } from './memory';

export const ADAM_UPDATE = 'InklingAdamUpdate';

export interface AdamAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  c1: number; // 1 - beta1^t (bias correction of the first moment)
  c2: number; // 1 - beta2^t
}

/** The update on plain arrays: the reference the GPU shaders transcribe. */
export function adamMath(
  x: ArrayLike<number>,
  m: ArrayLike<number>,
  v: ArrayLike<number>,
  g: ArrayLike<number>,
  scale: number,
  a: AdamAttrs,
  out: { x: Float32Array; m: Float32Array; v: Float32Array },
): void {
  for (let i = 0; i < x.length; i++) {
    const gi = g[i] * scale;
    const mi = a.beta1 * m[i] + (1 - a.beta1) * gi;
    const vi = a.beta2 * v[i] + (1 - a.beta2) * gi * gi;
    out.m[i] = mi;
    out.v[i] = vi;
    out.x[i] = x[i] - (a.lr * (mi / a.c1)) / (Math.sqrt(vi / a.c2) + a.epsilon);
  }
}

export type AdamOutput = 'x' | 'm' | 'v';
export const ADAM_INPUTS = ['X', 'M', 'V', 'G', 'SCALE'];
export const ADAM_ATTRS = ['lr', 'beta1', 'beta2', 'epsilon', 'c1', 'c2'] as const;

/**
 * The update as shader text, written once for WGSL (webgpu/adam.ts) and GLSL (webgl/adam.ts):
 * `read(NAME)` reads an input at this element, `u(name)` a step constant, `v` declares a value.
 */
export function adamShaderBody(
  out: AdamOutput,
  read: (name: string) => string,
  u: (name: string) => string,
  v: string,
): string {
  const result =
    out === 'x'
      ? `${read('X')} - ${u('lr')} * (m / ${u('c1')}) / (sqrt(s / ${u('c2')}) + ${u('epsilon')})`
      : out === 'm'
        ? 'm'
        : 's';
  return `${v} g = ${read('G')} * ${read('SCALE')};
    ${v} m = ${u('beta1')} * ${read('M')} + (1.0 - ${u('beta1')}) * g;
    ${v} s = ${u('beta2')} * ${read('V')} + (1.0 - ${u('beta2')}) * g * g;
    EMIT(${result});`;
}

function adamKernel(memoryOf: (b: KernelArgs['backend']) => Memory): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, m, v, g, scale } = inputs as Record<string, tf.TensorInfo>;
    const memory = memoryOf(backend);
    const [nx, nm, nv] = [memory.make(x.shape), memory.make(x.shape), memory.make(x.shape)];
    const read = memory.read;
    const out = { x: nx.values(), m: nm.values(), v: nv.values() };
    adamMath(read(x), read(m), read(v), read(g), read(scale)[0], attrs as unknown as AdamAttrs, out);
    return [nx.info, nm.info, nv.info];
  };
}

export function registerAdamKernel(backendName: string, kernelFunc: tf.KernelFunc): void {
  if (!tf.getKernel(ADAM_UPDATE, backendName)) tf.registerKernel({ kernelName: ADAM_UPDATE, backendName, kernelFunc });
}

/** The kernel as a JavaScript loop over the CPU backend's arrays; the WASM one over the WASM heap. */
export const registerCpuAdamKernel = () => registerAdamKernel('cpu', adamKernel(cpuMemory));
export const registerWasmAdamKernel = () => registerAdamKernel('wasm', adamKernel(wasmMemory));

// Registered on import so that the engine runs under Node with no set-up (the table: registry.ts).
registerCpuAdamKernel();
registerWasmAdamKernel();

/** One variable's update: the fused kernel where the backend has it, else the same maths in stock ops. */
export function adamUpdate(x: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, scale: tf.Scalar, a: AdamAttrs) {
  if (tf.getKernel(ADAM_UPDATE, tf.getBackend())) {
    const attrs = a as unknown as tf.NamedAttrMap;
    const [nx, nm, nv] = tf.engine().runKernel(ADAM_UPDATE, { x, m, v, g, scale }, attrs) as tf.Tensor[];
    return { x: nx, m: nm, v: nv };
  }
  return tf.tidy(() => {
    const gs = tf.mul(g, scale);
    const nm = tf.add(tf.mul(m, a.beta1), tf.mul(gs, 1 - a.beta1));
    const nv = tf.add(tf.mul(v, a.beta2), tf.mul(tf.square(gs), 1 - a.beta2));
    const step = tf.div(tf.div(nm, a.c1), tf.add(tf.sqrt(tf.div(nv, a.c2)), a.epsilon));
    return { x: tf.sub(x, tf.mul(step, a.lr)), m: nm, v: nv };
  });
}
