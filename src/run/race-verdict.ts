/** The race's one-line result: how long each model took to reach the same validation loss. Pure. */

export type Lane = 'scratch' | 'base';
export type Curve = [seconds: number, valBpc: number][];

export interface RaceVerdict {
  target: number; // bits/char both are measured against
  baseSeconds: number; // when the pretrained model reached it
  scratchSeconds: number | null; // when scratch first did, or null: never within the race
  budget: number; // seconds of training each model had
  best: Record<Lane, { valBpc: number; seconds: number } | null>; // each model's best figure, and when
  text: string;
}

/** How the race ended for each lane when stop at the best was on (see race.ts). */
export interface KeptBests {
  stopAtBest: boolean; // each lane's best weights are its model in hand and saved run
  frozenAt: Record<Lane, number | null>; // seconds at which a lane stopped at its best, or null
}

const TARGET_AT = 0.1; // the target is the pretrained model's figure a tenth of the way in

const fmt = (bpc: number) => bpc.toFixed(2);
const secs = (s: number) => `${Math.round(s)} s`;

const bestOf = (curve: Curve) =>
  curve.reduce<{ valBpc: number; seconds: number } | null>(
    (b, [seconds, valBpc]) => (b && b.valBpc <= valBpc ? b : { valBpc, seconds }),
    null,
  );

/** The sentence on best figures: which each model reached, and which lanes stopped there. */
function bestSentence(best: RaceVerdict['best'], kept: KeptBests): string {
  if (!best.base || !best.scratch) return '';
  const at = (b: { valBpc: number; seconds: number }) => `${fmt(b.valBpc)} bits/char at ${secs(b.seconds)}`;
  let text = ` Best: pretrained ${at(best.base)}, from scratch ${at(best.scratch)}`;
  text += kept.stopAtBest ? '; each saved run is its best model.' : '.';
  const frozen = (['base', 'scratch'] as const).filter((lane) => kept.frozenAt[lane] !== null);
  for (const lane of frozen) {
    const who = lane === 'base' ? 'The pretrained model' : 'The model from scratch';
    text += ` ${who} stopped at ${secs(kept.frozenAt[lane]!)}: validation had stopped improving.`;
  }
  return text;
}

/**
 * The target is the pretrained model's validation figure at its first estimate a tenth of the way
 * into the race (its last, if the race was cut short); scratch's time is its first estimate at or
 * below it. Null when the pretrained curve is empty.
 */
export function raceVerdict(curves: Record<Lane, Curve>, budget: number, kept?: KeptBests): RaceVerdict | null {
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
  const best = { scratch: bestOf(curves.scratch.filter(([s]) => s > 0)), base: bestOf(base) };
  if (kept) text += bestSentence(best, kept);
  return { target, baseSeconds, scratchSeconds, budget, best, text };
}
