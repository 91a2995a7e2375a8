import { CSPProvider } from '@cloudflare/kumo/primitives/csp-provider';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './app/App';
import { BASE_PATH } from './app/base-path';
import { SessionProvider } from './app/session';
import { applyTheme, initialTheme } from './app/theme';
import './styles.css';

applyTheme(initialTheme());

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    {/* The page's CSP forbids inline <style>: Base UI's one rule is in styles.css instead. */}
    <CSPProvider disableStyleElements>
      <BrowserRouter basename={BASE_PATH}>
        <SessionProvider>
          <App />
        </SessionProvider>
      </BrowserRouter>
    </CSPProvider>
  </StrictMode>,
);
