/** The model's weight names and shapes, from its config alone (no tfjs): shared by the model,
 * checkpoints and exports, so all three agree on order and shape. */
import type { ModelConfig } from '../config/settings';

export type WeightSpec = [name: string, shape: number[]];

/** Keras-style names and shapes, in the fixed order used everywhere. */
export function weightSpecs(c: ModelConfig): WeightSpec[] {
  const specs: WeightSpec[] = [['embedding/embeddings', [c.vocabSize, c.embedDim]]];
  for (let i = 0; i < c.layers; i++) {
    const input = i === 0 ? c.embedDim : c.units;
    specs.push([`lstm_${i + 1}/kernel`, [input, 4 * c.units]]);
    specs.push([`lstm_${i + 1}/recurrent_kernel`, [c.units, 4 * c.units]]);
    specs.push([`lstm_${i + 1}/bias`, [4 * c.units]]);
  }
  specs.push(['dense/kernel', [c.units, c.vocabSize]], ['dense/bias', [c.vocabSize]]);
  return specs;
}

export const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
