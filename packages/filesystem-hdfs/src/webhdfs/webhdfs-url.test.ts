import { describe, expect, it } from 'vitest';
import { buildWebHdfsUrl, encodeHdfsPath, redactSecret, redactUrl } from './webhdfs-url.js';

describe('WebHDFS URLs', () => {
  it('builds the NameNode URL with op, params and user.name', () => {
    const url = buildWebHdfsUrl({
      baseUrl: 'http://nn:9870',
      path: '/data/a b/c%d',
      op: 'CREATE',
      params: { overwrite: false, blocksize: 1048576, createflag: undefined },
      user: 'etl',
    });
    expect(url.toString()).toBe(
      'http://nn:9870/webhdfs/v1/data/a%20b/c%25d?op=CREATE&overwrite=false&blocksize=1048576&user.name=etl',
    );
  });

  it('accepts a base URL that already ends in /webhdfs/v1 (with or without a slash)', () => {
    for (const baseUrl of ['http://nn:9870/webhdfs/v1', 'http://nn:9870/webhdfs/v1/', 'http://nn:9870/']) {
      expect(buildWebHdfsUrl({ baseUrl, path: '/x', op: 'GETFILESTATUS' }).pathname).toBe('/webhdfs/v1/x');
    }
  });

  it('sends the delegation token instead of user.name', () => {
    const url = buildWebHdfsUrl({ baseUrl: 'https://nn:9871', path: '/x', op: 'OPEN', user: 'u', delegationToken: 'SECRET+/=' });
    expect(url.searchParams.get('delegation')).toBe('SECRET+/=');
    expect(url.searchParams.has('user.name')).toBe(false);
  });

  it('redacts delegation tokens in URLs', () => {
    const url = buildWebHdfsUrl({ baseUrl: 'http://nn:9870', path: '/x', op: 'OPEN', delegationToken: 'SECRETTOKEN' });
    const red = redactUrl(url);
    expect(red).not.toContain('SECRETTOKEN');
    expect(red).toContain('delegation=***');
    expect(red).toContain('op=OPEN');
    expect(redactUrl('http://dn:9864/webhdfs/v1/x?op=CREATE&delegation=ABC&namenoderpcaddress=nn:8020')).toBe(
      'http://dn:9864/webhdfs/v1/x?op=CREATE&delegation=***&namenoderpcaddress=nn%3A8020',
    );
    expect(redactUrl('/relative?token=ABC&x=1')).toBe('/relative?token=***&x=1');
    expect(redactUrl('http://nn/x?op=OPEN')).toBe('http://nn/x?op=OPEN');
  });

  it('redacts a secret echoed in text, raw or URL-encoded', () => {
    expect(redactSecret('token a+b/c= and a%2Bb%2Fc%3D', 'a+b/c=')).toBe('token *** and ***');
    expect(redactSecret('nothing', undefined)).toBe('nothing');
  });

  it('encodes each path segment', () => {
    expect(encodeHdfsPath('/a/b c/ü?#')).toBe('/a/b%20c/%C3%BC%3F%23');
  });
});
