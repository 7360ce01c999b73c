/**
 * Boost lists: the words and phrases the beam decoder favours (names, jargon). One reading for all of
 * them: the CLI's `--boost FILE`, the studio's vocabulary as typed or loaded, and what the host saves.
 */

/**
 * The phrases of a list, one per entry: trimmed, inner whitespace collapsed; blank entries, comments
 * (starting with `#`) and repeats dropped, first occurrence kept.
 */
export function boostPhrases(lines: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const line of lines) {
    const phrase = line.trim().replace(/\s+/g, ' ');
    if (phrase && !phrase.startsWith('#')) seen.add(phrase);
  }
  return [...seen];
}

/** A boost list's text: one word or phrase per line (see boostPhrases). */
export function parseBoostList(text: string): string[] {
  return boostPhrases(text.split(/\r?\n/));
}
