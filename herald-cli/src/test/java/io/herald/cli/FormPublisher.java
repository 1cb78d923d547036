package io.herald.cli;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** Publishes form updates to a hub over real HTTP, as a test publisher. */
final class FormPublisher {
  private final HttpClient http;
  private final String token;

  FormPublisher(HttpClient http, String token) {
    this.http = http;
    this.token = token;
  }

  /** POSTs {@code name, value, ...} as a form to {@code hubUrl}. */
  HttpResponse<String> publish(String hubUrl, String... pairs) throws Exception {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < pairs.length; i += 2) {
      if (body.length() > 0) {
        body.append('&');
      }
      body.append(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
    }
    return http.send(HttpRequest.newBuilder(URI.create(hubUrl))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
