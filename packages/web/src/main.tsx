import 'nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css';
import './app/app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { restoreSession } from './auth/session.ts';

document.body.classList.add('js-enabled', 'nhsuk-frontend-supported');

const root = createRoot(document.getElementById('root')!);
restoreSession()
  .catch(() => undefined)
  .finally(() =>
    root.render(
      <StrictMode>
        <App />
      </StrictMode>,
    ),
  );
