package io.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The payload round-trips and stays URL-safe; templates split URLs as a raw client needs. */
class PayloadTest {
  @Test
  void payloadCarriesSequenceAndTime() {
    String data = Payload.encode(42, 123456789L, 100);
    assertThat(data).hasSize(100).matches("[0-9x-]+");
    assertThat(Payload.sequence(data)).isEqualTo(42);
    assertThat(Payload.nanos(data)).isEqualTo(123456789L);
    assertThat(Payload.sequence("hello")).isEqualTo(-1);
  }

  @Test
  void templateExpandsTopicAndData() {
    Template t = new Template("http://127.0.0.1:8090/sub/{topic}?x=1");
    Template.Endpoint e = t.endpoint("bench-3");
    assertThat(e.host()).isEqualTo("127.0.0.1");
    assertThat(e.port()).isEqualTo(8090);
    assertThat(e.target()).isEqualTo("/sub/bench-3?x=1");
    assertThat(new Template("topic={topic}&data={data}").expand("bench-0", "1-2-x")).isEqualTo("topic=bench-0&data=1-2-x");
  }
}
