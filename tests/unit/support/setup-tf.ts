import * as tf from '@tensorflow/tfjs';

/** Every unit test runs on the pure-JS CPU backend, as Node has no WebGPU/WebGL. */
export async function useCpu(): Promise<typeof tf> {
  tf.env().set('PROD', true); // silences the "install tfjs-node" banner
  await tf.setBackend('cpu');
  await tf.ready();
  return tf;
}
