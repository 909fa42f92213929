/** Loss-curve data for the chart: aligned columns, as uPlot wants them. Pure, unit-tested. */
import type { History } from '../storage/checkpoint';
import type { Progress } from '../run/events';

export const SMOOTHING = 0.9; // weight of the past in the smoothed curve (TensorBoard's debiased EMA)

/** Columns: step, raw train bpc, smoothed train bpc, validation bpc (null where not measured). */
export type ChartData = [number[], (number | null)[], (number | null)[], (number | null)[]];

export function emptySeries(): ChartData {
  return [[], [], [], []];
}

/**
 * Returns new columns with the steps' raw and smoothed training loss appended. The smoothed value
 * is a zero-started EMA divided by (1 - w^n), so early points are not pulled toward the first one.
 */
export function appendTraining(data: ChartData, points: Progress['points']): ChartData {
  const [x, raw, smooth, val] = data.map((c) => c.slice()) as ChartData;
  let n = raw.filter((v) => v !== null).length;
  let ema = n > 0 ? lastNumber(smooth)! * (1 - SMOOTHING ** n) : 0;
  for (const [step, bpc] of points) {
    n++;
    ema = SMOOTHING * ema + (1 - SMOOTHING) * bpc;
    x.push(step);
    raw.push(bpc);
    smooth.push(ema / (1 - SMOOTHING ** n));
    val.push(null);
  }
  return [x, raw, smooth, val];
}

/**
 * Returns new columns with a validation measurement at `step`: merged into that step's row, or
 * a new row inserted where it belongs, so steps stay in ascending order.
 */
export function appendValidation(data: ChartData, step: number, bpc: number): ChartData {
  const [x, raw, smooth, val] = data.map((c) => c.slice()) as ChartData;
  let at = x.length;
  while (at > 0 && x[at - 1] >= step) at--;
  if (x[at] === step) {
    val[at] = bpc;
  } else {
    x.splice(at, 0, step);
    raw.splice(at, 0, null);
    smooth.splice(at, 0, null);
    val.splice(at, 0, bpc);
  }
  return [x, raw, smooth, val];
}

function lastNumber(column: (number | null)[]): number | null {
  for (let i = column.length - 1; i >= 0; i--) if (column[i] !== null) return column[i];
  return null;
}

/** The chart of a saved run, rebuilt from its loss history. */
export function chartOf(history: History): ChartData {
  let chart = appendTraining(emptySeries(), history.train);
  for (const [step, val] of history.val) chart = appendValidation(chart, step, val);
  return chart;
}

/** The race chart's columns: seconds, then each model's validation bits/char (null where it has none). */
export type RaceChartData = [number[], (number | null)[], (number | null)[]];

/** Both curves on one ascending time axis (points at the same second share a row). */
export function raceChart(curves: { scratch: [number, number][]; base: [number, number][] }): RaceChartData {
  const rows = new Map<number, [number | null, number | null]>();
  curves.scratch.forEach(([s, v]) => rows.set(s, [v, rows.get(s)?.[1] ?? null]));
  curves.base.forEach(([s, v]) => rows.set(s, [rows.get(s)?.[0] ?? null, v]));
  const xs = [...rows.keys()].sort((a, b) => a - b);
  return [xs, xs.map((s) => rows.get(s)![0]), xs.map((s) => rows.get(s)![1])];
}
