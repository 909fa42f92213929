/**
 * The generated text the page shows: the newest sample only. Chunks of any other sample (an
 * older one still winding down in the worker) are dropped, so two never mix. Pure, unit-tested.
 */
import type { RunEvent } from '../run/events';

export interface SampleView {
  sampleId: number; // the sample shown; 0 before the first
  prime: string; // the priming text this sample was made from
  temperatures: number[];
  texts: string[]; // generated text per temperature, prime excluded
  running: boolean;
  charsPerSec: number;
}

export type SampleEvent = Extract<RunEvent, { type: 'sample-start' | 'sample-chunk' | 'sample-end' }>;

export function emptySampleView(temperatures: number[]): SampleView {
  return { sampleId: 0, prime: '', temperatures: [...temperatures], texts: [], running: false, charsPerSec: 0 };
}

/** The view after one sample event (a new object; the old one is untouched). */
export function applySampleEvent(view: SampleView, e: SampleEvent): SampleView {
  if (e.type === 'sample-start') {
    const { sampleId, prime, temperatures } = e;
    return { sampleId, prime, temperatures, texts: temperatures.map(() => ''), running: true, charsPerSec: 0 };
  }
  if (e.sampleId !== view.sampleId) return view;
  if (e.type === 'sample-chunk') return { ...view, texts: view.texts.map((t, i) => t + (e.chunks[i] ?? '')) };
  return { ...view, running: false, charsPerSec: e.charsPerSec };
}
