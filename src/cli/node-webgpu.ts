/**
 * WebGPU in Node through Dawn (the `webgpu` package), so the GPU path can be run and timed headless:
 * `npm run scgnn -- ... --backend webgpu`.
 *
 * Dawn reaches the GPU through Vulkan. On a machine with a GPU driver the system's Vulkan loader finds it. On
 * a machine without one, Chromium's SwiftShader (a CPU Vulkan, shipped by Debian's `chromium` package with
 * its own loader) can stand in: the loader must be on the library path when the process starts, so the CLI
 * starts itself again with `LD_LIBRARY_PATH` and `VK_ICD_FILENAMES` set (`vulkanRelaunchEnv`).
 */
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const CHROMIUM_DIR = '/usr/lib/chromium';
const SWIFTSHADER_ICD = `${CHROMIUM_DIR}/vk_swiftshader_icd.json`;
/** Set in the relaunched process, so it never relaunches again. */
const RELAUNCHED = 'SCGNN_VULKAN_RELAUNCHED';

function systemHasVulkanLoader(): boolean {
  try {
    return /libvulkan\.so\.1\b/.test(execFileSync('/sbin/ldconfig', ['-p'], { encoding: 'utf8' }));
  } catch {
    return ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'].some((d) =>
      existsSync(`${d}/libvulkan.so.1`),
    );
  }
}

/**
 * The environment to start this process again with so that Dawn finds a Vulkan loader and driver, or null
 * when none is needed (a system loader exists, this is not Linux, or this is already the relaunch) or none
 * is at hand.
 */
export function vulkanRelaunchEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv | null {
  if (process.platform !== 'linux' || env[RELAUNCHED]) return null;
  if (systemHasVulkanLoader()) return null;
  if (!existsSync(`${CHROMIUM_DIR}/libvulkan.so.1`) || !existsSync(SWIFTSHADER_ICD)) return null;
  return {
    ...env,
    [RELAUNCHED]: '1',
    LD_LIBRARY_PATH: [CHROMIUM_DIR, env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
    VK_ICD_FILENAMES: env.VK_ICD_FILENAMES ?? SWIFTSHADER_ICD,
  };
}

/**
 * Expose Dawn as `navigator.gpu` and register TensorFlow.js's WebGPU backend (which registers itself only
 * where `navigator.gpu` exists when it is first imported). Throws with a readable message where Dawn cannot
 * start.
 */
export async function installNodeWebgpu(): Promise<void> {
  if ((globalThis.navigator as Navigator | undefined)?.gpu) {
    await import('@tensorflow/tfjs-backend-webgpu');
    return;
  }
  let dawn: { create(flags: string[]): GPU; globals: Record<string, unknown> };
  try {
    dawn = (await import('webgpu')) as unknown as typeof dawn;
  } catch (e) {
    throw new Error(`WebGPU for Node (the "webgpu" package) could not be loaded: ${(e as Error).message}`, {
      cause: e,
    });
  }
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  await import('@tensorflow/tfjs-backend-webgpu');
}
