/**
 * Every kernel Inkling adds to tfjs (custom: the fused LSTM step, Adam, the sampling head, the row
 * scatter-add) or puts in place of tfjs' own (replaced), by backend: the one answer to "which
 * kernels are ours on backend X?". `registerKernels(backend)` registers a backend's rows; the
 * engine check (../engine-check.ts) walks the same rows, and a row whose checks it does not run
 * fails it, so a kernel cannot be added here without being checked against the plain maths.
 *
 * The custom ops' CPU and WASM kernels are also registered when their op module is first imported
 * (lstm-step.ts, adam.ts, sample-head.ts, scatter-add.ts), by the same functions, so that the
 * engine runs under Node with no set-up. Replaced kernels wrap tfjs' stock ones, so they are
 * registered only here, after the backend's package is loaded.
 */
import { ADAM_UPDATE, registerCpuAdamKernel, registerWasmAdamKernel } from './adam';
import { LSTM_STEP, LSTM_STEP_GRAD, registerCpuStepKernels, registerWasmStepKernels } from './lstm-step';
import { SAMPLE_HEAD, registerCpuSampleHead, registerWasmSampleHead } from './sample-head';
import { ROW_SCATTER_ADD, registerCpuRowScatterAdd, registerWasmRowScatterAdd } from './scatter-add';
import { patchWasmKernels } from './wasm/replaced';
import { registerWebGlAdamKernel } from './webgl/adam';
import { registerBlitConcat } from './webgl/concat';
import { registerWebGlStepKernels } from './webgl/lstm-step';
import { registerWebGlSampleHead } from './webgl/sample-head';
import { registerWebGpuAdamKernel } from './webgpu/adam';
import { registerSplitAddN } from './webgpu/addn';
import { registerCopyConcat } from './webgpu/concat';
import { registerWebGpuStepKernels } from './webgpu/lstm-step';
import { registerSoftwareGpuKernels } from './webgpu/matmul';
import { registerWebGpuSampleHead } from './webgpu/sample-head';

export type KernelBackend = 'cpu' | 'wasm' | 'webgpu' | 'webgl';

export interface KernelRow {
  kernel: string; // tfjs' kernel name
  kind: 'custom' | 'replaced';
  file: string; // where it is written, under src/engine/kernels/
  /** The engine check's figures that run it (checkKernels in ../engine-check.ts, ../ops-check.ts). */
  checks: string[];
  /** Registers it, with the others of its file where they go together; idempotent. */
  register: () => void;
}

const ADAM = ['adamX', 'adamM', 'adamV'];

/** The step kernels (forward and backward), the Adam update and the sampling head, on one backend. */
function fused(register: { step: () => void; adam: () => void; head: () => void }, files: Record<string, string>) {
  return [
    {
      kernel: LSTM_STEP,
      kind: 'custom',
      file: files.step,
      checks: ['step', 'stepFromTable', 'step8', 'stepFromTable8'],
      register: register.step,
    },
    {
      kernel: LSTM_STEP_GRAD,
      kind: 'custom',
      file: files.step,
      checks: ['stepGrad', 'stepGrad8'],
      register: register.step,
    },
    { kernel: ADAM_UPDATE, kind: 'custom', file: files.adam, checks: ADAM, register: register.adam },
    { kernel: SAMPLE_HEAD, kind: 'custom', file: files.head, checks: ['sampleHead'], register: register.head },
  ] satisfies KernelRow[];
}

/** The embedding gradient's row scatter-add (scatter-add.ts), registered for one backend. */
const scatterAdd = (register: () => void): KernelRow => ({
  kernel: ROW_SCATTER_ADD,
  kind: 'custom',
  file: 'scatter-add.ts',
  checks: ['rowScatterAdd'],
  register,
});

/** Tables of the replaced kernels: [kernel, checks] for one registering function. */
const replaced = (file: string, register: () => void, rows: [string, string[]][]): KernelRow[] =>
  rows.map(([kernel, checks]) => ({ kernel, kind: 'replaced', file, checks, register }));

export const KERNELS: Record<KernelBackend, KernelRow[]> = {
  cpu: [
    ...fused(
      { step: registerCpuStepKernels, adam: registerCpuAdamKernel, head: registerCpuSampleHead },
      { step: 'lstm-step.ts', adam: 'adam.ts', head: 'sample-head.ts' },
    ),
    scatterAdd(registerCpuRowScatterAdd),
  ],
  wasm: [
    ...fused(
      { step: registerWasmStepKernels, adam: registerWasmAdamKernel, head: registerWasmSampleHead },
      { step: 'wasm/lstm-step.ts', adam: 'adam.ts', head: 'sample-head.ts' },
    ),
    scatterAdd(registerWasmRowScatterAdd),
    ...replaced('wasm/replaced.ts', patchWasmKernels, [
      ['Transpose', ['transpose']],
      ['BatchMatMul', ['matMul']],
      ['_FusedMatMul', ['matMulBias']],
      ['Unpack', ['stack']], // the check's rows come from tf.unstack
      ['Slice', ['concat']], // and its halves from slices
      ['Sum', ['columnSum', 'rowSum']],
      ['GatherV2', ['gatherRows']],
    ]),
  ],
  webgpu: [
    ...fused(
      { step: registerWebGpuStepKernels, adam: registerWebGpuAdamKernel, head: registerWebGpuSampleHead },
      { step: 'webgpu/lstm-step.ts', adam: 'webgpu/adam.ts', head: 'webgpu/sample-head.ts' },
    ),
    // the software adapter's kernels: tfjs' own on other adapters (useSoftwareGpuKernels)
    ...replaced('webgpu/matmul.ts', registerSoftwareGpuKernels, [
      ['BatchMatMul', ['matMul']],
      ['_FusedMatMul', ['matMulBias']],
      ['Transpose', ['transpose']],
      ['Sum', ['columnSum', 'rowSum']],
      ['Max', ['rowMax']],
    ]),
    ...replaced('webgpu/concat.ts', registerCopyConcat, [
      ['Concat', ['concat']],
      ['Pack', ['stack', 'stackBlocks']],
    ]),
    ...replaced('webgpu/addn.ts', registerSplitAddN, [['AddN', ['addN']]]),
  ],
  webgl: [
    ...fused(
      { step: registerWebGlStepKernels, adam: registerWebGlAdamKernel, head: registerWebGlSampleHead },
      { step: 'webgl/lstm-step.ts', adam: 'webgl/adam.ts', head: 'webgl/sample-head.ts' },
    ),
    ...replaced('webgl/concat.ts', registerBlitConcat, [
      ['Concat', ['concat']],
      ['Pack', ['stack', 'stackBlocks']],
    ]),
  ],
};

/**
 * Registers every kernel of `backend`'s rows (once; calling again does nothing). WASM's replaced
 * kernels need its package imported first (they wrap its stock ones); WebGPU's replaced ones do
 * nothing where its package found no stock kernels to wrap.
 */
export function registerKernels(backend: KernelBackend): void {
  for (const register of new Set(KERNELS[backend].map((row) => row.register))) register();
}
