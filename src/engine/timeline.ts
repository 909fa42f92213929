/**
 * How the writing grew (Karpathy's "The Unreasonable Effectiveness of Recurrent Neural Networks"
 * shows it for War and Peace): at log-spaced steps 1, 2, 5, 10, 20, 50, … one sample from the same
 * prime with the same random draws at temperature 0.5, so what changes from entry to entry is the
 * model alone. Kept with the run's checkpoint and its export.
 */
import type { Vocab } from '../data/vocab';
import { Rng } from '../data/rng';
import type { TimelineEntry } from './inside-types';
import type { CharModel } from './model';
import { generate } from './sampling';

export const TIMELINE_TEMPERATURE = 0.5;
export const TIMELINE_LENGTH = 160; // characters: two lines of text, enough to read a style
export const TIMELINE_SEED = 2015; // the same draws at every entry

/** Whether `step` is 1, 2 or 5 times a power of ten. */
export function isTimelineStep(step: number): boolean {
  if (!Number.isInteger(step) || step < 1) return false;
  let m = step;
  while (m % 10 === 0) m /= 10;
  return m === 1 || m === 2 || m === 5;
}

/** The sample for `step`. */
export async function timelineEntry(
  model: CharModel,
  vocab: Vocab,
  prime: string,
  step: number,
): Promise<TimelineEntry> {
  let text = '';
  for await (const chars of generate(
    model,
    vocab,
    prime,
    [TIMELINE_TEMPERATURE],
    TIMELINE_LENGTH,
    new Rng(TIMELINE_SEED),
  ))
    text += chars[0];
  return { step, text };
}
