/**
 * The fused LSTM's WGSL and GLSL kernels, checked in the real browser through the worker: the
 * page's "Check the fused LSTM here" runs the cell kernels against the plain-JS maths and a small
 * model's gradients against tfjs' autodiff on the same backend.
 */
import { expect, test } from '@playwright/test';
import { forceBackend, openApp } from './helpers';

for (const backend of ['webgpu', 'webgl', 'wasm'] as const) {
  test(`the fused LSTM matches the autodiff reference on ${backend}`, async ({ page }) => {
    await openApp(page);
    await forceBackend(page, backend);
    await page.getByText('How the backend was chosen').click();
    await page.getByRole('button', { name: 'Check the fused LSTM here' }).click();
    const result = page.getByTestId('engine-check');
    await expect(result).toContainText('the reference', { timeout: 120_000 });
    await expect(result).toContainText(/^\s*Matches/);
    const [grads, , kernels, norm] = [...((await result.textContent()) ?? '').matchAll(/within (\d\.\de[+-]\d+)/g)].map(
      (m) => Number(m[1]),
    );
    expect(grads).toBeLessThan(1e-4);
    expect(kernels).toBeLessThan(1e-4);
    expect(norm).toBeLessThan(1e-4); // clipping's sum over the 2-layer model's 9 weights
  });
}
