/** Types of meta.mjs, for the TypeScript suites. */
export interface BenchMeta {
  commit: string | null;
  dirty: boolean | null;
  argv: string[];
  command: string | null;
  cpu: { model: string; cores: number };
  node: string;
  tfjs: string;
  browser: string | null;
  date: string;
}
export function benchMeta(browser?: string | null): BenchMeta;
