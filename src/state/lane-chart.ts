/**
 * The options of a lane chart: two runs (scratch and the English base) against seconds of
 * training, one line with points each, in the theme's colours. The race (RacePanel.svelte) and
 * "How much does pretraining buy?" (classify/PretrainingCompare.svelte) draw the same chart with a
 * different y; one definition keeps them alike.
 */
import type uPlot from 'uplot';
import { chartAxis, cssColor } from './theme.svelte';

export interface ChartLane {
  label: string;
  color: string; // a CSS variable of the theme, e.g. '--chart-base'
}

export function laneChartOptions(
  yLabel: string,
  lanes: ChartLane[],
  yRange?: [number, number],
): Omit<uPlot.Options, 'width' | 'height'> {
  const axis = chartAxis();
  return {
    scales: { x: { time: false }, ...(yRange ? { y: { range: yRange } } : {}) },
    axes: [
      { label: 'seconds of training', ...axis },
      { label: yLabel, ...axis, size: 56 },
    ],
    series: [
      { label: 'seconds' },
      ...lanes.map(({ label, color }) => ({
        label,
        stroke: cssColor(color),
        width: 2,
        spanGaps: true,
        points: { show: true, size: 5, fill: cssColor(color) },
      })),
    ],
  };
}
