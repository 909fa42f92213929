/**
 * tfjs' Adam with its update fused: one AdamUpdate kernel per variable (clipping's rescale folded
 * in) instead of ~12. It keeps tfjs' slots, names and order (`iter`, then every `<var>/m`, then
 * every `<var>/v`), so checkpoints written by either load in the other.
 */
import * as tf from '@tensorflow/tfjs';
import { adamUpdate } from './kernels/adam';

type Slot = { originalName: string; variable: tf.Variable };

/** The parts of AdamOptimizer this class works with (private in its typings). */
interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  iterations_: number;
  accumulatedFirstMoment: Slot[];
  accumulatedSecondMoment: Slot[];
  incrementIterations(): void;
}

/** Whether an optimizer is a FusedAdam (tfjs' Optimizer redefines instanceof: every optimizer passes it). */
export function isFusedAdam(o: tf.Optimizer): o is FusedAdam {
  return typeof (o as Partial<FusedAdam>).applyScaled === 'function';
}

export class FusedAdam extends tf.AdamOptimizer {
  override applyGradients(grads: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]): void {
    const map = Array.isArray(grads) ? Object.fromEntries(grads.map((g) => [g.name, g.tensor])) : grads;
    const one = tf.scalar(1);
    this.applyScaled(map, one);
    one.dispose();
  }

  /**
   * Applies `grads` multiplied by `scale` (a scalar on the device: gradient clipping's factor).
   * With a `layout` (every trainable variable's name in the model's order, and a rate multiplier
   * for each), `grads` may cover only some of them: slots exist for all, in that order, so
   * checkpoints keep one layout however many layers are frozen.
   */
  applyScaled(grads: tf.NamedTensorMap, scale: tf.Scalar, layout?: { names: string[]; rates: number[] }): void {
    const self = this as unknown as AdamInternals;
    const t = (self.iterations_ ?? 0) + 1;
    const names = layout?.names ?? Object.keys(grads);
    const first = (self.accumulatedFirstMoment ??= []);
    const second = (self.accumulatedSecondMoment ??= []);
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        const slot = (list: Slot[], suffix: string) =>
          (list[i] ??= {
            originalName: `${name}/${suffix}`,
            variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
          }).variable;
        const m = slot(first, 'm');
        const v = slot(second, 'v');
        if (!grads[name]) return; // frozen this step
        // One step count for all (tfjs keeps one): a layer unfrozen late starts with small updates.
        const next = adamUpdate(value, m, v, grads[name], scale, {
          lr: self.learningRate * (layout?.rates[i] ?? 1),
          beta1: self.beta1,
          beta2: self.beta2,
          epsilon: self.epsilon,
          c1: 1 - self.beta1 ** t,
          c2: 1 - self.beta2 ** t,
        });
        value.assign(next.x);
        m.assign(next.m);
        v.assign(next.v);
      });
    });
    self.incrementIterations();
  }
}
