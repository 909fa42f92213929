/**
 * Early stopping's rule, as Keras' EarlyStopping keeps it: a check that does not beat the best
 * validation figure so far counts against the patience; a new best resets the count. It also
 * says whether the training loss fell over those checks, which is when the model is memorising
 * its text rather than failing to learn. Pure: numbers in, a verdict out.
 */

/** The patience a run gets when its settings do not say (a checkpoint from before the setting). */
export const DEFAULT_PATIENCE = 5;

/** Checks without a new best after which the page says the model is memorising (or the patience, if lower). */
export const NOTICE_AFTER = 3;

export interface Best {
  step: number;
  valBpc: number;
  trainBpc: number; // the training figure at that check
}

export interface PatienceState {
  best: Best | null;
  sinceBest: number; // checks since the best (0: the latest check is the best)
  memorising: boolean; // validation has not improved since the best while the training figure fell
  spent: boolean; // sinceBest has reached the patience
}

export class Patience {
  #best: Best | null;
  #since = 0;
  #lastTrain: number | null = null;

  /** `best`: the run's best so far (a resumed run's), which later checks must beat. */
  constructor(
    readonly patience: number,
    best: Best | null = null,
  ) {
    this.#best = best;
  }

  /** Records one check; strictly lower is better, so a plateau counts as no improvement. */
  record(step: number, valBpc: number, trainBpc: number): PatienceState {
    this.#lastTrain = trainBpc;
    if (this.#best === null || valBpc < this.#best.valBpc) {
      this.#best = { step, valBpc, trainBpc };
      this.#since = 0;
    } else {
      this.#since++;
    }
    return this.state;
  }

  get state(): PatienceState {
    const best = this.#best;
    const memorising = best !== null && this.#since > 0 && this.#lastTrain !== null && this.#lastTrain < best.trainBpc;
    return { best, sinceBest: this.#since, memorising, spent: this.#since >= this.patience };
  }
}
