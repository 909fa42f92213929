/**
 * The kernel table (src/engine/kernels/registry.ts) is the whole truth about Inkling's kernels:
 * every custom kernel registered on a backend is a row of it, every row is registered by
 * registerKernels, and the engine check runs a check for every row (a row without one fails it).
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import { KERNELS, registerKernels, type KernelBackend } from '../../../../src/engine/kernels/registry';
import { checkKernels, errorsByKernel, worstKernelError } from '../../../../src/engine/engine-check';
import { wasmKernelsPatched } from '../../../../src/engine/kernels/wasm/replaced';

tf.env().set('PROD', true);

const BACKENDS = Object.keys(KERNELS) as KernelBackend[];
const custom = (backend: string) =>
  tf
    .getKernelsForBackend(backend)
    .map((k) => k.kernelName)
    .filter((name) => name.startsWith('Inkling'));

describe('the kernel table', () => {
  it('lists the four backends the app runs on', () => {
    expect(BACKENDS.sort()).toEqual(['cpu', 'wasm', 'webgl', 'webgpu']);
  });

  it.each(BACKENDS)('on %s, registerKernels registers every row, and every custom kernel there is a row', (backend) => {
    registerKernels(backend);
    registerKernels(backend); // idempotent
    const rows = KERNELS[backend];
    expect(rows.filter((row) => !tf.getKernel(row.kernel, backend)).map((row) => row.kernel)).toEqual([]);
    expect(custom(backend).filter((name) => !rows.some((row) => row.kernel === name))).toEqual([]);
    expect(rows.filter((row) => row.kind === 'custom').map((row) => row.kernel)).toEqual(
      expect.arrayContaining(['InklingLstmStep', 'InklingLstmStepGrad', 'InklingAdamUpdate', 'InklingSampleHead']),
    );
  });

  it("WASM's replaced rows are the kernels registerKernels('wasm') replaces", async () => {
    await tf.setBackend('wasm');
    registerKernels('wasm');
    expect(wasmKernelsPatched()).toBe(true);
    const replaced = KERNELS.wasm.filter((row) => row.kind === 'replaced').map((row) => row.kernel);
    expect(replaced.sort()).toEqual(['BatchMatMul', 'GatherV2', 'Slice', 'Sum', 'Transpose', 'Unpack', '_FusedMatMul']);
  });

  it('names only files that exist, and only checks the engine check runs', async () => {
    await tf.setBackend('cpu');
    const { existsSync } = await import('node:fs');
    const figures = Object.keys(await checkKernels());
    for (const row of Object.values(KERNELS).flat()) {
      expect(existsSync(`src/engine/kernels/${row.file}`), row.file).toBe(true);
      expect(row.checks.length, row.kernel).toBeGreaterThan(0);
      expect(figures, `${row.kernel} (${row.file})`).toEqual(expect.arrayContaining(row.checks));
    }
  });

  it.each(['cpu', 'wasm'])('on %s, the engine check runs every row, each within 1e-5 of the maths', async (backend) => {
    await tf.setBackend(backend);
    registerKernels(backend as KernelBackend);
    const errors = await checkKernels();
    const byKernel = errorsByKernel(errors);
    expect(Object.keys(byKernel)).toHaveLength(KERNELS[backend as KernelBackend].length);
    for (const [kernel, error] of Object.entries(byKernel)) expect(error, kernel).toBeLessThan(1e-5);
    expect(worstKernelError(errors)).toBeLessThan(1e-5);
  });

  it('fails the engine check for a row whose checks did not run', async () => {
    await tf.setBackend('cpu');
    const errors = await checkKernels();
    delete errors.rowScatterAdd;
    expect(errorsByKernel(errors)['InklingRowScatterAdd (scatter-add.ts)']).toBe(Infinity);
    expect(worstKernelError(errors)).toBe(Infinity);
  });
});
