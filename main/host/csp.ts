/**
 * The renderer's Content-Security-Policy, one definition for Electron's `app://` protocol and the
 * browser bridge. Scripts only from the app itself (no inline, no eval); `'unsafe-inline'` styles
 * because wavesurfer.js writes a <style> element into its shadow root; `blob:` media because
 * wavesurfer plays the fetched audio from a blob URL.
 */
export function contentSecurityPolicy(options: { connect?: readonly string[] } = {}): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    `connect-src ${["'self'", ...(options.connect ?? [])].join(' ')}`,
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
