export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'userflare-dashboard-theme';

/** The theme chosen before, else the system's. Kumo reads `data-mode` on the root element. */
export function initialTheme(): Theme {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored === 'light' || stored === 'dark') return stored;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.mode = theme;
  document.documentElement.style.colorScheme = theme;
  localStorage.setItem(STORAGE_KEY, theme);
}
