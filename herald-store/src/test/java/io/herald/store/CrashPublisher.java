package io.herald.store;

import io.herald.core.transport.HistoryTransport;
import io.herald.core.update.Update;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The child process of {@link CrashRecoveryTest}: publishes through HistoryTransport into a durable
 * history as fast as it can, printing {@code ack <sequence> <id>} for every acknowledged update,
 * until it is killed. Not a test.
 */
public final class CrashPublisher {
  private static final int PUBLISHERS = 8;

  private CrashPublisher() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    FsyncPolicy policy = FsyncPolicy.valueOf(args[1]);
    String run = args[2];
    PrintStream out = new PrintStream(System.out, false, "UTF-8");
    DurableHistory history =
        DurableHistory.open(dir, StoreOptions.defaults().withFsync(policy));
    HistoryTransport transport = new HistoryTransport(history);
    out.println("ready " + history.lastSequence());
    out.flush();
    for (int p = 0; p < PUBLISHERS; p++) {
      int me = p;
      Thread t =
          new Thread(
              () -> {
                for (long i = 0; ; i++) {
                  String id = run + "-" + me + "-" + i;
                  Update u =
                      new Update(id, List.of("https://example.com/" + me), "d" + i, null, -1,
                          false, 0);
                  Update stored = transport.publish(u).join();
                  synchronized (out) {
                    out.println("ack " + stored.sequence() + " " + id);
                    out.flush();
                  }
                }
              });
      t.start();
    }
    Thread.currentThread().join(); // until killed
  }
}
