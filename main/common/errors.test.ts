import { describe, expect, it } from 'vitest';
import { HostError, toErrorInfo, unwrapReply } from './errors';

describe('toErrorInfo', () => {
  it('keeps a known code and the message', () => {
    expect(toErrorInfo(new HostError('UNKNOWN_FILE', 'no file with id f'))).toEqual({
      code: 'UNKNOWN_FILE',
      message: 'no file with id f',
    });
  });

  it('reports an unknown code (a Node system error) as the fallback, message kept', () => {
    const enoent = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    expect(toErrorInfo(enoent)).toEqual({ code: 'INTERNAL', message: 'ENOENT: no such file' });
    expect(toErrorInfo(enoent, 'ENGINE_ERROR').code).toBe('ENGINE_ERROR');
    expect(toErrorInfo('a string')).toEqual({ code: 'INTERNAL', message: 'a string' });
  });
});

describe('unwrapReply', () => {
  it('returns the result of a successful reply', () => {
    expect(unwrapReply({ ok: true, result: 42 })).toBe(42);
  });

  it('throws the error of a failed reply as a HostError', () => {
    expect(() => unwrapReply({ ok: false, error: { code: 'REFUSED', message: 'no' } })).toThrow(
      expect.objectContaining({ name: 'HostError', code: 'REFUSED', message: 'no' }),
    );
  });
});
