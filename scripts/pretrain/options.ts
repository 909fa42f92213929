/** The pretraining script's options, the base's settings, and its learning-rate schedule. */
import { defaultSettings, type Settings } from '../../src/config/settings';
import { MIXES, type Mix } from './mix';

export interface PretrainOptions {
  hours: number; // training-time budget; the schedule stretches to fit it
  units: number; // LSTM units per layer
  embed: number; // embedding size
  layers: number; // LSTM layers
  batch: number; // rows per step
  seq: number; // characters per row
  carry: number; // 0: fresh rows, zero state; N: each row reads on for N characters, its state carried (Lanes)
  lr: number; // peak Adam learning rate
  restart: boolean; // the cosine spans this stage alone (a warm restart from an annealed base), not the whole budget
  dropout: number; // between layers, training only (0: none); the written base is an inference model either way
  mix: Mix; // how often each source is drawn (see mix.ts)
  backend: PretrainBackend; // wasm or webgpu (Dawn under Node: a real GPU, see scripts/dawn.ts)
  threads: 1 | 2; // WASM: one thread, or two (the page's split matMul, see wasm-threads.ts)
  out: string; // where the base's files go
  work: string; // checkpoints, for resuming
  fresh: boolean; // ignore any checkpoint in `work`
  from: string | null; // with no checkpoint in `work`: start from the base written in this folder (fresh optimizer)
  evalEverySec: number; // seconds between held-out estimates
  saveEverySec: number; // seconds between checkpoints (each also rewrites `out`, see baseEverySec)
  minutes: number; // wall-clock minutes this invocation runs before it saves and exits (the budget is untouched)
  baseEverySec: number; // a save also rewrites the base once this long has passed since the last (0: every save)
  cpuMinutes: number; // the same in CPU minutes of this process (all threads): fair between probes on a busy machine
}

export function parseOptions(argv: string[]): PretrainOptions {
  const arg = (name: string, fallback: number, least: 'positive' | 'zero' = 'positive') => {
    const i = argv.indexOf(`--${name}`);
    const v = i >= 0 ? Number(argv[i + 1]) : fallback;
    const low = least === 'zero' ? v < 0 : v <= 0;
    if (Number.isNaN(v) || low || (v === Infinity && fallback !== Infinity))
      throw new Error(`--${name} must be a ${least === 'zero' ? 'non-negative' : 'positive'} number`);
    return v;
  };
  const text = (name: string, fallback: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : fallback;
  };
  return {
    hours: arg('hours', 1.5),
    units: arg('units', 256),
    embed: arg('embed', 32),
    layers: arg('layers', 1),
    batch: arg('batch', 32),
    seq: arg('seq', 100),
    carry: arg('carry', 0, 'zero'),
    lr: arg('lr', 0.01),
    restart: argv.includes('--restart'),
    dropout: dropoutOf(arg('dropout', 0, 'zero')),
    mix: mixOf(text('mix', 'books')),
    backend: backendOf(text('backend', 'wasm')),
    threads: threadsOf(text('threads', '2')),
    out: text('out', 'public/models/base-en'),
    work: text('work', '.pretrain'),
    fresh: argv.includes('--fresh'),
    from: argv.includes('--from') ? text('from', '') : null,
    evalEverySec: arg('eval-every', 300),
    saveEverySec: arg('save-every', 600),
    baseEverySec: arg('base-every', 0, 'zero'),
    minutes: arg('minutes', Infinity),
    cpuMinutes: arg('cpu-minutes', Infinity),
  };
}

/** Every option at its default (the small base's): options left at these are not repeated in a stage's command. */
const defaults = parseOptions([]);

function dropoutOf(p: number): number {
  if (p >= 1) throw new Error('--dropout must be below 1');
  return p;
}

export type PretrainBackend = 'wasm' | 'webgpu';

function backendOf(name: string): PretrainBackend {
  if (name !== 'wasm' && name !== 'webgpu') throw new Error('--backend must be wasm or webgpu');
  return name;
}

function threadsOf(n: string): 1 | 2 {
  if (n !== '1' && n !== '2') throw new Error('--threads must be 1 or 2');
  return n === '1' ? 1 : 2;
}

function mixOf(name: string): Mix {
  if (!(MIXES as string[]).includes(name)) throw new Error(`--mix must be one of ${MIXES.join(', ')}`);
  return name as Mix;
}

/**
 * The stages after resuming a checkpoint with `command`: a resumed chunk of the stage in hand
 * (the same command) continues it, so it is not listed again.
 */
export function resumedStages(stages: string[], command: string): string[] {
  return stages.at(-1) === command ? stages : [...stages, command];
}

/** The command line that reproduces a stage of pretraining. */
export function commandOf(o: PretrainOptions): string {
  const backend = o.backend === 'wasm' ? '' : ` --backend ${o.backend}`;
  const from = o.from ? ` --from ${o.from}` : '';
  const d = defaults;
  const shape =
    (o.units !== d.units ? ` --units ${o.units}` : '') +
    (o.layers !== d.layers ? ` --layers ${o.layers}` : '') +
    (o.embed !== d.embed ? ` --embed ${o.embed}` : '') +
    (o.batch !== d.batch ? ` --batch ${o.batch}` : '') +
    (o.seq !== d.seq ? ` --seq ${o.seq}` : '') +
    (o.carry > 0 ? ` --carry ${o.carry}` : '') +
    (o.dropout > 0 ? ` --dropout ${o.dropout}` : '');
  const place = (o.out !== d.out ? ` --out ${o.out}` : '') + (o.work !== d.work ? ` --work ${o.work}` : '');
  const restart = o.restart ? ' --restart' : '';
  return `npm run pretrain -- --hours ${o.hours} --lr ${o.lr}${restart} --mix ${o.mix}${shape}${backend}${from}${place}`;
}

/** The settings the base trains with (also what a checkpoint of it records). */
export function baseSettings(o: PretrainOptions): Settings {
  const s = defaultSettings();
  s.model = { embedDim: o.embed, units: o.units, layers: o.layers, dropout: o.dropout };
  Object.assign(s.train, { seqLen: o.seq, batchSize: o.batch, learningRate: o.lr, clipNorm: 5, seed: 2026 });
  return s;
}

/**
 * How far along the cosine a run is: over the whole budget, or with `--restart` over this stage alone,
 * from `stageStart` (the training seconds it began at) to the budget. A stage from an annealed base
 * otherwise sits on the cosine's flat tail, where the rate barely falls however long it runs.
 */
export function scheduleFraction(seconds: number, budget: number, stageStart: number | null): number {
  if (stageStart === null) return seconds / budget;
  return budget > stageStart ? (seconds - stageStart) / (budget - stageStart) : 1;
}

/** Linear warm-up over the first 200 steps, then cosine decay to a tenth of the peak at the end of the budget. */
export function learningRateAt(fraction: number, step: number, peak: number): number {
  const warm = Math.min(1, (step + 1) / 200);
  const cosine = 0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, fraction)));
  return peak * warm * cosine;
}
