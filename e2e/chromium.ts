/**
 * How the browser tests and scripts start Chromium: the system's binary (Debian's package ships SwiftShader, a
 * CPU Vulkan, so WebGPU works headless without a GPU) and the flags that turn WebGPU on and keep Chromium off the
 * network. Shared by playwright.config.ts and scripts/screenshots.ts.
 */
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const chromiumArgs = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
