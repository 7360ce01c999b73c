/**
 * Dispatches the named app events (see app-event-types.ts). They cost nothing when nobody listens; the
 * engine state is also mirrored on `<html data-engine-state>`.
 */
import type { AppEvents } from './app-event-types';

export type { AppEvents } from './app-event-types';

export function emitAppEvent<K extends keyof AppEvents>(name: K, detail: AppEvents[K]): void {
  window.dispatchEvent(new CustomEvent(`studio:${name}`, { detail }));
}
