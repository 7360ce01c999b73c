/**
 * A vocabulary as typed or loaded, read like the CLI's `--boost` file: one word or phrase per line, lines
 * starting with `#` are comments; whitespace is collapsed; blank lines and repeats are dropped.
 */
export function parseVocabulary(text: string): string[] {
  const seen = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const phrase = line.trim().replace(/\s+/g, ' ');
    if (phrase && !phrase.startsWith('#')) seen.add(phrase);
  }
  return [...seen];
}
