/**
 * Picks the host: Electron's preload API (`window.studio`) when present, else the browser bridge. The
 * rest of the renderer only sees StudioApi and cannot tell them apart.
 */
import type { StudioApi } from '../../../main/common/ipc-contract';
import { createBridgeClient } from './bridge-client';

declare global {
  interface Window {
    /** Exposed by the Electron preload (preload/index.ts); absent in a browser. */
    readonly studio?: StudioApi;
  }
}

export function createClient(): StudioApi {
  return window.studio ?? createBridgeClient();
}
