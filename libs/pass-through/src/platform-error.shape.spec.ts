import { PassThroughError, PassThroughErrorCode } from './pass-through.errors';
import { PlatformErrorShape, renderPassThroughError } from './platform-error.shape';

describe('renderPassThroughError', () => {
  const revoked = new PassThroughError(410, 'installation_revoked', 'installation x was revoked', { 'x-extra': '1' });

  it('a platform supplies only its shape: the status defaults to the error’s, the code and headers are always added', () => {
    const sentryLike: PlatformErrorShape = { body: (error) => ({ detail: error.message }) };
    expect(renderPassThroughError(revoked, sentryLike)).toEqual({
      status: 410,
      headers: { 'x-extra': '1' },
      body: { detail: 'installation x was revoked', code: 'installation_revoked' },
    });
  });

  it('a shape may choose another status and sees the context', () => {
    const shape: PlatformErrorShape = { status: () => 200, body: (error, context) => ({ ok: false, at: context.appBaseUrl, error: error.code }) };
    expect(renderPassThroughError(revoked, shape, { appBaseUrl: 'https://api.example.com' })).toMatchObject({
      status: 200,
      body: { ok: false, at: 'https://api.example.com', error: 'installation_revoked', code: 'installation_revoked' },
    });
  });

  it('the shape cannot drop or replace the machine-readable code', () => {
    const sloppy: PlatformErrorShape = { body: () => ({ code: 'something_else' }) };
    const codes: PassThroughErrorCode[] = ['service_key_required', 'installation_id_conflict', 'body_too_large'];
    for (const code of codes) expect(renderPassThroughError(new PassThroughError(400, code, 'm'), sloppy).body['code']).toBe(code);
  });
});
