/**
 * How a classifier run trains over time (ULMFiT): the slanted triangular learning rate, gradual
 * unfreezing (the head first, then one more layer down per stage, each layer down at the rate of
 * the one above ÷ 2.6) and class weights. Progress is a fraction of the run, 0 to 1, so one
 * schedule serves runs of so many epochs and runs of so many seconds alike. Pure.
 */
import type { Unfreezing } from '../config/classify';
import { ULMFIT_DECAY } from '../engine/finetune';

/**
 * Slanted triangular learning rate (Howard and Ruder 2018, eq. 3): a linear rise over the first
 * `cutFrac` of the run from max/ratio to max, then a linear fall back to max/ratio.
 */
export function slantedTriangular(progress: number, max: number, cutFrac = 0.1, ratio = 32): number {
  const f = Math.min(1, Math.max(0, progress));
  const p = f < cutFrac ? f / cutFrac : 1 - (f - cutFrac) / (1 - cutFrac);
  return (max * (1 + p * (ratio - 1))) / ratio;
}

/**
 * The deepest layer that trains at `progress` (0: the head only). Gradual: the run falls into
 * layers + 3 equal stages (head; + the top LSTM; ... ; + the embedding; then everything once
 * more), as ULMFiT unfreezes one layer per epoch. All: every layer from the start.
 */
export function openDepth(progress: number, layers: number, unfreezing: Unfreezing): number {
  if (unfreezing === 'all') return layers + 1;
  return Math.min(layers + 1, Math.floor(Math.max(0, progress) * (layers + 3)));
}

/** Per-weight rate multipliers from weight depths: 2.6^-depth when open, 0 when frozen. */
export function depthRates(depths: number[], open: number): number[] {
  return depths.map((d) => (d <= open ? ULMFIT_DECAY ** -d : 0));
}

/**
 * "Balanced" class weights, n / (classes × n_c), when the largest class has more than 1.5 times
 * the examples of the smallest; null (plain mean loss) otherwise.
 */
export function classWeights(counts: number[]): number[] | null {
  const n = counts.reduce((a, b) => a + b, 0);
  if (Math.max(...counts) <= 1.5 * Math.min(...counts)) return null;
  return counts.map((c) => n / (counts.length * c));
}
