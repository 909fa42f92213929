/** Types of serve.mjs, for the end-to-end tests that start a server of their own. */
import type { Server } from 'node:http';
export interface ServeOptions {
  root?: string; // the folder served (dist/)
  port?: number;
  base?: string; // the sub-path the app lives under
  isolated?: boolean; // send COOP/COEP, so the page is cross-origin isolated (WASM threads)
}
export function serve(options?: ServeOptions): Promise<Server>;
