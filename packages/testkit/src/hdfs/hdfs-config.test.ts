import { describe, expect, it } from 'vitest';
import {
  normaliseWebhdfsUrl,
  parseReadyLine,
  renderHdfsLog4j,
  renderSiteXml,
} from './hdfs-config.js';

describe('hdfs config helpers', () => {
  it('parses the ready line of the MiniDFSCluster main', () => {
    expect(parseReadyLine('SLUICE_HDFS_READY rpc=1 http=22 dnHttp=333')).toEqual({
      rpc: 1,
      http: 22,
      dnHttp: 333,
    });
    expect(
      parseReadyLine('2026-01-01 INFO something SLUICE_HDFS_READY rpc=1 http=2 dnHttp=3'),
    ).toBeUndefined();
    expect(parseReadyLine('SLUICE_HDFS_READY rpc=x http=2 dnHttp=3')).toBeUndefined();
  });

  it('normalises WebHDFS base URLs', () => {
    expect(normaliseWebhdfsUrl('http://h:9870')).toBe('http://h:9870/webhdfs/v1');
    expect(normaliseWebhdfsUrl('http://h:9870/')).toBe('http://h:9870/webhdfs/v1');
    expect(normaliseWebhdfsUrl('http://h:9870/webhdfs/v1/')).toBe('http://h:9870/webhdfs/v1');
  });

  it('renders escaped site XML', () => {
    const xml = renderSiteXml({ 'a.b': 'x<y&z' });
    expect(xml).toContain('<name>a.b</name>');
    expect(xml).toContain('<value>x&lt;y&amp;z</value>');
  });

  it('silences the audit log', () => {
    expect(renderHdfsLog4j('INFO')).toContain('FSNamesystem.audit=WARN');
  });
});
