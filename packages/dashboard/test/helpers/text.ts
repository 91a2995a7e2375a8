import type { Locator } from 'playwright-core';

/** The element's text, trimmed. */
export const text = async (target: Locator): Promise<string> => ((await target.textContent()) ?? '').trim();
