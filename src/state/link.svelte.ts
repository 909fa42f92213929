/**
 * The page's address and its settings, both ways: what a link to the page as it is now carries,
 * and opening the page as a link describes it (see share.ts for the format).
 */
import { BUILT_IN_CORPORA, DEFAULT_CORPUS } from './corpora';
import type { Session } from './session.svelte';
import { fromQuery, toQuery, type Shared } from './share';
import { linkNotice } from './link-notice';

/** What a link carries now: settings, temperatures, backend, built-in text (the default unsaid), start, base. */
export function sharedOf(session: Session): Shared {
  const { startFrom: start, fineTuneMode: mode, baseId: base } = session.transfer;
  const settings = $state.snapshot(session.settings);
  const temperatures = $state.snapshot(session.temperatures);
  const text = session.texts.builtIn === DEFAULT_CORPUS.id ? null : session.texts.builtIn;
  return { settings, temperatures, backend: session.backend.choice, text, start, mode, base, view: session.view };
}

/** The query string for the page as it is now ('' with every default). */
export const queryOf = (session: Session) => toQuery(sharedOf(session));

/** Opens the page as a link describes it: call before session.start(). Returns the built-in text to load. */
export function applyLink(session: Session, query: string): string {
  const shared = fromQuery(
    query,
    BUILT_IN_CORPORA.map((c) => c.id),
  );
  session.settings = shared.settings;
  session.temperatures = shared.temperatures;
  session.backend.choice = shared.backend;
  session.transfer.fineTuneMode = shared.mode;
  session.view = shared.view;
  session.transfer.preferBase(shared.base);
  if (shared.start === 'base') session.texts.afterNext(() => session.transfer.chooseStart(shared.base));
  const refused = linkNotice(query, BUILT_IN_CORPORA); // what the link asked for and did not get
  if (refused) session.say({ kind: 'info', text: refused });
  return shared.text ?? DEFAULT_CORPUS.id;
}
