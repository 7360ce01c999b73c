/** Pure helpers of the dictation view (kept apart from the component so they are unit-tested). */

/** The start/stop shortcut: Ctrl+Shift+Space (Cmd+Shift+Space on macOS). */
export function isDictationShortcut(
  event: Pick<KeyboardEvent, 'code' | 'shiftKey' | 'ctrlKey' | 'metaKey' | 'altKey'>,
): boolean {
  return event.code === 'Space' && event.shiftKey && (event.ctrlKey || event.metaKey) && !event.altKey;
}

/** A partial result as shown: the settled words, and the unstable tail that may still change. */
export function partialParts(
  words: readonly string[],
  stableWords: number,
): { stable: string; tail: string } {
  const settled = Math.max(0, Math.min(stableWords, words.length));
  return { stable: words.slice(0, settled).join(' '), tail: words.slice(settled).join(' ') };
}
