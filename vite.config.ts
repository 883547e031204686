/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

/**
 * Content-Security-Policy: the page may load and connect to its own origin only (no CDN, fonts or
 * analytics; every asset is bundled). 'wasm-unsafe-eval' lets h5wasm and TensorFlow.js compile WebAssembly;
 * blob: workers are allowed for libraries that spawn them. The same policy is sent by the dev server, the
 * preview server, and set as a <meta> tag in index.html for static hosting.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

const securityHeaders = {
  'Content-Security-Policy': contentSecurityPolicy,
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
};

export default defineConfig({
  server: { headers: securityHeaders },
  preview: { headers: securityHeaders },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 8000 },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
