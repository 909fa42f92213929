/**
 * The second thread of gemm.wat on the threaded WASM build (engine/kernels/gemm-pair.ts): started
 * by the training worker with the backend's shared heap and a control block, it instantiates
 * gemm.wat on that heap, says 'ready', and serves the split matMuls until told to stop.
 */
import { serveGemm } from '../engine/kernels/wasm/gemm-pair';
import { gemmOn } from '../engine/kernels/wasm/modules';

export interface GemmHelperStart {
  memory: WebAssembly.Memory; // the WASM backend's heap (shared)
  control: SharedArrayBuffer; // the control block, CONTROL_BYTES
}

self.onmessage = (event: MessageEvent<GemmHelperStart>) => {
  const gemm = gemmOn(event.data.memory);
  self.postMessage(gemm ? 'ready' : 'failed');
  if (gemm) serveGemm(gemm, new Int32Array(event.data.control)); // blocks until stopped
  self.close();
};
