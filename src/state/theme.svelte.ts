/**
 * Light or dark: Auto follows the system (prefers-color-scheme), and a choice made in the header
 * is remembered in this browser. The page's colours are CSS variables switched by
 * <html data-theme>; the charts read them when they draw.
 */
export type ThemeChoice = 'auto' | 'light' | 'dark';
const KEY = 'inkling-theme';

function remembered(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'auto';
  } catch {
    return 'auto'; // storage refused: follow the system
  }
}

class Theme {
  #choice = $state<ThemeChoice>(remembered());
  #systemDark = $state(false);

  constructor() {
    const query = matchMedia('(prefers-color-scheme: dark)');
    this.#systemDark = query.matches;
    query.addEventListener('change', (e) => (this.#systemDark = e.matches));
  }

  get choice() {
    return this.#choice;
  }
  /** The theme in effect. */
  get current(): 'light' | 'dark' {
    return this.#choice === 'auto' ? (this.#systemDark ? 'dark' : 'light') : this.#choice;
  }

  choose(choice: ThemeChoice): void {
    this.#choice = choice;
    try {
      if (choice === 'auto') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, choice);
    } catch {
      // not remembered; it still applies to this page
    }
    this.apply();
  }

  apply(): void {
    document.documentElement.dataset.theme = this.current;
  }
}

export const theme = new Theme();

/** A colour variable's value now (the charts pass these to uPlot). */
export function cssColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** An axis in the theme's chart colours, for uPlot's options. */
export const chartAxis = () => ({ stroke: cssColor('--chart-axis'), grid: { stroke: cssColor('--chart-grid') } });
