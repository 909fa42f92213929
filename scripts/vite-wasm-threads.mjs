/**
 * A Vite plugin that lets tfjs-backend-wasm's threaded build survive minification (tfjs issue
 * #4107). tfjs starts each pthread worker from `factory.toString()`, so the factory must not
 * reference anything outside itself. Emscripten's factory reads one outer variable, `_scriptDir`
 * (the script's own URL: `document.currentScript`, else Node's `__filename`), guarded by
 * `typeof _scriptDir !== "undefined"`. The minifier, seeing the variable declared, renames it and
 * drops the guard; in the worker the renamed name is undefined and every pthread dies at start
 * (`ReferenceError: e is not defined`), so training never begins.
 *
 * The fix drops the outer declaration. In a browser worker (no `document`, no `__filename`) it
 * was always undefined, so nothing changes; the factory's references become plain globals,
 * which minifiers leave alone, and its `typeof` guard holds wherever it runs.
 */
const FILE = 'tfjs-backend-wasm-threaded-simd.js';
const OUTER = [
  "  var _scriptDir = typeof document !== 'undefined' && document.currentScript ? document.currentScript.src : undefined;\n",
  "  if (typeof __filename !== 'undefined') _scriptDir = _scriptDir || __filename;\n",
];

/** The threaded factory's source without its outer `_scriptDir`; throws if tfjs changed it. */
export function withoutOuterScriptDir(code) {
  if (!OUTER.every((line) => code.includes(line)))
    throw new Error(`${FILE}: the _scriptDir lines to remove are not there (did tfjs change?)`);
  return OUTER.reduce((text, line) => text.replace(line, ''), code);
}

export function wasmThreads() {
  return {
    name: 'inkling:wasm-threads',
    enforce: 'pre',
    transform(code, id) {
      if (!id.split('?')[0].endsWith(FILE)) return null;
      return { code: withoutOuterScriptDir(code), map: null };
    },
  };
}
