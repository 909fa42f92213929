/**
 * The worker's classifier side: labeled files taken in (decoded, parsed, checked), one classifier
 * run at a time, and Try it's explanations. A bad file changes nothing: the set in hand stays.
 */
import { classifySettingsErrors, type ClassifySettings, type EncoderStart } from '../config/classify';
import { foldTypography } from '../data/alphabet';
import { classCounts, sameLabels, type LabeledSet } from '../data/labeled-set';
import { encodeTexts, padBatch } from '../data/text-batches';
import { disposeClassifier, type Classifier } from '../engine/classifier';
import { explain } from '../engine/classifier-train';
import { makeVocab, type Vocab } from '../data/vocab';
import { ClassifyRun } from '../run/classify-run';
import { CLASSIFIER_FORMAT, classifierZip, readClassifierZip, type ClassifierMeta } from '../storage/classifier-zip';
import { makeClassifier, prepareData } from '../run/classify-setup';
import type { BaseLoader } from './base-loader';
import { DEFAULT_BASE, baseEntry, type BaseId } from '../config/bases';
import { RequestError, errorEvent } from './errors';
import { quoted, sentence } from '../config/words';
import { CheckpointError } from '../storage/checkpoint';
import { readLabeled } from './labeled-intake';
import type { ClassifierInfo, Request, WorkerEvent } from './protocol';

type Req<T extends Request['type']> = Extract<Request, { type: T }>;

/** The classifier Try it and Export use: trained here, imported, or reopened from storage. */
interface InHand {
  classifier: Classifier;
  vocab: Vocab;
  maxLen: number;
  info: ClassifierInfo;
}

/** Where the latest classifier is kept between visits (IndexedDB through Persistence). */
export interface ClassifierKeep {
  save(bytes: Uint8Array): Promise<void>;
  load(): Promise<Uint8Array | null>;
  drop(): Promise<void>;
}

export class ClassifyJobs {
  #set: LabeledSet | null = null;
  #setName = '';
  #run: ClassifyRun | null = null;
  #hand: InHand | null = null;

  constructor(
    private readonly post: (e: WorkerEvent) => void,
    private readonly bases: BaseLoader,
    private readonly keep: ClassifierKeep,
  ) {}

  /** A run is training (its final `classify-done` not said yet). */
  get busy(): boolean {
    return this.#run !== null && !this.#run.finished;
  }

  stop(): boolean {
    if (!this.busy) return false;
    this.#run?.stop();
    return true;
  }

