import { describe, expect, it } from 'vitest';
import { decidePermissionCheck, decidePermissionRequest, isAppUrl, isSafeExternalUrl } from './security';

const APP = 'app://studio/index.html';

describe('permission requests', () => {
  it('grants the microphone (audio only) to the app page', () => {
    expect(
      decidePermissionRequest('media', { requestingUrl: APP, isMainFrame: true, mediaTypes: ['audio'] }),
    ).toBe(true);
  });

  it('refuses the camera, and audio+video together', () => {
    expect(
      decidePermissionRequest('media', { requestingUrl: APP, isMainFrame: true, mediaTypes: ['video'] }),
    ).toBe(false);
    expect(
      decidePermissionRequest('media', {
        requestingUrl: APP,
        isMainFrame: true,
        mediaTypes: ['audio', 'video'],
      }),
    ).toBe(false);
    expect(decidePermissionRequest('media', { requestingUrl: APP, isMainFrame: true, mediaTypes: [] })).toBe(
      false,
    );
    expect(decidePermissionRequest('media', { requestingUrl: APP, isMainFrame: true })).toBe(false);
  });

  it('refuses audio to other origins and to sub-frames', () => {
    expect(
      decidePermissionRequest('media', { requestingUrl: 'https://evil.example/', mediaTypes: ['audio'] }),
    ).toBe(false);
    expect(decidePermissionRequest('media', { requestingUrl: 'file:///x.html', mediaTypes: ['audio'] })).toBe(
      false,
    );
    expect(
      decidePermissionRequest('media', { requestingUrl: 'app://other/index.html', mediaTypes: ['audio'] }),
    ).toBe(false);
    expect(
      decidePermissionRequest('media', { requestingUrl: APP, isMainFrame: false, mediaTypes: ['audio'] }),
    ).toBe(false);
    expect(decidePermissionRequest('media', { mediaTypes: ['audio'] })).toBe(false);
  });

  it('refuses every other permission, even to the app', () => {
    for (const permission of [
      'display-capture',
      'notifications',
      'geolocation',
      'clipboard-read',
      'hid',
      'usb',
      'serial',
      'midiSysex',
      'openExternal',
      'fullscreen',
      'unknown',
    ]) {
      expect(
        decidePermissionRequest(permission, { requestingUrl: APP, isMainFrame: true, mediaTypes: ['audio'] }),
        permission,
      ).toBe(false);
    }
  });

  it('applies the same policy to synchronous checks', () => {
    expect(decidePermissionCheck('media', 'app://studio', { mediaType: 'audio', isMainFrame: true })).toBe(
      true,
    );
    expect(decidePermissionCheck('media', 'app://studio', { mediaType: 'video', isMainFrame: true })).toBe(
      false,
    );
    expect(
      decidePermissionCheck('media', 'https://evil.example', { mediaType: 'audio', isMainFrame: true }),
    ).toBe(false);
    expect(decidePermissionCheck('notifications', 'app://studio', { isMainFrame: true })).toBe(false);
  });
});

describe('URLs', () => {
  it('recognises only app://studio as the app', () => {
    expect(isAppUrl(APP)).toBe(true);
    expect(isAppUrl('app://studio/assets/index.js')).toBe(true);
    expect(isAppUrl('app://evil/index.html')).toBe(false);
    expect(isAppUrl('https://studio/')).toBe(false);
    expect(isAppUrl('')).toBe(false);
    expect(isAppUrl(undefined)).toBe(false);
  });

  it('opens only well-formed https links externally', () => {
    expect(isSafeExternalUrl('https://github.com/')).toBe(true);
    expect(isSafeExternalUrl('http://github.com/')).toBe(false);
    expect(isSafeExternalUrl('file:///etc/passwd')).toBe(false);
    expect(isSafeExternalUrl('javascript:alert(1)')).toBe(false);
    expect(isSafeExternalUrl('smb://server/share')).toBe(false);
    expect(isSafeExternalUrl('https://user:pass@example.com/')).toBe(false);
    expect(isSafeExternalUrl('not a url')).toBe(false);
  });
});
