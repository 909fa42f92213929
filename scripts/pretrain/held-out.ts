/** The base's figures on the held-out book, measured on exactly the files shipped (float16 weights). */
import { evalBatches } from '../../src/data/batching';
import { assignWeights, createModel, disposeModel } from '../../src/engine/model';
import { estimateBpc, streamBpc } from '../../src/engine/train';
import { decodeBaseWeights, type BaseMeta } from '../../src/storage/base-model';

export const LANES = 64; // stretches of the book read side by side
export const LANE_CHARS = 4096; // 64 x 4,096 = 262 K characters, spread evenly over the book
export const ROWS_SEQ = 64; // the app's default sequence length: the figure its validation line shows

export interface HeldOutFigures {
  valBpc: number; // the state carried through each stretch (the usual way to quote a character model)
  valBpcRows64: number; // independent rows of 64 from a zero state, as the page's validation measures
  valChars: number;
}

export async function heldOutFigures(meta: BaseMeta, json: unknown, bin: Uint8Array, ids: Int32Array) {
  const weights = await decodeBaseWeights(meta, json, bin);
  const model = createModel(meta.model, 1);
  try {
    assignWeights(
      model,
      weights.map((w) => w.values),
    );
    const stream = await streamBpc(model, ids, LANES, LANE_CHARS, 128);
    const rows = await estimateBpc(model, evalBatches(ids, ROWS_SEQ, LANES, LANE_CHARS / ROWS_SEQ));
    const round = (x: number) => Number(x.toFixed(4));
    return { valBpc: round(stream), valBpcRows64: round(rows), valChars: LANES * LANE_CHARS } satisfies HeldOutFigures;
  } finally {
    disposeModel(model);
  }
}