  async load({ id, files, columns }: Req<'load-labeled'>): Promise<void> {
    const { set, name, result } = readLabeled(files, columns);
    if (set) [this.#set, this.#setName] = [set, name];
    this.post({ type: 'labeled', id, result });
  }

  async train(req: Req<'classify'>, refuseIfBusy: () => void): Promise<void> {
    refuseIfBusy();
    if (this.busy) throw new RequestError('busy', 'A classifier is training: stop it first.');
    if (!this.#set) throw new RequestError('no-corpus', 'Load labeled texts first.');
    const errors = classifySettingsErrors(req.settings);
    if (errors.length > 0) throw new RequestError('settings', errors.join(' '));
    const { data, truncated, settings, classifier } = req.resume
      ? this.#continued(this.#set, req.settings)
      : this.#fresh(this.#set, req.settings);
    const run = new ClassifyRun(classifier, data, settings, this.post);
    this.#run = run;
    const { set, split } = data;
    const plan = {
      labels: set.labels,
      trainCounts: classCounts(split.train, set.y, set.labels.length),
      valCounts: classCounts(split.val, set.y, set.labels.length),
      classWeights: run.classWeights,
      truncated,
      maxLen: settings.maxLen,
      window: settings.window,
      start: this.#hand!.info.start,
      resumed: !!req.resume,
    };
    this.post({ type: 'classify-started', id: req.id, plan });
    run
      .run()
      .then(() => this.#keepLatest(run))
      .catch((error) => this.post(errorEvent(null, error, 'classify')));
  }

  /** A new classifier (the base's encoder or a fresh one) under a new head; it becomes the one in hand. */
  #fresh(set: LabeledSet, settings: ClassifySettings) {
    const base = this.bases.get(settings.base);
    if (settings.start === 'base' && !base) {
      throw new RequestError('base', `Load ${baseEntry(settings.base ?? DEFAULT_BASE).noun} first.`);
    }
    const { data, truncated } = prepareData(set, settings);
    const classifier = makeClassifier(settings, set.labels.length, base);
    const from = settings.start === 'base' ? (settings.base ?? DEFAULT_BASE) : null;
    const info = infoOf(`${this.#setName} · ${settings.start}`, set.labels, settings.maxLen, settings.start, from);
    this.#replace({ classifier, vocab: data.vocab, maxLen: settings.maxLen, info });
    return { data, truncated, settings, classifier };
  }

  /**
   * The classifier in hand trained further on the loaded set (which must have its labels): every
   * layer open with the discriminative rates, its own vocabulary and length cut, no LM stage.
   */
  #continued(set: LabeledSet, asked: ClassifySettings) {
    const hand = this.#requireHand();
    if (!sameLabels(hand.info.labels, set.labels)) {
      const [had, have] = [hand.info.labels.join(', '), set.labels.join(', ')];
      throw new RequestError('settings', `The classifier in hand knows ${had}; these texts are labeled ${have}.`);
    }
    const settings: ClassifySettings = { ...asked, maxLen: hand.maxLen, unfreezing: 'all', lmSeconds: 0 };
    const { data, truncated } = prepareData(set, settings, hand.vocab.chars);
    return { data, truncated, settings, classifier: hand.classifier };
  }

  /** After a run: its figures in hand, and the classifier kept for the next visit. */
  async #keepLatest(run: ClassifyRun): Promise<void> {
    const hand = this.#hand;
    if (!hand || hand.classifier !== run.classifier) return;
    hand.info = { ...hand.info, accuracy: run.metrics?.accuracy ?? null, macroF1: run.metrics?.macroF1 ?? null };
    await this.#warm(hand); // first: Try it is what a person reaches for next
    await this.keep.save(await this.#zip(hand)).catch(() => {}); // storage full or off: Export still works
  }

  /**
   * Explains a short text once and drops the answer, so that the first keystroke in Try it does
   * not pay for the first call's setup (220 ms against ~50 for the next ones, measured on WASM).
   */
  async #warm(hand: InHand): Promise<void> {
    const { seqs } = encodeTexts(['Try it'], hand.vocab, hand.maxLen);
    await explain(hand.classifier, padBatch(seqs, [0], 1)).catch(() => {});
  }

  /** Probabilities and per-character reasons for a text, from the classifier in hand. */
  async classifyText({ id, text }: Req<'classify-text'>): Promise<void> {
    const hand = this.#requireHand();
    const started = performance.now();
    // a paste of any length: only what the model reads is folded and encoded
    const folded = firstChars(foldTypography(firstChars(text, hand.maxLen)), hand.maxLen);
    const { seqs } = encodeTexts([folded], hand.vocab, hand.maxLen);
    const explanation = await explain(hand.classifier, padBatch(seqs, [0], 1));
    const ms = performance.now() - started;
    const { probs, saliency } = explanation;
    const labels = hand.info.labels;
    this.post({ type: 'classified', id, text: folded, labels, probs: [...probs], saliency: [...saliency], ms });
  }

  async exportClassifier({ id }: Req<'export-classifier'>): Promise<void> {
    if (this.busy) throw new RequestError('busy', 'Stop the classifier before exporting it.');
    const hand = this.#requireHand();
    const zip = await this.#zip(hand);
    const bytes = zip.buffer.slice(zip.byteOffset, zip.byteOffset + zip.byteLength) as ArrayBuffer;
    const stem = hand.info.name.replace(/[^\w.-]+/g, '-').replace(/^-|-$/g, '') || 'classifier';
    this.post({ type: 'export', id, fileName: `${stem}.classifier.zip`, bytes });
  }

