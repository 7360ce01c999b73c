/**
 * The "Punctuation and capitals" setting (default on): whether transcripts and dictation show and export
 * the punctuation model's display text. The engine always computes it (a few ms a sentence), so switching
 * it needs no new transcription; the choice is kept in this browser's storage and shared by every view.
 */
import { useCallback, useSyncExternalStore } from 'react';

const KEY = 'speech-studio.punctuation';
const listeners = new Set<() => void>();

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function read(): boolean {
  return storage()?.getItem(KEY) !== 'off';
}

let current = typeof window === 'undefined' ? true : read();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** [on, set]: the setting and a function that changes it (and remembers it). */
export function usePunctuationSetting(): [boolean, (on: boolean) => void] {
  const on = useSyncExternalStore(subscribe, () => current);
  const set = useCallback((value: boolean) => {
    current = value;
    try {
      storage()?.setItem(KEY, value ? 'on' : 'off');
    } catch {
      // Storage refused (private mode, quota): the choice holds until the page is reloaded.
    }
    for (const listener of listeners) listener();
  }, []);
  return [on, set];
}
