package io.herald.cli;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;

/**
 * A child JVM for {@link WorkerDeathProcessTest}: runs the real {@code herald serve} (ARGS after
 * the first) in this process, waits until it listens, then kills the hub's thread named by the
 * first argument with {@link Thread#stop()} (on JDK 17 it throws {@code ThreadDeath} in that
 * thread, as an out-of-memory error would), and waits for what the hub does about it.
 *
 * <p>Usage: {@code KillWorkerMain THREAD_NAME PORT serve --addr 127.0.0.1:PORT ...}.
 */
public final class KillWorkerMain {
  private KillWorkerMain() {}

  @SuppressWarnings({"deprecation", "removal"}) // Thread.stop: the way to kill a thread from outside
  public static void main(String[] args) throws Exception {
    String victim = args[0];
    int port = Integer.parseInt(args[1]);
    String[] serve = Arrays.copyOfRange(args, 2, args.length);
    Thread hub = new Thread(() -> System.exit(HeraldCommand.run(serve)), "herald-main");
    hub.start();
    awaitListening(port);
    Thread target = awaitThread(victim); // some threads start after the port is bound
    System.out.println("killing " + victim);
    System.out.flush();
    target.stop();
    hub.join(); // a hub that survives its worker's death keeps this process up
  }

  private static Thread awaitThread(String name) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t.getName().equals(name)) {
          return t;
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("no thread named " + name);
  }

  private static void awaitListening(int port) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        return;
      } catch (java.io.IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("herald serve never listened on port " + port);
  }
}
