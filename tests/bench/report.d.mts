/** Types of report.mjs, as far as TypeScript uses it (the bench metadata's unit test). */
import type { BenchMeta } from './meta.mjs';
export function metaLine(meta: BenchMeta | undefined): string;
