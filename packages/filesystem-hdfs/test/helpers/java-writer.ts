// A real Java HDFS writer (Hadoop's FsShell `-appendToFile -` reading stdin) that the test can
// SIGKILL while it holds the file's lease: the "writer process died" case the sinks must survive.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveHdfsJars } from '@sluice/testkit';
import { WebHdfsClient } from '../../src/webhdfs/webhdfs-client.js';
import { waitFor } from './wait-for.js';

/** A running FsShell append whose stdin the test feeds. */
export interface JavaAppender {
  /** Writes to FsShell's stdin. */
  write(bytes: Buffer): Promise<void>;
  /** SIGKILLs the JVM and waits until it is gone. Idempotent. */
  kill(): Promise<void>;
  /** Everything FsShell printed on stderr so far. */
  stderr(): string;
}

const CORE_SITE = `<?xml version="1.0"?>
<configuration>
  <property><name>dfs.client.block.write.replace-datanode-on-failure.enable</name><value>false</value></property>
</configuration>
`;

/** Starts `FsShell -fs <rpcUrl> -appendToFile - <path>` as `user`. */
export async function startJavaAppender(options: { rpcUrl: string; user: string; path: string }): Promise<JavaAppender> {
  const libDir = await resolveHdfsJars();
  const confDir = await mkdtemp(join(tmpdir(), 'sluice-java-writer-'));
  await writeFile(join(confDir, 'core-site.xml'), CORE_SITE);
  const java = process.env['JAVA_HOME'] ? join(process.env['JAVA_HOME'], 'bin', 'java') : 'java';
  const child: ChildProcess = spawn(
    java,
    ['-Xmx128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', `${confDir}:${join(libDir, '*')}`,
      'org.apache.hadoop.fs.FsShell', '-fs', options.rpcUrl, '-appendToFile', '-', options.path],
    { env: { ...process.env, HADOOP_USER_NAME: options.user }, stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
  });
  child.stdin?.on('error', () => undefined);
  return {
    write: (bytes) =>
      new Promise((resolve, reject) => {
        child.stdin?.write(bytes, (error) => (error ? reject(error) : resolve()));
      }),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      await rm(confDir, { recursive: true, force: true });
    },
    stderr: () => err,
  };
}

/**
 * Waits until `writer` holds the lease on `path`: an empty WebHDFS APPEND (no lease retries) is
 * refused with `HDFS_LEASE_HELD`.
 */
export async function waitForJavaLease(
  target: { webhdfsUrl: string; user: string },
  path: string,
  writer: JavaAppender,
): Promise<void> {
  const probe = new WebHdfsClient({ url: target.webhdfsUrl, user: target.user, retry: { leaseRecoveryTimeoutMs: 0 } });
  try {
    await waitFor(
      `the Java writer to hold the lease on ${path} (stderr: ${writer.stderr()})`,
      async () => {
        try {
          await probe.append(path, new Uint8Array(0));
          return false;
        } catch (error) {
          return (error as { cause?: { code?: string } }).cause?.code === 'HDFS_LEASE_HELD';
        }
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  } finally {
    probe.close();
  }
}
