import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useCpu } from '../support/setup-tf';
import { createModel, disposeModel } from '../../../src/engine/model';
import { createOptimizer, dropCarry, LN2, resetCarryRows, trainStep, type Carry } from '../../../src/engine/train';
import { Rng } from '../../../src/data/rng';
import { Lanes, mixedBatch, stretchesOf } from '../../../scripts/pretrain/mix';
import {
  commandOf,
  learningRateAt,
  parseOptions,
  resumedStages,
  scheduleFraction,
} from '../../../scripts/pretrain/options';

const sources = [
  { name: 'austen-emma.txt', chars: 300 },
  { name: 'bible-kjv.txt', chars: 500 },
  { name: 'carroll-alice.txt', chars: 100 },
  { name: 'State of the Union addresses 1790-2021', chars: 1100 },
];

/** Joined as the pretraining script joins them: source i's ids are all i, separators are -1. */
function joined(): Int32Array {
  const parts = sources.map((s, i) => Array<number>(s.chars).fill(i));
  return Int32Array.from(parts.flatMap((p, i) => (i ? [-1, -1, ...p] : p)));
}

describe('pretraining mix', () => {
  it('uniform weighs sources by length; books gives speeches 20 %, the Bible 15 %, the books the rest by length', () => {
    const uniform = stretchesOf(sources, 2, 'uniform').map((s) => s.share);
    expect(uniform).toEqual([0.15, 0.25, 0.05, 0.55]);
    const books = stretchesOf(sources, 2, 'books').map((s) => s.share);
    expect(books[0]).toBeCloseTo(0.65 * 0.75);
    expect(books[1]).toBeCloseTo(0.15);
    expect(books[2]).toBeCloseTo(0.65 * 0.25);
    expect(books[3]).toBeCloseTo(0.2);
  });

  it('places stretches where the joined text has them and draws rows in proportion to the shares', () => {
    const ids = joined();
    const stretches = stretchesOf(sources, 2, 'books');
    stretches.forEach((s, i) => {
      expect(ids[s.start]).toBe(i);
      expect(ids[s.end - 1]).toBe(i);
    });
    const counts = [0, 0, 0, 0];
    const rng = new Rng(7);
    for (let k = 0; k < 200; k++) {
      const b = mixedBatch(ids, stretches, 20, 50, rng);
      for (let r = 0; r < b.batchSize; r++) counts[b.inputs[r * 20]]++;
    }
    const total = counts.reduce((a, b) => a + b, 0);
    expect(total).toBe(10_000); // every row starts inside a source, never on a separator
    counts.forEach((c, i) => expect(Math.abs(c / total - stretches[i].share)).toBeLessThan(0.02));
  });

  it('with --carry, rows read on from step to step within their source, then start afresh at staggered steps', () => {
    // Each id is its own position, separators -1: a row that reads on starts one past where it stopped.
    const ids = joined().map((v, i) => (v < 0 ? -1 : i));
    const stretches = stretchesOf(sources, 2, 'books');
    const [seq, rows, laneChars] = [10, 8, 60];
    const lanes = new Lanes(ids, stretches, seq, rows, laneChars);
    const rng = new Rng(3);
    const inOrder = (b: { inputs: Int32Array }, r: number) => {
      const row = b.inputs.subarray(r * seq, (r + 1) * seq);
      return row.every((v, i) => v >= 0 && v === row[0] + i); // inside one source, in order
    };
    /** Where the text of the source holding id `at` stops (a row's last target may be its separator). */
    const endOf = (at: number) => stretches.find((s) => at >= s.start && at < s.end)!.end + 1;
    let previous = lanes.next(rng);
    expect(previous.fresh.every(Boolean)).toBe(true);
    for (let r = 0; r < rows; r++) expect(inOrder(previous.batch, r)).toBe(true);
    const run = Array<number>(rows).fill(seq); // characters each row has read since it started afresh
    const firstLane = Array<boolean>(rows).fill(true); // the staggered first lanes are cut short at random
    const freshPerStep: number[] = [];
    for (let k = 1; k < 300; k++) {
      const { batch, fresh } = lanes.next(rng);
      freshPerStep.push(fresh.filter(Boolean).length);
      for (let r = 0; r < rows; r++) {
        const row = batch.inputs.subarray(r * seq, (r + 1) * seq);
        expect(inOrder(batch, r)).toBe(true);
        const before = previous.batch.inputs[r * seq];
        if (!fresh[r]) expect(row[0]).toBe(before + seq);
        else if (!firstLane[r] && before + 2 * seq < endOf(before)) {
          // A row starts afresh early only where its source ends: otherwise it read its whole lane.
          expect(run[r]).toBe(Math.floor(laneChars / seq) * seq);
        }
        if (fresh[r]) firstLane[r] = false;
        run[r] = fresh[r] ? seq : run[r] + seq;
        expect(run[r]).toBeLessThanOrEqual(laneChars);
      }
      previous = { batch, fresh };
    }
    // Fresh starts come a few at a time, not all rows together.
    expect(Math.max(...freshPerStep)).toBeLessThan(rows);
    expect(freshPerStep.filter((n) => n > 0).length).toBeGreaterThan(100);
    expect(() => new Lanes(ids, stretches, 100, rows, 50)).toThrow(/shorter than a row/);
  });

  it('with --carry, trains from the carried state, learns, and keeps the tensor count flat across fresh starts', async () => {
    await useCpu();
    // A text the state helps with: each source repeats one short phrase.
    const text = sources.map((s, i) => 'abcdefghij'.slice(i, i + 5).repeat(s.chars / 5)).join('\n\n');
    const vocab = [...new Set(text)];
    const ids = Int32Array.from(text, (ch) => vocab.indexOf(ch));
    const lanes = new Lanes(ids, stretchesOf(sources, 2, 'books'), 12, 6, 48);
    const model = createModel({ vocabSize: vocab.length, embedDim: 4, units: 8, layers: 2, dropout: 0 }, 1);
    const optimizer = createOptimizer('adam', 0.03);
    const carry: Carry = {};
    const rng = new Rng(9);
    const losses: number[] = [];
    let flat = 0;
    let resets = 0;
    for (let k = 0; k < 60; k++) {
      const { batch, fresh } = lanes.next(rng);
      if (k > 0 && fresh.some(Boolean)) resets++;
      resetCarryRows(carry, fresh);
      const loss = trainStep(model, optimizer, batch, 5, k, carry);
      losses.push((await loss.data())[0] / LN2);
      loss.dispose();
      if (k === 2) flat = tf.memory().numTensors;
      if (k > 2) expect(tf.memory().numTensors).toBe(flat);
    }
    expect(resets).toBeGreaterThan(5); // some steps zeroed some rows
    expect(losses.slice(-5).reduce((a, b) => a + b) / 5).toBeLessThan(losses[0] - 1);
    dropCarry(carry);
    optimizer.dispose();
    disposeModel(model);
  });

  it('refuses an unknown mix by name', () => {
    expect(parseOptions(['--mix', 'books']).mix).toBe('books');
    expect(() => parseOptions(['--mix', 'poems'])).toThrow(/--mix must be one of uniform, books/);
  });

  it('lists a stage once however many chunks resume it, and a changed command as a new stage', () => {
    const a = 'npm run pretrain -- --hours 20 --lr 0.01 --mix books';
    const b = 'npm run pretrain -- --hours 20 --lr 0.002 --mix books';
    expect(resumedStages(resumedStages([a], a), a)).toEqual([a]);
    expect(resumedStages([a], b)).toEqual([a, b]);
    expect(resumedStages([a, b], a)).toEqual([a, b, a]);
  });

  it('trains on WASM unless told webgpu, and records a webgpu stage or a larger batch in its command', () => {
    expect(parseOptions([]).backend).toBe('wasm');
    expect(commandOf(parseOptions(['--hours', '2']))).toBe('npm run pretrain -- --hours 2 --lr 0.01 --mix books');
    const gpu = parseOptions(['--backend', 'webgpu', '--hours', '0.5']);
    expect(commandOf(gpu)).toBe('npm run pretrain -- --hours 0.5 --lr 0.01 --mix books --backend webgpu');
    const wide = parseOptions(['--hours', '12', '--batch', '64']);
    expect(commandOf(wide)).toBe('npm run pretrain -- --hours 12 --lr 0.01 --mix books --batch 64');
    const dropped = parseOptions(['--hours', '12', '--dropout', '0.2']);
    expect(commandOf(dropped)).toBe('npm run pretrain -- --hours 12 --lr 0.01 --mix books --dropout 0.2');
    const restarted = parseOptions(['--hours', '11.5', '--lr', '0.0008', '--restart', '--seq', '200']);
    expect(commandOf(restarted)).toBe('npm run pretrain -- --hours 11.5 --lr 0.0008 --restart --mix books --seq 200');
    const carried = parseOptions(['--hours', '13.7', '--seq', '200', '--carry', '8000']);
    expect(commandOf(carried)).toBe('npm run pretrain -- --hours 13.7 --lr 0.01 --mix books --seq 200 --carry 8000');
    expect(parseOptions([]).carry).toBe(0);
    expect(() => parseOptions(['--dropout', '1'])).toThrow(/--dropout must be below 1/);
    expect(() => parseOptions(['--backend', 'cuda'])).toThrow(/--backend must be wasm or webgpu/);
  });

  it('with --restart, anneals over the stage alone: the peak at its start, a tenth of it at the budget', () => {
    const hour = 3600;
    // A stage from a base of 9.5 hours, budget 11.5: on the whole budget's cosine it would start near its tail.
    const whole = learningRateAt(scheduleFraction(9.5 * hour, 11.5 * hour, null), 1000, 0.001);
    expect(whole).toBeLessThan(0.0002);
    expect(learningRateAt(scheduleFraction(9.5 * hour, 11.5 * hour, 9.5 * hour), 1000, 0.001)).toBeCloseTo(0.001, 9);
    expect(learningRateAt(scheduleFraction(10.5 * hour, 11.5 * hour, 9.5 * hour), 1000, 0.001)).toBeCloseTo(0.00055, 9);
    expect(learningRateAt(scheduleFraction(11.5 * hour, 11.5 * hour, 9.5 * hour), 1000, 0.001)).toBeCloseTo(0.0001, 9);
    expect(scheduleFraction(12 * hour, 11.5 * hour, 12 * hour)).toBe(1); // a stage begun past its budget ends at once
  });
});
