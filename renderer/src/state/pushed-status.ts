/**
 * A status the host both pushes (an event after every change) and gives as the answer to requests. An
 * answer can describe an older state than an event that reached the page before it: the voice profile,
 * opened while a correction was being kept, asked for the status, the host announced "kept 1", and the
 * answer read before the correction ("kept 0") arrived last and stayed on screen. So an answer is shown
 * only when no event arrived after its request was sent; the events carry every later change.
 */
export interface PushedStatus<T> {
  /** An event's status: always shown. */
  pushed(status: T): void;
  /** Sends a request; its answer is shown unless an event arrived meanwhile. Resolves to the answer. */
  answer(request: () => Promise<T>): Promise<T>;
}

export function pushedStatus<T>(show: (status: T) => void): PushedStatus<T> {
  let events = 0;
  return {
    pushed(status) {
      events += 1;
      show(status);
    },
    async answer(request) {
      const before = events;
      const status = await request();
      if (events === before) show(status);
      return status;
    },
  };
}
