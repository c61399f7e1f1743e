package dev.outpost.runtime.telemetry;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Tags Quarkus' HTTP server meters with the methods HTTP defines, any other as {@code UNKNOWN}
 * (Quarkus' own value for none). Quarkus tags each request with its method as sent, and Vert.x takes
 * any token for a method, so a client making up {@code X1}, {@code X2} ... made a new series each,
 * kept until a restart.
 */
@Singleton
public class HttpMethodTagFilter implements MeterFilter {

  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
      "TRACE", "PATCH");

  @Override
  public Meter.Id map(Meter.Id id) {
    String method = id.getTag("method");
    if (method == null || METHODS.contains(method) || !id.getName().startsWith("http.server")) {
      return id;
    }
    List<Tag> tags = new ArrayList<>();
    for (Tag tag : id.getTagsAsIterable()) {
      tags.add(tag.getKey().equals("method") ? Tag.of("method", "UNKNOWN") : tag);
    }
    return id.replaceTags(tags);
  }
}
