/**
 * Trust decisions for the Electron shell, as pure functions so they are unit-tested without Electron:
 * which URLs are the app, which links may open in the system browser, which permission requests are
 * granted (microphone audio for the app's own page, nothing else).
 */

/** The renderer's origin: the privileged `app://` scheme with a fixed host. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'studio';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

function parse(url: string | undefined | null): URL | null {
  if (!url) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True for URLs of the app's own page and assets (app://studio/…). */
export function isAppUrl(url: string | undefined | null): boolean {
  const parsed = parse(url);
  return parsed !== null && parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
}

/** Links that may be handed to the OS browser: well-formed https URLs without credentials, nothing else. */
export function isSafeExternalUrl(url: string): boolean {
  const parsed = parse(url);
  return (
    parsed !== null &&
    parsed.protocol === 'https:' &&
    parsed.hostname !== '' &&
    !parsed.username &&
    !parsed.password
  );
}

export interface PermissionRequestInfo {
  /** The URL of the frame asking. */
  requestingUrl?: string;
  isMainFrame?: boolean;
  /** For `media` requests: the devices wanted. */
  mediaTypes?: readonly string[];
}

/**
 * Electron grants every permission unless told otherwise. We grant exactly one: `media` for audio
 * alone (the microphone for dictation), asked by the app's own main frame. Camera, screen capture,
 * notifications, geolocation, HID/USB/serial, clipboard reads… are all refused.
 */
export function decidePermissionRequest(permission: string, info: PermissionRequestInfo): boolean {
  if (permission !== 'media') return false;
  if (!isAppUrl(info.requestingUrl) || info.isMainFrame === false) return false;
  const types = info.mediaTypes ?? [];
  return types.length > 0 && types.every((t) => t === 'audio');
}

/** The synchronous permission check (e.g. before enumerating devices): the same policy. */
export function decidePermissionCheck(
  permission: string,
  requestingOrigin: string,
  info: { mediaType?: string; isMainFrame?: boolean },
): boolean {
  if (permission !== 'media') return false;
  if (!isAppUrl(requestingOrigin) || info.isMainFrame === false) return false;
  return info.mediaType === 'audio';
}
