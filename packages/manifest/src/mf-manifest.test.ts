import { describe, expect, it } from 'vitest';
import { containersFromMfManifest } from './mf-manifest.js';

const mf = {
  metaData: { name: 'auth', remoteEntry: { name: 'remoteEntry.js', path: '', type: 'commonjs-module' } },
  shared: [{ name: 'jsonwebtoken', version: '9.0.3', singleton: true, requiredVersion: '^9.0.0', assets: { js: { sync: ['vendors-jwt.js'], async: [] } } }],
  exposes: [{ path: './tokenValidator', assets: { js: { sync: ['expose-validator.js'], async: ['lazy.js'] } } }],
};

describe('containersFromMfManifest', () => {
  it('maps the entry, exposes (with their files) and shared packages of a webpack MF manifest', () => {
    expect(containersFromMfManifest(mf, 'node')).toEqual({
      target: 'node',
      name: 'auth',
      entry: 'remoteEntry.js',
      exposes: [{ name: './tokenValidator', files: ['expose-validator.js', 'lazy.js'] }],
      shared: [{ name: 'jsonwebtoken', version: '9.0.3', singleton: true, requiredVersion: '^9.0.0' }],
    });
  });

  it('places files under the container directory of the release', () => {
    const web = containersFromMfManifest(mf, 'web', 'web');
    expect(web.entry).toBe('web/remoteEntry.js');
    expect(web.exposes[0]?.files).toEqual(['web/expose-validator.js', 'web/lazy.js']);
  });

  it('refuses something that is not an MF manifest with a coded error', () => {
    expect(() => containersFromMfManifest({ hello: 1 }, 'node')).toThrow(expect.objectContaining({ code: 'MODMESH_REMOTE_MANIFEST_INVALID' }));
    expect(() => containersFromMfManifest({ ...mf, exposes: [{ path: './x', assets: { js: { sync: 'a.js' } } }] }, 'node')).toThrow(
      expect.objectContaining({ code: 'MODMESH_REMOTE_MANIFEST_INVALID' }),
    );
  });
});
