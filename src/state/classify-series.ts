/** The classifier's chart data, aligned on steps for uPlot. Pure. */
import type uPlot from 'uplot';

/**
 * [steps, training loss (nats), validation accuracy (%)]: every step that has a loss or an
 * evaluation, null where a series has no value.
 */
export function classifyChart(
  losses: [number, number][],
  evals: { step: number; accuracy: number }[],
): uPlot.AlignedData {
  const lossAt = new Map(losses);
  const accAt = new Map(evals.map((e) => [e.step, e.accuracy * 100]));
  const steps = [...new Set([...lossAt.keys(), ...accAt.keys()])].sort((a, b) => a - b);
  return [steps, steps.map((s) => lossAt.get(s) ?? null), steps.map((s) => accAt.get(s) ?? null)];
}

/** Accuracy (%) against seconds for two runs (pretrained and scratch) on one axis. */
export function compareChart(
  base: { seconds: number; accuracy: number }[],
  scratch: { seconds: number; accuracy: number }[],
): uPlot.AlignedData {
  const key = (s: number) => Math.round(s * 10) / 10;
  const at = (list: typeof base) => new Map(list.map((e) => [key(e.seconds), e.accuracy * 100]));
  const [b, s] = [at(base), at(scratch)];
  const xs = [...new Set([...b.keys(), ...s.keys()])].sort((x, y) => x - y);
  return [xs, xs.map((x) => b.get(x) ?? null), xs.map((x) => s.get(x) ?? null)];
}
