/**
 * The dictation shortcut (Ctrl/Cmd+Shift+Space): pressed in the window, or — Electron registers it
 * system-wide — in any application. `onShortcut` null listens to neither.
 */
import { useEffect } from 'react';
import type { StudioApi } from '../../../main/common/ipc-contract';
import { isDictationShortcut } from '../state/dictation';

export function useDictationShortcut(client: StudioApi, onShortcut: (() => void) | null): void {
  useEffect(() => {
    if (!onShortcut) return;
    const onKey = (event: KeyboardEvent) => {
      if (!isDictationShortcut(event)) return;
      event.preventDefault();
      onShortcut();
    };
    window.addEventListener('keydown', onKey);
    const unsubscribe = client.onEvent((event) => {
      if (event.type === 'shortcut' && event.action === 'toggle-dictation') onShortcut();
    });
    return () => {
      window.removeEventListener('keydown', onKey);
      unsubscribe();
    };
  }, [client, onShortcut]);
}
