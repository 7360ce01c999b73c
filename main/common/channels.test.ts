import { describe, expect, it } from 'vitest';
import { channelRows, isServiceChannel, STUDIO_CHANNELS } from './channels';

describe('the channel table', () => {
  it('gives every method a channel of its own', () => {
    const channels = Object.values(STUDIO_CHANNELS).map((spec) => spec.channel);
    expect(new Set(channels).size).toBe(channels.length);
  });

  it('lists rows by kind, in table order', () => {
    const events = channelRows('event');
    expect(events).toEqual([{ method: 'onEvent', channel: 'studio:event', kind: 'event' }]);
    const invokes = channelRows('service', 'native');
    expect(invokes.map((row) => row.method)).toEqual(
      Object.keys(STUDIO_CHANNELS).filter((m) => m !== 'onEvent' && m !== 'sendDictationAudio'),
    );
  });

  it('tells the channels the bridge serves from those the page answers itself', () => {
    expect(isServiceChannel('studio:transcribe')).toBe(true);
    expect(isServiceChannel('studio:open-files')).toBe(false); // a native dialog in Electron
    expect(isServiceChannel('studio:dictation-audio')).toBe(false); // a send, on the socket
    expect(isServiceChannel('studio:nonsense')).toBe(false);
    expect(isServiceChannel('toString')).toBe(false);
  });
});
