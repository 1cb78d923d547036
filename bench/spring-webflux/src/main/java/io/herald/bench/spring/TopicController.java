package io.herald.bench.spring;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The hand-written SSE hub a Java team would build on WebFlux: one multicast sink per topic,
 * subscribers get a {@code Flux} of it, publishers POST a form ({@code topic}, {@code data}) and
 * get the update's ID. No history, no auth: the cheapest correct fan-out, for comparison.
 */
@RestController
public class TopicController {
  private final ConcurrentMap<String, Sinks.Many<ServerSentEvent<String>>> topics = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();

  private Sinks.Many<ServerSentEvent<String>> sink(String topic) {
    return topics.computeIfAbsent(topic, t -> Sinks.many().multicast().directBestEffort());
  }

  /** {@code GET /subscribe?topic=T}: the topic's live stream. */
  @GetMapping(path = "/subscribe", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  public Flux<ServerSentEvent<String>> subscribe(@RequestParam("topic") String topic) {
    // A first comment commits the response at once, as an SSE server should (no waiting for data).
    return sink(topic).asFlux().startWith(ServerSentEvent.<String>builder().comment("hi").build());
  }

  /** {@code POST /publish} form {@code topic=T&data=D}: sends D to every subscriber of T. */
  @PostMapping(path = "/publish", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
  public Mono<String> publish(ServerWebExchange exchange) {
    return exchange.getFormData().map(form -> {
      String topic = form.getFirst("topic");
      String data = form.getFirst("data");
      if (topic == null || data == null) {
        throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "topic and data are required");
      }
      String id = Long.toString(ids.incrementAndGet());
      Sinks.Many<ServerSentEvent<String>> sink = sink(topic);
      ServerSentEvent<String> event = ServerSentEvent.builder(data).id(id).build();
      // A sink takes one emitter at a time; publishers arrive on several event loops.
      synchronized (sink) {
        sink.tryEmitNext(event);
      }
      return id;
    });
  }
}
