/**
 * The English bases the page offers under Start from, one catalog for every use of a base
 * (fine-tuning, the race, the classifier's encoder, Look inside, links, saved runs). Each is a
 * folder of three files on the app's own origin (storage/base-model.ts), fetched only when
 * chosen and kept in Cache Storage (worker/base-loader.ts); the service worker never precaches
 * them (vite.config.ts leaves models/ out). Pure data.
 */

export interface BaseEntry {
  id: string; // what links, requests and saved runs say
  label: string; // the menu's name for it
  hint: string; // who it is for, after the label
  folder: string; // its files, relative to the page
  noun: string; // how a sentence names it
  wantsGpu: boolean; // slow to train on the processor: the page says so where no graphics card trains
}

export const BASES = [
  {
    id: 'small',
    label: 'English base, small',
    hint: 'fast on any computer',
    folder: 'models/base-en/',
    noun: 'the small English base',
    wantsGpu: false,
  },
  {
    id: 'large',
    label: 'English base, large',
    hint: 'best with a graphics card',
    folder: 'models/base-en-large/',
    noun: 'the large English base',
    wantsGpu: true,
  },
] as const satisfies readonly BaseEntry[];

export type BaseId = (typeof BASES)[number]['id'];

/** The base a link, a request or a saved run means when it names none (the only one there was before). */
export const DEFAULT_BASE: BaseId = 'small';

export const isBaseId = (x: unknown): x is BaseId => BASES.some((b) => b.id === x);

export const baseEntry = (id: BaseId): BaseEntry => BASES.find((b) => b.id === id) ?? BASES[0];

/** How the menus offer a base: "English base, small: fast on any computer". */
export const baseOption = (id: BaseId) => `${baseEntry(id).label}: ${baseEntry(id).hint}`;

/** A base's noun (or any) opening a sentence: "The large English base cannot be used…". */
export const opening = (noun: string) => noun.charAt(0).toUpperCase() + noun.slice(1);
