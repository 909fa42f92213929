/**
 * What the page says about the best model of a run: while training, when validation has stopped
 * improving (and whether the model is memorising its text); after a run that kept its best, which
 * model is in hand. Pure, unit-tested.
 */
import { NOTICE_AFTER, type Best } from '../run/patience';
import type { TrainingStatus } from '../run/events';

export interface BestWatch {
  best: Best;
  sinceBest: number;
  memorising: boolean;
}

export interface KeptBest {
  best: Best;
  lastValBpc: number;
  early: boolean; // the patience ended the run, not its epochs or Stop
  patience: number;
}

const fmt = (v: number) => v.toFixed(2);
const checks = (n: number) => `${n} check${n === 1 ? '' : 's'}`;
const IN_HAND = 'The model in hand (samples, export, the saved run, Continue training)';

export function bestNotice(o: {
  status: TrainingStatus;
  watch: BestWatch | null;
  kept: KeptBest | null;
  stopAtBest: boolean;
  patience: number;
}): string | null {
  const { watch, kept } = o;
  if (kept) {
    const at = `${fmt(kept.best.valBpc)} bits/char at step ${kept.best.step}`;
    if (kept.early) {
      const why = watch?.memorising ? ' while the training loss fell: the model was memorising this text' : '';
      return `Stopped at the best: validation had not improved for ${checks(kept.patience)}${why}. ${IN_HAND} is the best one, ${at}.`;
    }
    return `${IN_HAND} is the best one the run reached, ${at}; the last check was ${fmt(kept.lastValBpc)}.`;
  }
  if (!watch || o.status === 'idle') return null;
  if (watch.sinceBest < Math.min(NOTICE_AFTER, o.patience)) return null;
  const best = `the best was ${fmt(watch.best.valBpc)} bits/char at step ${watch.best.step}`;
  const head = watch.memorising
    ? `Validation has not improved for ${checks(watch.sinceBest)} while the training loss fell: the model is memorising this text; ${best}.`
    : `Validation has not improved for ${checks(watch.sinceBest)}; ${best}.`;
  if (o.status !== 'training' && o.status !== 'paused') return head;
  const next = o.stopAtBest
    ? ` Training stops after ${checks(o.patience)} without a new best and keeps the best model.`
    : ' Stop at the best is off, so training goes on.';
  return head + next;
}
