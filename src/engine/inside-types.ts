/**
 * What "Look inside" shows of a model, as plain data that crosses from the worker to the page.
 * Computed by engine/inside.ts from the same forward pass that trains (the fused LSTM's packed
 * per-timestep states [h | c | i f g o]), so what the page shows is what training computes.
 */

/** What to see of a unit: cell state c, hidden h, or one of the activated gates (Keras order i, f, g, o). */
export type ActivationKind = 'c' | 'h' | 'i' | 'f' | 'g' | 'o';
export const ACTIVATION_KINDS: readonly ActivationKind[] = ['c', 'h', 'i', 'f', 'g', 'o'];
/** Column block of each kind in a packed state row [h | c | i f g o] (× units). */
export const KIND_BLOCK: Record<ActivationKind, number> = { h: 0, c: 1, i: 2, f: 3, g: 4, o: 5 };

/** Which model to look inside: the one in hand, the English base as downloaded, or a lane of the last race. */
export type InsideModel = 'hand' | 'base' | 'race-scratch' | 'race-base';

export const TOP_K = 5; // next characters shown under each character
export const MEMORY_REACH = 100; // earlier characters the memory view weighs

/** One unit whose value follows a feature of the text. */
export interface CellFinding {
  feature: string; // the feature's id (see engine/text-features.ts)
  label: string; // in words: 'inside quotes'
  layer: number; // 0-based
  kind: 'c' | 'h';
  unit: number;
  r: number; // Pearson correlation over the probe, -1..1
}

/** Per layer: for each of the gates i, f, o, each unit's share of timesteps below 0.1 and above 0.9. */
export interface GateSaturation {
  layer: number;
  gates: { gate: 'i' | 'f' | 'o'; low: Float32Array; high: Float32Array }[]; // [units] each, 0..1
}

/** Everything the panel draws for one probe, but the per-unit traces (asked for one unit at a time). */
export interface InsideView {
  model: InsideModel;
  modelName: string; // in words, for the panel's heading
  step: number; // training steps the model has had
  probe: string; // the characters read, as the model's vocabulary spells them
  fromValidation: boolean; // a stretch of the validation text, or text the person gave
  bits: Float32Array; // [T]: bits the model spent on each character (the first from a zero state)
  bpc: number; // mean of bits
  topIds: Int32Array; // [T × TOP_K]: after reading character t, the most likely next characters, best first
  topProbs: Float32Array; // [T × TOP_K]
  vocab: string[]; // id → character
  layers: number;
  units: number;
  cells: CellFinding[]; // for each feature, its best units, best first
  gates: GateSaturation[];
  ms: number; // worker time to compute the view
}

/** A unit of the model: its layer, which of its values, its index. */
export interface UnitChoice {
  layer: number;
  kind: ActivationKind;
  unit: number;
}

/** One unit's trace over the probe. */
export interface UnitTrace {
  layer: number;
  kind: ActivationKind;
  unit: number;
  values: Float32Array; // [T]
  min: number;
  max: number;
}

/** How much each earlier character moved the prediction of the character after `at`. */
export interface MemoryView {
  at: number; // the probe position whose next-character prediction is explained
  from: number; // the first earlier position weighed (at - from + 1 ≤ MEMORY_REACH)
  weights: Float32Array; // [at - from + 1]: gradient magnitude of log p(next) w.r.t. each input, scaled to max 1
}

/** A sample taken at a training step, from a fixed prime and seed: how the writing grew. */
export interface TimelineEntry {
  step: number;
  text: string;
}
