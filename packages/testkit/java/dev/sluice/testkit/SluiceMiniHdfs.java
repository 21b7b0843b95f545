package dev.sluice.testkit;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * One NameNode and one DataNode (MiniDFSCluster) in this JVM, for @sluice/testkit.
 *
 * <p>Arguments: base dir, NameNode RPC port, NameNode HTTP port, DataNode transfer port,
 * DataNode HTTP port, DataNode IPC port. Prints "SLUICE_HDFS_READY ..." once a probe file was
 * written and read back. Reads commands on stdin, one per line, answering
 * "SLUICE_HDFS_OK <command>" or "SLUICE_HDFS_ERR <command> <message>":
 * "restart-datanode" and "shutdown". End of stdin (the owner died) shuts the cluster down.
 */
public final class SluiceMiniHdfs {
  private static volatile MiniDFSCluster cluster;

  private SluiceMiniHdfs() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      System.err.println("usage: SluiceMiniHdfs <baseDir> <nnRpc> <nnHttp> <dnXfer> <dnHttp> <dnIpc>");
      System.exit(2);
    }
    String host = "127.0.0.1";
    File baseDir = new File(args[0]);
    int nnRpc = Integer.parseInt(args[1]);
    int nnHttp = Integer.parseInt(args[2]);

    Configuration conf = new HdfsConfiguration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, baseDir.getAbsolutePath());
    conf.set("dfs.namenode.rpc-address", host + ":" + nnRpc);
    conf.set("dfs.namenode.http-address", host + ":" + nnHttp);
    conf.set("dfs.datanode.address", host + ":" + args[3]);
    conf.set("dfs.datanode.http.address", host + ":" + args[4]);
    conf.set("dfs.datanode.ipc.address", host + ":" + args[5]);
    conf.set("dfs.datanode.hostname", host);
    conf.setBoolean("dfs.webhdfs.enabled", true);
    conf.setBoolean("dfs.permissions.enabled", false);
    conf.setInt("dfs.replication", 1);
    conf.setBoolean("dfs.client.block.write.replace-datanode-on-failure.enable", false);
    conf.setLong("dfs.heartbeat.interval", 1);
    conf.setInt("dfs.namenode.safemode.extension", 0);
    conf.setInt("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", 10);

    Runtime.getRuntime().addShutdownHook(new Thread(SluiceMiniHdfs::shutdownQuietly, "sluice-hdfs-shutdown"));

    cluster = new MiniDFSCluster.Builder(conf, baseDir)
        .nameNodePort(nnRpc)
        .nameNodeHttpPort(nnHttp)
        .numDataNodes(1)
        .checkDataNodeAddrConfig(true)
        .format(true)
        .build();
    cluster.waitActive();
    probe();
    System.out.println("SLUICE_HDFS_READY rpc=" + cluster.getNameNodePort() + " http=" + nnHttp
        + " dnHttp=" + args[4]);
    System.out.flush();

    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String command = line.trim();
      if (command.isEmpty()) {
        continue;
      }
      try {
        if (command.equals("restart-datanode")) {
          if (!cluster.restartDataNode(0, true)) {
            throw new IllegalStateException("restartDataNode returned false");
          }
          cluster.waitActive();
          probe();
        } else if (command.equals("shutdown")) {
          break;
        } else {
          throw new IllegalArgumentException("unknown command");
        }
        reply("SLUICE_HDFS_OK " + command);
      } catch (Exception e) {
        reply("SLUICE_HDFS_ERR " + command + " " + String.valueOf(e).replace('\n', ' '));
      }
    }
    shutdownQuietly();
    reply("SLUICE_HDFS_OK shutdown");
    System.exit(0);
  }

  private static void reply(String line) {
    System.out.println(line);
    System.out.flush();
  }

  /** Writes and reads back a small file, so "ready" means the DataNode accepts blocks. */
  private static void probe() throws Exception {
    FileSystem fs = cluster.getFileSystem();
    Path path = new Path("/tmp/.sluice-testkit-probe");
    byte[] expected = "sluice-testkit-probe".getBytes(StandardCharsets.UTF_8);
    try (FSDataOutputStream out = fs.create(path, true)) {
      out.write(expected);
    }
    byte[] actual = new byte[expected.length];
    try (FSDataInputStream in = fs.open(path)) {
      in.readFully(actual);
    }
    if (!java.util.Arrays.equals(expected, actual)) {
      throw new IllegalStateException("probe file read back different bytes");
    }
    fs.delete(path, false);
  }

  private static void shutdownQuietly() {
    MiniDFSCluster c = cluster;
    cluster = null;
    if (c != null) {
      try {
        c.shutdown();
      } catch (Exception e) {
        System.err.println("shutdown failed: " + e);
      }
    }
  }
}
