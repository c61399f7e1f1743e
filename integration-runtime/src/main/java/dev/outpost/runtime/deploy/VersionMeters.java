package dev.outpost.runtime.deploy;

import dev.outpost.runtime.secret.SecretRedaction;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.util.List;

/**
 * Removes the meters Camel registered for one retired integration version: its exchange and route
 * meters are tagged with the version's route ids and endpoint URIs ({@code <key>.…}, {@code
 * /_outpost/<name>/g<n>/…}), which no later version reuses, so without this every upgrade would add
 * series to the Prometheus output for good. The per-integration meters (tagged by version name)
 * go once no deployment of the integration runs that version name ({@link #removeVersion}): a new
 * generation of the same version continues them, and a version name seen again later starts its
 * counters anew, which Prometheus reads as a counter reset.
 */
final class VersionMeters {

  private VersionMeters() {}

  static void remove(MeterRegistry meters, String key, String prefix) {
    // as registered: a secret value occurring in the key or prefix is masked in the tags too
    // (telemetry.SecretRedactingMeterFilter)
    List<String> marks = List.of(key + ".", prefix + "/", SecretRedaction.redact(key + "."),
        SecretRedaction.redact(prefix + "/"));
    List<Meter> retired = meters.getMeters().stream()
        .filter(m -> m.getId().getTags().stream().map(Tag::getValue).anyMatch(v -> marks.stream().anyMatch(v::contains)))
        .toList();
    retired.forEach(meters::remove);
  }

  /** Removes {@code integration}'s own meters ({@code outpost.integration.*}) of {@code version}. */
  static void removeVersion(MeterRegistry meters, String integration, String version) {
    List<Meter> retired = meters.getMeters().stream()
        .filter(m -> m.getId().getName().startsWith("outpost.integration.")
            && integration.equals(m.getId().getTag("integration")) && version.equals(m.getId().getTag("version")))
        .toList();
    retired.forEach(meters::remove);
  }
}
