/** Types of vite-wasm-threads.mjs. */
import type { Plugin } from 'vite';
export function withoutOuterScriptDir(code: string): string;
export function wasmThreads(): Plugin;
