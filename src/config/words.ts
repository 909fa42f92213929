/** Putting names and reasons into the page's sentences. Pure. */

/**
 * A name a person typed or a file carried, in quotes and bidi-isolated (FSI … PDI), so a
 * right-to-left name, or one holding U+202E, cannot turn the words around it backwards.
 */
export function quoted(name: string): string {
  return `"\u2068${name}\u2069"`;
}

/** Ends a message with one full stop, unless it already ends as a sentence does. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.?!]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
