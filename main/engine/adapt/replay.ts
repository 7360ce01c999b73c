/**
 * Which earlier corrections a learning round trains on again. Its own module, free of tfjs: the host
 * (in Electron's main process, where the engine must not be loaded) picks the same sample to send.
 */

/** `n` of `items` (all when there are fewer), evenly spread from the first to the last. */
export function evenlySpread<T>(items: readonly T[], n: number): T[] {
  const count = Math.min(n, items.length);
  return Array.from({ length: count }, (_, i) => items[Math.floor(((i + 0.5) * items.length) / count)]);
}
