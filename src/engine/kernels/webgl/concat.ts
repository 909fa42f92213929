/**
 * WebGL's Concat along the outermost axis (tf.stack of a sequence's steps, and the concat of the
 * initial state with the previous h's) as framebuffer blits, one per input, instead of tfjs'
 * concat programs: those run a fragment per output value that tests which input it lies in, far
 * slower than touching each value once (tests/bench/RESULTS.md, "WebGL: stacking by blits, and the
 * packed step"). A blit copies texels and runs no shader.
 *
 * A tensor's texture holds its values as one run of texels, row after row (unpacked: one value a
 * texel; packed: 2×2 blocks of the two innermost axes, batch after batch). Stacking along an outer
 * axis puts the inputs' runs end to end, so where every input fills whole rows of a texture as wide
 * as the output's, each is one rectangle copied to the rows below the last. Anything else (a
 * partial row, a packed concat inside the innermost two axes, WebGL 1) keeps tfjs' kernel.
 * Reaches into tfjs-backend-webgl 4.22's backend (public in its JavaScript) as its kernels do.
 */
import * as tf from '@tensorflow/tfjs';
import { registerOuterConcat, sizeOf, type OuterConcat, type OuterJoin } from '../concat-outer';

interface TexData {
  texture?: { texture: WebGLTexture; texShape: [number, number] } | null;
  texShape?: [number, number] | null;
  isPacked?: boolean;
  slice?: unknown;
  shape: number[]; // as the texture was written: a packed reshape may not have moved the texels
}

/** The parts of tfjs-backend-webgl's backend a blit needs. */
interface Internals {
  texData: { get(id: unknown): TexData };
  gpgpu: { gl: WebGLRenderingContext | WebGL2RenderingContext; framebuffer: WebGLFramebuffer };
  uploadToGPU(id: unknown): void;
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeIntermediateTensorInfo(x: tf.TensorInfo): void;
}

/** Texels a tensor of `shape` fills: one per value, or one per 2×2 block of its two innermost axes. */
function texels(shape: number[], packed: boolean): number {
  if (!packed) return sizeOf(shape);
  const [r, c] = [shape.at(-2) ?? 1, shape.at(-1) ?? 1];
  return (sizeOf(shape) / (r * c)) * Math.ceil(r / 2) * Math.ceil(c / 2);
}

/** A texture's width in texels. */
const width = (d: TexData, packed: boolean) => (packed ? Math.ceil(d.texShape![1] / 2) : d.texShape![1]);

let framebuffers: { gl: WebGL2RenderingContext; read: WebGLFramebuffer; draw: WebGLFramebuffer } | null = null;

function blitFramebuffers(gl: WebGL2RenderingContext) {
  if (framebuffers?.gl !== gl) framebuffers = { gl, read: gl.createFramebuffer()!, draw: gl.createFramebuffer()! };
  return framebuffers;
}

/** Copies `rows` texel rows of `source` to rows from `at` of `target` (both `w` texels wide). */
function blitRows(gl: WebGL2RenderingContext, source: WebGLTexture, at: number, rows: number, w: number) {
  gl.framebufferTexture2D(gl.READ_FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, source, 0);
  gl.blitFramebuffer(0, 0, w, rows, 0, at, w, at + rows, gl.COLOR_BUFFER_BIT, gl.NEAREST);
}

/**
 * Where the inputs fill whole rows of textures as wide as the output's: their texture data, each
 * one's rows and the output's texture. Null where they do not line up. Packed textures line up
 * only when the axis is outside their 2×2 blocks (a rank ≥ 3 output, not its two innermost axes).
 */
function lineUp(xs: tf.TensorInfo[], { shape, rank, axis }: OuterConcat, backend: Internals) {
  xs.forEach((x) => backend.uploadToGPU(x.dataId));
  const data = xs.map((x) => backend.texData.get(x.dataId));
  const packed = !!data[0].isPacked;
  if (packed && axis >= rank - 2) return null;
  if (data.some((d) => !!d.isPacked !== packed || d.slice || !d.texture || !d.texShape)) return null;
  const inner = (s: number[]) => `${s.at(-2)},${s.at(-1)}`;
  if (packed && xs.some((x, i) => inner(x.shape) !== inner(data[i].shape))) return null;
  const out = backend.makeTensorInfo(shape, xs[0].dtype);
  const outData = backend.texData.get(out.dataId);
  outData.isPacked = packed;
  backend.uploadToGPU(out.dataId);
  const w = width(outData, packed);
  const rows = xs.map((x) => texels(x.shape, packed) / w);
  if (data.some((d) => width(d, packed) !== w) || !rows.every(Number.isInteger)) {
    backend.disposeIntermediateTensorInfo(out);
    return null;
  }
  return { data, rows, w, out, target: outData.texture!.texture };
}

/** The inputs blitted end to end into a new tensor; null where their textures do not line up. */
const blitConcat: OuterJoin = (xs, at, backend) => {
  const b = backend as unknown as Internals;
  const gl = b.gpgpu.gl;
  if (typeof WebGL2RenderingContext === 'undefined' || !(gl instanceof WebGL2RenderingContext)) return null;
  const lined = lineUp(xs, at, b);
  if (!lined) return null;
  const { read, draw } = blitFramebuffers(gl);
  const scissor = gl.isEnabled(gl.SCISSOR_TEST);
  gl.disable(gl.SCISSOR_TEST);
  gl.bindFramebuffer(gl.READ_FRAMEBUFFER, read);
  gl.bindFramebuffer(gl.DRAW_FRAMEBUFFER, draw);
  gl.framebufferTexture2D(gl.DRAW_FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, lined.target, 0);
  let row = 0;
  lined.data.forEach((d, i) => {
    blitRows(gl, d.texture!.texture, row, lined.rows[i], lined.w);
    row += lined.rows[i];
  });
  gl.framebufferTexture2D(gl.READ_FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, null, 0);
  gl.framebufferTexture2D(gl.DRAW_FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, null, 0);
  gl.bindFramebuffer(gl.FRAMEBUFFER, b.gpgpu.framebuffer); // as tfjs left it
  if (scissor) gl.enable(gl.SCISSOR_TEST);
  return lined.out;
};

/** Replaces WebGL's Concat and Pack, once: outermost-axis ones blit, the rest keep tfjs' programs. */
export const registerBlitConcat = () => registerOuterConcat('webgl', blitConcat);
