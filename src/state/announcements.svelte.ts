/**
 * What the page's one polite live region says (components/Announcer.svelte renders it). The state
 * classes decide, where each change happens: a training status change, a save, a notice, the race's
 * result, a line for screen readers alone. Progress and samples never come here, so a screen reader
 * hears the run's milestones, not every step.
 */
export class Announcements {
  #text = $state('');

  /** The newest line, as the live region shows it. */
  get text() {
    return this.#text;
  }

  say(text: string): void {
    this.#text = text;
  }
}
