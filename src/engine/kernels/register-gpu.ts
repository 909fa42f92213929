/**
 * Every GPU kernel Inkling adds to or replaces in tfjs, registered once: what the app's worker runs
 * on WebGPU and WebGL, and what `npm run bench:gpu` runs under Node, from this one list.
 */
import { registerGpuAdamKernels } from './adam-gpu';
import { registerSplitAddN } from './addn-gpu';
import { registerCopyConcat } from './concat-gpu';
import { registerBlitConcat } from './concat-webgl';
import { registerGpuStepKernels } from './lstm-step-gpu';
import { registerSoftwareGpuKernels } from './matmul-gpu';
import { registerGpuSampleHeads } from './sample-head-gpu';

export function registerGpuKernels(): void {
  registerGpuStepKernels(); // the fused LSTM step in WGSL and GLSL
  registerGpuAdamKernels(); // and the fused Adam update
  registerGpuSampleHeads(); // the sampling head: the output layer and the draw, one program
  registerSoftwareGpuKernels(); // matMuls and reductions without workgroup barriers, for software adapters
  registerCopyConcat(); // stacking a sequence's steps as buffer copies
  registerSplitAddN(); // sums of more inputs than a WebGPU program may read, in parts
  registerBlitConcat(); // and on WebGL as framebuffer blits
}
