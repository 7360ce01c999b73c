import { describe, expect, it } from 'vitest';
import { pushedStatus } from './pushed-status';

/** A request whose answer the test releases when it wants. */
function pending<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('pushedStatus', () => {
  it('shows an answer when no event came while it was on its way', async () => {
    const shown: number[] = [];
    const feed = pushedStatus<number>((s) => shown.push(s));
    feed.pushed(1); // before the request: does not hold back its answer
    expect(await feed.answer(() => Promise.resolve(2))).toBe(2);
    expect(shown).toEqual([1, 2]);
  });

  it('keeps an event that arrived before an older answer (the status read before a change)', async () => {
    const shown: string[] = [];
    const feed = pushedStatus<string>((s) => shown.push(s));
    const request = pending<string>();
    const answered = feed.answer(() => request.promise);
    feed.pushed('kept 1');
    request.resolve('kept 0');
    expect(await answered).toBe('kept 0');
    expect(shown).toEqual(['kept 1']);
  });

  it('judges each answer by the events after its own request', async () => {
    const shown: string[] = [];
    const feed = pushedStatus<string>((s) => shown.push(s));
    const first = pending<string>();
    const a = feed.answer(() => first.promise);
    feed.pushed('event');
    const b = feed.answer(() => Promise.resolve('after the event'));
    first.resolve('before the event');
    await Promise.all([a, b]);
    expect(shown).toEqual(['event', 'after the event']);
  });
});
