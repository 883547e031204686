/**
 * The cell graph view at 100,000 cells (issue 12 item 4) without running the pipeline: starts the Vite dev
 * server, opens the test-only page bench/view.html in headless Chromium (WebGL on SwiftShader, a CPU
 * renderer) and prints, per phase, its wall time and the longest main-thread task (PerformanceObserver
 * 'longtask'). Usage: npx tsx scripts/bench-view.ts [nCells]
 */
import { spawn } from 'node:child_process';
import { chromium } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../e2e/chromium.ts';

const n = Number(process.argv[2] ?? 100_000);
const port = 4181;
// In a process group of its own, so that stopping it also stops the vite process npx starts (a plain kill of
// npx left that server running, and the next benchmark on this port talked to it).
const server = spawn('npx', ['vite', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
  stdio: 'ignore',
  detached: true,
});
const stopServer = (): void => {
  try {
    process.kill(-server.pid!, 'SIGTERM');
  } catch {
    // already gone
  }
};
process.on('SIGINT', () => {
  stopServer();
  process.exit(130);
});
const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  for (let i = 0; ; i++) {
    try {
      await page.goto(`http://127.0.0.1:${port}/bench/view.html?n=${n}`);
      break;
    } catch (e) {
      if (i > 60) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  await page.waitForFunction(
    () => (window as unknown as { __viewBench?: { done: boolean } }).__viewBench?.done,
    null,
    {
      timeout: 170_000,
      polling: 1000,
    },
  );
  const result = await page.evaluate(() => (window as unknown as { __viewBench: unknown }).__viewBench);
  console.log(JSON.stringify(result, null, 2));
} finally {
  await browser.close();
  stopServer();
}
