/**
 * Privacy: while data is loaded the page (and its worker) requests nothing outside its own origin, no
 * WebSocket is opened, the CSP is sent and matches the <meta> tag, and a cross-origin fetch is blocked.
 */
import { expect, test } from '@playwright/test';
import { openPage, tenxV3Dir, waitForDataset } from './helpers.ts';

test('nothing leaves the page origin', async ({ page, context, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  const requests: string[] = [];
  const sockets: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  page.on('websocket', (ws) => sockets.push(ws.url()));
  page.on('worker', (w) => requests.push(w.url()));

  const response = await page.goto('/');
  const csp = response?.headers()['content-security-policy'];
  expect(csp).toBeTruthy();
  expect(csp).toContain("connect-src 'self'");
  const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(meta).toBe(csp);
  await openPage(page);

  await page.getByRole('button', { name: 'Load the example dataset' }).click();
  await waitForDataset(page, 'goolam');
  await page.getByTestId('folder-input').setInputFiles(tenxV3Dir);
  await waitForDataset(page, /filtered_feature_bc_matrix|matrix/);
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', /.+/, { timeout: 90_000 });

  expect(requests.length).toBeGreaterThan(3);
  expect(requests.some((u) => u.includes('/example/goolam-counts.csv.gzip'))).toBe(true);
  const foreign = requests.filter((u) => {
    if (u.startsWith('blob:') || u.startsWith('data:')) return false;
    return new URL(u).origin !== origin;
  });
  console.log(`${requests.length} requests, all to ${origin}`);
  expect(foreign).toEqual([]);
  expect(sockets).toEqual([]);

  const outcome = await page.evaluate(async () => {
    const violation = new Promise<{ directive: string; blocked: string } | null>((resolve) => {
      document.addEventListener(
        'securitypolicyviolation',
        (e) => resolve({ directive: e.violatedDirective, blocked: e.blockedURI }),
        { once: true },
      );
      setTimeout(() => resolve(null), 5000);
    });
    let rejected = false;
    try {
      await fetch('http://example.invalid/collect');
    } catch {
      rejected = true;
    }
    return { rejected, violation: await violation };
  });
  expect(outcome.rejected).toBe(true);
  expect(outcome.violation?.directive).toBe('connect-src');
  expect(outcome.violation?.blocked).toContain('example.invalid');
});
