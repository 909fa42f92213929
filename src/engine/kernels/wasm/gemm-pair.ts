/**
 * gemm.wat on two threads, for the threaded WASM build (a cross-origin-isolated page). There
 * XNNPACK spreads each matMul over its pool, and gemm.wat on one thread was no faster than it
 * on two; so a second thread runs gemm.wat beside this one. The app starts it as a worker
 * (worker/gemm-helper.ts) that instantiates gemm.wat on the backend's heap, the same shared
 * memory, and loops in `serveGemm`. Each gemm call large enough to pay for the hand-off is split
 * by its panels of 8 columns: the helper takes the right-hand half, this thread the left, then
 * waits for the helper's (measured in tests/bench/RESULTS.md, "WASM: gemm.wat on two threads").
 *
 * The two threads talk through a control block of a few ints on a SharedArrayBuffer of its own
 * (CONTROL_BYTES): a call's arguments, then its number in REQUEST; the helper answers by writing
 * that number to DONE. Both sides poll for a moment before sleeping in Atomics.wait: a training
 * step calls gemm every few tens of microseconds, faster than a sleeping thread wakes.
 */
export const CONTROL_BYTES = 64; // the control block: 16 ints
const REQUEST = 0; // the number of the last call posted to the helper
const DONE = 1; // the number of the last call the helper finished
const STATE = 2; // STARTING, READY or STOPPED
const ARGS = 4; // gemm's 9 arguments for the helper's half
const [READY, STOPPED] = [1, 2];

const MIN_SPLIT = 1 << 17; // multiply-adds below which a call stays on one thread (a hand-off costs µs)
// Fewer rows stay on one thread too (generation's streams, Try it): such calls come between other
// work, after the helper has gone to sleep, and waking it cost more than half the call.
export const MIN_ROWS = 16;
const POLL_MS = 0.3; // how long a side polls before it sleeps: longer than the gap between a step's calls
const PATIENCE_MS = 10_000; // a helper silent this long is taken for dead: its half is done here

/** gemm.wat's kernels (see there): pointers are byte offsets into the backend's heap. */
export interface WasmGemm {
  pack(w: number, K: number, N: number, k0: number, kc: number, trans: 0 | 1, wp: number): void;
  /** out = a [M, kc] × the panels at wp [kc, N], plus what out holds if acc is 1; see gemm.wat. */
  gemm(
    a: number,
    lda: number,
    wp: number,
    M: number,
    kc: number,
    N: number,
    out: number,
    ldo: number,
    acc: 0 | 1,
  ): void;
}

type GemmArgs = Parameters<WasmGemm['gemm']>;

/**
 * Waits until `control[index]` holds a value `done` accepts: polls for POLL_MS, then sleeps in
 * Atomics.wait; false if `limitMs` passes first.
 */
function awaitValue(control: Int32Array, index: number, done: (v: number) => boolean, limitMs = Infinity): boolean {
  const start = performance.now();
  for (let v = Atomics.load(control, index); !done(v); v = Atomics.load(control, index)) {
    const waited = performance.now() - start;
    if (waited >= limitMs) return false;
    if (waited > POLL_MS) Atomics.wait(control, index, v, limitMs === Infinity ? undefined : limitMs - waited);
  }
  return true;
}

/**
 * The helper's loop: runs each posted half of a call on `gemm` (an instance on the same shared
 * heap) and answers it, until `stopGemmHelper`. Blocks its thread: call it in a worker.
 */
export function serveGemm(gemm: WasmGemm, control: Int32Array): void {
  let seen = Atomics.load(control, REQUEST);
  Atomics.store(control, STATE, READY);
  for (;;) {
    awaitValue(control, REQUEST, (v) => v !== seen);
    if (Atomics.load(control, STATE) === STOPPED) return;
    seen = Atomics.load(control, REQUEST);
    const a = control.subarray(ARGS, ARGS + 9);
    gemm.gemm(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8] as 0 | 1);
    Atomics.store(control, DONE, seen);
    Atomics.notify(control, DONE);
  }
}

/** Tells the helper serving `control` to return from serveGemm. */
export function stopGemmHelper(control: Int32Array): void {
  Atomics.store(control, STATE, STOPPED);
  Atomics.add(control, REQUEST, 1);
  Atomics.notify(control, REQUEST);
}

/** Whether a helper is serving `control`. */
export const helperReady = (control: Int32Array) => Atomics.load(control, STATE) === READY;

/** How many calls have been posted to the helper through `control`. */
export const callsPosted = (control: Int32Array) => Atomics.load(control, REQUEST);

/**
 * `gemm` (an instance on the shared heap) with its calls split with the helper serving `control`
 * once it is ready; one thread before that, for small calls, and after the helper stops or dies
 * (no answer within `patienceMs`).
 */
export function pairedGemm(gemm: WasmGemm, control: Int32Array, patienceMs = PATIENCE_MS): WasmGemm {
  return {
    pack: (...args) => gemm.pack(...args),
    gemm: (...args: GemmArgs) => {
      const [, , , M, kc, N] = args;
      if (N < 16 || M < MIN_ROWS || M * kc * N < MIN_SPLIT || !helperReady(control)) return gemm.gemm(...args);
      split(gemm, control, args, callsPosted(control) + 1, patienceMs);
    },
  };
}

/** One call, the left panels here and the right ones on the helper; see pairedGemm. */
function split(gemm: WasmGemm, control: Int32Array, args: GemmArgs, call: number, patienceMs: number): void {
  const [a, lda, wp, M, kc, N, out, ldo, acc] = args;
  const left = Math.ceil(N / 16) * 8; // columns this thread takes: whole panels of 8
  const right: GemmArgs = [a, lda, wp + (left / 8) * kc * 32, M, kc, N - left, out + left * 4, ldo, acc];
  control.set(right, ARGS);
  Atomics.store(control, REQUEST, call);
  Atomics.notify(control, REQUEST);
  gemm.gemm(a, lda, wp, M, kc, left, out, ldo, acc);
  if (awaitValue(control, DONE, (v) => v === call, patienceMs)) return;
  Atomics.store(control, STATE, STOPPED); // no answer: stop using the helper, and do its half here
  gemm.gemm(...right);
}
