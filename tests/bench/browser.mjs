// Debian's Chromium as the benches launch it: WebGPU on its software adapter, nothing downloaded.
import { chromium } from '@playwright/test';

export const launchChromium = () =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--enable-unsafe-webgpu',
      '--enable-unsafe-swiftshader',
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
