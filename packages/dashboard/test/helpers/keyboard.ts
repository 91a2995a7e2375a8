import type { Locator, Page } from 'playwright-core';

/** Whether `target` has the focus. */
export const isFocused = (target: Locator): Promise<boolean> =>
  target.evaluate((element) => element === document.activeElement);

/** Presses Tab, at most `limit` times, until `target` has the focus: the keyboard alone reaches it. */
export async function tabTo(page: Page, target: Locator, limit = 120): Promise<void> {
  for (let presses = 0; ; presses++) {
    if (await isFocused(target)) return;
    if (presses === limit) throw new Error(`Tab did not reach the element in ${limit} presses`);
    await page.keyboard.press('Tab');
  }
}
