function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** A Hadoop `*-site.xml` with the given properties. */
export function renderSiteXml(properties: Readonly<Record<string, string>>): string {
  const body = Object.entries(properties)
    .map(
      ([name, value]) =>
        `  <property>\n    <name>${escapeXml(name)}</name>\n    <value>${escapeXml(value)}</value>\n  </property>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<configuration>\n${body}\n</configuration>\n`;
}

/** log4j 1.x (reload4j) settings for the HDFS JVM and FsShell: INFO to stderr, no audit log. */
export function renderHdfsLog4j(rootLevel: 'INFO' | 'WARN'): string {
  return [
    `log4j.rootLogger=${rootLevel}, stderr`,
    'log4j.appender.stderr=org.apache.log4j.ConsoleAppender',
    'log4j.appender.stderr.Target=System.err',
    'log4j.appender.stderr.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.stderr.layout.ConversionPattern=%d{ISO8601} %p %c{1}: %m%n',
    'log4j.logger.org.apache.hadoop.hdfs.server.namenode.FSNamesystem.audit=WARN',
    'log4j.logger.org.apache.hadoop.hdfs.StateChange=WARN',
    'log4j.logger.org.apache.hadoop.util.NativeCodeLoader=ERROR',
    '',
  ].join('\n');
}

/** What the MiniDFSCluster main prints once it is ready. */
export interface HdfsReadyLine {
  rpc: number;
  http: number;
  dnHttp: number;
}

/** Parses `SLUICE_HDFS_READY rpc=<port> http=<port> dnHttp=<port>`; `undefined` for other lines. */
export function parseReadyLine(line: string): HdfsReadyLine | undefined {
  const match = /^SLUICE_HDFS_READY rpc=(\d+) http=(\d+) dnHttp=(\d+)\s*$/.exec(line);
  if (match === null) return undefined;
  return { rpc: Number(match[1]), http: Number(match[2]), dnHttp: Number(match[3]) };
}

/** Normalises a WebHDFS base URL: adds `/webhdfs/v1` when missing, drops a trailing slash. */
export function normaliseWebhdfsUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return trimmed.endsWith('/webhdfs/v1') ? trimmed : `${trimmed}/webhdfs/v1`;
}
