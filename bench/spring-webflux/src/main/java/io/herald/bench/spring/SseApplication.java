package io.herald.bench.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Starts the reference SSE server (port from {@code server.port}, default 8081). */
@SpringBootApplication
public class SseApplication {
  public static void main(String[] args) {
    SpringApplication.run(SseApplication.class, args);
  }
}
