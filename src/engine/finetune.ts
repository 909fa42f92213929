/**
 * Which weights a fine-tuning step trains, and at what share of the learning rate. Rates are
 * per weight in `namedWeights` order; 0 means frozen (no gradient, no update). Pure: no tfjs.
 */
import type { FineTuneMode, ModelConfig } from '../config/settings';
import { weightSpecs } from './architecture';

export const ULMFIT_DECAY = 2.6; // ULMFiT's discriminative rates: each layer down learns 2.6x slower

/**
 * Depth of each weight below the top: the output layer is 0, the LSTM layer under it 1, and so
 * on down to the embedding at layers + 1.
 */
export function depths(config: ModelConfig): number[] {
  return weightSpecs(config).map(([name]) => {
    if (name.startsWith('dense/')) return 0;
    const lstm = /^lstm_(\d+)\//.exec(name);
    if (lstm) return config.layers - Number(lstm[1]) + 1;
    return config.layers + 1; // the embedding
  });
}

/**
 * Learning-rate multipliers per weight for `mode` during `epoch` (0-based, may be fractional):
 * - all: every weight at the full rate;
 * - features: the LSTM frozen, the embedding and the output layer at the full rate;
 * - gradual: the output layer alone in epoch 0, one more layer down each epoch after, each
 *   layer's rate that of the layer above divided by 2.6.
 */
export function layerRates(mode: FineTuneMode, config: ModelConfig, epoch: number): number[] {
  const d = depths(config);
  switch (mode) {
    case 'all':
      return d.map(() => 1);
    case 'features':
      return d.map((depth) => (depth === 0 || depth === config.layers + 1 ? 1 : 0));
    case 'gradual': {
      const open = Math.floor(epoch); // deepest unfrozen depth
      return d.map((depth) => (depth <= open ? ULMFIT_DECAY ** -depth : 0));
    }
  }
}

/** Whether some weights are frozen or learn at their own rate (only Adam keeps per-weight rates). */
export const isUniform = (rates: number[]) => rates.every((r) => r === 1);

/** In words, for the page: which layers are learning. */
export function describeRates(rates: number[], config: ModelConfig): string {
  const names = weightSpecs(config).map(([n]) => n.split('/')[0]);
  const learning = [...new Set(names.filter((_, i) => rates[i] > 0))];
  return learning.length === new Set(names).size ? 'all layers' : learning.join(', ');
}
