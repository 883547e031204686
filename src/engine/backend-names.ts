/** Names of the compute backends as the page and the engine's notes show them. */
import type { BackendName } from './contract.ts';

const BACKEND_NAMES: Record<BackendName, string> = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WebAssembly',
  cpu: 'CPU (JavaScript)',
};

export function backendLabel(name: BackendName): string {
  return BACKEND_NAMES[name];
}
