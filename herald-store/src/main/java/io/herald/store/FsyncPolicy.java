package io.herald.store;

/**
 * When an appended batch reaches the disk ({@code --fsync}).
 *
 * <p>Both policies write every batch to the engine's write-ahead log before the publishers are
 * acknowledged, so a crash of the hub process (kill -9, OOM, JVM crash) never loses an
 * acknowledged update. They differ only when the whole machine goes down.
 */
public enum FsyncPolicy {
  /**
   * Each batch is fsynced before its publishers get their 200 (the default). Survives power loss
   * and kernel panics; costs one fsync per group commit.
   */
  ALWAYS,

  /**
   * Each batch is written to the OS page cache and flushed to disk when the OS decides (typically
   * within seconds). Survives a crash of the hub process, not of the machine: updates acknowledged
   * in the last seconds before a power loss may be missing from replay.
   */
  OS
}
