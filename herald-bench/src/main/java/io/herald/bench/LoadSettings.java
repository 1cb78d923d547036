package io.herald.bench;

import java.time.Duration;
import java.util.List;

/**
 * Everything a scenario needs to know about the target and the load: the same settings drive
 * every peer, so only the templates differ between runs of a comparison.
 *
 * @param label a name for the target in reports (e.g. {@code herald}, {@code nchan})
 * @param subscribeUrls where subscribers GET their streams, with {@code {topic}}: subscriber
 *     {@code i} uses URL {@code i mod n} (several hub nodes of one cluster)
 * @param publishUrls where updates are POSTed, with {@code {topic}}: publish connection {@code k}
 *     uses URL {@code k mod n}
 * @param publishBody the POST body, with {@code {topic}} and {@code {data}}
 * @param publishHeaders extra {@code Name: value} headers of each publish (e.g. a bearer token)
 * @param subscribeHeaders extra headers of each subscribe request
 * @param subscribers how many subscriber connections
 * @param topics how many topics the subscribers spread over (subscriber i takes topic i mod n)
 * @param rate updates published per second (over all topics)
 * @param topicsRate updates published per second in the many-topics scenario
 * @param duration how long the measured phase publishes
 * @param warmup how long to publish before measuring
 * @param payloadBytes approximate size of each update's data
 * @param sources how many loopback source addresses (127.0.0.2 and up) subscribers spread over
 * @param threads client event loops for the subscribers
 * @param publishConnections keep-alive connections the publisher may use at once
 * @param maxPendingConnects connection attempts in flight at once
 * @param churnRate reconnections per second in the churn scenario
 * @param sweepRates publish rates tried, in order, by the sweep
 * @param p99Limit the p99 latency the sweep must stay under
 * @param targetPids processes of the hub whose memory and CPU are reported (empty: none)
 * @param jcmd whether the target is a JVM whose heap can be read with {@code jcmd}
 * @param progress whether to print a progress line on stderr
 * @param publishMode a fixed rate, or a closed loop per publish connection (see {@link PublishMode})
 */
record LoadSettings(
    String label,
    List<Template> subscribeUrls,
    List<Template> publishUrls,
    Template publishBody,
    List<String> publishHeaders,
    List<String> subscribeHeaders,
    int subscribers,
    int topics,
    int rate,
    int topicsRate,
    Duration duration,
    Duration warmup,
    int payloadBytes,
    int sources,
    int threads,
    int publishConnections,
    int maxPendingConnects,
    int churnRate,
    List<Integer> sweepRates,
    Duration p99Limit,
    List<Long> targetPids,
    boolean jcmd,
    boolean progress,
    PublishMode publishMode) {

  /** The name of topic {@code i}. */
  static String topicName(int i) {
    return "bench-" + i;
  }

  /** These settings with another number of subscribers and topics. */
  LoadSettings withShape(int subscribers, int topics) {
    return new LoadSettings(label, subscribeUrls, publishUrls, publishBody, publishHeaders, subscribeHeaders,
        subscribers, topics, rate, topicsRate, duration, warmup, payloadBytes, sources, threads, publishConnections,
        maxPendingConnects, churnRate, sweepRates, p99Limit, targetPids, jcmd, progress,
        publishMode);
  }
}
