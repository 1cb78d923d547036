package io.herald.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.SubmissionPublisher;
import org.junit.jupiter.api.Test;

/**
 * {@link BodyQueue} fed by the JDK's own {@link java.util.concurrent.Flow} publisher, {@link
 * SubmissionPublisher}, on a same-thread executor: each signal reaches the queue before {@code
 * submit}, {@code request} or {@code close} returns, so what is pending is known exactly.
 */
class BodyQueueTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static List<ByteBuffer> chunk(String text) {
    return List.of(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static String text(BodyQueue.Item item) {
    assertThat(item).isInstanceOf(BodyQueue.Chunk.class);
    StringBuilder b = new StringBuilder();
    for (ByteBuffer buffer : ((BodyQueue.Chunk) item).buffers()) {
      b.append(StandardCharsets.UTF_8.decode(buffer.duplicate()));
    }
    return b.toString();
  }

  private static SubmissionPublisher<List<ByteBuffer>> publisher() {
    return new SubmissionPublisher<>(Runnable::run, 16);
  }

  @Test
  void takesOneChunkAtATimeAndTheNextOnlyWhenAskedFor() throws Exception {
    try (SubmissionPublisher<List<ByteBuffer>> body = publisher()) {
      BodyQueue queue = new BodyQueue();
      body.subscribe(queue);
      body.submit(chunk("one"));
      body.submit(chunk("two"));

      assertThat(text(queue.next(WAIT))).isEqualTo("one");
      // "two" stays with the publisher (so with TCP, in the real client) until requested.
      assertThat(body.estimateMaximumLag()).isEqualTo(1);
      assertThat(queue.next(Duration.ofMillis(1))).isInstanceOf(BodyQueue.TimedOut.class);

      queue.requestMore();
      assertThat(text(queue.next(WAIT))).isEqualTo("two");
      assertThat(body.estimateMaximumLag()).isZero();
    }
  }

  @Test
  void theEndOfTheBodyIsAnEndItem() throws Exception {
    SubmissionPublisher<List<ByteBuffer>> body = publisher();
    BodyQueue queue = new BodyQueue();
    body.subscribe(queue);
    body.submit(chunk("last"));
    body.close();

    assertThat(text(queue.next(WAIT))).isEqualTo("last");
    queue.requestMore();
    assertThat(queue.next(WAIT)).isInstanceOf(BodyQueue.End.class);
  }

  @Test
  void aFailureOfTheBodyCarriesItsCause() throws Exception {
    SubmissionPublisher<List<ByteBuffer>> body = publisher();
    BodyQueue queue = new BodyQueue();
    body.subscribe(queue);
    IOException reset = new IOException("connection reset");
    body.closeExceptionally(reset);

    BodyQueue.Item item = queue.next(WAIT);
    assertThat(item).isInstanceOf(BodyQueue.Failed.class);
    assertThat(((BodyQueue.Failed) item).error()).isSameAs(reset);
  }

  @Test
  void cancelWakesTheReaderAndStopsTheBody() throws Exception {
    try (SubmissionPublisher<List<ByteBuffer>> body = publisher()) {
      BodyQueue queue = new BodyQueue();
      body.subscribe(queue);
      assertThat(body.getNumberOfSubscribers()).isEqualTo(1);

      queue.cancel();
      assertThat(queue.next(WAIT)).isInstanceOf(BodyQueue.Cancelled.class);
      assertThat(body.getNumberOfSubscribers()).isZero();
      // Nothing more is requested once cancelled.
      queue.requestMore();
      body.submit(chunk("late"));
      assertThat(queue.next(Duration.ofMillis(1))).isInstanceOf(BodyQueue.TimedOut.class);
    }
  }

  @Test
  void aBodyCancelledBeforeItStartedIsCancelledAtOnce() throws Exception {
    try (SubmissionPublisher<List<ByteBuffer>> body = publisher()) {
      BodyQueue queue = new BodyQueue();
      queue.cancel();
      body.subscribe(queue);

      assertThat(body.getNumberOfSubscribers()).isZero();
      assertThat(queue.next(WAIT)).isInstanceOf(BodyQueue.Cancelled.class);
    }
  }

  @Test
  void aChunkIsASnapshotOfTheBuffersDelivered() {
    ByteBuffer buffer = ByteBuffer.allocate(1);
    ArrayList<ByteBuffer> delivered = new ArrayList<>(List.of(buffer));
    BodyQueue.Chunk item = new BodyQueue.Chunk(delivered);
    delivered.clear();

    assertThat(item.buffers()).containsExactly(buffer);
  }
}
