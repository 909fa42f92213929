/**
 * Applies the settings proposed for the loaded text's size (config/suggest.ts) to the form: only
 * to fields still at the value the page itself put there (the defaults, or the last proposal), so
 * what a person typed or a link carried is kept.
 */
import { defaultSettings, type Settings } from '../config/settings';
import { describeSuggestion, suggestSettings, type Suggestion } from '../config/suggest';

type Field = keyof Suggestion;
const FIELDS: Field[] = ['layers', 'units', 'dropout', 'epochs'];

const read = (s: Settings, f: Field) => (f === 'epochs' ? s.train.epochs : s.model[f]);
function write(s: Settings, f: Field, value: number): void {
  if (f === 'epochs') s.train.epochs = value;
  else s.model[f] = value;
}

export class Suggested {
  #line = $state<string | null>(null);
  #baseline: Suggestion; // what the page last put in each field
  #text: { chars: number; bytes: number } | null = null; // the loaded text's size
  #fromBase = false; // the proposal was for fine-tuning the base

  constructor() {
    const d = defaultSettings();
    this.#baseline = { layers: d.model.layers, units: d.model.units, dropout: d.model.dropout, epochs: d.train.epochs };
  }

  /** "Suggested for 45 KB of text: …", once a text is loaded. */
  get line() {
    return this.#line;
  }

  /** Proposes again when the start changes between scratch and the base (the base gets no dropout). */
  follow(settings: Settings, fromBase: boolean): void {
    if (fromBase === this.#fromBase || !this.#text) return;
    this.apply(settings, this.#text.chars, this.#text.bytes, fromBase);
  }

  /** Proposes settings for a text of `chars` characters (`bytes` long) in every field nobody chose. */
  apply(settings: Settings, chars: number, bytes: number, fromBase = this.#fromBase): void {
    this.#text = { chars, bytes };
    this.#fromBase = fromBase;
    const s = suggestSettings(chars, fromBase);
    const kept: Field[] = [];
    for (const f of FIELDS) {
      if (read(settings, f) !== this.#baseline[f]) {
        kept.push(f);
        continue;
      }
      write(settings, f, s[f]);
      this.#baseline[f] = s[f];
    }
    this.#line = describeSuggestion(
      s,
      bytes,
      kept.filter((f) => read(settings, f) !== s[f]),
    );
  }
}
