/** Renderer entry: connect to the host (Electron preload or browser bridge) and mount the studio. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from './api/client';
import { App } from './components/App';
import { Overlay } from './components/Overlay';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
try {
  const client = createClient();
  root.render(
    <StrictMode>
      {/* Electron's dictation overlay window loads the same page with #overlay. */}
      {location.hash === '#overlay' ? <Overlay client={client} /> : <App client={client} />}
    </StrictMode>,
  );
} catch (error) {
  // Without a host there is nothing to show but why.
  root.render(
    <div className="fatal" role="alert">
      <h1>Speech Studio cannot start</h1>
      <p>{error instanceof Error ? error.message : String(error)}</p>
    </div>,
  );
}
