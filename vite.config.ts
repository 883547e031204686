/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite';

/**
 * Content-Security-Policy: the page may load and connect to its own origin only (no CDN, fonts or
 * analytics; every asset is bundled). 'wasm-unsafe-eval' lets h5wasm and TensorFlow.js compile WebAssembly;
 * blob: workers and scripts are allowed because the multi-threaded WebAssembly backend starts its threads as
 * workers from blob: URLs that the engine itself creates, and they load its glue code the same way (blob:
 * URLs can only be made by this origin's own scripts; nothing is fetched from elsewhere). The same policy is sent by the dev server, the
 * preview server, and set as a <meta> tag in index.html for static hosting.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

/**
 * Cross-origin isolation (COOP + COEP) gives the page SharedArrayBuffer, which the multi-threaded WebAssembly
 * backend needs. Every asset is same-origin, so `require-corp` blocks nothing. Static hosts must send the same
 * two headers (README, "Hosting"); without them the engine runs WebAssembly on one thread and says so.
 */
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const securityHeaders = {
  'Content-Security-Policy': contentSecurityPolicy,
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  ...isolationHeaders,
};

/**
 * tfjs-backend-wasm starts each WebAssembly thread as a worker that evaluates the source text of its module
 * factory (`factory.toString()`), away from the closure the factory was written in. The factory reads one
 * variable of that closure, `_scriptDir`, behind a `typeof` guard; the minifier turns the guard into a plain
 * comparison, which throws in the thread ("e is not defined") and stops the threaded backend. In a browser
 * `_scriptDir` is always undefined (no document.currentScript in a worker, no __filename), so the references
 * are replaced by that value before bundling.
 */
const wasmThreadsSelfContained: Plugin = {
  name: 'tfjs-wasm-threads-self-contained',
  transform(code, id) {
    if (!id.includes('tfjs-backend-wasm-threaded-simd.js')) return null;
    const out = code
      .replace('if(typeof _scriptDir !== "undefined" && _scriptDir){scriptDirectory=_scriptDir}', '')
      .replace('Module["mainScriptUrlOrBlob"]||_scriptDir', 'Module["mainScriptUrlOrBlob"]');
    if (
      /_scriptDir\b(?! =)/.test(
        out.replace(/var _scriptDir = [^;]*;|_scriptDir = _scriptDir \|\| __filename;/g, ''),
      )
    )
      this.error('tfjs-backend-wasm changed: its threaded factory still reads _scriptDir');
    return { code: out, map: null };
  },
};

export default defineConfig({
  server: { headers: securityHeaders },
  preview: { headers: securityHeaders },
  worker: { format: 'es', plugins: () => [wasmThreadsSelfContained] },
  build: { target: 'es2022', chunkSizeWarningLimit: 8000 },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
