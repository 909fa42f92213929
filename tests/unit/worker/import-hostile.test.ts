/**
 * Import as an attacker would try it, through the worker's handler: hostile zips are built in
 * the test from a real export (no large files checked in). A refusal leaves saved runs as they
 * were and the model in hand untouched.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { strFromU8, strToU8, unzipSync } from 'fflate';
import { useCpu } from '../support/setup-tf';
import { harness } from '../support/harness';
import { craftZip, deflated, deflatedZeros, entriesOf, type RawEntry } from '../support/zip-craft';

beforeAll(useCpu);

/** A tab with a trained, stopped run; returns it and its export's bytes. */
async function exported() {
  const tab = harness();
  await tab.send({ type: 'init', backend: 'auto' });
  await tab.startTraining();
  await tab.until(() => tab.of('progress').length >= 1);
  await tab.stopped();
  const runId = tab.of('run-started')[0].plan.runId;
  const reply = await tab.client.request({ type: 'export-run', runId });
  return { tab, zip: new Uint8Array(reply.bytes) };
}

const listing = (tab: ReturnType<typeof harness>) => tab.client.request({ type: 'list-runs' }).then((r) => r.runs);

async function importRefused(tab: ReturnType<typeof harness>, zip: Uint8Array, message: RegExp) {
  const before = await listing(tab);
  const opened = tab.of('run-opened').length;
  const refusal = tab.client.request({ type: 'import-run', name: 'evil.zip', bytes: zip.slice().buffer });
  await expect(refusal).rejects.toMatchObject({ code: 'checkpoint', message });
  expect(await listing(tab)).toEqual(before); // no run left behind
  expect(tab.of('run-opened')).toHaveLength(opened); // the model in hand is still the old one
}

describe('importing hostile files', () => {
  it('a zip padded with 40 entries of 190 MB of zeros: only the named entries are inflated (peak memory stays flat)', async () => {
    const { tab, zip } = await exported();
    const zeros = deflatedZeros(190);
    const padding: RawEntry[] = Array.from({ length: 40 }, (_, i) => ({
      name: `padding-${i}.bin`,
      stored: zeros,
      method: 8,
      crc: 0,
      size: 190 * 2 ** 20,
    }));
    const bomb = craftZip([...entriesOf(zip), ...padding]);
    expect(bomb.length).toBeLessThan(12 * 2 ** 20); // ~7.6 GB if everything were inflated
    const peakBefore = process.resourceUsage().maxRSS; // kilobytes, the process's high-water mark
    const reply = await tab.client.request({
      type: 'import-run',
      name: 'padded.zip',
      bytes: bomb.buffer as ArrayBuffer,
    });
    const grownMb = (process.resourceUsage().maxRSS - peakBefore) / 1024;
    expect(grownMb).toBeLessThan(256);
    expect(reply.opened.name).toMatch(/\(imported\)$/);
    expect((await listing(tab)).length).toBe(2);
  });

  it('a weights file whose headers claim its real size but which inflates to 64 MB is refused', async () => {
    const { tab, zip } = await exported();
    const entries = entriesOf(zip);
    const honest = entries.find((e) => e.name === 'weights.bin')!;
    const lying = { ...honest, stored: deflatedZeros(64) }; // size and CRC fields still the honest ones
    await importRefused(
      tab,
      craftZip(entries.map((e) => (e === honest ? lying : e))),
      /weights\.bin holds more than the [\d,]+ bytes/,
    );
  });

  it('a weights file changed in place (same size) is refused by its checksum; an export without checksums still loads', async () => {
    const { tab, zip } = await exported();
    const files = unzipSync(zip);
    const weights = files['weights.bin'].slice();
    weights.fill(0);
    const changed = Object.entries(files).map(([name, data]) =>
      deflated(name, name === 'weights.bin' ? weights : data),
    );
    await importRefused(tab, craftZip(changed), /checksum of weights\.bin does not match/);
    const old = JSON.parse(strFromU8(files['inkling.json']));
    delete old.checksums;
    const unchecked = Object.entries(files).map(([name, data]) =>
      deflated(name, name === 'inkling.json' ? strToU8(JSON.stringify(old)) : data),
    );
    const reply = await tab.client.request({
      type: 'import-run',
      name: 'old.zip',
      bytes: craftZip(unchecked).buffer as ArrayBuffer,
    });
    expect(reply.opened.step).toBeGreaterThan(0);
  });

  it('a state layout naming more tensors than the model can have is refused before anything is inflated', async () => {
    const { tab, zip } = await exported();
    const files = unzipSync(zip);
    const desc = JSON.parse(strFromU8(files['inkling.json']));
    desc.meta.tensors.optimizer.push({ name: 'huge', shape: [1_000_000, 1000], offset: 0 });
    const entries = Object.entries(files).map(([n, d]) =>
      deflated(n, n === 'inkling.json' ? strToU8(JSON.stringify(desc)) : d),
    );
    await importRefused(tab, craftZip(entries), /names more tensors than this model can have/);
  });
});