  async importClassifier({ id, bytes }: Req<'import-classifier'>): Promise<void> {
    if (this.busy) throw new RequestError('busy', 'Stop the classifier before importing another.');
    const zip = new Uint8Array(bytes);
    const { meta, classifier } = await readClassifierZip(zip).catch((error: unknown) => {
      if (!(error instanceof CheckpointError)) throw error;
      const kept = this.#hand
        ? `${quoted(this.#hand.info.name)} is still the classifier in hand.`
        : 'Nothing was changed.';
      throw new RequestError('checkpoint', `That classifier file cannot be used: ${sentence(error.message)} ${kept}`);
    });
    this.#open(meta, classifier, `${meta.name} (imported)`);
    await this.keep.save(zip).catch(() => {});
    this.post({ type: 'classifier-opened', id, info: this.#hand!.info });
  }

  /** Reopens the classifier kept from the last visit, if any; a damaged one is dropped, saying so. */
  async restore(): Promise<void> {
    const bytes = await this.keep.load().catch(() => null);
    if (!bytes) return;
    try {
      const { meta, classifier } = await readClassifierZip(bytes);
      this.#open(meta, classifier, meta.name);
      this.post({ type: 'classifier-opened', id: null, info: this.#hand!.info });
    } catch (error) {
      await this.keep.drop().catch(() => {});
      console.error('The kept classifier could not be read:', error); // the detail, for whoever debugs
      const why = error instanceof CheckpointError ? ` ${sentence(error.message)}` : '';
      const message = `The classifier kept from your last visit could not be read and was removed.${why} Train or import another.`;
      this.post(errorEvent(null, new RequestError('checkpoint', message)));
    }
  }

  #open(meta: ClassifierMeta, classifier: Classifier, name: string): void {
    const info = {
      ...infoOf(name, meta.labels, meta.maxLen, meta.start, meta.base),
      accuracy: meta.accuracy,
      macroF1: meta.macroF1,
    };
    this.#replace({ classifier, vocab: makeVocab(meta.vocab), maxLen: meta.maxLen, info });
    void this.#warm(this.#hand!);
  }

  #zip(hand: InHand): Promise<Uint8Array> {
    const { info, classifier, vocab, maxLen } = hand;
    const meta: ClassifierMeta = {
      format: CLASSIFIER_FORMAT,
      version: 1,
      name: info.name,
      labels: info.labels,
      vocab: vocab.chars,
      maxLen,
      foldTypography: true,
      encoder: classifier.encoder.config,
      head: classifier.head,
      start: info.start,
      base: info.base,
      accuracy: info.accuracy,
      macroF1: info.macroF1,
      createdAt: new Date().toISOString(),
    };
    return classifierZip(classifier, meta);
  }

  #requireHand(): InHand {
    if (!this.#hand) throw new RequestError('no-model', 'Train or import a classifier first.');
    return this.#hand;
  }

  #replace(hand: InHand): void {
    if (this.#hand) disposeClassifier(this.#hand.classifier);
    this.#hand = hand;
  }
}

const infoOf = (
  name: string,
  labels: string[],
  maxLen: number,
  start: EncoderStart,
  base: BaseId | null,
): ClassifierInfo => ({
  name,
  labels,
  maxLen,
  start,
  base,
  accuracy: null,
  macroF1: null,
});

/** The first `n` characters (code points) of a text, without reading past them. */
function firstChars(text: string, n: number): string {
  let end = 0;
  for (let k = 0; k < n && end < text.length; k++) end += text.codePointAt(end)! > 0xffff ? 2 : 1;
  return text.slice(0, end);
}
