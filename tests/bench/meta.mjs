/**
 * What every bench JSON records about its run, so that a figure leads back to the code and the
 * machine that made it (tests/bench/RESULTS.md quotes them): the commit, whether the tree had
 * uncommitted changes, the command line, the CPU model and cores, the tfjs version, the browser
 * (where one ran) and the date.
 */
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

const git = (args) => {
  try {
    return execSync(`git ${args}`, { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null; // not a git checkout (an unpacked copy): the JSON says so rather than failing the run
  }
};

/** `browser`: e.g. `Chromium 156.0.7390.0`, or null for a Node-only suite. */
export function benchMeta(browser = null) {
  const cpu = cpus();
  const tfjs = JSON.parse(readFileSync('node_modules/@tensorflow/tfjs/package.json', 'utf8')).version;
  const status = git('status --porcelain --untracked-files=no');
  return {
    commit: git('rev-parse --short HEAD'),
    dirty: status === null ? null : status.length > 0,
    argv: process.argv.slice(2),
    command: process.env.npm_lifecycle_script
      ? `npm run ${process.env.npm_lifecycle_event}`
      : (process.argv[1] ?? null),
    cpu: { model: cpu[0]?.model ?? 'unknown', cores: cpu.length },
    node: process.version,
    tfjs,
    browser,
    date: new Date().toISOString(),
  };
}
