/**
 * File names are user data: they may hold newlines, terminal escape sequences or bidirectional
 * overrides. Printed raw on a terminal they forge lines or recolour the screen; used raw as an output
 * name they make files no one can type. Pure TypeScript, shared by the engine, the CLIs and the renderer.
 */

/** C0 and C1 controls, DEL, and the Unicode bidi / zero-width / line-separator format characters. */
const INVISIBLE = String.raw`\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff`;
const UNSAFE_FOR_DISPLAY = new RegExp(`[${INVISIBLE}]`, 'g');

/** A name to print: every control or invisible formatting character becomes a visible escape (`\n`, `\u001b`). */
export function displayName(name: string): string {
  return name.replace(UNSAFE_FOR_DISPLAY, (c) => {
    switch (c) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
}

/** Characters no output file name gets: the invisible ones, path separators, and what Windows forbids. */
const UNSAFE_FOR_FILE_NAME = new RegExp(`[${INVISIBLE}/\\\\:*?"<>|]`, 'g');

/**
 * A file name stem safe to create anywhere: unsafe characters become `_`, leading dots are dropped (no
 * hidden files, no `..`), and an empty result becomes `audio`. At most 200 characters.
 */
export function safeFileStem(stem: string): string {
  const cleaned = stem
    .replace(UNSAFE_FOR_FILE_NAME, '_')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  return cleaned.slice(0, 200) || 'audio';
}
