/** The race's one-line result: how long each model took to reach the same validation loss. Pure. */

export type Lane = 'scratch' | 'base';
export type Curve = [seconds: number, valBpc: number][];

export interface RaceVerdict {
  target: number; // bits/char both are measured against
  baseSeconds: number; // when the pretrained model reached it
  scratchSeconds: number | null; // when scratch first did, or null: never within the race
  budget: number; // seconds of training each model had
  text: string;
}

const TARGET_AT = 0.1; // the target is the pretrained model's figure a tenth of the way in

const fmt = (bpc: number) => bpc.toFixed(2);
const secs = (s: number) => `${Math.round(s)} s`;

/**
 * The target is the pretrained model's validation figure at its first estimate a tenth of the way
 * into the race (its last, if the race was cut short); scratch's time is its first estimate at or
 * below it. Null when the pretrained curve is empty.
 */
export function raceVerdict(curves: Record<Lane, Curve>, budget: number): RaceVerdict | null {
  const base = curves.base.filter(([s]) => s > 0);
  if (base.length === 0) return null;
  const [baseSeconds, target] = base.find(([s]) => s >= budget * TARGET_AT) ?? base[base.length - 1];
  const hit = curves.scratch.find(([, bpc]) => bpc <= target);
  const scratchSeconds = hit ? hit[0] : null;
  const reached = `The pretrained model reached ${fmt(target)} bits/char in ${secs(baseSeconds)}`;
  let text: string;
  if (scratchSeconds === null) text = `${reached}; from scratch, never, in ${secs(budget)}.`;
  else if (scratchSeconds > baseSeconds) text = `${reached}; from scratch it took ${secs(scratchSeconds)}.`;
  else text = `${reached}, but from scratch got there first, in ${secs(scratchSeconds)}.`;
  return { target, baseSeconds, scratchSeconds, budget, text };
}
