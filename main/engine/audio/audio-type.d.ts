declare module 'audio-type' {
  /** Sniffs an audio container from its first bytes; undefined when unknown. */
  export default function audioType(buffer: Uint8Array): string | undefined;
}
