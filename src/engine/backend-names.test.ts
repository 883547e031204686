/** Display names of the compute backends (backend-names.ts). */
import { describe, expect, it } from 'vitest';
import { backendLabel } from './backend-names.ts';

describe('backend names (backend-names.ts)', () => {
  it('labels every backend', () => {
    expect(backendLabel('webgpu')).toBe('WebGPU');
    expect(backendLabel('webgl')).toBe('WebGL');
    expect(backendLabel('wasm')).toBe('WebAssembly');
    expect(backendLabel('cpu')).toBe('CPU (JavaScript)');
  });
});
