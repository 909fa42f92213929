/** Ids that sort by creation time (base-36 milliseconds, then six random characters). */
export function timeOrderedId(now = Date.now()): string {
  return `${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A new run's id: unique enough for one person's browser. */
export const newRunId = (): string => timeOrderedId();
