/**
 * Every bench JSON names the code and the machine behind its figures (tests/bench/RESULTS.md
 * quotes them): tests/bench/meta.mjs.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { benchMeta } from '../../bench/meta.mjs';
import { metaLine } from '../../bench/report.mjs';

describe('the bench metadata', () => {
  it('records the commit, the command line, the CPU, the tfjs version, the browser and the date', () => {
    const meta = benchMeta('Chromium 156');
    expect(meta.commit).toMatch(/^[0-9a-f]{7,}$/);
    expect(typeof meta.dirty).toBe('boolean');
    expect(meta.argv).toEqual(process.argv.slice(2));
    expect(meta.cpu.model.length).toBeGreaterThan(0);
    expect(meta.cpu.cores).toBeGreaterThan(0);
    const tfjs = JSON.parse(readFileSync('node_modules/@tensorflow/tfjs/package.json', 'utf8')).version;
    expect(meta.tfjs).toBe(tfjs);
    expect(meta.browser).toBe('Chromium 156');
    expect(Number.isNaN(Date.parse(meta.date))).toBe(false);
    expect(benchMeta().browser).toBeNull(); // a Node-only suite
  });

  it('prints them on one line above the table', () => {
    const line = metaLine(benchMeta('Chromium 156'));
    expect(line).toContain(`commit ${benchMeta().commit}`);
    expect(line).toContain('Chromium 156');
    expect(line).toContain('cores');
  });
});
