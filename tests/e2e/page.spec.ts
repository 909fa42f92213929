import { expect, test } from '@playwright/test';
import { openApp } from './helpers';

test('makes no third-party requests: everything comes from the page origin', async ({ page, baseURL }) => {
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  await openApp(page);
  await page.getByRole('button', { name: 'Train', exact: true }).focus();
  const origin = new URL(baseURL!).origin;
  expect(urls.length).toBeGreaterThan(3);
  expect(urls.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'))).toEqual([]);
});

test('works on a phone: one column, no sideways scrolling, controls reachable by keyboard', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  await openApp(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  // Keyboard: Tab from the top reaches the Train button (not the Train view's tab).
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(
      () =>
        document.activeElement?.textContent?.trim() === 'Train' &&
        document.activeElement.getAttribute('role') !== 'tab',
    );
  }
  expect(reached).toBe(true);
  await context.close();
});
