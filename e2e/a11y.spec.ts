/**
 * Keyboard use and labelling: the example is loaded, a preset chosen and the parameters edited with the
 * keyboard alone; axe-core (WCAG 2 A/AA rules) finds no unlabelled control, missing text alternative or
 * contrast problem on the page. The results views are checked the same way at the end of run.spec.ts.
 */
import { expect, test, type Page } from '@playwright/test';
import { expectNoAxeViolations, openPage, waitForDataset } from './helpers.ts';

/** Press Tab until the focused element matches, as a keyboard user would (fails after `max` presses). */
async function tabTo(
  page: Page,
  matches: (el: { tag: string; text: string; label: string }) => boolean,
  max = 60,
) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const el = await page.evaluate(() => {
      const a = document.activeElement as HTMLElement | null;
      return {
        tag: a?.tagName.toLowerCase() ?? '',
        text: (a?.textContent ?? '').trim(),
        label:
          a?.getAttribute('aria-label') ??
          (a as HTMLInputElement | null)?.labels?.[0]?.textContent?.trim() ??
          '',
      };
    });
    if (matches(el)) return;
  }
  throw new Error('the element was not reached with Tab');
}

test('the page is usable by keyboard and its controls are labelled', async ({ page }) => {
  await openPage(page);
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', /.+/, { timeout: 60_000 });
  await expectNoAxeViolations(page);

  await tabTo(page, (el) => el.tag === 'button' && el.text === 'Load the example dataset');
  await page.keyboard.press('Enter');
  await waitForDataset(page, 'goolam');

  // Preprocessing: a number field edited by keyboard.
  await tabTo(page, (el) => el.tag === 'input' && el.label.startsWith('Number of top variable genes'));
  await page.keyboard.press('Control+A');
  await page.keyboard.type('300');
  await expect(page.getByLabel('Number of top variable genes')).toHaveValue('300');

  // Presets are a radio group: arrow keys move the choice.
  await tabTo(page, (el) => el.tag === 'input' && el.label === 'scGNN Web defaults');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByLabel('Quick look')).toBeChecked();
  await expect(page.getByText(/Short training/)).toBeVisible();

  // The seed and the Run button are reachable in order.
  await tabTo(page, (el) => el.tag === 'input' && el.label === 'Seed');
  await tabTo(page, (el) => el.tag === 'button' && el.text === 'Run', 4);

  await expectNoAxeViolations(page);
});
