package dev.outpost.runtime.telemetry;

import dev.outpost.runtime.secret.SecretRedaction;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Masks secret values in meter tags, as {@link SecretRedaction} does in logs and spans. Camel tags
 * its exchange meters with resolved endpoint URIs ({@code to: .../services/{{secret.hook.path}}})
 * and Quarkus its HTTP server meters with the request's path ({@code platform-http:/hooks/{{secret…}}}):
 * the management port's Prometheus text is read by whatever the chart's {@code metricsFrom} admits,
 * and kept there. Quarkus applies every {@code MeterFilter} bean to its registries.
 */
@Singleton
public class SecretRedactingMeterFilter implements MeterFilter {

  /**
   * Tags the runtime sets from the state, not from a resolved URI: names the meters are found by
   * again (a version's series removed when it retires), kept as they are even when a secret value
   * happens to occur in a name.
   */
  static final Set<String> OWN_TAGS = Set.of("project", "integration", "version");

  @Override
  public Meter.Id map(Meter.Id id) {
    List<Tag> tags = null;
    for (Tag tag : id.getTagsAsIterable()) {
      if (!OWN_TAGS.contains(tag.getKey()) && SecretRedaction.holdsSecret(tag.getValue())) {
        tags = new ArrayList<>();
        break;
      }
    }
    if (tags == null) {
      return id;
    }
    for (Tag tag : id.getTagsAsIterable()) {
      tags.add(OWN_TAGS.contains(tag.getKey()) ? tag : Tag.of(tag.getKey(), SecretRedaction.redact(tag.getValue())));
    }
    return id.replaceTags(tags);
  }
}
