import { describe, expect, it } from 'vitest';
import { FileSystemError } from '../errors.js';
import { errorFromAnswer, parseRemoteException } from './remote-exception.js';

const remote = (exception: string, message = 'm', javaClassName = `org.apache.hadoop.x.${exception}`): string =>
  JSON.stringify({ RemoteException: { exception, javaClassName, message } });

describe('RemoteException mapping', () => {
  it.each([
    [403, remote('FileAlreadyExistsException', '/a for client 127.0.0.1 already exists'), 'HDFS_FILE_ALREADY_EXISTS', false],
    [404, remote('FileNotFoundException', 'File does not exist: /a'), 'HDFS_FILE_NOT_FOUND', false],
    [403, remote('AlreadyBeingCreatedException', 'lease owned by DFSClient_1'), 'HDFS_LEASE_HELD', true],
    [403, remote('RecoveryInProgressException', 'recovery in progress'), 'HDFS_LEASE_HELD', true],
    [403, remote('LeaseExpiredException', 'lease expired'), 'HDFS_LEASE_HELD', true],
    [403, remote('SafeModeException', 'Name node is in safe mode.'), 'HDFS_SAFE_MODE', true],
    [403, remote('RetriableException', 'org.apache.hadoop.hdfs.server.namenode.SafeModeException: Name node is in safe mode'), 'HDFS_SAFE_MODE', true],
    [403, remote('RetriableException', 'try later'), 'HDFS_IO', true],
    [403, remote('StandbyException', 'Operation category READ is not supported in state standby'), 'HDFS_UNREACHABLE', true],
    [403, remote('AccessControlException', 'Permission denied: user=x'), 'HDFS_ACCESS_DENIED', false],
    [403, remote('InvalidToken', 'token expired', 'org.apache.hadoop.security.token.SecretManager$InvalidToken'), 'HDFS_ACCESS_DENIED', false],
    [403, remote('ParentNotDirectoryException', '/a (is not a directory)'), 'HDFS_WRONG_TYPE', false],
    [403, remote('PathIsNotEmptyDirectoryException', '`/p is non empty'), 'HDFS_DIRECTORY_NOT_EMPTY', false],
    [403, remote('DSQuotaExceededException', 'quota'), 'HDFS_QUOTA_EXCEEDED', false],
    [403, remote('NSQuotaExceededException', 'quota'), 'HDFS_QUOTA_EXCEEDED', false],
    [400, remote('HadoopIllegalArgumentException', 'Cannot truncate to a larger file size'), 'HDFS_ILLEGAL_ARGUMENT', false],
    [400, remote('IllegalArgumentException', 'Invalid value for webhdfs parameter'), 'HDFS_ILLEGAL_ARGUMENT', false],
    [403, remote('IOException', 'Failed: org.apache.hadoop.hdfs.protocol.AlreadyBeingCreatedException: held'), 'HDFS_LEASE_HELD', true],
    [403, remote('IOException', 'Specified block size 1000 is less than configured minimum'), 'HDFS_IO', false],
    [403, remote('IOException', 'File /a could only be written to 0 of the 1 minReplication nodes. There are 1 datanode(s) running and 1 node(s) are excluded in this operation.'), 'HDFS_UNREACHABLE', true],
    [403, remote('IOException', 'All datanodes [DatanodeInfoWithStorage[127.0.0.1:42307,DS-1,DISK]] are bad. Aborting...'), 'HDFS_UNREACHABLE', true],
    [500, remote('NullPointerException', ''), 'HDFS_IO', false],
    [404, '<html>Not Found</html>', 'HDFS_FILE_NOT_FOUND', false],
    [401, 'Authentication required', 'HDFS_ACCESS_DENIED', false],
    [503, 'Service Unavailable', 'HDFS_UNREACHABLE', true],
    [500, '<html>ClassNotFoundException</html>', 'HDFS_IO', false],
    [418, 'teapot', 'HDFS_PROTOCOL', false],
  ] as const)('HTTP %i %s → %s (retriable %s)', (...[status, body, code, retriable]) => {
    const e = errorFromAnswer({ operation: 'APPEND', path: '/dir/file', status, body, server: 'DataNode 127.0.0.1:9864' });
    expect(e).toBeInstanceOf(FileSystemError);
    expect(e.code).toBe(code);
    expect(e.retriable).toBe(retriable);
    expect(e.operation).toBe('APPEND');
    expect(e.path).toBe('/dir/file');
    expect(e.httpStatus).toBe(status);
    expect(e.message).toContain('APPEND /dir/file');
    expect(e.message).toContain('DataNode 127.0.0.1:9864');
  });

  it('keeps the RemoteException but drops the Java stack trace from the message', () => {
    const body = remote('FileAlreadyExistsException', '/a already exists\n\tat org.apache.X.y(X.java:1)\n\tat z');
    const e = errorFromAnswer({ operation: 'CREATE', path: '/a', status: 403, body, server: 'DataNode d' });
    expect(e.message).not.toContain('X.java');
    expect(e.message).toContain('/a already exists');
    expect(e.remoteException?.message).toContain('X.java');
    expect(e.message).toMatch(/never overwritten/);
  });

  it('parseRemoteException ignores bodies that are not RemoteExceptions', () => {
    expect(parseRemoteException('not json')).toBeUndefined();
    expect(parseRemoteException('{"boolean":true}')).toBeUndefined();
    expect(parseRemoteException(remote('X'))?.exception).toBe('X');
  });
});
