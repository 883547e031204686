// Stops the browser tests early, with the exact install command, when Chromium is missing.
import { existsSync } from 'node:fs';

const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(path)) {
  console.error(
    `Chromium was not found at ${path}. The browser tests need Debian's Chromium (WebGPU via SwiftShader).`,
  );
  console.error('Install it with:\n\n  sudo apt-get update && sudo apt-get install -y chromium\n');
  console.error('(or set CHROMIUM_PATH to a Chromium/Chrome binary).');
  process.exit(1);
}
