/** Types of build-wasm.mjs, for the unit test that checks the committed WebAssembly. */
export interface WasmSource {
  wat: string; // the WAT source
  ts: string; // the generated module
  name: string; // the constant it exports
}
export const SOURCES: WasmSource[];
export function compileWat(path: string, shared?: boolean): Promise<string>;
export function moduleText(source: WasmSource): Promise<string>;
